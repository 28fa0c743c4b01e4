//! Tests of `auth0-api-tonic` against `dev-issuer`: the example service
//! served over real HTTP/2 on loopback and called with a tonic client.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The example's service and client, compiled in as they are so that the
// test serves the very service the example does.
#[path = "../../examples/grpc_orders/orders.rs"]
mod orders;

mod example_service;
mod layer;
mod refusals;
mod support;
