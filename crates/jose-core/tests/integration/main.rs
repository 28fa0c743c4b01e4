//! Integration tests for `jose-core`: published vectors, Wycheproof, attacks
//! and property tests.

mod rfc_vectors;
