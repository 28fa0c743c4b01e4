//! `ApiClient`: built once, shared by every handler.

use std::fmt;
use std::sync::Arc;

use dpop::{InMemoryReplayCache, Verifier};
use http::HeaderMap;
use jose_core::{Limits, VerifiedJwt};
use oidc_discovery::{Discovery, HttpFetcher};
use token_exchange::{ClientCredentials, TokenEndpoint, TokenExchangeClient};

use crate::access_token::{CachedToken, Lookup, RequestInfo, TokenVerifier, ValidationTemplate};
use crate::authorization::{self, Credentials};
use crate::challenge::ChallengeContext;
use crate::claims::{Claims, ClaimsPolicy};
use crate::client_certificate::ClientCertificate;
use crate::configuration::{self, ConfigurationError, Issuers};
use crate::error::{AuthError, AuthErrorKind};
use crate::join::join;
use crate::options::ApiClientOptions;
use crate::public_url::{self, PublicUrl};
use crate::resource_metadata::ProtectedResourceMetadata;
use crate::scheme::{DpopMode, Scheme};
use crate::token_cache::{Bounds, TokenCache, TokenCacheStats};

/// Verifies requests to an API protected by Auth0.
///
/// Build one per API at start-up and share it: it is `Clone + Send + Sync`
/// (an `Arc` inside) and owns the discovery and JWKS cache and the DPoP
/// verifier with its replay cache.
///
/// ```no_run
/// use auth0_api::{ApiClient, ApiClientOptions};
///
/// # async fn handler(api: &ApiClient, headers: &http::HeaderMap) -> Result<(), auth0_api::AuthError> {
/// let claims = api
///     .verify_request(headers, "GET", "https://api.example.com/orders")
///     .await?;
/// println!("request by {}", claims.sub().unwrap_or("?"));
/// # Ok(())
/// # }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let api = ApiClient::new(ApiClientOptions::new(
///     "my-tenant.us.auth0.com",
///     "https://api.example.com",
/// ))?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    options: ApiClientOptions,
    issuers: Issuers,
    home_issuer: Option<String>,
    discovery: Discovery,
    dpop: Verifier,
    mode: DpopMode,
    validation: ValidationTemplate,
    limits: Limits,
    token_exchange: Option<TokenExchangeClient>,
    /// Shared by every `Claims` handed out and every error's challenges.
    policy: Arc<ClaimsPolicy>,
    /// The completed RFC 9728 document and its URL, when advertised.
    resource_metadata: Option<(ProtectedResourceMetadata, Arc<str>)>,
    token_cache: Arc<TokenCache<CachedToken>>,
    algorithms: Vec<jose_core::Algorithm>,
    hs256_secret: Option<token_exchange::Secret>,
    static_keys: Option<Arc<jose_core::KeySet>>,
}

