//! An issuer on a fixed clock and the example's router trusting it, driven
//! without a socket or served on loopback.
//!
//! The fixed instant, bounded waits, the shared runtime, the issuer on its
//! clock and `Reply` are `dev_issuer::testing`'s.

use std::sync::Arc;

use auth0_api::{ApiClient, ApiClientOptions, ManualClock, ProtectedResourceMetadata, PublicUrl};
use auth0_api_axum::RequestVerifier;
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use dev_issuer::testing::{ClockedIssuer, Server};
pub(crate) use dev_issuer::testing::{Reply, block_on, within};
use dev_issuer::{DevIssuer, DevIssuerBuilder};
use mcp_example::{MCP_PATH, ToolPolicy, router};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// The protocol version the requests of these tests speak.
pub(crate) const PROTOCOL_VERSION: &str = "2025-11-25";

/// A dev issuer, and the example's router trusting it, both on one fixed
/// clock; the router is also served on a loopback port of its own.
pub(crate) struct Env {
    pub(crate) issuer: DevIssuer,
    /// The clock of issuer and verifier: moving it ages every token.
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) app: Router,
    /// `http://127.0.0.1:<port>/mcp`: the MCP endpoint and the resource
    /// (the audience of its tokens).
    pub(crate) mcp_url: String,
    /// Serves `app` until dropped.
    _server: Server,
}

impl Env {
    pub(crate) async fn start() -> Self {
        Self::start_with(&DevIssuer::builder()).await
    }

    /// As [`Env::start`], with an issuer configured by `builder`.
    pub(crate) async fn start_with(builder: &DevIssuerBuilder) -> Self {
        let (issuer, clock) = within(ClockedIssuer::start_with(builder))
            .await
            .unwrap()
            .into_parts();
        let mut app = None;
        let server = Server::start(|base| {
            let options = ApiClientOptions::new(issuer.issuer_url(), format!("{base}{MCP_PATH}"))
                .clock(clock.clone())
                .resource_metadata(ProtectedResourceMetadata::new(format!("{base}{MCP_PATH}")));
            let verifier = RequestVerifier::new(
                ApiClient::new(options).unwrap(),
                PublicUrl::new(base).unwrap(),
            );
            let router = router(&verifier, ToolPolicy::messages(), Vec::<String>::new());
            app = Some(router.clone());
            router
        })
        .await;
        Self {
            mcp_url: server.url_of(MCP_PATH),
            issuer,
            clock,
            app: app.unwrap(),
            _server: server,
        }
    }

    /// A Bearer token of `auth0|alice` for the MCP resource, with `scope`.
    pub(crate) fn token(&self, scope: &str) -> String {
        self.issuer
            .token()
            .sub("auth0|alice")
            .audience(&self.mcp_url)
            .scope(scope)
            .sign()
            .unwrap()
    }

    /// `http://127.0.0.1:<port>/.well-known/oauth-protected-resource/mcp`:
    /// where the resource's RFC 9728 document is, as every challenge says.
    pub(crate) fn metadata_url(&self) -> String {
        self.mcp_url.replace(
            MCP_PATH,
            &format!("/.well-known/oauth-protected-resource{MCP_PATH}"),
        )
    }

    /// GETs `path` from the router, without a token.
    pub(crate) async fn get(&self, path: &str) -> Reply {
        let request = Request::get(path).body(Body::empty()).unwrap();
        self.send(request).await
    }

    /// POSTs the JSON-RPC `message` to the MCP endpoint, with `token` as
    /// Bearer when there is one, straight to the router.
    pub(crate) async fn post(&self, token: Option<&str>, message: &Value) -> Reply {
        self.post_bytes(token, message.to_string().into_bytes())
            .await
    }

    /// As [`Env::post`], with a raw body.
    pub(crate) async fn post_bytes(&self, token: Option<&str>, body: Vec<u8>) -> Reply {
        let mut request = Request::post(MCP_PATH)
            // rmcp answers only the hosts it allows (loopback by default).
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", PROTOCOL_VERSION);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = within(self.app.clone().oneshot(request)).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = within(axum::body::to_bytes(body, 1 << 20)).await.unwrap();
        Reply::new(parts.status, parts.headers, &bytes)
    }
}

/// A JSON-RPC request of `method` with `params`.
pub(crate) fn request(id: u64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// A `tools/call` of `tool` without arguments.
pub(crate) fn call(id: u64, tool: &str) -> Value {
    request(id, "tools/call", json!({ "name": tool, "arguments": {} }))
}

/// The text of the first content block of a tool's result, parsed as JSON.
pub(crate) fn tool_output(reply: &Reply) -> Value {
    let text = reply.body["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no tool output in {}", reply.body));
    serde_json::from_str(text).unwrap()
}
