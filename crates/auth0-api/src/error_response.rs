//! `ErrorResponse`: a refusal as the parts of an HTTP response, the one
//! place every server integration (axum, actix-web, tonic) takes them from,
//! so that a rule about what a refusal says changes in one place.

use http::header::{ACCESS_CONTROL_EXPOSE_HEADERS, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Map, Value};

use crate::error::AuthError;

/// The status, headers and JSON body of a refused request.
///
/// Built from an [`AuthError`] ([`AuthError::to_response`]), it carries:
///
/// - the error's status;
/// - one `WWW-Authenticate` header per challenge, `DPoP-Nonce` when the
///   client must retry with a nonce, `Retry-After` when the refusal is
///   temporary;
/// - `Access-Control-Expose-Headers: WWW-Authenticate, DPoP-Nonce` when
///   there are challenges, so that a browser client behind a CORS layer can
///   read them (harmless without CORS);
/// - `Content-Type: application/json` and a small body,
///   `{"error": "invalid_token", "error_description": "..."}`, or `{}` for
///   a request without credentials, which RFC 6750 section 3.1 says should
///   carry no error information.
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions};
/// use http::HeaderMap;
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let api = ApiClient::new(ApiClientOptions::new("tenant.auth0.com", "https://api.example.com"))?;
/// // No Authorization header: refused before any network call.
/// let error = api
///     .verify_request(&HeaderMap::new(), "GET", "https://api.example.com/orders")
///     .await
///     .unwrap_err();
/// let (status, headers, body) = error.to_response().into_parts();
/// assert_eq!(status, 401);
/// assert_eq!(headers["content-type"], "application/json");
/// assert_eq!(headers.get_all("www-authenticate").iter().count(), 2);
/// assert_eq!(body, "{}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl ErrorResponse {
    /// A response with this status and the JSON body of `code` and
    /// `description` (`{}` when `code` is empty), without challenges: for
    /// refusals that are not an [`AuthError`], such as a route an
    /// integration was not set up for.
    pub fn new(status: StatusCode, code: &str, description: &str) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Self {
            status,
            headers,
            body: json_body(code, description),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers, `Content-Type` included.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The JSON body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The three parts, for a framework's own response type.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, String) {
        (self.status, self.headers, self.body)
    }
}

impl From<&AuthError> for ErrorResponse {
    fn from(error: &AuthError) -> Self {
        let status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Self::new(status, error.error_code(), error.description());
        let headers = error.response_headers();
        if headers.contains_key(WWW_AUTHENTICATE) {
            response.headers.insert(
                ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("WWW-Authenticate, DPoP-Nonce"),
            );
        }
        for (name, value) in &headers {
            response.headers.append(name, value.clone());
        }
        response
    }
}

/// `{"error": code, "error_description": description}`, or `{}` without a
/// code. serde_json escapes the description, which may quote the client's
/// own input.
fn json_body(code: &str, description: &str) -> String {
    let mut body = Map::new();
    if !code.is_empty() {
        body.insert("error".to_owned(), Value::from(code));
        body.insert("error_description".to_owned(), Value::from(description));
    }
    Value::Object(body).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AuthErrorKind;

    #[test]
    fn bodies_carry_the_error_only_with_a_code() {
        assert_eq!(json_body("", "no Authorization header"), "{}");
        let body: Value = serde_json::from_str(&json_body("invalid_token", "say \"hi\"")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": "invalid_token", "error_description": "say \"hi\""})
        );
    }

    #[test]
    fn challenges_are_exposed_to_cors_clients_and_others_are_not() {
        let challenged = AuthError::new(AuthErrorKind::InvalidToken, "bad").to_response();
        assert_eq!(
            challenged.headers()[ACCESS_CONTROL_EXPOSE_HEADERS],
            "WWW-Authenticate, DPoP-Nonce"
        );
        let plain = ErrorResponse::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "x");
        assert!(plain.headers().get(ACCESS_CONTROL_EXPOSE_HEADERS).is_none());
        assert!(plain.headers().get(WWW_AUTHENTICATE).is_none());
        let (status, headers, body) = plain.into_parts();
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers[CONTENT_TYPE], "application/json");
        assert!(body.contains("server_error"));
    }
}
