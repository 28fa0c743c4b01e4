//! Integration tests for `jose-core`: published vectors, Wycheproof, attacks
//! and property tests.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod attacks;
mod p256_differential;
mod properties;
mod rfc_vectors;
mod support;
mod wycheproof_p256_points;
mod wycheproof_vectors;
