//! [`Discovery`]: discovery documents and key sets, cached, and the key for
//! a token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
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
///   one fetch runs and all of them get its outcome, success or error.
/// - **Negative cache.** A failed fetch with no stale copy to fall back on
///   is remembered for
///   [`retry_after_failure`](DiscoveryBuilder::retry_after_failure): callers
///   get the same error at once, without a fetch, so a failing issuer or
///   `jwks_uri` is asked at most once per period however fast lookups come.
///   The failure is forgotten when the period ends, or as soon as a fetch
///   succeeds.
/// - **Unknown `kid`.** [`key_for`](Self::key_for) refetches the JWKS once
///   when the token's `kid` is not in it, at most once per
///   [`unknown_kid_refresh_interval`](DiscoveryBuilder::unknown_kid_refresh_interval)
///   per `jwks_uri`: a rotated key is accepted on its first request, and a
///   flood of made-up kids costs at most one fetch per interval.
/// - **Stale if error.** When refreshing an expired entry fails, the last
///   good value keeps serving for up to
///   [`stale_if_error`](DiscoveryBuilder::stale_if_error) past its expiry
///   (retried every [`retry_after_failure`](DiscoveryBuilder::retry_after_failure)),
///   and each failure is logged as a `WARN` event. A stale value is always
///   served in preference to a remembered failure.
/// - **Pinned issuers.** The discovery documents of
///   [pinned issuers](DiscoveryBuilder::pin_issuer), and the key sets those
///   documents name, are never evicted and do not count against
///   [`max_entries`](DiscoveryBuilder::max_entries); every other issuer
///   shares that bounded LRU pool. Looking up many other issuers (say,
///   tokens naming every issuer a resolver accepts) can therefore never
///   evict a pinned entry or its stale-if-error copy.
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
    /// The `jwks_uri` each pinned issuer's document last named: those key
    /// sets are pinned too.
    pinned_key_sets: Mutex<HashMap<Box<str>, Box<str>>>,
}

impl Inner {
    /// Pins the key set `issuer`'s (pinned) document names, and unpins the
    /// one it named before if no other pinned issuer names it.
    fn pin_key_set(&self, issuer: &str, jwks_uri: &Url) {
        // Lock order: this mutex, then the key-set cache's lock; the cache
        // never takes this one.
        let mut pins = self
            .pinned_key_sets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let new = jwks_uri.as_str();
        if pins.get(issuer).is_some_and(|old| **old == *new) {
            return;
        }
        self.key_sets.set_pinned(new, true);
        if let Some(old) = pins.insert(Box::from(issuer), Box::from(new))
            && !pins.values().any(|named| *named == old)
        {
            self.key_sets.set_pinned(&old, false);
        }
    }
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
        let url = &well_known_url(issuer)?;
        let inner = &*self.inner;
        let pinned = documents.is_pinned(issuer);
        documents
            .get(issuer, |reason| async move {
                let loaded = inner.loader.document(issuer, url, reason).await?;
                if pinned {
                    inner.pin_key_set(issuer, loaded.value.jwks_uri());
                }
                Ok(loaded)
            })
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
    pinned: Vec<String>,
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
            pinned: Vec::new(),
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

    /// How many discovery documents, and separately how many key sets, of
    /// issuers that are not [pinned](Self::pin_issuer) are kept; beyond that
    /// the least recently used is dropped. At least 1. Pinned entries come
    /// on top and are never dropped.
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

    /// After a failed fetch of a discovery document or key set, how long
    /// before it is fetched again, so a down or failing server is asked at
    /// most once per `delay` however many lookups come:
    ///
    /// - with a stale copy (see [`stale_if_error`](Self::stale_if_error)),
    ///   that copy serves meanwhile;
    /// - without one, the failure is remembered (the negative cache) and
    ///   every lookup gets the same error at once, without a fetch.
    ///
    /// Either way the failure is forgotten when `delay` has passed, or as
    /// soon as a fetch succeeds. Zero asks again on the next lookup (no
    /// negative cache; concurrent lookups still share one fetch).
    ///
    /// One setting for both, because both answer the same question (how
    /// often a failing URL is asked), and the bound on outbound fetches is
    /// then one number, whatever callers send.
    ///
    /// Default: 5 seconds.
    pub fn retry_after_failure(&mut self, delay: Duration) -> &mut Self {
        self.retry_after_failure = delay;
        self
    }

