//! Upstream tokens that the federated connection (Token Vault) grant hands
//! out.

use std::fmt;
use std::time::Duration;

/// An upstream provider's access token, as Auth0's Token Vault would hold it
/// for a connection (`google-oauth2`, `github`, ...), optionally for one user.
///
/// A federated connection request for `connection` by a user gets the token
/// registered for that connection and that user's `sub`, or else the one
/// registered for the connection without a subject. When neither exists the
/// issuer answers as Auth0 does: 401
/// `federated_connection_refresh_token_not_found`.
///
/// ```
/// use std::time::Duration;
/// use dev_issuer::ConnectionToken;
///
/// let google = ConnectionToken::new("google-oauth2", "ya29.upstream-token")
///     .scope("https://www.googleapis.com/auth/calendar.readonly")
///     .expires_in(Duration::from_secs(600))
///     .for_subject("auth0|user-1");
/// assert_eq!(google.connection(), "google-oauth2");
/// assert!(!format!("{google:?}").contains("ya29"));
/// ```
///
/// `Clone` because the issuer keeps a copy of its builder's tokens; they are
/// test values. `Debug` leaves the token out.
#[derive(Clone)]
pub struct ConnectionToken {
    connection: String,
    access_token: String,
    scope: Option<String>,
    expires_in: u64,
    subject: Option<String>,
}

impl ConnectionToken {
    /// The token `access_token` for `connection`, for every user.
    pub fn new(connection: impl Into<String>, access_token: impl Into<String>) -> Self {
        Self {
            connection: connection.into(),
            access_token: access_token.into(),
            scope: None,
            expires_in: 3600,
            subject: None,
        }
    }

    /// The `scope` returned with the token.
    ///
    /// Default: none (the response has no `scope`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The `expires_in` returned with the token, in whole seconds.
    ///
    /// Default: one hour.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = lifetime.as_secs();
        self
    }

    /// Serves this token only to the user whose access token has this `sub`.
    ///
    /// Default: every user.
    pub fn for_subject(mut self, sub: impl Into<String>) -> Self {
        self.subject = Some(sub.into());
        self
    }

    /// The connection name.
    pub fn connection(&self) -> &str {
        &self.connection
    }

    /// The upstream access token. Named so that every read is easy to find.
    pub fn expose_access_token(&self) -> &str {
        &self.access_token
    }

    pub(crate) fn scope_value(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    pub(crate) fn expires_in_secs(&self) -> u64 {
        self.expires_in
    }

    /// The token for `connection` and `sub`: one registered for that user
    /// first, else one for every user.
    pub(crate) fn find<'a>(tokens: &'a [Self], connection: &str, sub: &str) -> Option<&'a Self> {
        let for_connection = || tokens.iter().filter(move |t| t.connection == connection);
        for_connection()
            .find(|t| t.subject.as_deref() == Some(sub))
            .or_else(|| for_connection().find(|t| t.subject.is_none()))
    }
}

impl fmt::Debug for ConnectionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionToken")
            .field("connection", &self.connection)
            .field("subject", &self.subject)
            .field("scope", &self.scope)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_own_token_wins_over_the_shared_one() {
        let tokens = [
            ConnectionToken::new("github", "shared"),
            ConnectionToken::new("github", "mine").for_subject("u1"),
            ConnectionToken::new("google-oauth2", "g").for_subject("u2"),
        ];
        let pick = |c: &str, s: &str| {
            ConnectionToken::find(&tokens, c, s).map(ConnectionToken::expose_access_token)
        };
        assert_eq!(pick("github", "u1"), Some("mine"));
        assert_eq!(pick("github", "u2"), Some("shared"));
        assert_eq!(pick("google-oauth2", "u2"), Some("g"));
        assert_eq!(pick("google-oauth2", "u1"), None);
        assert_eq!(pick("slack", "u1"), None);
    }
}
