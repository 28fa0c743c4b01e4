//! Integration tests of the example MCP server: its tools and policy over
//! the router (`tools`), and the official MCP TypeScript SDK client through
//! the whole OAuth flow against dev-issuer over real HTTP (`sdk_client`).

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sdk_client;
mod support;
mod tools;
