//! The users `GET /authorize` signs in, and how a request's `acr_values`,
//! `max_age` and `prompt=login` change what their tokens say.

/// A user that `GET /authorize` can approve as, for step-up tests.
///
/// ```
/// use dev_issuer::{DevIssuer, User};
///
/// let mut builder = DevIssuer::builder();
/// builder
///     .user(User::new("auth0|alice"))
///     // Bob signed in long ago, with a password only.
///     .user(User::new("auth0|bob").acr("urn:acme:pwd").authenticated_at(1_600_000_000));
/// ```
///
/// What the issued access token carries:
///
/// - `acr`: the first value of the request's `acr_values` when it has one
///   (as if the user had just performed that authentication), otherwise
///   [`User::acr`] when set, otherwise no `acr`.
/// - `auth_time`: [`User::authenticated_at`], or the time of the
///   authorization request when unset (a fresh sign-in each time). A
///   request whose `max_age` is older than that, or with `prompt=login`,
///   makes the user sign in again: `auth_time` is then now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    sub: String,
    acr: Option<String>,
    auth_time: Option<i64>,
}

/// How one authorization request signed the user in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignIn {
    pub(crate) acr: Option<String>,
    pub(crate) auth_time: i64,
}

impl User {
    /// A user with subject `sub`, no `acr`, signing in at each request.
    pub fn new(sub: impl Into<String>) -> Self {
        Self {
            sub: sub.into(),
            acr: None,
            auth_time: None,
        }
    }

    /// The `acr` the user's tokens carry when the request asks for none.
    ///
    /// Default: none.
    pub fn acr(mut self, acr: impl Into<String>) -> Self {
        self.acr = Some(acr.into());
        self
    }

    /// When the user last signed in (Unix seconds), for `auth_time` and
    /// `max_age`.
    ///
    /// Default: at each authorization request.
    pub fn authenticated_at(mut self, unix_seconds: i64) -> Self {
        self.auth_time = Some(unix_seconds);
        self
    }

    /// The user's subject, the token's `sub`.
    pub fn sub(&self) -> &str {
        &self.sub
    }

    /// Signs the user in at `now` for a request with these `acr_values`
    /// (space-separated, preferred first), `max_age` (seconds) and
    /// `prompt=login` (`force`).
    pub(crate) fn sign_in(
        &self,
        now: i64,
        acr_values: Option<&str>,
        max_age: Option<u64>,
        force: bool,
    ) -> SignIn {
        let last = self.auth_time.unwrap_or(now);
        let too_old = max_age
            .is_some_and(|max| now.saturating_sub(last) > i64::try_from(max).unwrap_or(i64::MAX));
        let auth_time = if force || too_old { now } else { last };
        let requested = acr_values.and_then(|values| values.split(' ').find(|v| !v.is_empty()));
        SignIn {
            acr: requested.map(str::to_owned).or_else(|| self.acr.clone()),
            auth_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acr_values_win_over_the_users_acr() {
        let user = User::new("u").acr("pwd");
        assert_eq!(
            user.sign_in(100, None, None, false).acr.as_deref(),
            Some("pwd")
        );
        assert_eq!(
            user.sign_in(100, Some("  mfa phr"), None, false)
                .acr
                .as_deref(),
            Some("mfa")
        );
        assert_eq!(User::new("u").sign_in(100, None, None, false).acr, None);
    }

    #[test]
    fn max_age_and_prompt_login_make_the_user_sign_in_again() {
        let fresh = User::new("u");
        assert_eq!(fresh.sign_in(100, None, Some(0), false).auth_time, 100);
        let old = User::new("u").authenticated_at(40);
        assert_eq!(old.sign_in(100, None, None, false).auth_time, 40);
        assert_eq!(old.sign_in(100, None, Some(60), false).auth_time, 40);
        assert_eq!(old.sign_in(100, None, Some(59), false).auth_time, 100);
        assert_eq!(old.sign_in(100, None, None, true).auth_time, 100);
        assert_eq!(old.sign_in(100, None, Some(u64::MAX), false).auth_time, 40);
    }
}
