//! Options for an [`InMemoryReplayCache`] and their defaults.

use std::sync::{Arc, Mutex};

use jose_core::{Clock, SystemClock};

use super::InMemoryReplayCache;
use super::entries::{Entries, Limits};
use super::fingerprint::Fingerprinter;

/// 2,770 new proofs per second over the 361 s an entry can live with the
/// default window: more than the 2,000 per second the cache is measured
/// for, and at most 87 MiB when completely full.
const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// 1% of the default capacity: a hundred keys at their full share fill it.
/// About 30 new proofs per second per key, sustained over the 330 s a proof
/// stays acceptable; an interactive client sends far fewer.
const DEFAULT_MAX_ENTRIES_PER_KEY: usize = 10_000;

/// The per-key bookkeeping numbers entries with 32 bits; no machine holds
/// that many anyway (it would take about 200 GiB).
const MAX_ENTRIES_LIMIT: usize = u32::MAX as usize;

/// Options for an [`InMemoryReplayCache`].
///
/// ```
/// let cache = dpop::InMemoryReplayCache::builder()
///     .max_entries(200_000)
///     .max_entries_per_key(2_000)
///     .build();
/// assert_eq!(cache.max_entries_per_key(), 2_000);
/// ```
#[derive(Debug, Clone)]
pub struct InMemoryReplayCacheBuilder {
    max_entries: usize,
    max_entries_per_key: usize,
    clock: Arc<dyn Clock>,
}

impl InMemoryReplayCacheBuilder {
    /// The defaults: 1,000,000 entries, 10,000 per key, the system clock.
    pub fn new() -> Self {
        Self {
            max_entries: DEFAULT_MAX_ENTRIES,
            max_entries_per_key: DEFAULT_MAX_ENTRIES_PER_KEY,
            clock: Arc::new(SystemClock::default()),
        }
    }

    /// The most live entries kept; past it, new proofs are refused with
    /// [`ReplayError::CapacityExceeded`](crate::ReplayError::CapacityExceeded).
    ///
    /// Size it as the expected proofs per second times 361 s (the longest
    /// an entry lives with the default `iat` window), and see
    /// [`InMemoryReplayCache`] for the memory that takes. Memory is taken
    /// as entries arrive, not up front.
    ///
    /// Default: 1,000,000 (2,770 new proofs per second). Values above
    /// 2^32 - 1 count as 2^32 - 1.
    pub fn max_entries(&mut self, max_entries: usize) -> &mut Self {
        self.max_entries = max_entries.min(MAX_ENTRIES_LIMIT);
        self
    }

    /// The most live entries one proof key (`jkt`) may hold; past it, that
    /// key's new proofs are refused with
    /// [`ReplayError::KeyQuotaExceeded`](crate::ReplayError::KeyQuotaExceeded)
    /// (a 429) and other keys are unaffected. Values below 1 count as 1.
    ///
    /// It is a rate per client, not a fraction of
    /// [`max_entries`](Self::max_entries), and does not change with it:
    /// `share / 330 s` is the most new proofs per second one key can
    /// sustain. Keep `max_entries` many times larger, or a few keys can
    /// fill the cache. A backend service that signs every call with one key
    /// at more than 30 calls per second needs a larger share.
    ///
    /// Default: 10,000 (about 30 new proofs per second per key; 1% of the
    /// default capacity).
    pub fn max_entries_per_key(&mut self, max_entries_per_key: usize) -> &mut Self {
        self.max_entries_per_key = max_entries_per_key.max(1);
        self
    }

    /// The clock that decides when entries expire; use the verifier's.
    ///
    /// Default: [`SystemClock`].
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.clock = clock;
        self
    }

    /// Builds the cache, with fresh random keys for its fingerprints. It
    /// allocates nothing until the first proof arrives.
    pub fn build(&self) -> InMemoryReplayCache {
        InMemoryReplayCache {
            inner: Mutex::new(Entries::default()),
            fingerprints: Fingerprinter::random(),
            limits: Limits {
                max_entries: self.max_entries,
                max_per_key: self.max_entries_per_key,
            },
            clock: Arc::clone(&self.clock),
        }
    }
}

impl Default for InMemoryReplayCacheBuilder {
    fn default() -> Self {
        Self::new()
    }
}