impl ApiClient {
    /// Checks the options and builds the client. No network call is made.
    ///
    /// # Errors
    ///
    /// A [`ConfigurationError`] naming the first problem in `options`.
    pub fn new(options: ApiClientOptions) -> Result<Self, ConfigurationError> {
        let checked = configuration::check(&options)?;
        let http = HttpFetcher::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .build()
            .map_err(|e| ConfigurationError::HttpClient(Arc::new(e)))?;
        let fetcher = match &options.fetcher {
            Some(fetcher) => Arc::clone(fetcher),
            None => Arc::new(http.clone()),
        };
        // The configured issuers (`domain` and every listed domain) are
        // pinned: tokens naming other issuers, however many a resolver
        // accepts, share the `cache_max_entries` pool and cannot evict them.
        let mut discovery = Discovery::builder();
        discovery
            .fetcher(fetcher)
            .clock(Arc::clone(&options.clock))
            .cache_ttl(options.cache_ttl)
            .max_entries(options.cache_max_entries)
            .pinned_issuers(checked.home_issuer.iter().cloned());
        if let Issuers::Fixed(listed) = &checked.issuers {
            discovery.pinned_issuers(listed.iter().cloned());
        }
        if let Some(store) = &options.document_store {
            discovery.store(Arc::clone(store));
        }
        let discovery = discovery.build().map_err(|e| match e {
            // Not expected: the issuers were checked above.
            oidc_discovery::Error::InvalidIssuer { issuer, reason } => {
                ConfigurationError::InvalidDomain {
                    domain: issuer,
                    reason,
                }
            }
            e => ConfigurationError::HttpClient(Arc::new(e)),
        })?;
        let replay_cache = match &options.dpop_replay_cache {
            Some(cache) => Arc::clone(cache),
            None => Arc::new(
                InMemoryReplayCache::builder()
                    .clock(Arc::clone(&options.clock))
                    .build(),
            ),
        };
        let mut dpop = Verifier::builder();
        dpop.clock(Arc::clone(&options.clock))
            .iat_leeway(options.dpop_iat_leeway)
            .iat_offset(options.dpop_iat_offset)
            .replay_cache(replay_cache);
        if let Some(nonces) = &options.dpop_nonces {
            dpop.nonces(Arc::clone(nonces));
        }
        // Token exchanges go to the tenant of `domain` (checked: client_id
        // requires it), with its endpoint from the shared discovery cache.
        let token_exchange = match (
            &options.client_id,
            &options.client_secret,
            &checked.home_issuer,
        ) {
            (Some(id), Some(secret), Some(issuer)) => Some(
                TokenExchangeClient::with_fetcher(
                    ClientCredentials::new(id.clone(), secret.clone()),
                    TokenEndpoint::discovered(discovery.clone(), issuer.clone()),
                    http,
                )
                .clock(Arc::clone(&options.clock)),
            ),
            _ => None,
        };
        let validation = ValidationTemplate::new(
            options.audience.clone(),
            options.clock_leeway,
            Arc::clone(&options.clock),
            &checked.issuers,
        );
        let issuers = match &checked.issuers {
            Issuers::Fixed(listed) => listed.clone(),
            Issuers::Resolver(_) => checked.home_issuer.iter().cloned().collect(),
        };
        // Checked above: the resource is an absolute URL, so it has one.
        let resource_metadata = options.resource_metadata.as_ref().and_then(|metadata| {
            let metadata = metadata.clone().completed(&issuers, options.mode());
            let url = metadata.well_known_url()?;
            Some((metadata, Arc::<str>::from(url)))
        });
        let policy = Arc::new(ClaimsPolicy {
            challenge: ChallengeContext {
                mode: options.mode(),
                resource_metadata: resource_metadata.as_ref().map(|(_, url)| Arc::clone(url)),
            },
            permissions_as_scopes: options.permissions_as_scopes,
            clock: Arc::clone(&options.clock),
        });
        Ok(Self {
            inner: Arc::new(Inner {
                algorithms: checked.algorithms,
                hs256_secret: checked.hs256_secret,
                static_keys: checked.static_keys,
                policy,
                resource_metadata,
                mode: options.mode(),
                issuers: checked.issuers,
                home_issuer: checked.home_issuer,
                discovery,
                dpop: dpop.build(),
                validation,
                limits: Limits::new(),
                token_exchange,
                token_cache: TokenCache::new(Bounds {
                    max_entries: options.token_cache_entries,
                    max_bytes: options.token_cache_bytes,
                }),
                options,
            }),
        })
    }

