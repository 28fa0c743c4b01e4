//! A whole HTTP response, whichever client or router produced it.

use http::{HeaderMap, StatusCode};
use serde_json::Value;

/// An HTTP response, read whole, whichever client or router produced it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reply {
    /// The status code.
    pub status: StatusCode,
    /// Every header, in order.
    pub headers: HeaderMap,
    /// The body: JSON when it is JSON, `Null` when empty, otherwise the
    /// text as a JSON string.
    pub body: Value,
}

impl Reply {
    /// A reply from its status, headers and raw body (see
    /// [`Reply::body`]).
    pub fn new(status: StatusCode, headers: HeaderMap, body: &[u8]) -> Self {
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        Self {
            status,
            headers,
            body,
        }
    }

    /// The `error` member of the JSON body, or `""`.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }

    /// The `error_description` member of the JSON body, or `""`.
    pub fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or_default()
    }

    /// The first header `name`, as text, or `None` when absent.
    ///
    /// # Panics
    ///
    /// When the header is not visible ASCII.
    #[expect(
        clippy::expect_used,
        reason = "a header a test cannot read as text fails the test"
    )]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("a visible-ASCII header"))
    }

    /// Every `WWW-Authenticate` header, in order.
    ///
    /// # Panics
    ///
    /// When one is not visible ASCII.
    #[expect(
        clippy::expect_used,
        reason = "a challenge a test cannot read as text fails the test"
    )]
    pub fn challenges(&self) -> Vec<&str> {
        self.headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| v.to_str().expect("a visible-ASCII challenge"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_body_is_json_null_or_text() {
        let json = Reply::new(StatusCode::OK, HeaderMap::new(), br#"{"error":"x"}"#);
        assert_eq!(json.error(), "x");
        assert_eq!(json.description(), "");
        let empty = Reply::new(StatusCode::NO_CONTENT, HeaderMap::new(), b"");
        assert_eq!(empty.body, Value::Null);
        let text = Reply::new(StatusCode::BAD_REQUEST, HeaderMap::new(), b"not json");
        assert_eq!(text.body, Value::String("not json".to_owned()));
        assert_eq!(text.error(), "");
    }

    #[test]
    fn reply_reads_headers_in_order() {
        let mut headers = HeaderMap::new();
        headers.append("www-authenticate", "Bearer".parse().unwrap());
        headers.append("www-authenticate", "DPoP algs=\"ES256\"".parse().unwrap());
        headers.append("dpop-nonce", "n-1".parse().unwrap());
        let reply = Reply::new(StatusCode::UNAUTHORIZED, headers, b"");
        assert_eq!(reply.challenges(), ["Bearer", "DPoP algs=\"ES256\""]);
        assert_eq!(reply.header("dpop-nonce"), Some("n-1"));
        assert_eq!(reply.header("dpop"), None);
    }
}
