//! `ApiClientOptions`: everything an `ApiClient` is built from, with the
//! defaults of Auth0's SDKs.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use dpop::{NonceSource, ReplayCache};
use jose_core::{Clock, SystemClock};
use oidc_discovery::Fetcher;
use token_exchange::Secret;

use crate::resolver::DomainsResolver;
use crate::scheme::DpopMode;

/// Where tokens may come from: one tenant, a fixed list of custom domains,
/// or a resolver that decides per request.
#[derive(Debug, Clone)]
pub(crate) enum Domains {
    List(Vec<String>),
    Resolver(Arc<dyn DomainsResolver>),
}

/// Options for [`ApiClient`](crate::ApiClient).
///
/// ```
/// use std::time::Duration;
/// use auth0_api::ApiClientOptions;
///
/// let options = ApiClientOptions::new("my-tenant.us.auth0.com", "https://api.example.com")
///     .dpop_required(true)
///     .clock_leeway(Duration::from_secs(5));
/// ```
///
/// Nothing is checked until [`ApiClient::new`](crate::ApiClient::new), which
/// reports every problem as a [`ConfigurationError`](crate::ConfigurationError).
#[derive(Clone)]
pub struct ApiClientOptions {
    pub(crate) domain: Option<String>,
    pub(crate) domains: Option<Domains>,
    pub(crate) audience: String,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<Secret>,
    pub(crate) timeout: Duration,
    pub(crate) dpop_enabled: bool,
    pub(crate) dpop_required: bool,
    pub(crate) dpop_iat_leeway: Duration,
    pub(crate) dpop_iat_offset: Duration,
    pub(crate) cache_ttl: Duration,
    pub(crate) cache_max_entries: usize,
    pub(crate) clock_leeway: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) fetcher: Option<Arc<dyn Fetcher>>,
    pub(crate) dpop_replay_cache: Option<Arc<dyn ReplayCache>>,
    pub(crate) dpop_nonces: Option<Arc<NonceSource>>,
}