    /// Loads the discovery document and key set of every configured
    /// domain now, so that the first request fetches nothing: call it at
    /// start-up, or from a readiness probe.
    ///
    /// What it loads: for [`domain`](ApiClientOptions::domain) and every
    /// entry of [`domains`](ApiClientOptions::domains), the discovery
    /// document and the JWKS it names, into the cache requests use (so a
    /// token from one of them then costs no fetch while they are fresh).
    /// With a [`domains_resolver`](ApiClientOptions::domains_resolver), the
    /// accepted domains are only known per request: only `domain`, when
    /// set, is loaded, and nothing else. With
    /// [static keys](ApiClientOptions::static_keys), or when only HS256 is
    /// allowed, there is nothing to load and it returns `Ok(())` at once,
    /// making no network call.
    ///
    /// # Errors
    ///
    /// A [`WarmUpError`] naming the first issuer that failed, what failed
    /// (its discovery document, its key set, or a key set without a usable
    /// key), and the cause, readable as is by an operator.
    pub async fn warm_up(&self) -> Result<(), WarmUpError> {
        let inner = &self.inner;
        if inner.static_keys.is_some() || inner.algorithms.iter().all(|a| a.is_symmetric()) {
            return Ok(());
        }
        let issuers: Vec<&str> = match &inner.issuers {
            Issuers::Fixed(list) => list.iter().map(String::as_str).collect(),
            Issuers::Resolver(_) => inner.home_issuer.iter().map(String::as_str).collect(),
        };
        for issuer in issuers {
            let failed = |stage: WarmUpStage| {
                move |e: oidc_discovery::Error| WarmUpError {
                    issuer: issuer.to_owned(),
                    stage,
                    source: Some(Arc::new(e)),
                }
            };
            let document = inner
                .discovery
                .document(issuer)
                .await
                .map_err(failed(WarmUpStage::Discovery))?;
            let keys = inner
                .discovery
                .key_set(document.jwks_uri())
                .await
                .map_err(failed(WarmUpStage::KeySet))?;
            let usable = keys.keys().iter().any(|k| {
                inner
                    .algorithms
                    .iter()
                    .any(|a| k.check_usable_for(*a).is_ok())
            });
            if !usable {
                return Err(WarmUpError {
                    issuer: issuer.to_owned(),
                    stage: WarmUpStage::NoUsableKey,
                    source: None,
                });
            }
        }
        Ok(())
    }

    /// How the verified-token cache has done so far: hits, misses, and
    /// what it holds now (see [`ApiClientOptions::token_cache_entries`]).
    pub fn token_cache_stats(&self) -> TokenCacheStats {
        self.inner.token_cache.stats()
    }

    /// Verifies an access token on its own (no request, no DPoP): the
    /// signature with the issuer's published key, `iss`, `aud`, `exp`,
    /// `nbf`, `iat`, and the token's syntax and algorithm. A binding
    /// (`cnf`) is not checked here, there being no request to check it
    /// against: [`ApiClient::verify_request`] does.
    ///
    /// # Errors
    ///
    /// An [`AuthError`]: `invalid_token` (401) for every problem with the
    /// token, `temporarily_unavailable` (503) when keys cannot be fetched,
    /// `domains_resolver_error` (500) when the resolver fails.
    pub async fn verify_access_token(&self, token: &str) -> Result<Claims, AuthError> {
        self.verify_access_token_with(token, &[]).await
    }

    /// As [`ApiClient::verify_access_token`], also requiring these claims to
    /// be present.
    ///
    /// # Errors
    ///
    /// As [`ApiClient::verify_access_token`].
    pub async fn verify_access_token_with(
        &self,
        token: &str,
        required_claims: &[&str],
    ) -> Result<Claims, AuthError> {
        let verified = self
            .token_verifier()
            .verify(token, required_claims, RequestInfo::default())
            .await
            .map_err(|e| self.contextualize(e, None))?;
        Ok(self.claims(&verified, None))
    }

