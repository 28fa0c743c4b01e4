//! `POST /oidc/register`: RFC 7591 dynamic client registration, at the
//! path Auth0 serves it.
//!
//! Anyone who reaches the issuer may register (as with Auth0's open
//! dynamic registration), so everything is bounded: the body, each string,
//! each list, and the number of clients.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State as Shared;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};
use url::{Host, Url};

use crate::client::{Grant, RegisteredClient};
use crate::signing_key::random_id;
use crate::state::{MAX_DYNAMIC_CLIENTS, State};
use crate::token_endpoint::{OAuthError, echo};

/// The largest registration request read.
pub(super) const BODY_MAX: usize = 16 * 1024;

/// The longest string member accepted (URIs included).
const STRING_MAX: usize = 2048;

/// The most entries of a list member (`redirect_uris`, `contacts`).
const LIST_MAX: usize = 16;

/// Optional string members that are kept and echoed but change nothing
/// here. `scope` is among them: a client that later asks for another
/// scope (after an `insufficient_scope`) must not have to register again.
const ECHOED_STRINGS: [&str; 8] = [
    "client_name",
    "client_uri",
    "logo_uri",
    "scope",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
];

/// The grants a client may register for.
const REGISTRABLE: [Grant; 3] = [
    Grant::AuthorizationCode,
    Grant::RefreshToken,
    Grant::ClientCredentials,
];

/// `POST /oidc/register`.
pub(super) async fn register(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match answer(&state, &headers, body) {
        Ok(registered) => {
            let mut response =
                (StatusCode::CREATED, Json(Value::Object(registered))).into_response();
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => error.into_response(),
    }
}

fn answer(
    state: &State,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, OAuthError> {
    let body = body.map_err(|rejection| {
        OAuthError::invalid_client_metadata(format!(
            "the registration request could not be read (at most {BODY_MAX} bytes): {rejection}"
        ))
        .with_status(rejection.status())
    })?;
    check_json(headers)?;
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return Err(OAuthError::invalid_client_metadata(
            "the registration request must be a JSON object",
        ));
    };
    let metadata = Metadata::read(&request, state.allows_client_secret_post())?;

    let id = random_id(16).map_err(|_| OAuthError::server_error("no random client_id"))?;
    let mut client = if metadata.auth_method == "none" {
        RegisteredClient::public(&id)
    } else {
        let secret = random_id(32).map_err(|_| OAuthError::server_error("no random secret"))?;
        RegisteredClient::new(&id, secret)
    };
    client = client.grants(metadata.grants.iter().copied());
    for uri in &metadata.redirect_uris {
        client = client.redirect_uri(uri.as_str());
    }

    let mut registered = Map::new();
    registered.insert("client_id".into(), id.as_str().into());
    registered.insert("client_id_issued_at".into(), state.now().into());
    if !client.is_public() {
        registered.insert("client_secret".into(), client.expose_secret().into());
        registered.insert("client_secret_expires_at".into(), 0.into());
    }
    registered.insert("redirect_uris".into(), metadata.redirect_uris.into());
    registered.insert(
        "token_endpoint_auth_method".into(),
        metadata.auth_method.into(),
    );
    let grant_types: Vec<&str> = metadata.grants.iter().map(|g| g.grant_type()).collect();
    registered.insert("grant_types".into(), grant_types.into());
    registered.insert("response_types".into(), metadata.response_types.into());
    registered.extend(metadata.echoed);

    state.register_client(client).map_err(|_| {
        OAuthError::temporarily_unavailable(format!(
            "the issuer already holds {MAX_DYNAMIC_CLIENTS} dynamically registered clients, \
             its limit: restart it to register more"
        ))
    })?;
    Ok(registered)
}

/// RFC 7591 section 3: the request is JSON.
fn check_json(headers: &HeaderMap) -> Result<(), OAuthError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if media_type.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(OAuthError::invalid_client_metadata(
            "the registration request must be application/json",
        ))
    }
}

