//! Integration tests for `dpop`: the RFC 9449 examples, one test per broken
//! rule, replay, nonces, proof creation and property tests. No network, no
//! real sleeping: every clock is a `ManualClock` unless the test is about
//! the system clock.

// clippy.toml's allow-*-in-tests covers #[test] functions only; the helpers
// beside them (fixtures, assertion helpers) must fail their test the same way.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the calling test by panicking"
)]

mod claims;
mod creation;
mod errors;
mod format;
mod header;
mod htu;
mod nonce;
mod properties;
mod replay;
mod request;
mod rfc9449;
mod signature;
mod support;
