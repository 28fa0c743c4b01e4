//! The HTTP-facing error: every failure already knows its status, its OAuth
//! error code and its `WWW-Authenticate` challenges.

use std::fmt;
use std::sync::Arc;

use std::time::Duration;

use http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::challenge::{self, ChallengeContext, ChallengeError};
use crate::scheme::Scheme;

/// The `DPoP-Nonce` response header (RFC 9449 section 8).
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// What kind of failure an [`AuthError`] is; decides status and error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// No credentials: no `Authorization` header, or a scheme this API does
    /// not accept. 401, challenges without an error code (RFC 6750 3.1).
    MissingCredentials,
    /// The request is malformed (two `Authorization` headers, a scheme with
    /// no token, bad token68 syntax, a `DPoP` header with the Bearer scheme,
    /// a request path with a `.` or `..` segment, a trusted
    /// `X-Forwarded-Host` that is not `host[:port]`). 400 `invalid_request`.
    InvalidRequest,
    /// The access token is invalid: malformed, badly signed, expired, for
    /// another audience or issuer, bound to a key it was not presented with
    /// (`Invalid DPoP key binding`), or bound by a confirmation method this
    /// API cannot check. 401 `invalid_token`.
    InvalidToken,
    /// The DPoP proof is invalid. 401 `invalid_dpop_proof` (RFC 9449 7.1).
    InvalidDpopProof,
    /// The proof lacks the server nonce; retry with the nonce from
    /// [`AuthError::dpop_nonce`]. 401 `use_dpop_nonce` (RFC 9449 9).
    UseDpopNonce,
    /// The token lacks a required scope. 403 `insufficient_scope`, the
    /// `scope` challenge parameter listing every required scope.
    InsufficientScope,
    /// The user's authentication is not the one required (RFC 9470): its
    /// `acr` is not an accepted one, or its `auth_time` is missing or
    /// older than the allowed age. 401 `insufficient_user_authentication`,
    /// the challenge carrying `acr_values` and/or `max_age`; see
    /// [`StepUp`](crate::StepUp).
    InsufficientUserAuthentication,
    /// Keys or discovery metadata could not be fetched: the token may be
    /// fine. 503 `temporarily_unavailable`, no challenge.
    ///
    /// Auth0's SDKs answer 401 here; a 401 tells clients to discard a
    /// token that may be valid, so we answer 503 instead.
    Unavailable,
    /// The custom domains resolver failed. 500 `domains_resolver_error`.
    DomainsResolver,
    /// The application's own mistake, not the client's and not a
    /// dependency's: a relative or otherwise unusable request URL handed to
    /// [`ApiClient::verify_request`](crate::ApiClient::verify_request), or a
    /// misconfiguration only found while verifying. 500 `server_error`, no
    /// challenge: the client cannot fix it and must not discard its token;
    /// retrying will not help until the code or configuration is fixed
    /// (cf. rustls's `Error::ApiMisuse`).
    Misuse,
    /// The client sends DPoP proofs faster than its key's share of the
    /// replay cache allows. 429 `rate_limited` with `Retry-After`, no
    /// challenge: its token and proofs may be fine, and every other key is
    /// still served.
    RateLimited,
}

impl AuthErrorKind {
    /// The HTTP status code.
    pub const fn status_code(self) -> u16 {
        match self {
            Self::MissingCredentials
            | Self::InvalidToken
            | Self::InvalidDpopProof
            | Self::UseDpopNonce
            | Self::InsufficientUserAuthentication => 401,
            Self::InvalidRequest => 400,
            Self::InsufficientScope => 403,
            Self::Unavailable => 503,
            Self::DomainsResolver | Self::Misuse => 500,
            Self::RateLimited => 429,
        }
    }

    /// The OAuth error code (empty for [`AuthErrorKind::MissingCredentials`],
    /// which must not carry one).
    pub const fn error_code(self) -> &'static str {
        match self {
            Self::MissingCredentials => "",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::UseDpopNonce => "use_dpop_nonce",
            Self::InsufficientScope => "insufficient_scope",
            Self::InsufficientUserAuthentication => "insufficient_user_authentication",
            Self::Unavailable => "temporarily_unavailable",
            Self::DomainsResolver => "domains_resolver_error",
            Self::RateLimited => "rate_limited",
            Self::Misuse => "server_error",
        }
    }

    /// Whether the response carries `WWW-Authenticate` challenges.
    const fn challenges(self) -> bool {
        !matches!(
            self,
            Self::Unavailable | Self::DomainsResolver | Self::RateLimited | Self::Misuse
        )
    }
}

