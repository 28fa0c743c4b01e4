//! The three requests, validated before anything is sent.

use url::form_urlencoded;

use crate::error::RequestError;
use crate::grant;
use crate::secret::Secret;

/// At most this many values per `extra` parameter, so a caller cannot be
/// made to send an unbounded request.
pub const MAX_EXTRA_VALUES: usize = 20;

/// Parameters `extra` may not set (compared case-insensitively): they are
/// the grant's own, or would change whose token is being exchanged.
pub const RESERVED_PARAMETERS: [&str; 21] = [
    "grant_type",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "subject_token",
    "subject_token_type",
    "requested_token_type",
    "actor_token",
    "actor_token_type",
    "subject_issuer",
    "audience",
    "aud",
    "resource",
    "resources",
    "resource_indicator",
    "scope",
    "connection",
    "login_hint",
    "organization",
    "assertion",
];

/// A Token Vault request: the access token a user's federated connection
/// holds (Google, GitHub, ...), in exchange for the user's Auth0 token.
#[derive(Debug, Clone)]
pub struct ConnectionTokenRequest {
    connection: String,
    access_token: Secret,
    login_hint: Option<String>,
}

impl ConnectionTokenRequest {
    /// The token of `connection` for the user of `access_token`.
    pub fn new(connection: impl Into<String>, access_token: impl Into<Secret>) -> Self {
        Self {
            connection: connection.into(),
            access_token: access_token.into(),
            login_hint: None,
        }
    }

    /// Which of the user's accounts on the connection to use.
    ///
    /// Default: none.
    #[must_use]
    pub fn login_hint(mut self, login_hint: impl Into<String>) -> Self {
        self.login_hint = Some(login_hint.into());
        self
    }

    pub(crate) fn form(&self, client_id: &str) -> Result<Secret, RequestError> {
        require(&self.connection, "connection")?;
        require(self.access_token.expose_secret(), "access_token")?;
        let mut form = Form::new();
        form.push("grant_type", grant::FEDERATED_CONNECTION);
        form.push("subject_token", self.access_token.expose_secret());
        form.push("subject_token_type", grant::ACCESS_TOKEN_TYPE);
        form.push(
            "requested_token_type",
            grant::FEDERATED_CONNECTION_TOKEN_TYPE,
        );
        form.push("connection", &self.connection);
        form.push("client_id", client_id);
        if let Some(hint) = self.login_hint.as_deref().filter(|h| !h.is_empty()) {
            form.push("login_hint", hint);
        }
        Ok(form.finish())
    }
}

/// A value of an `extra` parameter: one string, or several sent as repeated
/// form fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtraValue {
    /// `name=value`.
    One(String),
    /// `name=a&name=b...`, at most [`MAX_EXTRA_VALUES`].
    Many(Vec<String>),
}

impl From<&str> for ExtraValue {
    fn from(v: &str) -> Self {
        Self::One(v.to_owned())
    }
}

impl From<String> for ExtraValue {
    fn from(v: String) -> Self {
        Self::One(v)
    }
}

impl From<Vec<String>> for ExtraValue {
    fn from(v: Vec<String>) -> Self {
        Self::Many(v)
    }
}

impl From<Vec<&str>> for ExtraValue {
    fn from(v: Vec<&str>) -> Self {
        Self::Many(v.into_iter().map(str::to_owned).collect())
    }
}

impl<const N: usize> From<[&str; N]> for ExtraValue {
    fn from(v: [&str; N]) -> Self {
        Self::Many(v.into_iter().map(str::to_owned).collect())
    }
}

/// An RFC 8693 token exchange matched by Auth0 to a Custom Token Exchange
/// profile through its `subject_token_type`.
#[derive(Debug, Clone)]
pub struct TokenExchangeRequest {
    subject_token: Secret,
    subject_token_type: String,
    audience: Option<String>,
    scope: Option<String>,
    requested_token_type: Option<String>,
    extra: Vec<(String, ExtraValue)>,
}

impl TokenExchangeRequest {
    /// Exchanges `subject_token`, of type `subject_token_type`.
    pub fn new(subject_token: impl Into<Secret>, subject_token_type: impl Into<String>) -> Self {
        Self {
            subject_token: subject_token.into(),
            subject_token_type: subject_token_type.into(),
            audience: None,
            scope: None,
            requested_token_type: None,
            extra: Vec::new(),
        }
    }