    /// Verifies a request: the `Authorization` header (Bearer or DPoP, as
    /// the DPoP mode allows), the access token, and for DPoP the proof in
    /// the `DPoP` header, bound to this method, URL and token.
    ///
    /// A certificate-bound token (RFC 8705 `cnf.x5t#S256`) is refused with
    /// `invalid_token` here, there being no client certificate to check it
    /// against, unless [`ApiClientOptions::trust_client_cert_header`] takes
    /// it from a proxy's `Client-Cert` header: see
    /// [`ApiClient::verify_request_with_certificate`]. A token bound by any
    /// other confirmation method than `jkt` and `x5t#S256` is refused with
    /// `invalid_token`: this API cannot check that binding, and must not
    /// accept such a token as if it were unbound.
    ///
    /// `url` is the URL the client called, as the client saw it (scheme,
    /// host and path; the query is ignored). Behind a proxy, that is the
    /// public URL, not the one the server listens on. Its path must be the
    /// one the request was routed by: a path with a `.` or `..` segment,
    /// literal or percent-encoded (`/orders/%2e%2e/admin`), is refused with
    /// 400 `invalid_request` before the token or proof is looked at, as the
    /// `htu` comparison would resolve it and a router usually does not.
    ///
    /// # Errors
    ///
    /// An [`AuthError`] carrying status, error code and the
    /// `WWW-Authenticate` challenges (RFC 6750 section 3, RFC 9449
    /// section 7) for the response. A `url` that is not an absolute http(s)
    /// URL, for a DPoP request, is the application's mistake:
    /// [`AuthErrorKind::Misuse`], 500 `server_error` without a challenge.
    pub async fn verify_request(
        &self,
        headers: &HeaderMap,
        method: &str,
        url: &str,
    ) -> Result<Claims, AuthError> {
        self.verify_request_with_certificate(headers, method, url, None)
            .await
    }

    /// As [`ApiClient::verify_request`], for a request made over TLS with
    /// the client certificate `certificate` (from the server's own TLS
    /// stack; `None` when the client presented none).
    ///
    /// A token bound to a certificate (`cnf.x5t#S256`, RFC 8705 section 3)
    /// is accepted only when `certificate` has that SHA-256 thumbprint; a
    /// token without `cnf.x5t#S256` is unaffected by `certificate`. With
    /// [`ApiClientOptions::trust_client_cert_header`], the certificate is
    /// the one in the `Client-Cert` header instead, and `certificate` is
    /// not used.
    ///
    /// # Errors
    ///
    /// As [`ApiClient::verify_request`]; and 401 `invalid_token` for a
    /// certificate-bound token with no certificate or another one, in
    /// every DPoP mode; and with a trusted `Client-Cert` header, 400
    /// `invalid_request` when it is malformed or repeated.
    pub async fn verify_request_with_certificate(
        &self,
        headers: &HeaderMap,
        method: &str,
        url: &str,
        certificate: Option<&ClientCertificate>,
    ) -> Result<Claims, AuthError> {
        self.verify_request_inner(headers, method, url, certificate)
            .await
            .map_err(|(e, scheme)| self.contextualize(e, scheme))
    }

    /// As [`ApiClient::verify_request`], for an `http` request: the method
    /// and headers come from `parts`, the URL from `public` and the request
    /// path (never from `Host` unless `public` trusts forwarded headers).
    ///
    /// That is [`ApiClient::verify_request_at`] the URI in `parts`; where a
    /// framework has rewritten it (stripped a mount prefix, say), use that
    /// method with the URI the client called.
    ///
    /// # Errors
    ///
    /// As [`ApiClient::verify_request_at`].
    pub async fn verify_request_parts(
        &self,
        parts: &http::request::Parts,
        public: &PublicUrl,
    ) -> Result<Claims, AuthError> {
        self.verify_request_at(&parts.headers, parts.method.as_str(), &parts.uri, public)
            .await
    }

    /// As [`ApiClient::verify_request`], with the URL the client called
    /// built by [`PublicUrl::url_for`] from `public`, the path of `uri` (the
    /// request target the client sent) and, if `public` trusts them, the
    /// forwarded `headers`; never from `Host` otherwise.
    ///
    /// # Errors
    ///
    /// As [`ApiClient::verify_request`], and 400 `invalid_request` when
    /// `public` trusts forwarded headers and they are malformed (see
    /// [`PublicUrl::url_for`]), before the credentials are checked, with
    /// the challenge of the scheme the request used.
    pub async fn verify_request_at(
        &self,
        headers: &HeaderMap,
        method: &str,
        uri: &http::Uri,
        public: &PublicUrl,
    ) -> Result<Claims, AuthError> {
        self.verify_request_at_with_certificate(headers, method, uri, public, None)
            .await
    }

