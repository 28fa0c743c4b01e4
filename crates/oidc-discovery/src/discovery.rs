//! [`Discovery`]: discovery documents and key sets, cached, and the key for
//! a token.

use std::sync::Arc;
use std::time::Duration;

use jose_core::{Algorithm, Clock, KeyError, KeySet, SystemClock};
use url::Url;

use crate::cache::{Cache, Limits, Refreshed};
use crate::document::{DiscoveryDocument, well_known_url};
use crate::error::Error;
use crate::fetcher::Fetcher;
use crate::http_fetcher::HttpFetcher;
use crate::loader::Loader;
use crate::selected_key::SelectedKey;
use crate::store::DocumentStore;

/// Discovers issuers and hands out their keys, from a cache that survives
/// key rotation, stampedes and outages.
///
/// Build one per application and share it: it is `Send + Sync`, and
/// cloning it is an `Arc` clone (clones share the cache).
///
/// - **Hot path.** A cached, fresh value costs a read lock, a hash lookup
///   and an `Arc` clone: no allocation, no `.await` that waits, no call
///   through the [`Fetcher`].
/// - **TTL.** A document stays fresh for the smaller of its
///   `Cache-Control: max-age` and [`cache_ttl`](DiscoveryBuilder::cache_ttl).
/// - **Single flight.** However many callers miss the same entry at once,
///   one fetch runs and all of them get its outcome, success or error. A
///   failure is not cached: the next caller tries again.
/// - **Unknown `kid`.** [`key_for`](Self::key_for) refetches the JWKS once
///   when the token's `kid` is not in it, at most once per
///   [`unknown_kid_refresh_interval`](DiscoveryBuilder::unknown_kid_refresh_interval)
///   per `jwks_uri`: a rotated key is accepted on its first request, and a
///   flood of made-up kids costs at most one fetch per interval.
/// - **Stale if error.** When refreshing an expired entry fails, the last
///   good value keeps serving for up to
///   [`stale_if_error`](DiscoveryBuilder::stale_if_error) past its expiry
///   (retried every [`retry_after_failure`](DiscoveryBuilder::retry_after_failure)),
///   and each failure is logged as a `WARN` event.
///
/// ```no_run
/// use jose_core::Algorithm;
/// use oidc_discovery::Discovery;
///
/// # async fn run() -> Result<(), oidc_discovery::Error> {
/// let discovery = Discovery::new()?;
/// let key = discovery
///     .key_for("https://tenant.auth0.com/", Some("kid-from-the-token"), Algorithm::Rs256)
///     .await?;
/// println!("verify with {:?}", key.kid());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Discovery {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    loader: Loader,
    documents: Cache<DiscoveryDocument>,
    key_sets: Cache<KeySet>,
}

impl Discovery {
    /// A cache with the defaults and an [`HttpFetcher`].
    ///
    /// # Errors
    ///
    /// [`Error::HttpClient`] when the default fetcher cannot be built.
    pub fn new() -> Result<Self, Error> {
        DiscoveryBuilder::new().build()
    }

    /// A builder to change the defaults.
    pub fn builder() -> DiscoveryBuilder {
        DiscoveryBuilder::new()
    }

    /// `issuer`'s validated discovery document, from
    /// `{issuer}/.well-known/openid-configuration`.
    ///
    /// `issuer` is compared exactly with the document's `issuer`, and is
    /// the cache key: pass it in one canonical form (Auth0's issuers end in
    /// `/`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidIssuer`] for an unusable issuer (nothing is
    /// fetched); [`Error::Fetch`] when it cannot be fetched and no stale
    /// copy may serve; [`Error::Document`] when the document is invalid or
    /// names another issuer.
    pub async fn document(&self, issuer: &str) -> Result<Arc<DiscoveryDocument>, Error> {
        let documents = &self.inner.documents;
        if let Some(document) = documents.fresh(issuer) {
            return Ok(document);
        }
        let url = well_known_url(issuer)?;
        let loader = &self.inner.loader;
        documents
            .get(issuer, |reason| loader.document(issuer, &url, reason))
            .await
    }

