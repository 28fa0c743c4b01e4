//! The discovery documents (OpenID Connect discovery and RFC 8414
//! authorization server metadata, built by one function) and the JWKS.

use std::sync::Arc;

use axum::Json;
use axum::extract::State as Shared;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, HeaderValue};
use serde_json::{Value, json};

use crate::client::Grant;
use crate::state::State;

/// `GET /.well-known/openid-configuration`.
pub(super) async fn discovery(Shared(state): Shared<Arc<State>>) -> Response {
    cacheable(&state, discovery_document(&state))
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414), where MCP
/// clients look first. The same document as OpenID discovery: nothing
/// here is specific to OpenID Connect, and two sources would drift apart.
pub(super) async fn authorization_server(Shared(state): Shared<Arc<State>>) -> Response {
    cacheable(&state, discovery_document(&state))
}

/// `GET /.well-known/jwks.json`.
pub(super) async fn jwks(Shared(state): Shared<Arc<State>>) -> Response {
    cacheable(&state, state.jwks())
}

/// The metadata of what is actually served, for both well-known paths.
/// Callers add or remove members with `DevIssuerBuilder::discovery_member`,
/// in both documents alike.
fn discovery_document(state: &State) -> Value {
    let mut auth_methods = vec!["client_secret_basic"];
    if state.allows_client_secret_post() {
        auth_methods.push("client_secret_post");
    }
    // Public clients (MCP clients, SPAs, native apps) send no secret.
    auth_methods.push("none");
    let mut document = json!({
        "issuer": state.issuer_url(),
        "authorization_endpoint": state.authorization_endpoint_url(),
        "token_endpoint": state.token_endpoint_url(),
        "registration_endpoint": state.registration_endpoint_url(),
        "jwks_uri": state.jwks_uri(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": Grant::ALL.map(Grant::grant_type),
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "dpop_signing_alg_values_supported": ["ES256"],
        // RFC 9207: every authorization response names the issuer.
        "authorization_response_iss_parameter_supported": true,
    });
    if let Some(members) = document.as_object_mut() {
        for (name, value) in state.discovery_members() {
            if value.is_null() {
                members.remove(name);
            } else {
                members.insert(name.clone(), value.clone());
            }
        }
    }
    document
}

fn cacheable(state: &State, body: Value) -> Response {
    let mut response = Json(body).into_response();
    let value = state
        .cache_control()
        .and_then(|v| HeaderValue::from_str(v).ok());
    if let Some(value) = value {
        response.headers_mut().insert(CACHE_CONTROL, value);
    }
    response
}
