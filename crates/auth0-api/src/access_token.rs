//! The access-token pipeline: parse, choose issuer, key, verify, validate.

use std::borrow::Cow;
use std::sync::Arc;

use jose_core::{Algorithm, Error as JoseError, Jwt, Limits, Validation, VerifiedJwt};
use oidc_discovery::SelectedKey;
use serde_json::{Map, Value};

use crate::configuration::Issuers;
use crate::error::{AuthError, AuthErrorKind};
use crate::resolver::ResolverContext;
use crate::token_cache::{self, Claim, TokenCache};

/// Access tokens are RS256 by default, as Auth0 signs them; the options'
/// `algorithms` replace this allowlist.
pub(crate) const ACCESS_TOKEN_ALGORITHMS: [Algorithm; 1] = [Algorithm::Rs256];

/// The `typ` values an access token may carry (RFC 9068 section 2.1; media
/// types compare case-insensitively). A `dpop+jwt` is a proof, never a token.
const ACCESS_TOKEN_TYPES: [&str; 3] = ["jwt", "at+jwt", "application/at+jwt"];

/// Everything the pipeline needs from the client.
pub(crate) struct TokenVerifier<'a> {
    pub(crate) issuers: &'a Issuers,
    pub(crate) discovery: &'a oidc_discovery::Discovery,
    pub(crate) validation: &'a ValidationTemplate,
    pub(crate) limits: &'a Limits,
    pub(crate) cache: &'a Arc<TokenCache<CachedToken>>,
    /// The access-token algorithm allowlist (`ACCESS_TOKEN_ALGORITHMS` by
    /// default).
    pub(crate) algorithms: &'a [Algorithm],
    /// The HS256 secret; set only when HS256 is on `algorithms`.
    pub(crate) hs256_secret: Option<&'a token_exchange::Secret>,
    /// Keys to verify with instead of discovered ones.
    pub(crate) static_keys: Option<&'a Arc<jose_core::KeySet>>,
}

/// What the verified-token cache keeps: the verified token, and the key
/// that verified it, whose presence in the issuer's current key set is
/// checked again on every hit (none for HS256: the secret is fixed for the
/// client's life).
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    jwt: Arc<VerifiedJwt>,
    key: Option<SelectedKey>,
}

/// The answer of [`TokenVerifier::lookup`].
pub(crate) enum Lookup<'t> {
    /// Remembered, and still valid now: no signature to check.
    Verified(Arc<VerifiedJwt>),
    /// To be verified by [`TokenVerifier::verify_unverified`].
    Unverified(Unverified<'t>),
}

/// A token the cache could not answer for: parsed, nothing in it trusted.
pub(crate) struct Unverified<'t> {
    jwt: Jwt<'t>,
    /// Set when this request is the one to store the result.
    claim: Option<Claim<CachedToken>>,
    /// The token's length, which prices its cache entry.
    token_len: usize,
}

impl Unverified<'_> {
    /// The claims, **unverified**: only to learn which key a DPoP proof must
    /// be checked for while the signature is.
    pub(crate) fn unverified_claims(&self) -> &Map<String, Value> {
        self.jwt.unverified_claims()
    }
}

/// Claim rules shared by every issuer: built once for a fixed list of
/// issuers, per token for a resolver's issuer or extra required claims.
#[derive(Debug, Clone)]
pub(crate) struct ValidationTemplate {
    audience: String,
    leeway: std::time::Duration,
    clock: Arc<dyn jose_core::Clock>,
    /// With a fixed list of issuers, the rules for any of them, built once:
    /// the token's issuer is already known to be one of them, so accepting
    /// all of them here accepts exactly that one.
    fixed: Option<Validation>,
}

impl ValidationTemplate {
    pub(crate) fn new(
        audience: String,
        leeway: std::time::Duration,
        clock: Arc<dyn jose_core::Clock>,
        issuers: &Issuers,
    ) -> Self {
        let mut template = Self {
            audience,
            leeway,
            clock,
            fixed: None,
        };
        if let Issuers::Fixed(list) = issuers
            && let Some((first, rest)) = list.split_first()
        {
            let mut fixed = template.build(first, &[]);
            for issuer in rest {
                fixed.add_issuer(issuer.as_str());
            }
            template.fixed = Some(fixed);
        }
        template
    }

