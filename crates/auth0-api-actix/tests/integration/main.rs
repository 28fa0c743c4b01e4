//! Tests of `auth0-api-actix` against `dev-issuer`: the example API over
//! real HTTP, and the middleware, extractors and guards on apps driven
//! directly.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The example API, compiled in as it is so that the test serves the very
// routes the example does; its `main` and banner are not run here.
#[path = "../../examples/actix_api.rs"]
#[expect(
    dead_code,
    reason = "the example's start-up code is not run by the tests"
)]
mod example_app;

mod example_api;
mod extractors;
mod middleware;
mod resource_side;
mod support;
