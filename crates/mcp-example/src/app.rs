//! The example's router: the MCP endpoint behind the auth layer and the
//! tool policy.

use std::sync::Arc;

use auth0_api_axum::{RequestVerifier, resource_metadata_router};
use axum::Router;
use axum::middleware::from_fn_with_state;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::policy::{MAX_BODY_BYTES, ToolPolicy, enforce};
use crate::server::MessagesServer;

/// The path of the MCP endpoint (streamable HTTP).
pub const MCP_PATH: &str = "/mcp";

/// The example's router: [`MessagesServer`] on rmcp's streamable HTTP
/// transport at [`MCP_PATH`], every request verified by `verifier`'s
/// [`Auth0Layer`](auth0_api_axum::Auth0Layer), every `tools/call` checked
/// by `policy`.
///
/// `allowed_hosts` are the `Host` values the endpoint answers (rmcp's
/// DNS-rebinding guard): the public URL's authority, plus loopback, which
/// rmcp allows by default.
///
/// When the verifier's client advertises an RFC 9728 document
/// ([`ApiClientOptions::resource_metadata`](auth0_api::ApiClientOptions::resource_metadata)),
/// the router serves it too, to anyone, at the well-known URL its
/// challenges name: that is where an MCP client finds the issuer.
///
/// The transport is stateless (no `Mcp-Session-Id`): each POST carries
/// its own token and is verified on its own, so no session outlives the
/// token that opened it or passes from one user to another. Replies are
/// plain JSON, as every tool answers at once.
pub fn router<I, S>(verifier: &RequestVerifier, policy: ToolPolicy, allowed_hosts: I) -> Router
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .into_iter()
        .map(str::to_owned)
        .chain(allowed_hosts.into_iter().map(Into::into))
        .collect();
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_allowed_hosts(hosts)
        .with_max_request_body_bytes(MAX_BODY_BYTES);
    let mcp = StreamableHttpService::new(
        || Ok(MessagesServer::new()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let app = Router::new()
        .route_service(MCP_PATH, mcp)
        // Layers run outside in: the auth layer verifies the token and puts
        // the claims in the request, then the policy reads them.
        .route_layer(from_fn_with_state(policy, enforce))
        .route_layer(verifier.layer());
    match verifier.client().resource_metadata() {
        // Merged after the layers: readable without a token.
        Some(metadata) => app.merge(resource_metadata_router(metadata)),
        None => app,
    }
}
