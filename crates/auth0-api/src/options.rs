//! `ApiClientOptions`: everything an `ApiClient` is built from, with the
//! defaults of Auth0's SDKs.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use dpop::{NonceSource, ReplayCache};
use jose_core::{Algorithm, Clock, KeySet, SystemClock};
use oidc_discovery::{DocumentStore, Fetcher};
use token_exchange::Secret;

use crate::resolver::DomainsResolver;
use crate::resource_metadata::ProtectedResourceMetadata;
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
///
/// # Options
///
/// | option | default | meaning |
/// | --- | --- | --- |
/// | [`domain`](Self::domain) | required (or `domains`) | `tenant.auth0.com`, `https://tenant.auth0.com` or with `/`; `http://` only for loopback hosts |
/// | `audience` | required | the API identifier tokens must be issued for |
/// | [`domains`](Self::domains) / [`domains_resolver`](Self::domains_resolver) | none | accept several custom domains, or decide per request (the token's `iss` is checked before any fetch) |
/// | [`client_id`](Self::client_id), [`client_secret`](Self::client_secret) | none | for token exchanges |
/// | [`timeout`](Self::timeout) | 10 s | every outbound request |
/// | [`dpop_enabled`](Self::dpop_enabled), [`dpop_required`](Self::dpop_required) | true, false | the DPoP mode |
/// | [`dpop_iat_leeway`](Self::dpop_iat_leeway), [`dpop_iat_offset`](Self::dpop_iat_offset) | 30 s, 300 s | the proof `iat` window `[now - offset - leeway, now + leeway]` |
/// | [`dpop_replay_cache`](Self::dpop_replay_cache) | bounded in-memory | share one between instances of a scaled-out API |
/// | [`dpop_nonces`](Self::dpop_nonces) | none | require server nonces |
/// | [`cache_ttl`](Self::cache_ttl) | 600 s | discovery/JWKS lifetime; a shorter `Cache-Control: max-age` wins; 0 disables |
/// | [`cache_max_entries`](Self::cache_max_entries) | 100 | LRU bound for issuers accepted through a resolver (at least 2); `domain` and the `domains` list are pinned on top |
/// | [`clock_leeway`](Self::clock_leeway) | 0 | skew tolerated on `exp`, `nbf`, `iat` |
/// | [`fetcher`](Self::fetcher) | `HttpFetcher` | how discovery documents and keys are fetched |
/// | [`document_store`](Self::document_store) | none | share fetched discovery documents and key sets between instances |
/// | [`clock`](Self::clock) | system clock | for tests |
/// | [`resource_metadata`](Self::resource_metadata) | none | advertise the RFC 9728 document: `resource_metadata` in every challenge |
/// | [`permissions_as_scopes`](Self::permissions_as_scopes) | false | `permissions` entries count as scopes |
/// | [`trust_client_cert_header`](Self::trust_client_cert_header) | false | take the client certificate of certificate-bound tokens (RFC 8705) from a proxy's RFC 9440 `Client-Cert` header |
/// | [`algorithms`](Self::algorithms) | `RS256` (`HS256` with a secret) | the access-token algorithm allowlist |
/// | [`hs256_secret`](Self::hs256_secret) | none | the API's HS256 signing secret (at least 32 bytes) |
/// | [`static_keys`](Self::static_keys), [`jwks_json`](Self::jwks_json), [`pem_public_key`](Self::pem_public_key) | none | verify with these keys: no discovery, no network |
///
/// Whatever the options, the discovery and JWKS cache asks a failing
/// issuer at most once per 5 s (the failure is remembered meanwhile, or a
/// stale copy serves), and keeps a configured issuer's stale copy however
/// many other issuers tokens name: see [`cache_max_entries`](Self::cache_max_entries).
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
    pub(crate) document_store: Option<Arc<dyn DocumentStore>>,
    pub(crate) dpop_replay_cache: Option<Arc<dyn ReplayCache>>,
    pub(crate) dpop_nonces: Option<Arc<NonceSource>>,
    pub(crate) resource_metadata: Option<ProtectedResourceMetadata>,
    pub(crate) permissions_as_scopes: bool,
    pub(crate) token_cache_entries: usize,
    pub(crate) token_cache_bytes: usize,
    pub(crate) algorithms: Option<Vec<Algorithm>>,
    pub(crate) hs256_secret: Option<Secret>,
    pub(crate) static_set: Option<Arc<KeySet>>,
    pub(crate) static_jwks: Vec<String>,
    pub(crate) static_pem: Vec<(String, String)>,
    pub(crate) trust_client_cert_header: bool,
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
            document_store: None,
            dpop_replay_cache: None,
            dpop_nonces: None,
            resource_metadata: None,
            permissions_as_scopes: false,
            token_cache_entries: 100_000,
            token_cache_bytes: 64 << 20,
            algorithms: None,
            hs256_secret: None,
            static_set: None,
            static_jwks: Vec::new(),
            static_pem: Vec::new(),
            trust_client_cert_header: false,
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

    /// The DPoP mode in one setting: Bearer only, both, or DPoP only. The
    /// two booleans below say the same as the Auth0 SDKs do; this cannot
    /// contradict itself.
    ///
    /// ```
    /// use auth0_api::{ApiClientOptions, DpopMode};
    ///
    /// let options = ApiClientOptions::new("tenant.auth0.com", "https://api.example.com")
    ///     .dpop_mode(DpopMode::Required);
    /// # let _ = options;
    /// ```
    ///
    /// Default: [`DpopMode::Allowed`].
    #[must_use]
    pub fn dpop_mode(mut self, mode: DpopMode) -> Self {
        (self.dpop_enabled, self.dpop_required) = match mode {
            DpopMode::Disabled => (false, false),
            DpopMode::Allowed => (true, false),
            DpopMode::Required => (true, true),
        };
        self
    }

    /// Whether the `DPoP` scheme is accepted at all (the Auth0 SDKs'
    /// `dpop_enabled`; see [`ApiClientOptions::dpop_mode`]).
    ///
    /// Default: `true`.
    #[must_use]
    pub fn dpop_enabled(mut self, enabled: bool) -> Self {
        self.dpop_enabled = enabled;
        self
    }

    /// Whether only the `DPoP` scheme is accepted (the Auth0 SDKs'
    /// `dpop_required`; see [`ApiClientOptions::dpop_mode`]).
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

    /// How many discovery documents, and separately how many key sets, of
    /// issuers accepted through a
    /// [`domains_resolver`](Self::domains_resolver) are cached (at least 2);
    /// beyond that the least recently used is dropped.
    ///
    /// The issuers of [`domain`](Self::domain) and of every entry in
    /// [`domains`](Self::domains) are pinned on top of this bound: their
    /// documents and key sets are never dropped, so tokens naming other
    /// issuers (valid or forged, however many) can never evict them or
    /// their stale copies, which keep verifying the configured tenants'
    /// tokens while those tenants are unreachable.
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

    /// Where fetched discovery documents and key sets are shared with other
    /// instances of the API (a fleet), asked on a cache miss before the
    /// network: an instance then fetches what another one already fetched
    /// from the store instead of from Auth0. Stored documents are checked
    /// again when read (issuer, keys), so a shared store is trusted no more
    /// than the network, and a store that fails is logged and bypassed.
    /// [`oidc_discovery::MemoryStore`] shares within one process;
    /// implement [`DocumentStore`] for Redis and the like.
    ///
    /// Default: none; each instance fetches for itself.
    #[must_use]
    pub fn document_store(mut self, store: Arc<dyn DocumentStore>) -> Self {
        self.document_store = Some(store);
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

    /// This API is the protected resource `metadata` describes (RFC 9728),
    /// as MCP servers must be: the client completes the document from its
    /// own configuration (`authorization_servers` from `domain` or the
    /// `domains` list unless the document names some; the DPoP members
    /// from the DPoP mode), every `WWW-Authenticate` challenge it answers
    /// (401 and 403, Bearer and DPoP) ends with
    /// `resource_metadata="<url>"`, and
    /// [`ApiClient::resource_metadata`](crate::ApiClient::resource_metadata)
    /// hands the document out for serving.
    ///
    /// The URL is the document's well-known URL, computed from the
    /// configured resource alone (RFC 9728 section 3.1:
    /// `https://api.example.com/mcp` is described at
    /// `https://api.example.com/.well-known/oauth-protected-resource/mcp`),
    /// never from a request's `Host` or forwarded headers.
    ///
    /// ```
    /// use auth0_api::{ApiClient, ApiClientOptions, ProtectedResourceMetadata};
    ///
    /// let resource = "https://mcp.example.com/mcp"; // also the API identifier
    /// let api = ApiClient::new(
    ///     ApiClientOptions::new("my-tenant.us.auth0.com", resource).resource_metadata(
    ///         ProtectedResourceMetadata::new(resource).scopes_supported(["tools:read", "tools:admin"]),
    ///     ),
    /// )?;
    /// let doc = api.resource_metadata().unwrap().to_json();
    /// assert_eq!(doc["authorization_servers"][0], "https://my-tenant.us.auth0.com/");
    /// assert_eq!(
    ///     api.resource_metadata_url(),
    ///     Some("https://mcp.example.com/.well-known/oauth-protected-resource/mcp")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The resource must be an absolute `https` URL (`http` only for
    /// loopback hosts) without credentials, query or fragment, or
    /// [`ApiClient::new`](crate::ApiClient::new) refuses it with
    /// [`ConfigurationError::InvalidResource`](crate::ConfigurationError::InvalidResource).
    ///
    /// Default: none; challenges carry no `resource_metadata`.
    #[must_use]
    pub fn resource_metadata(mut self, metadata: ProtectedResourceMetadata) -> Self {
        self.resource_metadata = Some(metadata);
        self
    }

    /// Count the string entries of the `permissions` claim as scopes, as
    /// well as those of `scope`: Auth0 puts an API's RBAC permissions
    /// there (with "Add Permissions in the Access Token", and in the RFC
    /// 9068 token profile). [`Claims::has_scope`](crate::Claims::has_scope),
    /// [`Claims::scopes`](crate::Claims::scopes) and
    /// [`Claims::require_scopes`](crate::Claims::require_scopes) (and the
    /// axum scope guard) then see both. Entries that are not strings are
    /// ignored.
    ///
    /// Default: `false`; only `scope` holds scopes.
    #[must_use]
    pub fn permissions_as_scopes(mut self, enabled: bool) -> Self {
        self.permissions_as_scopes = enabled;
        self
    }

    /// Take the client certificate that certificate-bound tokens
    /// (`cnf.x5t#S256`, RFC 8705) are checked against from the RFC 9440
    /// `Client-Cert` header, set by a TLS-terminating proxy you control:
    /// `:<base64 DER>:`, one header of at most 16 KiB, or 400
    /// `invalid_request`. The header then replaces any certificate passed
    /// to [`ApiClient::verify_request_with_certificate`](crate::ApiClient::verify_request_with_certificate)
    /// (the TLS peer is the proxy), and a request without it has no
    /// certificate.
    ///
    /// This is an option of the client rather than of
    /// [`PublicUrl`](crate::PublicUrl) because every entry point checks
    /// the binding, [`ApiClient::verify_request`](crate::ApiClient::verify_request)
    /// included, with or without a public URL. Enable it only when the
    /// proxy removes any `Client-Cert` header the client sent: anyone can
    /// set one.
    ///
    /// Default: `false`; the header is ignored entirely.
    #[must_use]
    pub fn trust_client_cert_header(mut self, trust: bool) -> Self {
        self.trust_client_cert_header = trust;
        self
    }

    /// How many verified access tokens are remembered, so that a token
    /// sent again skips its RSA verification. `0` turns the cache off.
    ///
    /// A remembered token is still checked on every request: its signing
    /// key must still be in the issuer's current key set, and its claims
    /// must still be valid now (`exp`, `nbf`, issuer, audience, required
    /// claims). A DPoP request still verifies its proof. Failures are never
    /// remembered. The oldest entries go first.
    ///
    /// Default: 100,000.
    #[must_use]
    pub fn token_cache_entries(mut self, entries: usize) -> Self {
        self.token_cache_entries = entries;
        self
    }

    /// The memory the verified-token cache may use, in bytes, as estimated
    /// from each token's length (about 2,800 bytes for a typical Auth0
    /// access token of 900 bytes). `0` turns the cache off.
    ///
    /// Default: 64 MiB (about 23,000 typical tokens).
    #[must_use]
    pub fn token_cache_bytes(mut self, bytes: usize) -> Self {
        self.token_cache_bytes = bytes;
        self
    }

    /// The access-token signature algorithms accepted: a token whose `alg`
    /// is not listed is refused before any key is looked up or fetched.
    ///
    /// `RS256` and `PS256` are verified with the issuer's published RSA
    /// keys (a key whose JWK says `"alg": "RS256"` never verifies `PS256`,
    /// nor the reverse); `HS256` only with
    /// [`hs256_secret`](Self::hs256_secret), which it requires, and never
    /// with a published key. An empty list, `HS256` without a secret, or a
    /// secret with a list lacking `HS256`, is a
    /// [`ConfigurationError`](crate::ConfigurationError).
    ///
    /// ```
    /// use auth0_api::{Algorithm, ApiClient, ApiClientOptions};
    ///
    /// // An API whose Auth0 signing algorithm was switched to PS256: both
    /// // are accepted while tokens of the old one are still in use.
    /// let api = ApiClient::new(
    ///     ApiClientOptions::new("my-tenant.us.auth0.com", "https://api.example.com")
    ///         .algorithms([Algorithm::Rs256, Algorithm::Ps256]),
    /// )?;
    /// # let _ = api;
    /// # Ok::<(), auth0_api::ConfigurationError>(())
    /// ```
    ///
    /// Default: `RS256` only, as Auth0 signs access tokens by default; with
    /// an [`hs256_secret`](Self::hs256_secret), `HS256` only.
    #[must_use]
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        let mut list = Vec::new();
        for alg in algorithms {
            if !list.contains(&alg) {
                list.push(alg);
            }
        }
        self.algorithms = Some(list);
        self
    }

    /// The API's HS256 signing secret (Auth0 dashboard: the API's settings,
    /// signing algorithm HS256). Setting it makes HS256 the API's
    /// algorithm: unless [`algorithms`](Self::algorithms) says otherwise,
    /// only HS256 tokens are accepted then, and RS256 ones are refused. An
    /// HS256 token is verified with this secret only (constant-time, ring's
    /// HMAC), never with a published key; an RS256 or PS256 token never
    /// with the secret.
    ///
    /// The secret is held in a [`Secret`] (wiped on drop, never in `Debug`
    /// or errors) and must be at least 32 bytes, else
    /// [`ConfigurationError::Hs256SecretTooShort`](crate::ConfigurationError::Hs256SecretTooShort).
    ///
    /// Default: none; HS256 tokens are refused.
    #[must_use]
    pub fn hs256_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.hs256_secret = Some(secret.into());
        self
    }

    /// Verify tokens with these keys, for the issuers of
    /// [`domain`](Self::domain) or the [`domains`](Self::domains) list: no
    /// discovery document and no JWKS is ever fetched, and no network
    /// call is made at all. A token naming another issuer is refused as
    /// always. Not with a [`domains_resolver`](Self::domains_resolver)
    /// (a [`ConfigurationError`](crate::ConfigurationError)).
    ///
    /// Each key went through jose-core's checks when the set was made
    /// ([`KeySet::from_slice`], [`VerifyingKey::from_pem`](jose_core::VerifyingKey::from_pem));
    /// a set without usable keys, or with a rejected entry, is refused by
    /// [`ApiClient::new`](crate::ApiClient::new). Keys are chosen by `kid`,
    /// as from a JWKS.
    ///
    /// Default: none; keys are discovered.
    #[must_use]
    pub fn static_keys(mut self, keys: KeySet) -> Self {
        self.static_set = Some(Arc::new(keys));
        self
    }

    /// As [`static_keys`](Self::static_keys), from a JWKS document (the
    /// issuer's `/.well-known/jwks.json`, saved). Parsed and checked by
    /// [`ApiClient::new`](crate::ApiClient::new); may be combined with
    /// [`static_keys`](Self::static_keys), other documents and
    /// [`pem_public_key`](Self::pem_public_key): the keys of all of them
    /// are used.
    ///
    /// Default: none.
    #[must_use]
    pub fn jwks_json(mut self, jwks: impl Into<String>) -> Self {
        self.static_jwks.push(jwks.into());
        self
    }

    /// As [`static_keys`](Self::static_keys), from a PEM public key
    /// (`PUBLIC KEY`: RSA or P-256; or `RSA PUBLIC KEY`), published under
    /// `kid` (tokens must name it in their header, as Auth0's do). Parsed
    /// and checked by [`ApiClient::new`](crate::ApiClient::new); may be
    /// called for several keys.
    ///
    /// Default: none.
    #[must_use]
    pub fn pem_public_key(mut self, kid: impl Into<String>, pem: impl Into<String>) -> Self {
        self.static_pem.push((kid.into(), pem.into()));
        self
    }

    pub(crate) fn has_static_keys(&self) -> bool {
        self.static_set.is_some() || !self.static_jwks.is_empty() || !self.static_pem.is_empty()
    }

    pub(crate) fn mode(&self) -> DpopMode {
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
            .field("dpop_mode", &self.mode())
            .field("algorithms", &self.algorithms)
            .field(
                "hs256_secret",
                &self.hs256_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("static_keys", &self.has_static_keys())
            .field("trust_client_cert_header", &self.trust_client_cert_header)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ApiClientOptions {
        ApiClientOptions::new("tenant.auth0.com", "https://api.example.com")
    }

    #[test]
    fn one_mode_setter_and_the_two_booleans_agree() {
        assert_eq!(options().mode(), DpopMode::Allowed);
        for mode in [DpopMode::Disabled, DpopMode::Allowed, DpopMode::Required] {
            assert_eq!(options().dpop_mode(mode).mode(), mode);
        }
        assert_eq!(options().dpop_enabled(false).mode(), DpopMode::Disabled);
        assert_eq!(options().dpop_required(true).mode(), DpopMode::Required);
        // The last setting wins, whichever form it takes.
        let back = options().dpop_required(true).dpop_mode(DpopMode::Allowed);
        assert_eq!(back.mode(), DpopMode::Allowed);
    }
}