    /// As [`ApiClient::verify_request_at`], with the request's client
    /// certificate, as [`ApiClient::verify_request_with_certificate`].
    ///
    /// # Errors
    ///
    /// As [`ApiClient::verify_request_at`] and
    /// [`ApiClient::verify_request_with_certificate`].
    pub async fn verify_request_at_with_certificate(
        &self,
        headers: &HeaderMap,
        method: &str,
        uri: &http::Uri,
        public: &PublicUrl,
        certificate: Option<&ClientCertificate>,
    ) -> Result<Claims, AuthError> {
        let url = public
            .url_for(uri, headers)
            .map_err(|e| self.contextualize(e, self.scheme_used(headers)))?;
        self.verify_request_with_certificate(headers, method, &url, certificate)
            .await
    }

    /// The scheme of the request's credentials, if it is one this API
    /// accepts: the challenge an early error is reported on.
    fn scheme_used(&self, headers: &HeaderMap) -> Option<Scheme> {
        match authorization::credentials(headers) {
            Ok(Credentials::Token { scheme, .. }) if self.accepts(scheme) => Some(scheme),
            _ => None,
        }
    }

    async fn verify_request_inner(
        &self,
        headers: &HeaderMap,
        method: &str,
        url: &str,
        certificate: Option<&ClientCertificate>,
    ) -> Result<Claims, (AuthError, Option<Scheme>)> {
        let mode = self.inner.mode;
        let credentials = authorization::credentials(headers).map_err(|e| match e.scheme() {
            // A malformed header of a scheme this API does not take is
            // just not a credential it could use.
            Some(scheme) if !self.accepts(scheme) => (
                missing_credentials(&format!("the {} scheme is not accepted", scheme.name())),
                None,
            ),
            scheme => (e, scheme),
        })?;
        let (scheme, token) = match credentials {
            Credentials::Token { scheme, token } if self.accepts(scheme) => (scheme, token),
            Credentials::Token { scheme, .. } => {
                return Err((
                    missing_credentials(&format!("the {} scheme is not accepted", scheme.name())),
                    None,
                ));
            }
            Credentials::None { scheme: None } => {
                return Err((missing_credentials("no Authorization header"), None));
            }
            Credentials::None { scheme: Some(_) } => {
                return Err((
                    missing_credentials("unsupported authorization scheme"),
                    None,
                ));
            }
        };
        let fail = |e: AuthError| (e, Some(scheme));
        let proofs = authorization::dpop_proofs(headers).map_err(fail)?;
        // Structural problems first: they need no cryptography.
        match scheme {
            Scheme::Bearer if mode != DpopMode::Disabled && !proofs.is_empty() => {
                return Err(fail(AuthError::new(
                    AuthErrorKind::InvalidRequest,
                    "a DPoP proof requires the DPoP authorization scheme",
                )));
            }
            Scheme::Dpop if proofs.is_empty() => {
                return Err(fail(AuthError::new(
                    AuthErrorKind::InvalidRequest,
                    "the DPoP scheme requires a DPoP header",
                )));
            }
            _ => {}
        }
        // The path the proof is checked against must be the one routed:
        // before any cryptography, a path the `htu` comparison would
        // resolve differently from a router is refused.
        if public_url::has_dot_segment(url) {
            return Err(fail(AuthError::new(
                AuthErrorKind::InvalidRequest,
                "the request path has a dot segment",
            )));
        }
        // A trusted proxy's certificate header is checked before any
        // cryptography too; an untrusted one is not read at all.
        let from_header;
        let certificate = if self.inner.options.trust_client_cert_header {
            from_header = ClientCertificate::from_header(headers).map_err(fail)?;
            from_header.as_ref()
        } else {
            certificate
        };
        let request = RequestInfo {
            url: Some(url),
            headers: Some(headers),
        };
        let verifier = self.token_verifier();
        let proof_for = |jkt| self.verify_proof(&proofs, method, url, token, jkt);
        let (verified, proven) = match verifier.lookup(token, &[], request).await.map_err(fail)? {
            // Remembered and still valid: only the proof is left to check,
            // for the key the verified token names.
            Lookup::Verified(jwt) => {
                let proven = match (scheme, bound_jkt(jwt.claims())) {
                    (Scheme::Dpop, Some(jkt)) => Some(proof_for(jkt).await),
                    _ => None,
                };
                (jwt, proven)
            }
            // A DPoP request names its key in the token (`cnf.jkt`): the
            // proof is checked for that key while the token's signature is,
            // so that a remote replay store's round trip overlaps the RSA
            // check. The answer is as if the token came first: its error
            // wins, and the key is only trusted once the token is. (A valid
            // proof sent with a token that turns out invalid is then
            // recorded, under its own key's share.)
            Lookup::Unverified(unverified) => {
                let unverified_jkt = match scheme {
                    Scheme::Dpop => bound_jkt(unverified.unverified_claims()).map(str::to_owned),
                    Scheme::Bearer => None,
                };
                match unverified_jkt {
                    Some(jkt) => {
                        let (proven, verified) = join(
                            proof_for(&jkt),
                            verifier.verify_unverified(unverified, &[], request),
                        )
                        .await;
                        (verified.map_err(fail)?, Some(proven))
                    }
                    None => (
                        verifier
                            .verify_unverified(unverified, &[], request)
                            .await
                            .map_err(fail)?,
                        None,
                    ),
                }
            }
        };
        let claims = verified.claims();
        let bound = confirmation(claims).map_err(fail)?;
        if let Some(x5t_s256) = bound.x5t_s256 {
            certificate_binding(x5t_s256, certificate).map_err(fail)?;
        }
        if let Some(proven) = proven {
            proven.map_err(|e| fail(proof_error(e)))?;
            return Ok(self.claims(&verified, Some(scheme)));
        }
        match (scheme, bound.jkt) {
            (Scheme::Bearer, Some(_)) if mode != DpopMode::Disabled => {
                return Err(fail(AuthError::new(
                    AuthErrorKind::InvalidToken,
                    "a DPoP-bound token requires the DPoP authorization scheme",
                )));
            }
            (Scheme::Bearer, _) => {}
            // Verified, the claims are those read above: no `cnf.jkt`.
            (Scheme::Dpop, _) => {
                return Err(fail(AuthError::new(
                    AuthErrorKind::InvalidToken,
                    "the DPoP scheme requires a DPoP-bound token (cnf.jkt)",
                )));
            }
        }
        Ok(self.claims(&verified, Some(scheme)))
    }