/// A request or token was not accepted.
///
/// Carries everything an HTTP response needs: [`status_code`], the OAuth
/// [`error_code`], a [`description`] safe to show, the [`www_authenticate`]
/// challenges and, for nonce errors, the [`dpop_nonce`]. Never contains the
/// token, the proof or any secret.
///
/// [`status_code`]: AuthError::status_code
/// [`error_code`]: AuthError::error_code
/// [`description`]: AuthError::description
/// [`www_authenticate`]: AuthError::www_authenticate
/// [`dpop_nonce`]: AuthError::dpop_nonce
#[derive(Clone)]
pub struct AuthError {
    kind: AuthErrorKind,
    description: String,
    scheme: Option<Scheme>,
    challenge: ChallengeContext,
    nonce: Option<String>,
    /// Boxed: few errors carry them, and every `Result` carries the error.
    params: Option<Box<Params>>,
    /// Whole seconds, rounded up: what the header says.
    retry_after: Option<u32>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl AuthError {
    pub(crate) fn new(kind: AuthErrorKind, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
            scheme: None,
            challenge: ChallengeContext::default(),
            nonce: None,
            params: None,
            retry_after: None,
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn with_scheme(mut self, scheme: Option<Scheme>) -> Self {
        self.scheme = scheme;
        self
    }

    pub(crate) fn with_challenge_context(mut self, context: &ChallengeContext) -> Self {
        self.challenge = context.clone();
        self
    }

    pub(crate) fn with_nonce(mut self, nonce: String) -> Self {
        self.nonce = Some(nonce);
        self
    }

    pub(crate) fn with_scope(mut self, scope: String) -> Self {
        self.params.get_or_insert_default().scope = Some(scope);
        self
    }

    /// The RFC 9470 requirements a step-up challenge names.
    pub(crate) fn with_step_up(mut self, acr_values: Option<String>, max_age: Option<u64>) -> Self {
        let params = self.params.get_or_insert_default();
        params.acr_values = acr_values;
        params.max_age = max_age;
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        // Rounded up, and never 0, which would invite an immediate retry.
        self.retry_after = retry_after.map(|after| {
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            u32::try_from(seconds).unwrap_or(u32::MAX).max(1)
        });
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> AuthErrorKind {
        self.kind
    }

    /// The HTTP status code to answer with.
    pub fn status_code(&self) -> u16 {
        self.kind.status_code()
    }

    /// The OAuth error code (`invalid_token`, `invalid_request`,
    /// `invalid_dpop_proof`, `use_dpop_nonce`, `insufficient_scope`, ...);
    /// empty when the request carried no credentials.
    pub fn error_code(&self) -> &'static str {
        self.kind.error_code()
    }

    /// A human-readable description, without secrets.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The scheme the client used, if it got that far.
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// The nonce to send in the `DPoP-Nonce` header, for
    /// [`AuthErrorKind::UseDpopNonce`] (and when a nonce policy rotates).
    pub fn dpop_nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// For a temporary refusal ([`AuthErrorKind::RateLimited`], and
    /// [`AuthErrorKind::Unavailable`] when the failing part knows), how
    /// long the client should wait: the `Retry-After` header (whole
    /// seconds, rounded up, at least 1).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
            .map(|seconds| Duration::from_secs(seconds.into()))
    }

    /// The `WWW-Authenticate` challenges, one entry per scheme offered.
    pub fn www_authenticate(&self) -> Vec<String> {
        if !self.kind.challenges() {
            return Vec::new();
        }
        let error = ChallengeError {
            code: Some(self.error_code()).filter(|c| !c.is_empty()),
            description: Some(self.description.as_str()),
            scope: self.params.as_ref().and_then(|p| p.scope.as_deref()),
            acr_values: self.params.as_ref().and_then(|p| p.acr_values.as_deref()),
            max_age: self.params.as_ref().and_then(|p| p.max_age),
        };
        challenge::challenges(&self.challenge, challenge::DPOP_ALGS, self.scheme, &error)
    }

    /// The challenges joined into one header value, or `None` when the
    /// response carries none.
    pub fn www_authenticate_header(&self) -> Option<String> {
        let challenges = self.www_authenticate();
        (!challenges.is_empty()).then(|| challenges.join(", "))
    }

    /// The whole response to send for this error: status, headers and a
    /// JSON body (see [`ErrorResponse`](crate::ErrorResponse)), for any
    /// server framework.
    pub fn to_response(&self) -> crate::ErrorResponse {
        crate::ErrorResponse::from(self)
    }

    /// The response headers: one `WWW-Authenticate` per challenge,
    /// `DPoP-Nonce` when there is a nonce, and `Retry-After` (whole
    /// seconds, at least 1) when the refusal is temporary.
    pub fn response_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for challenge in self.www_authenticate() {
            // Challenges are built from sanitized printable ASCII only.
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.append(WWW_AUTHENTICATE, value);
            }
        }
        if let Some(value) = self
            .nonce
            .as_deref()
            .and_then(|n| HeaderValue::from_str(n).ok())
        {
            headers.insert(DPOP_NONCE, value);
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        headers
    }
}

