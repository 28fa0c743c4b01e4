//! Clients registered on the issuer, and the grants they may use.

use std::fmt;

use crate::urn;

/// A grant the token endpoint implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Grant {
    /// `client_credentials` (RFC 6749 section 4.4).
    ClientCredentials,
    /// RFC 8693 token exchange, through an [`ExchangeProfile`].
    ///
    /// [`ExchangeProfile`]: crate::ExchangeProfile
    TokenExchange,
    /// Auth0's federated connection (Token Vault) exchange, answered from
    /// [`ConnectionToken`]s.
    ///
    /// [`ConnectionToken`]: crate::ConnectionToken
    FederatedConnection,
    /// `authorization_code` (RFC 6749 section 4.1) with PKCE S256, for
    /// codes from `GET /authorize`.
    AuthorizationCode,
    /// `refresh_token` (RFC 6749 section 6), with rotation.
    RefreshToken,
}

impl Grant {
    /// Every grant.
    pub const ALL: [Self; 5] = [
        Self::ClientCredentials,
        Self::TokenExchange,
        Self::FederatedConnection,
        Self::AuthorizationCode,
        Self::RefreshToken,
    ];

    /// The `grant_type` value that selects this grant.
    pub const fn grant_type(self) -> &'static str {
        match self {
            Self::ClientCredentials => urn::GRANT_CLIENT_CREDENTIALS,
            Self::TokenExchange => urn::GRANT_TOKEN_EXCHANGE,
            Self::FederatedConnection => urn::GRANT_FEDERATED_CONNECTION,
            Self::AuthorizationCode => urn::GRANT_AUTHORIZATION_CODE,
            Self::RefreshToken => urn::GRANT_REFRESH_TOKEN,
        }
    }

    /// The grant a `grant_type` value selects, if implemented.
    pub fn from_grant_type(grant_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.grant_type() == grant_type)
    }
}

/// A client: an id, a secret (none for a public client), what it may ask
/// for, and where `GET /authorize` may send its codes.
///
/// ```
/// use dev_issuer::{Grant, RegisteredClient};
///
/// let client = RegisteredClient::new("billing-api", "billing-secret")
///     .grants([Grant::TokenExchange])
///     .scopes(["read:invoices"]);
/// assert_eq!(client.id(), "billing-api");
/// assert!(!format!("{client:?}").contains("billing-secret"));
///
/// // A browser or native app: no secret, PKCE only.
/// let app = RegisteredClient::public("spa").redirect_uri("http://localhost:3000/callback");
/// assert!(app.is_public());
/// ```
///
/// Clients can also register themselves at `POST /oidc/register`
/// (RFC 7591).
///
/// `Clone` because the issuer keeps a copy of its builder's registrations;
/// the secret is a test value. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct RegisteredClient {
    id: String,
    secret: String,
    grants: Option<Vec<Grant>>,
    scopes: Option<Vec<String>>,
    redirect_uris: Vec<String>,
    public: bool,
}

impl RegisteredClient {
    /// A client that may use every grant and ask for any scope.
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
            grants: None,
            scopes: None,
            redirect_uris: Vec::new(),
            public: false,
        }
    }

    /// A public client (`token_endpoint_auth_method: none`): it has no
    /// secret and identifies itself with `client_id` in the body; PKCE is
    /// what protects its codes. It may use the authorization code and
    /// refresh token grants.
    pub fn public(id: impl Into<String>) -> Self {
        Self {
            public: true,
            ..Self::new(id, "")
        }
        .grants([Grant::AuthorizationCode, Grant::RefreshToken])
    }

    /// Adds a redirect URI that `GET /authorize` accepts for this client,
    /// compared exactly (RFC 6749 section 3.1.2.3).
    ///
    /// Default: none, so the client cannot use `/authorize`.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Restricts the grants this client may use; others are refused with
    /// `unauthorized_client`.
    ///
    /// Default: every grant.
    pub fn grants(mut self, grants: impl IntoIterator<Item = Grant>) -> Self {
        self.grants = Some(grants.into_iter().collect());
        self
    }

    /// Restricts the scopes this client may be granted with
    /// `client_credentials`; asking for another is refused with
    /// `invalid_scope`, and asking for none grants all of these.
    ///
    /// Default: any requested scope, and none when none is requested.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The client id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The redirect URIs `GET /authorize` accepts for this client.
    pub fn redirect_uris(&self) -> &[String] {
        &self.redirect_uris
    }

    /// Whether the client is public: no secret, authenticated by nothing.
    pub fn is_public(&self) -> bool {
        self.public
    }

    /// The client secret (empty for a public client). Named so that every
    /// read is easy to find.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }

    pub(crate) fn secret_matches(&self, candidate: &str) -> bool {
        !self.public && constant_time_eq(self.secret.as_bytes(), candidate.as_bytes())
    }

    pub(crate) fn may_use(&self, grant: Grant) -> bool {
        self.grants.as_ref().is_none_or(|g| g.contains(&grant))
    }

    pub(crate) fn allowed_scopes(&self) -> Option<&[String]> {
        self.scopes.as_deref()
    }
}

impl fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredClient")
            .field("id", &self.id)
            .field("grants", &self.grants)
            .field("scopes", &self.scopes)
            .field("redirect_uris", &self.redirect_uris)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// Compares without an early exit, so the time taken does not say how much
/// of a guessed secret was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_types_round_trip() {
        for grant in Grant::ALL {
            assert_eq!(Grant::from_grant_type(grant.grant_type()), Some(grant));
        }
        assert_eq!(Grant::from_grant_type("password"), None);
        assert_eq!(Grant::from_grant_type("CLIENT_CREDENTIALS"), None);
    }

    #[test]
    fn secrets_compare_exactly_and_restrictions_apply() {
        let client = RegisteredClient::new("id", "s3cret");
        assert!(client.secret_matches("s3cret"));
        for wrong in ["s3cre", "s3cret!", "S3cret", ""] {
            assert!(!client.secret_matches(wrong), "{wrong:?}");
        }
        assert!(Grant::ALL.into_iter().all(|g| client.may_use(g)));
        let client = client.grants([Grant::ClientCredentials]);
        assert!(client.may_use(Grant::ClientCredentials));
        assert!(!client.may_use(Grant::TokenExchange));
    }

    #[test]
    fn public_clients_have_no_secret_to_match() {
        let client = RegisteredClient::public("app").redirect_uri("http://127.0.0.1/cb");
        assert!(client.is_public());
        assert!(!client.secret_matches(""));
        assert!(client.may_use(Grant::AuthorizationCode));
        assert!(client.may_use(Grant::RefreshToken));
        assert!(!client.may_use(Grant::ClientCredentials));
        assert_eq!(client.redirect_uris(), ["http://127.0.0.1/cb"]);
    }
}