/// The registration request, checked, with the RFC 7591 defaults filled in.
#[derive(Debug)]
struct Metadata {
    redirect_uris: Vec<String>,
    auth_method: String,
    grants: Vec<Grant>,
    response_types: Vec<String>,
    echoed: Map<String, Value>,
}

impl Metadata {
    fn read(request: &Map<String, Value>, allows_post: bool) -> Result<Self, OAuthError> {
        let auth_method = string(request, "token_endpoint_auth_method")?
            .unwrap_or("client_secret_basic")
            .to_owned();
        match auth_method.as_str() {
            "none" | "client_secret_basic" => {}
            "client_secret_post" if allows_post => {}
            other => {
                return Err(OAuthError::invalid_client_metadata(format!(
                    "token_endpoint_auth_method \"{}\" is not supported",
                    echo(other)
                )));
            }
        }

        let grant_types = strings(request, "grant_types")?
            .unwrap_or_else(|| vec![Grant::AuthorizationCode.grant_type().to_owned()]);
        let mut grants = Vec::new();
        for grant_type in &grant_types {
            let grant = REGISTRABLE
                .into_iter()
                .find(|g| g.grant_type() == grant_type)
                .ok_or_else(|| {
                    OAuthError::invalid_client_metadata(format!(
                        "grant_type \"{}\" cannot be registered",
                        echo(grant_type)
                    ))
                })?;
            if !grants.contains(&grant) {
                grants.push(grant);
            }
        }
        let code_flow = grants.contains(&Grant::AuthorizationCode);
        if auth_method == "none" && grants.contains(&Grant::ClientCredentials) {
            return Err(OAuthError::invalid_client_metadata(
                "a public client (token_endpoint_auth_method none) cannot use client_credentials",
            ));
        }

        let response_types = strings(request, "response_types")?.unwrap_or_else(|| {
            if code_flow {
                vec!["code".to_owned()]
            } else {
                Vec::new()
            }
        });
        if let Some(other) = response_types.iter().find(|r| *r != "code") {
            return Err(OAuthError::invalid_client_metadata(format!(
                "response_type \"{}\" is not supported: only code",
                echo(other)
            )));
        }
        // RFC 7591 section 2.1: the two lists must agree.
        if code_flow != response_types.iter().any(|r| r == "code") {
            return Err(OAuthError::invalid_client_metadata(
                "grant_types and response_types disagree: authorization_code goes with code",
            ));
        }

        let redirect_uris = match strings(request, "redirect_uris") {
            Ok(uris) => uris.unwrap_or_default(),
            Err(_) => {
                return Err(OAuthError::invalid_redirect_uri(format!(
                    "redirect_uris must be a list of at most {LIST_MAX} strings"
                )));
            }
        };
        if code_flow && redirect_uris.is_empty() {
            return Err(OAuthError::invalid_redirect_uri(
                "redirect_uris is required for the authorization_code grant",
            ));
        }
        for uri in &redirect_uris {
            check_redirect_uri(uri).map_err(|why| {
                OAuthError::invalid_redirect_uri(format!("redirect URI \"{}\" {why}", echo(uri)))
            })?;
        }

        let mut echoed = Map::new();
        for name in ECHOED_STRINGS {
            if let Some(value) = string(request, name)? {
                echoed.insert(name.into(), value.into());
            }
        }
        if let Some(contacts) = strings(request, "contacts")? {
            echoed.insert("contacts".into(), contacts.into());
        }
        Ok(Self {
            redirect_uris,
            auth_method,
            grants,
            response_types,
            echoed,
        })
    }
}

/// An optional string member, bounded.
fn string<'a>(request: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, OAuthError> {
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) if value.len() <= STRING_MAX => Ok(Some(value)),
        Some(_) => Err(OAuthError::invalid_client_metadata(format!(
            "{name} must be a string of at most {STRING_MAX} bytes"
        ))),
    }
}

