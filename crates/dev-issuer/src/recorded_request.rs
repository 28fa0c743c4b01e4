//! What the token endpoint saw, kept so that a client's tests can assert on
//! the exact request it sent.

use std::fmt;

use http::StatusCode;

/// Form fields whose values are credentials; `Debug` prints them redacted.
const SECRET_FIELDS: [&str; 9] = [
    "client_secret",
    "code",
    "code_verifier",
    "subject_token",
    "actor_token",
    "refresh_token",
    "client_assertion",
    "assertion",
    "password",
];

/// How a token request authenticated its client (or tried to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuthMethod {
    /// `Authorization: Basic` (`client_secret_basic`).
    Basic,
    /// `client_id` and `client_secret` in the form body
    /// (`client_secret_post`).
    Post,
    /// No client credentials.
    None,
}

/// One request to the token endpoint, as received, with its outcome.
///
/// The form fields are kept in the order sent, values decoded, repeated
/// fields repeated. `Debug` redacts credential values (`client_secret`,
/// `subject_token`, ...); the accessors return them as sent, because
/// asserting on them is the point. `Clone` so that
/// [`DevIssuer::token_requests`](crate::DevIssuer::token_requests) can hand
/// out copies while the issuer keeps recording.
#[derive(Clone)]
pub struct RecordedTokenRequest {
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) auth_method: ClientAuthMethod,
    pub(crate) claimed_client_id: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) dpop_proof: bool,
    pub(crate) status: StatusCode,
    pub(crate) error: Option<String>,
}

impl RecordedTokenRequest {
    /// Every form field, in order, as `(name, value)`.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The names of the form fields, in order (repeated ones repeated).
    pub fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// The first value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of field `name`, in order.
    pub fn field_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `grant_type` field.
    pub fn grant_type(&self) -> Option<&str> {
        self.field("grant_type")
    }

    /// How the client authenticated (or tried to).
    pub fn auth_method(&self) -> ClientAuthMethod {
        self.auth_method
    }

    /// The client id the request claimed, from `Authorization: Basic` or the
    /// body, whether or not it then authenticated.
    pub fn claimed_client_id(&self) -> Option<&str> {
        self.claimed_client_id.as_deref()
    }

    /// The client that authenticated, if one did.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Whether a `client_secret` field was in the body (a client meant to
    /// use HTTP Basic must never send one).
    pub fn secret_in_body(&self) -> bool {
        self.fields.iter().any(|(name, _)| name == "client_secret")
    }

    /// Whether the request carried a `DPoP` header.
    pub fn has_dpop_proof(&self) -> bool {
        self.dpop_proof
    }

    /// The status the issuer answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The RFC 6749 `error` code answered, if the request failed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

impl fmt::Debug for RecordedTokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(name, value)| {
                let shown = if SECRET_FIELDS.contains(&name.as_str()) {
                    "<redacted>"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedTokenRequest")
            .field("fields", &fields)
            .field("auth_method", &self.auth_method)
            .field("client_id", &self.client_id)
            .field("dpop_proof", &self.dpop_proof)
            .field("status", &self.status)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_read_fields_and_debug_redacts_credentials() {
        let request = RecordedTokenRequest {
            fields: vec![
                ("grant_type".into(), "client_credentials".into()),
                ("audience".into(), "https://a".into()),
                ("audience".into(), "https://b".into()),
                ("client_secret".into(), "hunter2".into()),
            ],
            auth_method: ClientAuthMethod::Post,
            claimed_client_id: Some("c".into()),
            client_id: Some("c".into()),
            dpop_proof: false,
            status: StatusCode::OK,
            error: None,
        };
        assert_eq!(request.grant_type(), Some("client_credentials"));
        assert_eq!(
            request.field_names(),
            ["grant_type", "audience", "audience", "client_secret"]
        );
        assert_eq!(
            request.field_values("audience").collect::<Vec<_>>(),
            ["https://a", "https://b"]
        );
        assert!(request.secret_in_body());
        let debug = format!("{request:?}");
        assert!(
            !debug.contains("hunter2") && debug.contains("<redacted>"),
            "{debug}"
        );
    }
}