    /// Checks the request's DPoP proof, bound to `token` and the key `jkt`.
    async fn verify_proof(
        &self,
        proofs: &[&str],
        method: &str,
        url: &str,
        token: &str,
        jkt: &str,
    ) -> Result<dpop::VerifiedProof, dpop::Error> {
        let proof = dpop::Request::new(proofs, method, url)
            .access_token(token)
            .expected_jkt(jkt);
        self.inner.dpop.verify(&proof).await
    }

    fn accepts(&self, scheme: Scheme) -> bool {
        match self.inner.mode {
            DpopMode::Disabled => scheme == Scheme::Bearer,
            DpopMode::Allowed => true,
            DpopMode::Required => scheme == Scheme::Dpop,
        }
    }

    fn token_verifier(&self) -> TokenVerifier<'_> {
        TokenVerifier {
            issuers: &self.inner.issuers,
            discovery: &self.inner.discovery,
            validation: &self.inner.validation,
            limits: &self.inner.limits,
            cache: &self.inner.token_cache,
            algorithms: &self.inner.algorithms,
            hs256_secret: self.inner.hs256_secret.as_ref(),
            static_keys: self.inner.static_keys.as_ref(),
        }
    }

    fn claims(&self, verified: &VerifiedJwt, scheme: Option<Scheme>) -> Claims {
        Claims::new(
            verified.shared_claims(),
            scheme,
            Arc::clone(&self.inner.policy),
        )
    }

    /// Adds what every error needs for its challenges.
    fn contextualize(&self, error: AuthError, scheme: Option<Scheme>) -> AuthError {
        error
            .with_scheme(scheme)
            .with_challenge_context(&self.inner.policy.challenge)
    }

    /// The issuer of the configured `domain` (`https://host/`), if any.
    pub fn issuer(&self) -> Option<&str> {
        self.inner.home_issuer.as_deref()
    }

    /// The DPoP mode: disabled, allowed or required.
    pub fn dpop_mode(&self) -> DpopMode {
        self.inner.mode
    }

    /// The RFC 9728 document of
    /// [`ApiClientOptions::resource_metadata`], completed from this
    /// client's configuration, if one was configured: serve its
    /// [`to_json`](ProtectedResourceMetadata::to_json) at its
    /// [`well_known_path`](ProtectedResourceMetadata::well_known_path)
    /// (`auth0_api_axum::resource_metadata_router` does).
    pub fn resource_metadata(&self) -> Option<&ProtectedResourceMetadata> {
        self.inner.resource_metadata.as_ref().map(|(doc, _)| doc)
    }

    /// The URL every challenge names in `resource_metadata`, if a document
    /// is configured: its well-known URL, from the configured resource
    /// only.
    pub fn resource_metadata_url(&self) -> Option<&str> {
        self.inner.resource_metadata.as_ref().map(|(_, url)| &**url)
    }

    pub(crate) fn token_exchange(&self) -> Option<&TokenExchangeClient> {
        self.inner.token_exchange.as_ref()
    }
}