/// The challenge parameters only some errors carry.
#[derive(Debug, Clone, Default)]
struct Params {
    /// `insufficient_scope`: the scopes necessary.
    scope: Option<String>,
    /// `insufficient_user_authentication`: the accepted `acr` values.
    acr_values: Option<String>,
    /// `insufficient_user_authentication`: the largest age, in seconds.
    max_age: Option<u64>,
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthError")
            .field("kind", &self.kind)
            .field("description", &self.description)
            .field("scheme", &self.scheme)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error_code() {
            "" => write!(f, "missing credentials: {}", self.description),
            code => write!(f, "{code}: {}", self.description),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let cases = [
            (AuthErrorKind::MissingCredentials, 401, ""),
            (AuthErrorKind::InvalidRequest, 400, "invalid_request"),
            (AuthErrorKind::InvalidToken, 401, "invalid_token"),
            (AuthErrorKind::InvalidDpopProof, 401, "invalid_dpop_proof"),
            (AuthErrorKind::UseDpopNonce, 401, "use_dpop_nonce"),
            (AuthErrorKind::InsufficientScope, 403, "insufficient_scope"),
            (
                AuthErrorKind::InsufficientUserAuthentication,
                401,
                "insufficient_user_authentication",
            ),
            (AuthErrorKind::Unavailable, 503, "temporarily_unavailable"),
            (
                AuthErrorKind::DomainsResolver,
                500,
                "domains_resolver_error",
            ),
            (AuthErrorKind::RateLimited, 429, "rate_limited"),
            (AuthErrorKind::Misuse, 500, "server_error"),
        ];
        for (kind, status, code) in cases {
            let e = AuthError::new(kind, "d");
            assert_eq!((e.status_code(), e.error_code()), (status, code));
        }
    }

    #[test]
    fn missing_credentials_carry_no_error_code() {
        let e = AuthError::new(AuthErrorKind::MissingCredentials, "no authorization header");
        assert_eq!(
            e.www_authenticate_header().unwrap(),
            "Bearer realm=\"api\", DPoP algs=\"ES256\""
        );
    }

    #[test]
    fn nonce_errors_set_the_dpop_nonce_header() {
        let e = AuthError::new(AuthErrorKind::UseDpopNonce, "nonce required")
            .with_scheme(Some(Scheme::Dpop))
            .with_nonce("n-1".into());
        let headers = e.response_headers();
        assert_eq!(headers[DPOP_NONCE], "n-1");
        let challenges: Vec<_> = headers.get_all(WWW_AUTHENTICATE).iter().collect();
        assert_eq!(challenges.len(), 2);
        assert_eq!(
            challenges[1],
            "DPoP error=\"use_dpop_nonce\", error_description=\"nonce required\", algs=\"ES256\""
        );
    }

    #[test]
    fn unavailable_has_no_challenge() {
        let e = AuthError::new(AuthErrorKind::Unavailable, "jwks fetch failed");
        assert!(e.www_authenticate().is_empty());
        assert!(e.www_authenticate_header().is_none());
        assert!(e.response_headers().is_empty());
    }

    #[test]
    fn misuse_has_no_challenge() {
        let e = AuthError::new(AuthErrorKind::Misuse, "relative request URL")
            .with_scheme(Some(Scheme::Dpop));
        assert!(e.www_authenticate().is_empty());
        assert!(e.response_headers().is_empty());
    }

    #[test]
    fn temporary_refusals_carry_retry_after_and_no_challenge() {
        let e = AuthError::new(AuthErrorKind::RateLimited, "too many proofs")
            .with_scheme(Some(Scheme::Dpop))
            .with_retry_after(Some(Duration::from_millis(2_500)));
        assert!(e.www_authenticate().is_empty());
        let headers = e.response_headers();
        assert_eq!(headers[RETRY_AFTER], "3", "rounded up");
        assert_eq!(headers.len(), 1);
        let e = AuthError::new(AuthErrorKind::Unavailable, "store down")
            .with_retry_after(Some(Duration::ZERO));
        assert_eq!(e.response_headers()[RETRY_AFTER], "1", "never 0");
    }

    #[test]
    fn hostile_descriptions_stay_valid_header_values() {
        let e = AuthError::new(AuthErrorKind::InvalidToken, "kid \"x\"\r\nX-Evil: 1")
            .with_scheme(Some(Scheme::Bearer));
        let headers = e.response_headers();
        assert_eq!(headers.get_all(WWW_AUTHENTICATE).iter().count(), 2);
        assert!(!e.www_authenticate_header().unwrap().contains('\r'));
    }
}
