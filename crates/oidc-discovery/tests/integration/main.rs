//! Integration tests: `oidc-discovery` against real HTTP on 127.0.0.1.
//!
//! The authorization server is `dev-issuer` (discovery, JWKS, minting, key
//! rotation, fault injection, request counters); a few-line axum router in
//! [`support`] covers what it does not do (redirects, a JWKS with an
//! unsupported key). Nothing here mocks this crate's own traits, and every
//! time-based rule is driven by a `ManualClock`, not by sleeping.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod cache_lifetime;
mod documents;
mod http_fetcher;
mod negative_cache;
mod outage;
mod pinning;
mod rotation;
mod stampede;
