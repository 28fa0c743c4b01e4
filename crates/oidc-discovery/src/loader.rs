//! Loading one document on a cache miss: the shared store first, then the
//! fetcher; the TTL; parsing and validation.

use std::sync::Arc;
use std::time::Duration;

use jose_core::{Clock, KeySet};
use tracing::Instrument;
use url::Url;

use crate::cache::{Loaded, Reason};
use crate::document::DiscoveryDocument;
use crate::error::{Chain, DocumentError, Error, FetchError};
use crate::fetcher::Fetcher;
use crate::store::{DocumentStore, StoredDocument};

/// Everything a cache miss needs, shared by both caches.
#[derive(Debug)]
pub(crate) struct Loader {
    pub(crate) fetcher: Arc<dyn Fetcher>,
    pub(crate) store: Option<Arc<dyn DocumentStore>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) cache_ttl: Duration,
}

impl Loader {
    /// Loads and validates `issuer`'s discovery document from `url`.
    pub(crate) async fn document(
        &self,
        issuer: &str,
        url: &Url,
        reason: Reason,
    ) -> Result<Loaded<DiscoveryDocument>, Error> {
        self.load(url, reason, |body| {
            DiscoveryDocument::from_slice(url, issuer, body)
        })
        .await
    }

    /// Loads the JWKS at `url` and converts its keys, once.
    pub(crate) async fn key_set(&self, url: &Url, reason: Reason) -> Result<Loaded<KeySet>, Error> {
        self.load(url, reason, |body| parse_key_set(url, body))
            .await
    }

    async fn load<V>(
        &self,
        url: &Url,
        reason: Reason,
        parse: impl Fn(&[u8]) -> Result<V, Error>,
    ) -> Result<Loaded<V>, Error> {
        if reason == Reason::Miss
            && let Some(loaded) = self.cached_in_store(url, &parse).await
        {
            return Ok(loaded);
        }
        let now = self.clock.since_epoch();
        let span = tracing::debug_span!("fetch", url = %url);
        let response = self.fetcher.fetch(url).instrument(span).await?;
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url: url.clone(),
                status: response.status(),
            }
            .into());
        }
        let ttl = response
            .max_age()
            .map_or(self.cache_ttl, |max_age| max_age.min(self.cache_ttl));
        let value = parse(response.body())?;
        tracing::debug!(%url, ttl_secs = ttl.as_secs(), "fetched");
        if let Some(store) = self.store.as_ref().filter(|_| !ttl.is_zero()) {
            let stored = StoredDocument::new(response.into_body(), now.saturating_add(ttl));
            if let Err(error) = store.put(url.as_str(), stored).await {
                tracing::warn!(%url, error = %Chain(&error), "could not write to the document store");
            }
        }
        Ok(Loaded { value, ttl })
    }

    /// A fresh, valid copy from the store, if there is one. Store failures
    /// and unusable entries are logged and treated as misses.
    async fn cached_in_store<V>(
        &self,
        url: &Url,
        parse: &impl Fn(&[u8]) -> Result<V, Error>,
    ) -> Option<Loaded<V>> {
        let store = self.store.as_ref()?;
        let stored = match store.get(url.as_str()).await {
            Ok(stored) => stored?,
            Err(error) => {
                tracing::warn!(%url, error = %Chain(&error), "could not read the document store");
                return None;
            }
        };
        let now = self.clock.since_epoch();
        let ttl = stored
            .expires_at()
            .checked_sub(now)
            .filter(|ttl| !ttl.is_zero())?
            .min(self.cache_ttl);
        match parse(stored.body()) {
            Ok(value) => {
                tracing::debug!(%url, ttl_secs = ttl.as_secs(), "loaded from the document store");
                Some(Loaded { value, ttl })
            }
            Err(error) => {
                tracing::warn!(%url, error = %Chain(&error), "stored document is unusable, fetching");
                None
            }
        }
    }
}

/// Parses a JWKS, converting each usable key once; entries that cannot be
/// used are logged and skipped, so one odd key never hides the others.
fn parse_key_set(url: &Url, body: &[u8]) -> Result<KeySet, Error> {
    // jose-core reports JSON that is not an object and bytes that are not
    // JSON alike; tell them apart for the error.
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(|e| DocumentError::NotJson {
        url: url.clone(),
        source: e.into(),
    })?;
    let set = KeySet::from_slice(body).map_err(|error| DocumentError::MalformedKeySet {
        url: url.clone(),
        error,
    })?;
    for rejected in set.rejected() {
        tracing::warn!(
            %url,
            kid = rejected.kid().unwrap_or_default(),
            error = %rejected.error(),
            "JWKS entry skipped"
        );
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://tenant.example/.well-known/jwks.json").unwrap()
    }

    #[test]
    fn key_set_errors_tell_not_json_from_not_a_jwks() {
        let error = |body: &[u8]| parse_key_set(&url(), body).unwrap_err();
        assert!(matches!(
            error(b"<html>").document_error(),
            Some(DocumentError::NotJson { .. })
        ));
        for body in [b"[]".as_slice(), br#"{"keys":{}}"#] {
            assert!(matches!(
                error(body).document_error(),
                Some(DocumentError::MalformedKeySet { .. })
            ));
        }
        let set = parse_key_set(&url(), br#"{"keys":[{"kty":"OKP","kid":"x"}]}"#).unwrap();
        assert!(set.keys().is_empty());
        assert_eq!(set.rejected()[0].kid(), Some("x"));
    }
}
