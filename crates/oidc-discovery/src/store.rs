//! A second-level store for the raw documents, so that several processes
//! (or several [`Discovery`](crate::Discovery) instances) can share what
//! one of them fetched: the equivalent of the Python SDK's `CacheAdapter`.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use crate::error::StoreError;

/// A raw discovery document or JWKS as fetched, and when it stops being
/// fresh.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredDocument {
    body: Vec<u8>,
    expires_at: Duration,
}

impl StoredDocument {
    /// A document that is fresh until `expires_at` (time since the Unix
    /// epoch, as [`jose_core::Clock::since_epoch`] counts it).
    pub fn new(body: impl Into<Vec<u8>>, expires_at: Duration) -> Self {
        Self {
            body: body.into(),
            expires_at,
        }
    }

    /// The body, exactly as the server sent it.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, by value.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// When the document stops being fresh, as time since the Unix epoch.
    pub fn expires_at(&self) -> Duration {
        self.expires_at
    }
}

impl fmt::Debug for StoredDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredDocument")
            .field("body_len", &self.body.len())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where fetched documents are shared, keyed by the URL they came from.
///
/// The in-process cache of [`Discovery`](crate::Discovery) keeps documents
/// parsed and ready; a store sits behind it and is asked on a miss, before
/// the network. Without one (the default), the in-process cache is the only
/// cache. Plug in a store to share fetches between processes, e.g. Redis:
/// `put` maps to `SET key value PXAT expires_at` with the body and the
/// expiry encoded together, and `get` to `GET`.
///
/// What the cache relies on:
///
/// - Stored bodies are parsed and validated again when read (the issuer is
///   compared, the keys are checked), so a shared store is never trusted
///   more than the network.
/// - The cache ignores entries whose [`expires_at`](StoredDocument::expires_at)
///   has passed, so a store may keep (and return) expired entries.
/// - A store that fails is logged and bypassed; it never fails a lookup.
/// - A refetch forced by an unknown `kid` skips the store (which would
///   likely hold the same stale key set) and writes the new set to it.
#[async_trait]
pub trait DocumentStore: fmt::Debug + Send + Sync {
    /// The document stored under `key`, if any.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store could not be read.
    async fn get(&self, key: &str) -> Result<Option<StoredDocument>, StoreError>;

    /// Stores `document` under `key`, replacing what was there.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store could not be written.
    async fn put(&self, key: &str, document: StoredDocument) -> Result<(), StoreError>;
}

/// A [`DocumentStore`] in this process's memory, bounded in entries.
///
/// Useful to share fetches between several [`Discovery`](crate::Discovery)
/// instances in one process, and as the reference implementation of the
/// trait. When full, storing a new key first drops the entry that expires
/// soonest.
#[derive(Debug)]
pub struct MemoryStore {
    max_entries: usize,
    entries: Mutex<HashMap<String, StoredDocument>>,
}

impl MemoryStore {
    /// A store holding at most `max_entries` documents (at least one).
    pub fn new(max_entries: usize) -> Self {
        Self {
            max_entries: max_entries.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How many documents are stored.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, StoredDocument>> {
        // Every update is a single insert or remove, so a panic elsewhere
        // cannot leave the map half-written.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for MemoryStore {
    /// A store of at most 100 documents.
    fn default() -> Self {
        Self::new(100)
    }
}

#[async_trait]
impl DocumentStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<StoredDocument>, StoreError> {
        Ok(self.lock().get(key).cloned())
    }

    async fn put(&self, key: &str, document: StoredDocument) -> Result<(), StoreError> {
        let mut entries = self.lock();
        if !entries.contains_key(key) && entries.len() >= self.max_entries {
            let soonest = entries
                .iter()
                .min_by_key(|(_, d)| d.expires_at)
                .map(|(k, _)| k.clone());
            if let Some(soonest) = soonest {
                entries.remove(&soonest);
            }
        }
        entries.insert(key.to_owned(), document);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str, expires: u64) -> StoredDocument {
        StoredDocument::new(body.as_bytes(), Duration::from_secs(expires))
    }

    #[tokio::test]
    async fn memory_store_round_trips_and_drops_the_soonest_to_expire() {
        let store = MemoryStore::new(2);
        assert!(store.is_empty());
        store.put("a", doc("A", 30)).await.unwrap();
        store.put("b", doc("B", 10)).await.unwrap();
        store.put("a", doc("A2", 40)).await.unwrap();
        assert_eq!(store.len(), 2, "replacing a key evicts nothing");
        store.put("c", doc("C", 20)).await.unwrap();
        assert_eq!(store.len(), 2);
        assert_eq!(store.get("b").await.unwrap(), None, "b expired soonest");
        assert_eq!(store.get("a").await.unwrap().unwrap().body(), b"A2");
        let c = store.get("c").await.unwrap().unwrap();
        assert_eq!(c.expires_at(), Duration::from_secs(20));
        assert_eq!(c.into_body(), b"C");
        assert!(format!("{:?}", doc("secret-ish", 1)).contains("body_len: 10"));
    }
}
