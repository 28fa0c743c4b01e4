//! Step-up authentication (RFC 9470): requiring how, and how recently, the
//! user authenticated.

use std::time::Duration;

use serde_json::Value;

use crate::claims::Claims;
use crate::error::{AuthError, AuthErrorKind};

/// A requirement on the user's authentication (RFC 9470): an accepted
/// authentication context class (`acr`) and/or a maximum age of the
/// authentication (`auth_time`).
///
/// A token that does not meet it gets 401 `insufficient_user_authentication`
/// with `acr_values` and/or `max_age` in the challenge (and
/// `resource_metadata` when the client advertises it); the client then
/// sends the user back to the authorization server with those parameters
/// and retries with the new token.
///
/// Check it on the [`Claims`] of a request, for a decision inside a handler
/// (a tool that needs a recent login, say), or on a whole route with
/// `auth0_api_axum::RequireStepUp`. "Now" is the clock of the
/// [`ApiClient`](crate::ApiClient) that verified the claims
/// ([`ApiClientOptions::clock`](crate::ApiClientOptions::clock)).
///
/// ```
/// use std::time::Duration;
/// use auth0_api::{ApiClient, ApiClientOptions, StepUp};
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let issuer = dev_issuer::DevIssuer::start().await?;
/// let api = ApiClient::new(ApiClientOptions::new(issuer.issuer_url(), issuer.audience()))?;
/// let token = issuer.token().claim("acr", "urn:okta:loa:1fa:any").sign()?;
/// let claims = api.verify_access_token(&token).await?;
///
/// let recent_mfa = StepUp::new()
///     .acr_values(["http://schemas.openid.net/pape/policies/2007/06/multi-factor"])
///     .max_age(Duration::from_secs(300));
/// let err = recent_mfa.check(&claims).unwrap_err();
/// assert_eq!(err.status_code(), 401);
/// assert_eq!(err.error_code(), "insufficient_user_authentication");
/// assert!(err.www_authenticate()[0].ends_with(
///     "acr_values=\"http://schemas.openid.net/pape/policies/2007/06/multi-factor\", max_age=\"300\""
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct StepUp {
    acr_values: Vec<String>,
    max_age: Option<Duration>,
}

impl StepUp {
    /// No requirement yet: every token passes until one is added.
    pub fn new() -> Self {
        Self::default()
    }

    /// The token's `acr` must be one of `values` (in order of preference,
    /// as the challenge's `acr_values` lists them).
    ///
    /// Default: any `acr`, or none.
    #[must_use]
    pub fn acr_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.acr_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// The user must have authenticated at most `max_age` ago: the token's
    /// `auth_time` is required, a number, and no older than that (whole
    /// seconds; the challenge's `max_age`). An `auth_time` after "now"
    /// (clock skew between the issuer and this API) counts as now: the
    /// issuer signed it.
    ///
    /// Default: any age, and `auth_time` not required.
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Checks `claims` against the requirement, at "now" on the clock of
    /// the client that verified them.
    ///
    /// # Errors
    ///
    /// 401 `insufficient_user_authentication` ([`AuthErrorKind::InsufficientUserAuthentication`])
    /// when `acr` is missing or not one of the accepted values, or, with a
    /// maximum age, when `auth_time` is missing, not a number, or older.
    /// The challenge names the whole requirement, on the scheme the token
    /// was presented with.
    pub fn check(&self, claims: &Claims) -> Result<(), AuthError> {
        match self.problem(claims) {
            None => Ok(()),
            Some(problem) => Err(AuthError::new(
                AuthErrorKind::InsufficientUserAuthentication,
                problem,
            )
            .with_scheme(claims.scheme())
            .with_challenge_context(claims.challenge_context())
            .with_step_up(
                (!self.acr_values.is_empty()).then(|| self.acr_values.join(" ")),
                self.max_age.map(|age| age.as_secs()),
            )),
        }
    }