/// The key a token is bound to (`cnf.jkt`), if any, read before the token
/// is trusted: [`confirmation`] decides once it is.
fn bound_jkt(claims: &serde_json::Map<String, serde_json::Value>) -> Option<&str> {
    claims.get("cnf")?.get("jkt")?.as_str()
}

/// The confirmation methods (RFC 7800 `cnf`) a verified token is bound
/// by: none for a Bearer token.
#[derive(Default)]
struct Confirmation<'a> {
    /// The DPoP key's thumbprint (RFC 9449 section 6).
    jkt: Option<&'a str>,
    /// The client certificate's thumbprint (RFC 8705 section 3.1).
    x5t_s256: Option<&'a str>,
}

/// The RFC 8705 confirmation method.
const X5T_S256: &str = "x5t#S256";

/// How a verified token is bound: `cnf.jkt`, `cnf.x5t#S256`, or both.
///
/// Any other confirmation method (`jwk`, `jku`, ...) is one this API
/// cannot check, so the token is refused rather than accepted as if it
/// were unbound; so are a method whose value is not a string, a `cnf` that
/// is not an object, and a `cnf` naming no method at all.
fn confirmation(
    claims: &serde_json::Map<String, serde_json::Value>,
) -> Result<Confirmation<'_>, AuthError> {
    let invalid = |description: String| AuthError::new(AuthErrorKind::InvalidToken, description);
    let Some(cnf) = claims.get("cnf") else {
        return Ok(Confirmation::default());
    };
    let Some(cnf) = cnf.as_object() else {
        return Err(invalid("\"cnf\" is not a JSON object".to_owned()));
    };
    if let Some(method) = cnf.keys().find(|name| *name != "jkt" && *name != X5T_S256) {
        return Err(invalid(format!(
            "unsupported confirmation method {:?} in \"cnf\"",
            jose_core::excerpt(method, jose_core::EXCERPT_LEN)
        )));
    }
    let string = |name: &str| match cnf.get(name) {
        Some(serde_json::Value::String(value)) => Ok(Some(value.as_str())),
        Some(_) => Err(invalid(format!("\"cnf.{name}\" is not a string"))),
        None => Ok(None),
    };
    let bound = Confirmation {
        jkt: string("jkt")?,
        x5t_s256: string(X5T_S256)?,
    };
    if bound.jkt.is_none() && bound.x5t_s256.is_none() {
        return Err(invalid("\"cnf\" names no confirmation method".to_owned()));
    }
    Ok(bound)
}

