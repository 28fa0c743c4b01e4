//! Token exchanges end to end against `dev-issuer` over real HTTP.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod grants;
mod responses;
mod support;
mod validation;