    /// The key set published at `jwks_uri`, every usable key converted once.
    ///
    /// # Errors
    ///
    /// [`Error::Fetch`] when it cannot be fetched and no stale copy may
    /// serve; [`Error::Document`] when it is not a JWK Set.
    pub async fn key_set(&self, jwks_uri: &Url) -> Result<Arc<KeySet>, Error> {
        let key_sets = &self.inner.key_sets;
        if let Some(keys) = key_sets.fresh(jwks_uri.as_str()) {
            return Ok(keys);
        }
        let loader = &self.inner.loader;
        key_sets
            .get(jwks_uri.as_str(), |reason| loader.key_set(jwks_uri, reason))
            .await
    }

    /// The key of `issuer` that verifies a token with this `kid` and
    /// (already allowed) algorithm: discovery, then the JWKS, then
    /// [`KeySet::select`], refreshing the JWKS once if the `kid` is unknown
    /// (rate limited per `jwks_uri`).
    ///
    /// # Errors
    ///
    /// As [`document`](Self::document) and [`key_set`](Self::key_set), and
    /// [`Error::Key`] when no key fits: no `kid`, a `kid` still unknown
    /// after the refresh (or with the refresh rate limited), or a key that
    /// cannot verify `alg`.
    pub async fn key_for(
        &self,
        issuer: &str,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<SelectedKey, Error> {
        let document = self.document(issuer).await?;
        self.key_from_jwks(document.jwks_uri(), kid, alg).await
    }

    /// As [`key_for`](Self::key_for), for a `jwks_uri` known without
    /// discovery.
    ///
    /// # Errors
    ///
    /// As [`key_set`](Self::key_set), and [`Error::Key`] when no key fits.
    pub async fn key_from_jwks(
        &self,
        jwks_uri: &Url,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<SelectedKey, Error> {
        let key_error = |error| Error::key(jwks_uri, error);
        let keys = self.key_set(jwks_uri).await?;
        let error = match select(&keys, kid, alg) {
            Ok(key) => return Ok(key),
            Err(error @ KeyError::UnknownKid { .. }) => error,
            Err(error) => return Err(key_error(error)),
        };
        let loader = &self.inner.loader;
        let refreshed = self
            .inner
            .key_sets
            .refresh(jwks_uri.as_str(), &keys, |reason| {
                loader.key_set(jwks_uri, reason)
            })
            .await?;
        match refreshed {
            Refreshed::Current(keys) => select(&keys, kid, alg).map_err(key_error),
            Refreshed::RateLimited => Err(key_error(error)),
        }
    }
}

fn select(keys: &Arc<KeySet>, kid: Option<&str>, alg: Algorithm) -> Result<SelectedKey, KeyError> {
    let key = keys.select(kid, alg)?;
    // `select` returns a key of this very set, so this always succeeds; if
    // it ever did not, refusing is the safe answer.
    SelectedKey::new(Arc::clone(keys), key).ok_or_else(|| KeyError::UnknownKid {
        kid: jose_core::excerpt(kid.unwrap_or_default(), jose_core::EXCERPT_LEN),
    })
}

/// Builds a [`Discovery`].
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use oidc_discovery::{Discovery, HttpFetcher};
///
/// let fetcher = HttpFetcher::builder().timeout(Duration::from_secs(3)).build()?;
/// let discovery = Discovery::builder()
///     .fetcher(Arc::new(fetcher))
///     .cache_ttl(Duration::from_secs(300))
///     .build()?;
/// # Ok::<(), oidc_discovery::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DiscoveryBuilder {
    fetcher: Option<Arc<dyn Fetcher>>,
    store: Option<Arc<dyn DocumentStore>>,
    clock: Arc<dyn Clock>,
    cache_ttl: Duration,
    max_entries: usize,
    unknown_kid_refresh_interval: Duration,
    stale_if_error: Duration,
    retry_after_failure: Duration,
}

impl Default for DiscoveryBuilder {
    fn default() -> Self {
        Self {
            fetcher: None,
            store: None,
            clock: Arc::new(SystemClock::default()),
            cache_ttl: Duration::from_secs(600),
            max_entries: 100,
            unknown_kid_refresh_interval: Duration::from_secs(30),
            stale_if_error: Duration::from_secs(600),
            retry_after_failure: Duration::from_secs(5),
        }
    }
}

impl DiscoveryBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// How documents are fetched.
    ///
    /// Default: an [`HttpFetcher`] with its defaults.
    pub fn fetcher(&mut self, fetcher: Arc<dyn Fetcher>) -> &mut Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// A second-level store of raw documents, shared with other processes
    /// or instances, asked on a miss before the network.
    ///
    /// Default: none; the in-process cache is the only cache.
    pub fn store(&mut self, store: Arc<dyn DocumentStore>) -> &mut Self {
        self.store = Some(store);
        self
    }

