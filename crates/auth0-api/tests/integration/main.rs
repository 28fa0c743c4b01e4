//! End-to-end tests of `auth0-api` against `dev-issuer` over real HTTP.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_token;
mod certificate_binding;
mod concurrency;
mod confirmation;
mod dpop_order;
mod exchange;
mod forged_tokens;
mod misuse;
mod multi_domain;
mod replay_quota;
mod request_url;
mod resource_side;
mod schemes;
mod signing_algorithms;
mod static_keys;
mod support;
mod surface;
mod token_cache;
mod warm_up;
