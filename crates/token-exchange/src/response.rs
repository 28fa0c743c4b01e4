//! Reading the token endpoint's answer.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::secret::Secret;

/// `expires_in` when the server omits it (Auth0's SDKs assume an hour).
const DEFAULT_EXPIRES_IN: u64 = 3600;

/// The longest `expires_in` accepted: ten years, in seconds. Anything
/// longer is a broken server (or `1e300`), not a lifetime to cache.
const MAX_EXPIRES_IN: u64 = 10 * 365 * 24 * 60 * 60;

/// A federated connection's access token from Token Vault.
#[derive(Debug, Clone)]
pub struct ConnectionToken {
    access_token: Secret,
    expires_at: u64,
    scope: String,
}

impl ConnectionToken {
    /// The upstream provider's access token.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// When it expires, in seconds since the epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// The granted scopes (empty when the server sent none).
    pub fn scope(&self) -> &str {
        &self.scope
    }
}

/// The result of a custom token exchange.
#[derive(Debug, Clone)]
pub struct ExchangedToken {
    access_token: Secret,
    expires_in: u64,
    expires_at: u64,
    scope: Option<String>,
    id_token: Option<Secret>,
    refresh_token: Option<Secret>,
    token_type: Option<String>,
    issued_token_type: Option<String>,
}

impl ExchangedToken {
    /// The Auth0 access token.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// Lifetime in seconds, as the server stated it.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// Expiry in seconds since the epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Granted scopes, when sent (an empty string is kept as sent).
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// An ID token, when the profile issues one.
    pub fn id_token(&self) -> Option<&Secret> {
        self.id_token.as_ref()
    }

    /// A refresh token, when the profile issues one.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// `token_type` (usually `Bearer`), when sent.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// RFC 8693 `issued_token_type`, when sent.
    pub fn issued_token_type(&self) -> Option<&str> {
        self.issued_token_type.as_deref()
    }
}

/// A downstream access token obtained on behalf of the user. Never carries
/// an ID or refresh token: an API acting for a user must not gain a
/// long-lived credential of its own.
#[derive(Debug, Clone)]
pub struct OnBehalfOfToken {
    access_token: Secret,
    expires_in: u64,
    expires_at: u64,
    scope: Option<String>,
    token_type: Option<String>,
    issued_token_type: Option<String>,
}

impl OnBehalfOfToken {
    /// The downstream access token.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// Lifetime in seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// Expiry in seconds since the epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Granted scopes, when sent.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// `token_type`, when sent.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// RFC 8693 `issued_token_type`, when sent.
    pub fn issued_token_type(&self) -> Option<&str> {
        self.issued_token_type.as_deref()
    }
}

/// A successful (2xx) response body, checked. Its other fields may hold
/// ID or refresh tokens, so `Debug` shows none of them.
pub(crate) struct TokenResponse {
    access_token: Secret,
    expires_in: u64,
    fields: Map<String, Value>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// Parses a 2xx body: JSON, a non-empty string `access_token`, and an
    /// `expires_in` that is a non-negative integer (or a string of one).
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(body) else {
            return Err(ApiError::new(
                "invalid_json",
                "token endpoint returned invalid JSON",
                502,
            ));
        };
        let access_token = match fields.remove("access_token") {
            Some(Value::String(token)) if !token.is_empty() => Secret::new(token),
            _ => {
                return Err(invalid_response(
                    "missing or invalid access_token in response",
                ));
            }
        };
        let expires_in = match fields.get("expires_in") {
            None => DEFAULT_EXPIRES_IN,
            Some(value) => expires_in(value)?,
        };
        Ok(Self {
            access_token,
            expires_in,
            fields,
        })
    }

    fn string(&self, name: &str) -> Option<String> {
        self.fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    pub(crate) fn into_connection_token(self, now: u64) -> ConnectionToken {
        ConnectionToken {
            scope: self.string("scope").unwrap_or_default(),
            expires_at: now.saturating_add(self.expires_in),
            access_token: self.access_token,
        }
    }

    pub(crate) fn into_exchanged_token(self, now: u64) -> ExchangedToken {
        ExchangedToken {
            scope: self.string("scope"),
            id_token: self.string("id_token").map(Secret::new),
            refresh_token: self.string("refresh_token").map(Secret::new),
            token_type: self.string("token_type"),
            issued_token_type: self.string("issued_token_type"),
            expires_in: self.expires_in,
            expires_at: now.saturating_add(self.expires_in),
            access_token: self.access_token,
        }
    }

    pub(crate) fn into_on_behalf_of_token(self, now: u64) -> OnBehalfOfToken {
        OnBehalfOfToken {
            scope: self.string("scope"),
            token_type: self.string("token_type"),
            issued_token_type: self.string("issued_token_type"),
            expires_in: self.expires_in,
            expires_at: now.saturating_add(self.expires_in),
            access_token: self.access_token,
        }
    }
}