    /// The rules for a token from `issuer`, an accepted issuer.
    fn for_issuer(&self, issuer: &str, required: &[&str]) -> Cow<'_, Validation> {
        match &self.fixed {
            Some(fixed) if required.is_empty() => Cow::Borrowed(fixed),
            _ => Cow::Owned(self.build(issuer, required)),
        }
    }

    fn build(&self, issuer: &str, required: &[&str]) -> Validation {
        let mut v = Validation::new(issuer, self.audience.as_str());
        v.leeway(self.leeway)
            .clock(Arc::clone(&self.clock))
            .require_claims(required.iter().copied());
        v
    }
}

/// Where the token came from, for the domains resolver.
#[derive(Clone, Copy, Default)]
pub(crate) struct RequestInfo<'a> {
    pub(crate) url: Option<&'a str>,
    pub(crate) headers: Option<&'a http::HeaderMap>,
}

impl TokenVerifier<'_> {
    /// Verifies `token`: from the cache when it holds the token and the
    /// token still passes every check, else in full.
    pub(crate) async fn verify(
        &self,
        token: &str,
        required_claims: &[&str],
        request: RequestInfo<'_>,
    ) -> Result<Arc<VerifiedJwt>, AuthError> {
        match self.lookup(token, required_claims, request).await? {
            Lookup::Verified(jwt) => Ok(jwt),
            Lookup::Unverified(unverified) => {
                self.verify_unverified(unverified, required_claims, request)
                    .await
            }
        }
    }

    /// Answers from the verified-token cache, or parses the token for
    /// [`TokenVerifier::verify_unverified`].
    ///
    /// A remembered token passes only if everything that can have changed
    /// since it was verified still holds: its issuer is accepted for this
    /// request, its signing key is still the one the issuer's current key
    /// set holds, and its claims are valid now for these rules. Only the
    /// signature, which cannot change, is not checked again.
    pub(crate) async fn lookup<'t>(
        &self,
        token: &'t str,
        required_claims: &[&str],
        request: RequestInfo<'_>,
    ) -> Result<Lookup<'t>, AuthError> {
        let mut claim = None;
        if self.cache.enabled() {
            let digest = token_cache::digest(token);
            match self.cache.lookup(digest).await {
                token_cache::Lookup::Found(cached) => {
                    if self.key_still_published(&cached, request).await {
                        let validation = self
                            .validation
                            .for_issuer(issuer_of(&cached.jwt), required_claims);
                        validation
                            .validate(&cached.jwt)
                            .map_err(|e| invalid_token(e.into()))?;
                        self.cache.record_hit();
                        return Ok(Lookup::Verified(cached.jwt));
                    }
                    // Rotated out, refreshed, or no longer accepted here:
                    // forgotten, and verified afresh, whose answer (an error
                    // naming the missing key, say) is the one to give, and
                    // which is remembered in its place if it passes.
                    self.cache.remove(&digest);
                    if let token_cache::Lookup::Verify(mine) = self.cache.lookup(digest).await {
                        claim = Some(mine);
                    }
                }
                token_cache::Lookup::Verify(mine) => claim = Some(mine),
                token_cache::Lookup::Bypass => {}
            }
            self.cache.record_miss();
        }
        let jwt = self.parse(token)?;
        Ok(Lookup::Unverified(Unverified {
            jwt,
            claim,
            token_len: token.len(),
        }))
    }

    /// Whether the key that verified `cached` is still the issuer's, and the
    /// issuer still accepted for this request.
    async fn key_still_published(&self, cached: &CachedToken, request: RequestInfo<'_>) -> bool {
        let issuer = issuer_of(&cached.jwt);
        // The allowlist is the client's, fixed for its life, as is the
        // cache: checked again all the same, so an entry can only ever be
        // one this client would verify now.
        let alg = cached.jwt.algorithm();
        if !self.algorithms.contains(&alg) {
            return false;
        }
        if self.check_issuer_allowed(issuer, request).await.is_err() {
            return false;
        }
        let Some(cached_key) = &cached.key else {
            // HMAC: verified with the secret, which cannot change.
            return alg == Algorithm::Hs256 && self.hs256_secret.is_some();
        };
        let current = self.key_for(issuer, cached.jwt.header().kid(), alg).await;
        // The same key of the same key set: a set fetched again, even with
        // this key in it, costs one verification more, never a wrong answer.
        matches!(current, Ok(key) if std::ptr::eq(key.key(), cached_key.key()))
    }

    /// The key for a token of `issuer` (an accepted one): from the static
    /// keys when configured (no network), else discovered.
    async fn key_for(
        &self,
        issuer: &str,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<SelectedKey, AuthError> {
        match self.static_keys {
            Some(keys) => SelectedKey::select(keys, kid, alg).map_err(|e| {
                AuthError::new(AuthErrorKind::InvalidToken, e.to_string())
                    .with_source(JoseError::from(e))
            }),
            None => self
                .discovery
                .key_for(issuer, kid, alg)
                .await
                .map_err(discovery_error),
        }
    }

    /// The token's syntax only: nothing in it is trusted yet.
    pub(crate) fn parse<'t>(&self, token: &'t str) -> Result<Jwt<'t>, AuthError> {
        Jwt::parse_with(token, self.limits).map_err(invalid_token)
    }

    /// Verifies a token [`TokenVerifier::lookup`] could not answer for.
    ///
    /// Everything that needs no network runs first: the size cap, the
    /// syntax, the algorithm allowlist (`none` and HS* never reach a key),
    /// `typ`, and the issuer against the accepted domains. Only then is the
    /// issuer's key looked up (cached), the signature checked, and the
    /// claims validated against the *discovered* issuer. A token that
    /// passes is remembered when this request holds the cache's claim on it.
    pub(crate) async fn verify_unverified(
        &self,
        unverified: Unverified<'_>,
        required_claims: &[&str],
        request: RequestInfo<'_>,
    ) -> Result<Arc<VerifiedJwt>, AuthError> {
        let Unverified {
            jwt,
            claim,
            token_len,
        } = unverified;
        let header = jwt.header();
        let alg = header
            .algorithm(self.algorithms)
            .map_err(|e| invalid_token(e.into()))?;
        if let Some(typ) = header.typ()
            && !ACCESS_TOKEN_TYPES
                .iter()
                .any(|t| t.eq_ignore_ascii_case(typ))
        {
            return Err(AuthError::new(
                AuthErrorKind::InvalidToken,
                format!("token type {:?} is not an access token", excerpt(typ)),
            ));
        }
        // Unverified: it only chooses whose keys to fetch, and must be an
        // accepted issuer before anything is fetched for it.
        let issuer = match jwt.unverified_claims().get("iss") {
            Some(Value::String(iss)) => iss.as_str(),
            Some(_) => {
                return Err(AuthError::new(
                    AuthErrorKind::InvalidToken,
                    "\"iss\" is not a string",
                ));
            }
            None => {
                return Err(AuthError::new(
                    AuthErrorKind::InvalidToken,
                    "token has no \"iss\"",
                ));
            }
        };
        self.check_issuer_allowed(issuer, request).await?;
        // `issuer` equals the discovered issuer: discovery refuses a document
        // whose `issuer` differs from the one asked for. The rules are taken
        // now because `verify` consumes the token `issuer` borrows from.
        let validation = self.validation.for_issuer(issuer, required_claims);
        // Claims that already break a rule (expired, another audience) are
        // refused before any key is fetched or signature checked: the same
        // answer a verified token with these claims gets, for less.
        validation
            .refuse_early(&jwt)
            .map_err(|e| invalid_token(e.into()))?;

        // Consumed, so the claims move into `verified` and on to the caller
        // without a copy. HS256 goes to the secret only, never to a
        // published key; every other algorithm to a key, never the secret.
        let (verified, key) = if alg == Algorithm::Hs256 {
            let secret = self.hs256_secret.ok_or_else(|| {
                // Unreachable by configuration: HS256 allowed requires one.
                AuthError::new(
                    AuthErrorKind::InvalidToken,
                    "HS256 tokens are not accepted: no secret is configured",
                )
            })?;
            let verified = jwt
                .verify_hmac(secret.expose_secret().as_bytes(), self.algorithms)
                .map_err(invalid_token)?;
            (verified, None)
        } else {
            let key = self.key_for(issuer, header.kid(), alg).await?;
            let verified = jwt.verify(&key, self.algorithms).map_err(invalid_token)?;
            (verified, Some(key))
        };
        validation
            .validate(&verified)
            .map_err(|e| invalid_token(e.into()))?;
        let verified = Arc::new(verified);
        if let Some(claim) = claim {
            let cached = CachedToken {
                jwt: Arc::clone(&verified),
                key,
            };
            claim.store(cached, token_cache::entry_cost(token_len));
        }
        Ok(verified)
    }

    /// The token's issuer must be an accepted one before anything is
    /// fetched for it, so a token cannot make us contact a host of its
    /// choosing.
    async fn check_issuer_allowed(
        &self,
        iss: &str,
        request: RequestInfo<'_>,
    ) -> Result<(), AuthError> {
        let allowed = match self.issuers {
            Issuers::Fixed(issuers) => issuers.iter().any(|i| i == iss),
            Issuers::Resolver(resolver) => {
                let context = ResolverContext::new(request.url, request.headers, iss);
                let domains = resolver.allowed_domains(&context).await.map_err(|e| {
                    AuthError::new(
                        AuthErrorKind::DomainsResolver,
                        format!("domains resolver failed: {e}"),
                    )
                })?;
                if domains.is_empty() {
                    return Err(AuthError::new(
                        AuthErrorKind::DomainsResolver,
                        "domains resolver returned no domains",
                    ));
                }
                let mut allowed = false;
                for domain in &domains {
                    let issuer = crate::domain::issuer_for(domain).map_err(|problem| {
                        AuthError::new(
                            AuthErrorKind::DomainsResolver,
                            format!(
                                "domains resolver returned {:?}, which {}",
                                excerpt(domain),
                                problem.reason()
                            ),
                        )
                    })?;
                    allowed |= issuer == iss;
                }
                allowed
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(AuthError::new(
                AuthErrorKind::InvalidToken,
                format!("issuer {:?} is not an accepted domain", excerpt(iss)),
            ))
        }
    }
}