    /// Pins `issuer`: its discovery document, and the key set that document
    /// names, are kept outside the LRU pool of
    /// [`max_entries`](Self::max_entries), never evicted, so their
    /// stale-if-error copies are always there when the issuer is down.
    /// Pin the issuers an application is configured with; issuers only
    /// learnt at run time (from a resolver, say) then share the pool, and
    /// looking them up, however many and however often, can never evict a
    /// pinned entry.
    ///
    /// `issuer` is spelt as it is passed to [`Discovery::document`] (the
    /// cache key), e.g. `https://tenant.auth0.com/`. Pinned entries are
    /// still fetched lazily, on first use.
    ///
    /// Default: nothing is pinned.
    pub fn pin_issuer(&mut self, issuer: impl Into<String>) -> &mut Self {
        self.pinned.push(issuer.into());
        self
    }

    /// Pins each of `issuers`, as [`pin_issuer`](Self::pin_issuer) does
    /// (in addition to any pinned before).
    ///
    /// Default: nothing is pinned.
    pub fn pinned_issuers<I, S>(&mut self, issuers: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.pinned.extend(issuers.into_iter().map(Into::into));
        self
    }

    /// Builds the cache.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidIssuer`] when a pinned issuer is not usable (as
    /// [`Discovery::document`] would refuse it); [`Error::HttpClient`] when
    /// no fetcher was given and the default [`HttpFetcher`] cannot be built.
    pub fn build(&self) -> Result<Discovery, Error> {
        for issuer in &self.pinned {
            well_known_url(issuer)?;
        }
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
        let documents = Cache::new("discovery", Arc::clone(&clock), limits);
        for issuer in &self.pinned {
            documents.set_pinned(issuer, true);
        }
        Ok(Discovery {
            inner: Arc::new(Inner {
                loader: Loader {
                    fetcher,
                    store: self.store.clone(),
                    clock: Arc::clone(&clock),
                    cache_ttl: self.cache_ttl,
                },
                documents,
                key_sets: Cache::new("jwks", clock, limits),
                pinned_key_sets: Mutex::new(HashMap::new()),
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
        assert!(b.pinned.is_empty());
    }

    #[test]
    fn a_pinned_issuer_must_be_usable() {
        let error = Discovery::builder()
            .pin_issuer("https://tenant.example/")
            .pin_issuer("http://tenant.example/")
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::InvalidIssuer { .. }), "{error:?}");
        let discovery = Discovery::builder()
            .pinned_issuers(["https://a.example/", "https://b.example/"])
            .pin_issuer("http://127.0.0.1:4000/")
            .build()
            .unwrap();
        let documents = &discovery.inner.documents;
        assert!(documents.is_pinned("https://a.example/"));
        assert!(documents.is_pinned("http://127.0.0.1:4000/"));
        assert!(!documents.is_pinned("https://c.example/"));
    }

    #[test]
    fn the_key_set_a_pinned_document_names_is_pinned_until_none_names_it() {
        let discovery = Discovery::new().unwrap();
        let (inner, key_sets) = (&discovery.inner, &discovery.inner.key_sets);
        let url = |s: &str| Url::parse(s).unwrap();
        let (one, two) = (
            url("https://a.example/jwks"),
            url("https://a.example/v2/jwks"),
        );
        inner.pin_key_set("https://a.example/", &one);
        inner.pin_key_set("https://b.example/", &one);
        assert!(key_sets.is_pinned(one.as_str()));
        // a moves to another key set; b still names the first.
        inner.pin_key_set("https://a.example/", &two);
        assert!(key_sets.is_pinned(one.as_str()) && key_sets.is_pinned(two.as_str()));
        inner.pin_key_set("https://b.example/", &two);
        assert!(!key_sets.is_pinned(one.as_str()));
        assert!(key_sets.is_pinned(two.as_str()));
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
