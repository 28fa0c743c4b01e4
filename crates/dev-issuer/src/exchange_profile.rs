//! RFC 8693 token exchange profiles, keyed by `subject_token_type`.

use std::fmt;

use serde_json::{Map, Value};

use crate::urn;

/// How the token endpoint answers a token exchange whose
/// `subject_token_type` names this profile, like an Auth0 Custom Token
/// Exchange profile and the Action behind it.
///
/// Two kinds exist:
///
/// - [`ExchangeProfile::on_behalf_of`]: access token to access token. The
///   subject token must be a valid token this issuer minted (signature,
///   `iss`, `exp`, `nbf`); the new token keeps its `sub` and gains an `act`
///   claim naming the exchanging client, with the subject token's own `act`
///   (if any) nested inside it as the prior actor.
/// - [`ExchangeProfile::custom`]: any other subject token type. Only the
///   subject tokens registered with [`ExchangeProfile::subject`] are
///   accepted, each mapped to the `sub` it stands for; any other is refused
///   with `invalid_grant`, as an Action calling `api.access.deny` would.
///
/// ```
/// use dev_issuer::ExchangeProfile;
///
/// let legacy = ExchangeProfile::custom("urn:acme:legacy-session")
///     .subject("legacy-session-1", "auth0|user-1")
///     .claim("https://acme.example/tier", "gold");
/// assert_eq!(legacy.subject_token_type(), "urn:acme:legacy-session");
/// assert!(!format!("{legacy:?}").contains("legacy-session-1"));
/// ```
///
/// `Clone` because the issuer keeps a copy of its builder's profiles; the
/// subject tokens are test values. `Debug` shows only how many there are.
#[derive(Clone)]
pub struct ExchangeProfile {
    subject_token_type: String,
    kind: ProfileKind,
    audiences: Option<Vec<String>>,
    claims: Map<String, Value>,
}

#[derive(Clone)]
pub(crate) enum ProfileKind {
    OnBehalfOf,
    Custom { subjects: Vec<(String, String)> },
}

impl ExchangeProfile {
    /// The on-behalf-of profile, for `subject_token_type`
    /// `urn:ietf:params:oauth:token-type:access_token`.
    pub fn on_behalf_of() -> Self {
        Self {
            subject_token_type: urn::TOKEN_TYPE_ACCESS_TOKEN.to_owned(),
            kind: ProfileKind::OnBehalfOf,
            audiences: None,
            claims: Map::new(),
        }
    }

    /// A custom profile for `subject_token_type`, accepting no subject token
    /// until some are registered with [`ExchangeProfile::subject`].
    pub fn custom(subject_token_type: impl Into<String>) -> Self {
        Self {
            subject_token_type: subject_token_type.into(),
            kind: ProfileKind::Custom {
                subjects: Vec::new(),
            },
            audiences: None,
            claims: Map::new(),
        }
    }

    /// Accepts `subject_token` and issues tokens for `sub` in exchange.
    /// Only custom profiles read this table; the on-behalf-of profile
    /// verifies subject tokens cryptographically instead.
    pub fn subject(mut self, subject_token: impl Into<String>, sub: impl Into<String>) -> Self {
        if let ProfileKind::Custom { subjects } = &mut self.kind {
            subjects.push((subject_token.into(), sub.into()));
        }
        self
    }

    /// Restricts the audiences a client may ask for; another is refused
    /// with `invalid_target`.
    ///
    /// Default: any audience.
    pub fn audiences<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audiences = Some(audiences.into_iter().map(Into::into).collect());
        self
    }

    /// Adds a claim to every token this profile issues.
    ///
    /// Default: none.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// The `subject_token_type` this profile answers.
    pub fn subject_token_type(&self) -> &str {
        &self.subject_token_type
    }

    pub(crate) fn kind(&self) -> &ProfileKind {
        &self.kind
    }

    pub(crate) fn allows_audience(&self, audience: &str) -> bool {
        self.audiences
            .as_ref()
            .is_none_or(|a| a.iter().any(|x| x == audience))
    }

    pub(crate) fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}

impl ProfileKind {
    /// The `sub` a custom profile maps `subject_token` to.
    pub(crate) fn custom_subject(&self, subject_token: &str) -> Option<&str> {
        match self {
            Self::Custom { subjects } => subjects
                .iter()
                .find(|(token, _)| token == subject_token)
                .map(|(_, sub)| sub.as_str()),
            Self::OnBehalfOf => None,
        }
    }
}

impl fmt::Debug for ExchangeProfile {
    // The subject tokens are credentials: only their number is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            ProfileKind::OnBehalfOf => "on-behalf-of".to_owned(),
            ProfileKind::Custom { subjects } => format!("custom ({} subjects)", subjects.len()),
        };
        f.debug_struct("ExchangeProfile")
            .field("subject_token_type", &self.subject_token_type)
            .field("kind", &kind)
            .field("audiences", &self.audiences)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_profiles_map_registered_tokens_only() {
        let profile = ExchangeProfile::custom("urn:x")
            .subject("t1", "user-1")
            .subject("t2", "user-2");
        assert_eq!(profile.kind().custom_subject("t2"), Some("user-2"));
        assert_eq!(profile.kind().custom_subject("t3"), None);
        assert_eq!(
            ExchangeProfile::on_behalf_of()
                .subject("t1", "ignored")
                .kind()
                .custom_subject("t1"),
            None
        );
    }

    #[test]
    fn audiences_restrict_only_when_set() {
        assert!(ExchangeProfile::on_behalf_of().allows_audience("https://any"));
        let profile = ExchangeProfile::on_behalf_of().audiences(["https://a"]);
        assert!(profile.allows_audience("https://a"));
        assert!(!profile.allows_audience("https://b"));
    }
}