/// The issuer of a verified token: validation has required it to be a
/// string equal to an accepted issuer.
fn issuer_of(jwt: &VerifiedJwt) -> &str {
    jwt.claims()
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn invalid_token(error: JoseError) -> AuthError {
    AuthError::new(AuthErrorKind::InvalidToken, error.to_string()).with_source(error)
}

/// Maps a discovery failure by variant, by whose fault it is: a key that
/// cannot be found is the token's problem (401); a document or key set that
/// cannot be fetched or is unacceptable is the issuer's or the network's
/// (503); an issuer discovery cannot use, or an HTTP client that could not
/// be set up, is the application's configuration (500, no challenge).
fn discovery_error(error: oidc_discovery::Error) -> AuthError {
    use oidc_discovery::Error;
    let kind = match &error {
        Error::Key { .. } => AuthErrorKind::InvalidToken,
        Error::Fetch(_) | Error::Document(_) => AuthErrorKind::Unavailable,
        Error::InvalidIssuer { .. } | Error::HttpClient { .. } => AuthErrorKind::Misuse,
        // A failure this version does not know: not the client's fault as
        // far as we can tell, and possibly temporary.
        _ => AuthErrorKind::Unavailable,
    };
    AuthError::new(kind, error.to_string()).with_source(error)
}

fn excerpt(value: &str) -> String {
    jose_core::excerpt(value, jose_core::EXCERPT_LEN)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn discovery_errors_map_by_whose_fault_they_are() {
        let setup = oidc_discovery::Error::HttpClient {
            source: Arc::new(std::io::Error::other("no root certificates")),
        };
        let issuer = oidc_discovery::Error::InvalidIssuer {
            issuer: "http://tenant.example".to_owned(),
            reason: "is not https",
        };
        for error in [setup, issuer] {
            let mapped = discovery_error(error);
            assert_eq!(mapped.kind(), AuthErrorKind::Misuse, "{mapped:?}");
            assert!(mapped.www_authenticate().is_empty());
        }
        let url = url::Url::parse("https://tenant.example/.well-known/jwks.json").unwrap();
        let fetch = oidc_discovery::Error::from(oidc_discovery::FetchError::other(
            &url,
            std::io::Error::other("refused"),
        ));
        assert_eq!(discovery_error(fetch).kind(), AuthErrorKind::Unavailable);
    }
}
