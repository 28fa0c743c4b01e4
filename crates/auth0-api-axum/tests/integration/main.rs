//! Tests of `auth0-api-axum` against `dev-issuer`: the example API over
//! real HTTP, and the layer, extractors and scope guard on routers driven
//! directly.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The example API, compiled in as it is so that the test serves the very
// router the example does; its `main` and banner are not run here.
#[path = "../../examples/axum_api.rs"]
#[expect(
    dead_code,
    reason = "the example's start-up code is not run by the tests"
)]
mod example_app;

mod certificate_binding;
mod example_api;
mod extractors;
mod layer;
mod resource_side;
mod support;