    /// The API the new token is for.
    ///
    /// Default: the profile's default audience.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Space-separated scopes to request.
    ///
    /// Default: none.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The type of token wanted.
    ///
    /// Default: an access token.
    #[must_use]
    pub fn requested_token_type(mut self, token_type: impl Into<String>) -> Self {
        self.requested_token_type = Some(token_type.into());
        self
    }

    /// An additional form parameter for the profile's Action (e.g.
    /// `device_id`). Reserved names and more than [`MAX_EXTRA_VALUES`]
    /// values are refused when the request is sent.
    ///
    /// Default: none.
    #[must_use]
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<ExtraValue>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    pub(crate) fn form(&self) -> Result<Secret, RequestError> {
        check_subject_token(&self.subject_token)?;
        require(&self.subject_token_type, "subject_token_type")?;
        for (name, value) in &self.extra {
            check_extra(name, value)?;
        }
        let mut form = Form::new();
        form.push("grant_type", grant::TOKEN_EXCHANGE);
        form.push("subject_token", self.subject_token.expose_secret());
        form.push("subject_token_type", &self.subject_token_type);
        for (name, value) in [
            ("audience", &self.audience),
            ("scope", &self.scope),
            ("requested_token_type", &self.requested_token_type),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                form.push(name, value);
            }
        }
        for (name, value) in &self.extra {
            match value {
                ExtraValue::One(v) => form.push(name, v),
                ExtraValue::Many(values) => values.iter().for_each(|v| form.push(name, v)),
            }
        }
        Ok(form.finish())
    }
}

/// On-behalf-of: the same user's token for a downstream API, via RFC 8693
/// with an access token as both subject and requested token type.
#[derive(Debug, Clone)]
pub struct OnBehalfOfRequest {
    access_token: Secret,
    audience: String,
    scope: Option<String>,
}

impl OnBehalfOfRequest {
    /// A token for `audience`, on behalf of the user of `access_token`.
    pub fn new(access_token: impl Into<Secret>, audience: impl Into<String>) -> Self {
        Self {
            access_token: access_token.into(),
            audience: audience.into(),
            scope: None,
        }
    }

    /// Space-separated scopes to request.
    ///
    /// Default: none.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    pub(crate) fn form(&self) -> Result<Secret, RequestError> {
        check_subject_token(&self.access_token)?;
        require(&self.audience, "audience")?;
        let mut form = Form::new();
        form.push("grant_type", grant::TOKEN_EXCHANGE);
        form.push("subject_token", self.access_token.expose_secret());
        form.push("subject_token_type", grant::ACCESS_TOKEN_TYPE);
        form.push("requested_token_type", grant::ACCESS_TOKEN_TYPE);
        form.push("audience", &self.audience);
        if let Some(scope) = self.scope.as_deref().filter(|s| !s.is_empty()) {
            form.push("scope", scope);
        }
        Ok(form.finish())
    }
}

fn require(value: &str, argument: &'static str) -> Result<(), RequestError> {
    if value.trim().is_empty() {
        Err(RequestError::MissingArgument { argument })
    } else {
        Ok(())
    }
}

/// A subject token must be the bare token: a blank one, one with
/// surrounding whitespace or one still carrying `Bearer ` is refused, since
/// sending it would only fail later and less clearly.
fn check_subject_token(token: &Secret) -> Result<(), RequestError> {
    let token = token.expose_secret();
    if token.trim().is_empty() {
        return Err(RequestError::BlankSubjectToken);
    }
    if token.trim() != token {
        return Err(RequestError::SubjectTokenWhitespace);
    }
    if token
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
    {
        return Err(RequestError::SubjectTokenBearerPrefix);
    }
    Ok(())
}

fn check_extra(name: &str, value: &ExtraValue) -> Result<(), RequestError> {
    if RESERVED_PARAMETERS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
    {
        return Err(RequestError::ReservedParameter {
            name: jose_core::excerpt(name, jose_core::EXCERPT_LEN),
        });
    }
    if let ExtraValue::Many(values) = value
        && values.len() > MAX_EXTRA_VALUES
    {
        return Err(RequestError::TooManyValues {
            name: jose_core::excerpt(name, jose_core::EXCERPT_LEN),
            count: values.len(),
            max: MAX_EXTRA_VALUES,
        });
    }
    Ok(())
}