    /// What is wrong with `claims`, if anything.
    fn problem(&self, claims: &Claims) -> Option<String> {
        if !self.acr_values.is_empty() {
            match claims.get("acr").and_then(Value::as_str) {
                None => return Some("the token has no acr".to_owned()),
                Some(acr) if !self.acr_values.iter().any(|v| v == acr) => {
                    return Some(format!(
                        "acr {:?} is not an accepted authentication context",
                        jose_core::excerpt(acr, jose_core::EXCERPT_LEN)
                    ));
                }
                Some(_) => {}
            }
        }
        let max_age = self.max_age?;
        // A NumericDate may have a fraction (RFC 7519 section 2): whole
        // seconds are what the age is counted in.
        let Some(auth_time) = claims
            .get("auth_time")
            .and_then(Value::as_f64)
            .filter(|t| t.is_finite())
        else {
            return Some("the token has no numeric auth_time".to_owned());
        };
        #[expect(
            clippy::cast_possible_truncation,
            reason = "finite, and saturating is the intent for absurd values"
        )]
        let auth_time = auth_time.floor() as i64;
        let age = claims.now().saturating_sub(auth_time);
        let max = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        (age > max).then(|| format!("the user authenticated {age} s ago, more than {max} s"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jose_core::ManualClock;
    use serde_json::{Value, json};

    use super::*;
    use crate::challenge::ChallengeContext;
    use crate::claims::ClaimsPolicy;
    use crate::scheme::{DpopMode, Scheme};

    const NOW: u64 = 1_700_000_000;

    fn claims(value: Value) -> Claims {
        let Value::Object(map) = value else {
            unreachable!("tests pass objects")
        };
        let policy = ClaimsPolicy {
            challenge: ChallengeContext {
                mode: DpopMode::Disabled,
                resource_metadata: None,
            },
            permissions_as_scopes: false,
            clock: Arc::new(ManualClock::new(Duration::from_secs(NOW))),
        };
        Claims::new(Arc::new(map), Some(Scheme::Bearer), Arc::new(policy))
    }

    fn mfa() -> StepUp {
        StepUp::new()
            .acr_values(["urn:mfa", "urn:hwk"])
            .max_age(Duration::from_secs(300))
    }

    fn refused(step_up: &StepUp, value: Value) -> (String, Vec<String>) {
        let err = step_up.check(&claims(value)).unwrap_err();
        assert_eq!(err.kind(), AuthErrorKind::InsufficientUserAuthentication);
        assert_eq!(err.status_code(), 401);
        (err.description().to_owned(), err.www_authenticate())
    }

    #[test]
    fn no_requirement_passes_anything() {
        StepUp::new().check(&claims(json!({}))).unwrap();
    }

    #[test]
    fn an_accepted_acr_recent_enough_passes() {
        let now = i64::try_from(NOW).unwrap();
        mfa()
            .check(&claims(json!({"acr": "urn:hwk", "auth_time": now - 300})))
            .unwrap();
        mfa()
            .check(&claims(
                json!({"acr": "urn:mfa", "auth_time": now as f64 - 0.5}),
            ))
            .unwrap();
    }

    #[test]
    fn refusals_name_the_whole_requirement() {
        let now = i64::try_from(NOW).unwrap();
        let challenge = "Bearer realm=\"api\", error=\"insufficient_user_authentication\", \
                         error_description=\"{}\", acr_values=\"urn:mfa urn:hwk\", max_age=\"300\"";
        for (token, description) in [
            (
                json!({"acr": "urn:pwd", "auth_time": now}),
                "acr \"urn:pwd\" is not an accepted authentication context",
            ),
            (json!({"auth_time": now}), "the token has no acr"),
            (json!({"acr": 1, "auth_time": now}), "the token has no acr"),
            (
                json!({"acr": "urn:mfa", "auth_time": now - 301}),
                "the user authenticated 301 s ago, more than 300 s",
            ),
            (
                json!({"acr": "urn:mfa"}),
                "the token has no numeric auth_time",
            ),
            (
                json!({"acr": "urn:mfa", "auth_time": "1700000000"}),
                "the token has no numeric auth_time",
            ),
            (
                json!({"acr": "urn:mfa", "auth_time": null}),
                "the token has no numeric auth_time",
            ),
        ] {
            let (got, challenges) = refused(&mfa(), token);
            assert_eq!(got, description);
            assert_eq!(
                challenges,
                [challenge.replace("{}", &description.replace('"', "'"))]
            );
        }
    }

    #[test]
    fn max_age_alone_and_acr_alone() {
        let now = i64::try_from(NOW).unwrap();
        let recent = StepUp::new().max_age(Duration::from_secs(60));
        recent
            .check(&claims(json!({"auth_time": now - 60})))
            .unwrap();
        let (_, challenges) = refused(&recent, json!({"auth_time": now - 61}));
        assert!(
            challenges[0].ends_with(", max_age=\"60\""),
            "{challenges:?}"
        );
        assert!(!challenges[0].contains("acr_values"));
        let acr = StepUp::new().acr_values(["urn:mfa"]);
        acr.check(&claims(json!({"acr": "urn:mfa"}))).unwrap();
        let (_, challenges) = refused(&acr, json!({"acr": "urn:pwd"}));
        assert!(
            challenges[0].ends_with(", acr_values=\"urn:mfa\""),
            "{challenges:?}"
        );
    }
}
