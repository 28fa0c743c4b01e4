//! Client authentication at the token endpoint.

use std::fmt;

use base64ct::{Base64, Encoding};
use url::form_urlencoded;

use crate::secret::Secret;

/// A confidential client's id and secret, sent with HTTP Basic
/// authentication (RFC 6749 section 2.3.1), never in the request body.
#[derive(Clone)]
pub struct ClientCredentials {
    client_id: String,
    client_secret: Secret,
}

impl ClientCredentials {
    /// Credentials for `client_id`.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The `Authorization` header value: `Basic base64(id:secret)`, each
    /// part form-urlencoded first as RFC 6749 section 2.3.1 requires.
    pub(crate) fn basic_authorization(&self) -> Secret {
        let id: String = form_urlencoded::byte_serialize(self.client_id.as_bytes()).collect();
        let secret: String =
            form_urlencoded::byte_serialize(self.client_secret.expose_secret().as_bytes())
                .collect();
        let pair = Secret::new(format!("{id}:{secret}"));
        Secret::new(format!(
            "Basic {}",
            Base64::encode_string(pair.expose_secret().as_bytes())
        ))
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_encodes_id_and_secret() {
        let c = ClientCredentials::new("client", "s3cret");
        // base64("client:s3cret")
        assert_eq!(
            c.basic_authorization().expose_secret(),
            "Basic Y2xpZW50OnMzY3JldA=="
        );
        // reserved characters are form-urlencoded before base64
        let c = ClientCredentials::new("a:b", "p w");
        let decoded = Base64::decode_vec(
            c.basic_authorization()
                .expose_secret()
                .trim_start_matches("Basic "),
        )
        .unwrap();
        assert_eq!(decoded, b"a%3Ab:p+w");
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = ClientCredentials::new("client", "s3cret");
        let debug = format!("{c:?}");
        assert!(debug.contains("client") && !debug.contains("s3cret"));
    }
}
