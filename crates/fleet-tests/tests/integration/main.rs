//! Three replica processes sharing one redis-server on loopback.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod faults;
mod quota;
mod replicas;
mod support;