/// An optional list-of-strings member, bounded.
fn strings(request: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, OAuthError> {
    let invalid = || {
        OAuthError::invalid_client_metadata(format!(
            "{name} must be a list of at most {LIST_MAX} strings of at most {STRING_MAX} bytes"
        ))
    };
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(values)) if values.len() <= LIST_MAX => values
            .iter()
            .map(|v| match v {
                Value::String(s) if s.len() <= STRING_MAX => Ok(s.clone()),
                _ => Err(invalid()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid()),
    }
}

/// Why a redirect URI cannot be registered: it must be absolute, without a
/// fragment (RFC 6749 section 3.1.2), and https, or http on a loopback
/// host as native apps and local tools use (RFC 8252 section 7.3).
fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    let url = Url::parse(uri).map_err(|_| "is not an absolute URI")?;
    if uri.contains('#') {
        return Err("must not contain a fragment");
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" => match url.host() {
            Some(Host::Domain(host)) if host.eq_ignore_ascii_case("localhost") => Ok(()),
            Some(Host::Ipv4(ip)) if IpAddr::V4(ip).is_loopback() => Ok(()),
            Some(Host::Ipv6(ip)) if IpAddr::V6(ip).is_loopback() => Ok(()),
            _ => Err("uses http on a host that is not loopback: use https"),
        },
        _ => Err("must use https (or http on a loopback host)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_or_loopback_http() {
        for good in [
            "https://app.example/callback",
            "https://app.example/cb?x=1",
            "http://127.0.0.1:8123/callback",
            "http://127.9.9.9/cb",
            "http://[::1]:3000/cb",
            "http://localhost:3000/oauth/callback",
        ] {
            assert_eq!(check_redirect_uri(good), Ok(()), "{good}");
        }
        for bad in [
            "http://app.example/callback",
            "http://10.0.0.1/cb",
            "https://app.example/cb#frag",
            "https://app.example/cb#",
            "/callback",
            "callback",
            "javascript:alert(1)",
            "ftp://127.0.0.1/cb",
            "com.example.app:/cb",
            "",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    fn read(request: Value) -> Result<Metadata, OAuthError> {
        Metadata::read(request.as_object().unwrap(), true)
    }

    #[test]
    fn defaults_follow_rfc_7591() {
        let metadata =
            read(serde_json::json!({"redirect_uris": ["https://a.example/cb"]})).unwrap();
        assert_eq!(metadata.auth_method, "client_secret_basic");
        assert_eq!(metadata.grants, [Grant::AuthorizationCode]);
        assert_eq!(metadata.response_types, ["code"]);
    }

    #[test]
    fn inconsistent_metadata_is_refused() {
        let cases = [
            serde_json::json!({"grant_types": ["authorization_code"]}),
            serde_json::json!({"redirect_uris": "https://a.example/cb"}),
            serde_json::json!({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}),
            serde_json::json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["implicit"]}),
            serde_json::json!({"grant_types": ["client_credentials"], "response_types": ["code"]}),
            serde_json::json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}),
            serde_json::json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
            serde_json::json!({"redirect_uris": ["https://a.example/cb"], "client_name": 7}),
            serde_json::json!({"redirect_uris": ["https://a.example/cb"], "client_name": "x".repeat(STRING_MAX + 1)}),
            serde_json::json!({"redirect_uris": vec!["https://a.example/cb"; LIST_MAX + 1]}),
        ];
        for case in cases {
            assert!(read(case.clone()).is_err(), "{case}");
        }
        let machine = read(serde_json::json!({"grant_types": ["client_credentials"]})).unwrap();
        assert!(machine.response_types.is_empty());
        assert!(machine.redirect_uris.is_empty());
        assert!(
            Metadata::read(
                serde_json::json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_post"})
                    .as_object()
                    .unwrap(),
                false
            )
            .is_err()
        );
    }
}