/// Checks a certificate-bound token's `cnf.x5t#S256` against the
/// request's client certificate (RFC 8705 section 3).
fn certificate_binding(
    x5t_s256: &str,
    certificate: Option<&ClientCertificate>,
) -> Result<(), AuthError> {
    let description = match certificate {
        Some(certificate) if certificate.matches(x5t_s256) => return Ok(()),
        Some(_) => "certificate-bound token: the client certificate is not the one in cnf.x5t#S256",
        None => "certificate-bound token: no client certificate was presented",
    };
    Err(AuthError::new(AuthErrorKind::InvalidToken, description))
}

fn missing_credentials(description: &str) -> AuthError {
    AuthError::new(AuthErrorKind::MissingCredentials, description)
}

/// The description of a proof whose key is not the token's `cnf.jkt`, as
/// in RFC 9449 section 7.1.
const KEY_BINDING_MISMATCH: &str = "Invalid DPoP key binding";

/// Maps a proof failure by variant: whose fault it is decides the answer.
fn proof_error(error: dpop::Error) -> AuthError {
    let kind = match &error {
        dpop::Error::UseNonce { .. } => AuthErrorKind::UseDpopNonce,
        dpop::Error::KeyQuotaExceeded { .. } => AuthErrorKind::RateLimited,
        // The proof is fine, but its key is not the one the token is bound
        // to: the token was presented by someone else (RFC 9449 section
        // 7.1's example, and what Auth0's SDKs answer).
        dpop::Error::ThumbprintMismatch { .. } => {
            return AuthError::new(AuthErrorKind::InvalidToken, KEY_BINDING_MISMATCH)
                .with_source(error);
        }
        dpop::Error::ReplayCache(_) => AuthErrorKind::Unavailable,
        // The application's own mistakes: a relative or unusable request
        // URL, an unusable DPoP configuration or signing key. 500 without a
        // challenge; the client can do nothing about them.
        dpop::Error::InvalidUrl | dpop::Error::Config { .. } | dpop::Error::InvalidSigningKey => {
            AuthErrorKind::Misuse
        }
        // The system's random number generator failed (a fresh nonce could
        // not be made): the environment's fault, not the application's, so
        // not `Misuse`; a later attempt may succeed.
        dpop::Error::Crypto => AuthErrorKind::Unavailable,
        _ => AuthErrorKind::InvalidDpopProof,
    };
    let nonce = error.fresh_nonce().map(str::to_owned);
    let mut e = AuthError::new(kind, error.to_string()).with_retry_after(error.retry_after());
    if let Some(nonce) = nonce {
        e = e.with_nonce(nonce);
    }
    e.with_source(error)
}

/// What [`ApiClient::warm_up`] could not load, for which issuer, and why.
///
/// Its `Display` is meant for an operator's log:
/// `warm-up of https://tenant.auth0.com/ failed: could not load its discovery document: ...`.
#[derive(Debug, Clone)]
pub struct WarmUpError {
    issuer: String,
    stage: WarmUpStage,
    source: Option<Arc<oidc_discovery::Error>>,
}

/// The step of [`ApiClient::warm_up`] that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarmUpStage {
    /// Fetching or accepting the issuer's discovery document.
    Discovery,
    /// Fetching or accepting the key set (`jwks_uri`) it names.
    KeySet,
    /// The key set holds no key for an allowed algorithm.
    NoUsableKey,
}

impl WarmUpError {
    /// The issuer (`https://domain/`) that failed.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// What failed.
    pub fn stage(&self) -> WarmUpStage {
        self.stage
    }
}

impl fmt::Display for WarmUpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.stage {
            WarmUpStage::Discovery => "could not load its discovery document",
            WarmUpStage::KeySet => "could not load its key set (JWKS)",
            WarmUpStage::NoUsableKey => "its key set has no key for an allowed algorithm",
        };
        write!(f, "warm-up of {} failed: {what}", self.issuer)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WarmUpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}
