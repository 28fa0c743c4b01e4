//! Integration tests for `dev-issuer`: everything over real HTTP on
//! loopback, every token checked with jose-core, every proof with dpop.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Test helpers are shared between modules, not a public API.
#![allow(unreachable_pub, missing_docs)]

mod authorization_code;
mod authorization_server_metadata;
mod authorize;
mod binary;
mod client_auth;
mod client_credentials;
mod discovery;
mod dpop_binding;
mod faults;
mod federated_connection;
mod lifecycle;
mod minting;
mod not_a_dependency;
mod oauth_flow;
mod refresh_token;
mod registration;
mod rotation;
mod support;
mod token_exchange;