fn invalid_response(message: &str) -> ApiError {
    ApiError::new("invalid_response", message, 502)
}

/// `expires_in` as a whole number of seconds from 0 to [`MAX_EXPIRES_IN`]:
/// a JSON integer, a float without a fraction, or a string of an integer.
fn expires_in(value: &Value) -> Result<u64, ApiError> {
    // i128 holds every JSON integer serde_json parses; a huge float
    // saturates, which is out of bounds either way.
    let parsed: Option<i128> = match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.fract() == 0.0)
                    .map(|f| f as i128)
            }),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    };
    match parsed {
        None => Err(invalid_response("expires_in is not an integer")),
        Some(n) if n < 0 => Err(invalid_response("expires_in cannot be negative")),
        Some(n) => u64::try_from(n)
            .ok()
            .filter(|&n| n <= MAX_EXPIRES_IN)
            .ok_or_else(|| invalid_response("expires_in is more than ten years")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<TokenResponse, ApiError> {
        TokenResponse::parse(body.as_bytes())
    }

    #[test]
    fn expires_in_forms() {
        assert_eq!(parse(r#"{"access_token":"a"}"#).unwrap().expires_in, 3600);
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":60}"#)
                .unwrap()
                .expires_in,
            60
        );
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":"60"}"#)
                .unwrap()
                .expires_in,
            60
        );
        for bad in [
            r#""soon""#,
            "-1",
            r#""-5""#,
            "1.5",
            "null",
            "[1]",
            // past ten years, however it is written
            "1e300",
            "315360001",
            r#""315360001""#,
            "9223372036854775807",
            "18446744073709551615",
            "1e19",
            r#""99999999999999999999999999""#,
        ] {
            let err = parse(&format!(r#"{{"access_token":"a","expires_in":{bad}}}"#)).unwrap_err();
            assert_eq!(
                (err.error_code(), err.status_code()),
                ("invalid_response", 502),
                "{bad}"
            );
        }
    }

    #[test]
    fn expires_in_bounds_are_inclusive() {
        for ok in ["0", "315360000", "315360000.0", r#""315360000""#] {
            let parsed = parse(&format!(r#"{{"access_token":"a","expires_in":{ok}}}"#));
            assert!(parsed.is_ok(), "{ok}");
        }
        assert_eq!(MAX_EXPIRES_IN, 315_360_000);
    }

    #[test]
    fn access_token_must_be_a_non_empty_string() {
        for body in [r#"{}"#, r#"{"access_token":""}"#, r#"{"access_token":5}"#] {
            assert_eq!(parse(body).unwrap_err().error_code(), "invalid_response");
        }
        for body in ["", "not json", "[1]"] {
            assert_eq!(parse(body).unwrap_err().error_code(), "invalid_json");
        }
    }

    #[test]
    fn optional_fields_keep_empty_values() {
        let t = parse(r#"{"access_token":"a","scope":"","id_token":"i","token_type":"Bearer"}"#)
            .unwrap()
            .into_exchanged_token(100);
        assert_eq!(t.scope(), Some(""));
        assert_eq!(t.id_token().map(Secret::expose_secret), Some("i"));
        assert_eq!(t.refresh_token(), None);
        assert_eq!(t.expires_at(), 3700);
        let obo = parse(r#"{"access_token":"a","id_token":"i","refresh_token":"r"}"#)
            .unwrap()
            .into_on_behalf_of_token(0);
        assert!(!format!("{obo:?}").contains("\"i\""));
    }
}