impl ApiClientOptions {
    /// An API identified by `audience`, accepting tokens from the tenant at
    /// `domain` (`tenant.auth0.com`, `https://tenant.auth0.com` or with a
    /// trailing slash; `http://` only for loopback hosts).
    pub fn new(domain: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            domain: Some(domain.into()),
            ..Self::for_audience(audience)
        }
    }

    /// An API identified by `audience`, with its domains given by
    /// [`ApiClientOptions::domains`] or
    /// [`ApiClientOptions::domains_resolver`].
    pub fn for_audience(audience: impl Into<String>) -> Self {
        Self {
            domain: None,
            domains: None,
            audience: audience.into(),
            client_id: None,
            client_secret: None,
            timeout: Duration::from_secs(10),
            dpop_enabled: true,
            dpop_required: false,
            dpop_iat_leeway: Duration::from_secs(30),
            dpop_iat_offset: Duration::from_secs(300),
            cache_ttl: Duration::from_secs(600),
            cache_max_entries: 100,
            clock_leeway: Duration::ZERO,
            clock: Arc::new(SystemClock::default()),
            fetcher: None,
            dpop_replay_cache: None,
            dpop_nonces: None,
        }
    }

    /// The tenant domain; with [`ApiClientOptions::domains`] it is also
    /// where token exchanges go.
    ///
    /// Default: the one given to [`ApiClientOptions::new`], else none.
    #[must_use]
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Accept tokens from any of these domains (Auth0 custom domains). The
    /// token's `iss` is checked against the list before any network call.
    ///
    /// Default: only `domain`.
    #[must_use]
    pub fn domains<I, S>(mut self, domains: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.domains = Some(Domains::List(domains.into_iter().map(Into::into).collect()));
        self
    }

    /// Decide the accepted domains per request.
    ///
    /// Default: none.
    #[must_use]
    pub fn domains_resolver(mut self, resolver: Arc<dyn DomainsResolver>) -> Self {
        self.domains = Some(Domains::Resolver(resolver));
        self
    }

    /// The client id used for token exchanges.
    ///
    /// Default: none.
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The client secret used for token exchanges (never logged).
    ///
    /// Default: none.
    #[must_use]
    pub fn client_secret(mut self, client_secret: impl Into<Secret>) -> Self {
        self.client_secret = Some(client_secret.into());
        self
    }

    /// Timeout of every outbound request (discovery, JWKS, token endpoint).
    ///
    /// Default: 10 s.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the `DPoP` scheme is accepted at all.
    ///
    /// Default: `true`.
    #[must_use]
    pub fn dpop_enabled(mut self, enabled: bool) -> Self {
        self.dpop_enabled = enabled;
        self
    }

    /// Whether only the `DPoP` scheme is accepted.
    ///
    /// Default: `false`.
    #[must_use]
    pub fn dpop_required(mut self, required: bool) -> Self {
        self.dpop_required = required;
        self
    }

    /// How far in the future a DPoP proof's `iat` may be.
    ///
    /// Default: 30 s.
    #[must_use]
    pub fn dpop_iat_leeway(mut self, leeway: Duration) -> Self {
        self.dpop_iat_leeway = leeway;
        self
    }

    /// How old a DPoP proof may be.
    ///
    /// Default: 300 s.
    #[must_use]
    pub fn dpop_iat_offset(mut self, offset: Duration) -> Self {
        self.dpop_iat_offset = offset;
        self
    }

    /// The longest time discovery documents and key sets are cached (a
    /// shorter `Cache-Control: max-age` wins). Zero disables caching.
    ///
    /// Default: 600 s.
    #[must_use]
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = ttl;
        self
    }

    /// How many discovery documents and key sets are cached (at least 2).
    ///
    /// Default: 100.
    #[must_use]
    pub fn cache_max_entries(mut self, entries: usize) -> Self {
        self.cache_max_entries = entries;
        self
    }

    /// Clock skew tolerated on the access token's `exp`, `nbf` and `iat`.
    ///
    /// Default: 0.
    #[must_use]
    pub fn clock_leeway(mut self, leeway: Duration) -> Self {
        self.clock_leeway = leeway;
        self
    }

    /// The clock deciding "now" everywhere (for tests).
    ///
    /// Default: [`SystemClock`].
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How discovery documents and key sets are fetched (a proxy-aware
    /// client, a shared cache, a test double).
    ///
    /// Default: an [`oidc_discovery::HttpFetcher`] with
    /// [`timeout`](Self::timeout).
    #[must_use]
    pub fn fetcher(mut self, fetcher: Arc<dyn Fetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Where seen DPoP proofs are remembered, so each is accepted once. Share
    /// one between instances of a horizontally scaled API.
    ///
    /// Default: a bounded in-memory [`dpop::InMemoryReplayCache`].
    #[must_use]
    pub fn dpop_replay_cache(mut self, cache: Arc<dyn ReplayCache>) -> Self {
        self.dpop_replay_cache = Some(cache);
        self
    }

    /// Require server-issued DPoP nonces (RFC 9449 section 9) from this
    /// source; proofs without a current one get `use_dpop_nonce`.
    ///
    /// Default: no nonces.
    #[must_use]
    pub fn dpop_nonces(mut self, nonces: Arc<NonceSource>) -> Self {
        self.dpop_nonces = Some(nonces);
        self
    }

    pub(crate) fn dpop_mode(&self) -> DpopMode {
        match (self.dpop_enabled, self.dpop_required) {
            (false, _) => DpopMode::Disabled,
            (true, false) => DpopMode::Allowed,
            (true, true) => DpopMode::Required,
        }
    }
}

impl fmt::Debug for ApiClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClientOptions")
            .field("domain", &self.domain)
            .field("domains", &self.domains)
            .field("audience", &self.audience)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("dpop_mode", &self.dpop_mode())
            .finish_non_exhaustive()
    }
}
