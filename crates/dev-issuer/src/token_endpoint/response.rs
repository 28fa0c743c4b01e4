//! Token endpoint answers: a token (RFC 6749 section 5.1) or an error
//! (section 5.2).

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, HeaderName, HeaderValue, PRAGMA, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

/// The response header carrying a server nonce (RFC 9449 section 8).
const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// The longest piece of a request echoed back in an error description.
const ECHO_MAX: usize = 64;

/// A successful token response.
#[derive(Debug)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: u64,
    pub(crate) scope: Option<String>,
    pub(crate) issued_token_type: Option<&'static str>,
    /// The next refresh token, for the grants that issue one.
    pub(crate) refresh_token: Option<String>,
    /// A fresh DPoP nonce for the client's next request.
    pub(crate) dpop_nonce: Option<String>,
}

impl IntoResponse for Issued {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("access_token".into(), self.access_token.into());
        body.insert("token_type".into(), self.token_type.into());
        body.insert("expires_in".into(), self.expires_in.into());
        if let Some(scope) = self.scope {
            body.insert("scope".into(), scope.into());
        }
        if let Some(issued) = self.issued_token_type {
            body.insert("issued_token_type".into(), issued.into());
        }
        if let Some(refresh_token) = self.refresh_token {
            body.insert("refresh_token".into(), refresh_token.into());
        }
        let mut headers = HeaderMap::new();
        insert_nonce(&mut headers, self.dpop_nonce.as_deref());
        no_store(StatusCode::OK, Value::Object(body), headers)
    }
}

/// An RFC 6749 error response: `error`, `error_description`, a status,
/// and for client authentication failures a `Basic` challenge.
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: String,
    challenge: bool,
    dpop_nonce: Option<String>,
}

impl OAuthError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
            challenge: false,
            dpop_nonce: None,
        }
    }

    /// 400 `invalid_request`: a parameter missing, repeated or malformed.
    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 401 `invalid_client` with `WWW-Authenticate: Basic`.
    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        Self {
            challenge: true,
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
        }
    }

    /// 400 `invalid_grant`: the subject token or grant is not acceptable.
    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// 400 `unauthorized_client`: this client may not use this grant.
    pub(crate) fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }

    /// 400 `unsupported_grant_type`.
    pub(crate) fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("grant_type \"{}\" is not supported", echo(grant_type)),
        )
    }

    /// 400 `unsupported_response_type` (RFC 6749 section 4.1.2.1).
    pub(crate) fn unsupported_response_type(response_type: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            format!(
                "response_type \"{}\" is not supported: only code",
                echo(response_type)
            ),
        )
    }

    /// 400 `invalid_scope`.
    pub(crate) fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    /// 400 `invalid_target` (RFC 8693 section 2.2.2).
    pub(crate) fn invalid_target(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_target", description)
    }

    /// 400 `invalid_dpop_proof` (RFC 9449 section 5).
    pub(crate) fn invalid_dpop_proof(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_dpop_proof", description)
    }

    /// 400 `use_dpop_nonce` with the nonce to retry with in `DPoP-Nonce`
    /// (RFC 9449 section 8).
    pub(crate) fn use_dpop_nonce(nonce: &str, description: impl Into<String>) -> Self {
        Self {
            dpop_nonce: Some(nonce.to_owned()),
            ..Self::new(StatusCode::BAD_REQUEST, "use_dpop_nonce", description)
        }
    }

    /// 400 `invalid_redirect_uri` (RFC 7591 section 3.2.2).
    pub(crate) fn invalid_redirect_uri(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_redirect_uri", description)
    }

    /// 400 `invalid_client_metadata` (RFC 7591 section 3.2.2).
    pub(crate) fn invalid_client_metadata(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            description,
        )
    }

    /// The same error with another status, for the few answers whose
    /// status says more than 400 (a body too large: 413).
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// 503 `temporarily_unavailable`: a store the grant needs is full.
    pub(crate) fn temporarily_unavailable(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            description,
        )
    }

    /// 500 `server_error`: the issuer itself failed.
    pub(crate) fn server_error(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            description,
        )
    }

    /// 401 `federated_connection_refresh_token_not_found`, Auth0's answer
    /// when Token Vault holds nothing for the user and connection.
    pub(crate) fn federated_token_not_found() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "federated_connection_refresh_token_not_found",
            "Federated connection Refresh Token not found.",
        )
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn code(&self) -> &'static str {
        self.code
    }

    pub(crate) fn description(&self) -> &str {
        &self.description
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if self.challenge {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"dev-issuer\""),
            );
        }
        insert_nonce(&mut headers, self.dpop_nonce.as_deref());
        let mut body = Map::new();
        body.insert("error".into(), self.code.into());
        body.insert("error_description".into(), self.description.into());
        no_store(self.status, Value::Object(body), headers)
    }
}

fn insert_nonce(headers: &mut HeaderMap, nonce: Option<&str>) {
    if let Some(value) = nonce.and_then(|n| HeaderValue::from_str(n).ok()) {
        headers.insert(DPOP_NONCE, value);
    }
}

/// A JSON response that no cache may keep (RFC 6749 section 5.1).
fn no_store(status: StatusCode, body: Value, mut headers: HeaderMap) -> Response {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    (status, headers, Json(body)).into_response()
}

/// A request value shortened for an error description.
pub(crate) fn echo(value: &str) -> String {
    jose_core::excerpt(value, ECHO_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_challenge_and_others_do_not() {
        let response = OAuthError::invalid_client("nope").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[WWW_AUTHENTICATE],
            "Basic realm=\"dev-issuer\""
        );
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");

        let response = OAuthError::invalid_grant("nope").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    }

    #[test]
    fn echoes_are_bounded() {
        assert_eq!(echo("short"), "short");
        let long = "é".repeat(100);
        assert!(echo(&long).len() <= ECHO_MAX + '…'.len_utf8());
    }
}
