//! Tests of `auth0-api-redis` against a real `redis-server` that each test
//! starts on a loopback port (`dev_issuer::RedisServer`), never a mock.
//!
//! Each test starts its own server: nextest runs every test in its own
//! process, so a server shared "per binary" would be one per test anyway,
//! and a server in a `static` would outlive the process that started it.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod document_store;
mod keys;
mod nonce;
mod outage;
mod replay;
mod reset;
mod support;