    /// The clock every expiry, rate limit and stale window is measured
    /// with (tests use a [`jose_core::ManualClock`]).
    ///
    /// Default: [`SystemClock`].
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.clock = clock;
        self
    }

    /// The longest a document stays fresh; a shorter `Cache-Control:
    /// max-age` wins. Zero caches nothing (every lookup fetches, though
    /// concurrent lookups still share one fetch).
    ///
    /// Default: 600 seconds.
    pub fn cache_ttl(&mut self, ttl: Duration) -> &mut Self {
        self.cache_ttl = ttl;
        self
    }

    /// How many discovery documents, and separately how many key sets, are
    /// kept; beyond that the least recently used is dropped. At least 1.
    ///
    /// Default: 100.
    pub fn max_entries(&mut self, max: usize) -> &mut Self {
        self.max_entries = max;
        self
    }

    /// The shortest time between two JWKS refetches caused by unknown
    /// `kid`s, per `jwks_uri`.
    ///
    /// Default: 30 seconds.
    pub fn unknown_kid_refresh_interval(&mut self, interval: Duration) -> &mut Self {
        self.unknown_kid_refresh_interval = interval;
        self
    }

    /// How long past its expiry the last good document keeps serving while
    /// refreshes fail. Zero turns stale serving off.
    ///
    /// Default: 600 seconds (10 minutes).
    pub fn stale_if_error(&mut self, window: Duration) -> &mut Self {
        self.stale_if_error = window;
        self
    }

    /// While a stale document is serving, how long after a failed refresh
    /// the next one is tried (so a down server is not asked on every
    /// request).
    ///
    /// Default: 5 seconds.
    pub fn retry_after_failure(&mut self, delay: Duration) -> &mut Self {
        self.retry_after_failure = delay;
        self
    }

    /// Builds the cache.
    ///
    /// # Errors
    ///
    /// [`Error::HttpClient`] when no fetcher was given and the default
    /// [`HttpFetcher`] cannot be built.
    pub fn build(&self) -> Result<Discovery, Error> {
        let fetcher = match &self.fetcher {
            Some(fetcher) => Arc::clone(fetcher),
            None => Arc::new(HttpFetcher::new()?),
        };
        let limits = Limits {
            max_entries: self.max_entries,
            stale_if_error: self.stale_if_error,
            retry_after_failure: self.retry_after_failure,
            forced_refresh_interval: self.unknown_kid_refresh_interval,
        };
        let clock = Arc::clone(&self.clock);
        Ok(Discovery {
            inner: Arc::new(Inner {
                loader: Loader {
                    fetcher,
                    store: self.store.clone(),
                    clock: Arc::clone(&clock),
                    cache_ttl: self.cache_ttl,
                },
                documents: Cache::new("discovery", Arc::clone(&clock), limits),
                key_sets: Cache::new("jwks", clock, limits),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_is_send_sync_and_cheap_to_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Discovery>();
        check::<DiscoveryBuilder>();
        let discovery = Discovery::new().unwrap();
        let clone = discovery.clone();
        assert!(Arc::ptr_eq(&discovery.inner, &clone.inner));
    }

    #[test]
    fn builder_defaults_are_the_documented_ones() {
        let b = DiscoveryBuilder::new();
        assert_eq!(b.cache_ttl, Duration::from_secs(600));
        assert_eq!(b.max_entries, 100);
        assert_eq!(b.unknown_kid_refresh_interval, Duration::from_secs(30));
        assert_eq!(b.stale_if_error, Duration::from_secs(600));
        assert_eq!(b.retry_after_failure, Duration::from_secs(5));
        assert!(b.fetcher.is_none() && b.store.is_none());
    }

    #[tokio::test]
    async fn an_unusable_issuer_fails_before_any_fetch() {
        let discovery = Discovery::new().unwrap();
        for issuer in ["http://example.com/", "tenant.auth0.com", "https://a/?q"] {
            let error = discovery.document(issuer).await.unwrap_err();
            assert!(matches!(error, Error::InvalidIssuer { .. }), "{error:?}");
        }
        assert_eq!(discovery.inner.documents.len(), 0, "nothing is cached");
    }
}
