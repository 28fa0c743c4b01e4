//! The discovery document and the JWKS.

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

/// `GET /.well-known/jwks.json`.
pub(super) async fn jwks(Shared(state): Shared<Arc<State>>) -> Response {
    cacheable(&state, state.jwks())
}

/// The metadata of what is actually served: no authorization endpoint, so
/// no response types are claimed. Callers add anything else with
/// `DevIssuerBuilder::discovery_member`.
fn discovery_document(state: &State) -> Value {
    let mut auth_methods = vec!["client_secret_basic"];
    if state.allows_client_secret_post() {
        auth_methods.push("client_secret_post");
    }
    let mut document = json!({
        "issuer": state.issuer_url(),
        "jwks_uri": state.jwks_uri(),
        "token_endpoint": state.token_endpoint_url(),
        "grant_types_supported": Grant::ALL.map(Grant::grant_type),
        "token_endpoint_auth_methods_supported": auth_methods,
        "dpop_signing_alg_values_supported": ["ES256"],
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