/// An `application/x-www-form-urlencoded` body that may hold a token, so it
/// ends up in a [`Secret`].
struct Form(form_urlencoded::Serializer<'static, String>);

impl Form {
    fn new() -> Self {
        Self(form_urlencoded::Serializer::new(String::new()))
    }

    fn push(&mut self, name: &str, value: &str) {
        self.0.append_pair(name, value);
    }

    fn finish(mut self) -> Secret {
        Secret::new(self.0.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(body: &Secret) -> Vec<(String, String)> {
        form_urlencoded::parse(body.expose_secret().as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn connection_form() {
        let body = ConnectionTokenRequest::new("google-oauth2", "at")
            .login_hint("user@example.com")
            .form("cid")
            .unwrap();
        let p = pairs(&body);
        assert!(p.contains(&("grant_type".into(), grant::FEDERATED_CONNECTION.into())));
        assert!(p.contains(&("subject_token".into(), "at".into())));
        assert!(p.contains(&("connection".into(), "google-oauth2".into())));
        assert!(p.contains(&("client_id".into(), "cid".into())));
        assert!(p.contains(&("login_hint".into(), "user@example.com".into())));
        assert_eq!(
            ConnectionTokenRequest::new("", "at")
                .form("cid")
                .unwrap_err(),
            RequestError::MissingArgument {
                argument: "connection"
            }
        );
    }

    #[test]
    fn exchange_form_repeats_list_values_and_omits_credentials() {
        let body = TokenExchangeRequest::new("st", "urn:x")
            .audience("https://api")
            .extra("device", "d1")
            .extra("roles", ["a", "b"])
            .form()
            .unwrap();
        let p = pairs(&body);
        assert_eq!(p.iter().filter(|(k, _)| k == "roles").count(), 2);
        assert!(
            p.iter()
                .all(|(k, _)| k != "client_id" && k != "client_secret")
        );
    }

    #[test]
    fn subject_token_rules() {
        for (token, expected) in [
            ("", RequestError::BlankSubjectToken),
            ("   ", RequestError::BlankSubjectToken),
            (" t", RequestError::SubjectTokenWhitespace),
            ("t\n", RequestError::SubjectTokenWhitespace),
            ("Bearer t", RequestError::SubjectTokenBearerPrefix),
            ("bEaReR t", RequestError::SubjectTokenBearerPrefix),
        ] {
            assert_eq!(
                TokenExchangeRequest::new(token, "urn:x")
                    .form()
                    .unwrap_err(),
                expected,
                "{token:?}"
            );
        }
        // "Bearer" alone, or as part of a word, is a token like any other
        TokenExchangeRequest::new("Bearertoken", "urn:x")
            .form()
            .unwrap();
    }

    #[test]
    fn reserved_extra_names_in_any_case() {
        for name in RESERVED_PARAMETERS {
            for spelled in [name.to_owned(), name.to_uppercase()] {
                let err = TokenExchangeRequest::new("t", "urn:x")
                    .extra(spelled.as_str(), "v")
                    .form()
                    .unwrap_err();
                assert!(matches!(err, RequestError::ReservedParameter { .. }));
            }
        }
    }

    #[test]
    fn twenty_values_pass_twenty_one_fail() {
        let values = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        TokenExchangeRequest::new("t", "urn:x")
            .extra("k", values(20))
            .form()
            .unwrap();
        assert!(matches!(
            TokenExchangeRequest::new("t", "urn:x")
                .extra("k", values(21))
                .form(),
            Err(RequestError::TooManyValues { count: 21, .. })
        ));
    }

    #[test]
    fn on_behalf_of_form() {
        let p = pairs(
            &OnBehalfOfRequest::new("at", "https://down")
                .scope("read")
                .form()
                .unwrap(),
        );
        assert!(p.contains(&("subject_token_type".into(), grant::ACCESS_TOKEN_TYPE.into())));
        assert!(p.contains(&(
            "requested_token_type".into(),
            grant::ACCESS_TOKEN_TYPE.into()
        )));
        assert!(p.contains(&("audience".into(), "https://down".into())));
        assert_eq!(
            OnBehalfOfRequest::new("at", " ").form().unwrap_err(),
            RequestError::MissingArgument {
                argument: "audience"
            }
        );
    }
}
