//! A bounded, in-process [`ReplayCache`] with a share per key.

mod builder;
mod entries;
mod expiry;
mod fingerprint;
mod keys;
mod table;

pub use builder::InMemoryReplayCacheBuilder;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use jose_core::Clock;

use self::entries::{Entries, Limits};
use self::fingerprint::Fingerprinter;
use super::{ReplayCache, ReplayError};

/// A [`ReplayCache`] in this process's memory, bounded in total and per key.
///
/// # Bounds
///
/// - **In total**: at most [`max_entries`](InMemoryReplayCacheBuilder::max_entries)
///   live entries (default 1,000,000). When full, new proofs are **refused**
///   ([`ReplayError::CapacityExceeded`], a 503) rather than evicting live
///   entries: evicting would let whoever floods the cache replay someone
///   else's proof.
/// - **Per key**: one proof key (`jkt`) may hold at most
///   [`max_entries_per_key`](InMemoryReplayCacheBuilder::max_entries_per_key)
///   live entries (default 10,000, about 30 new proofs per second for the
///   330 s a proof stays acceptable). A key over its share is refused
///   ([`ReplayError::KeyQuotaExceeded`], a 429) with the time until its
///   oldest entry expires; every other key is unaffected. So one client,
///   however fast it signs valid proofs, cannot lock the others out: it
///   takes a hundred keys at their full share, each with its own bound
///   token, to fill the default cache.
///
/// A proof seen before is reported as [`ReplayError::Replayed`] whatever
/// the bounds say.
///
/// # Memory
///
/// Each entry is a 128-bit keyed fingerprint of `(jkt, jti)`, whatever the
/// `jti`'s length. It is held in a hash set (the replay check), in a list
/// for its expiry second (the purge) and, when its key holds several
/// entries, as a 4-byte expiry in that key's heap (the share and its
/// `Retry-After`). An entry is dropped once its proof can no longer pass
/// the `iat` window (`expires_at`, up to 360 s after it is stored with the
/// default window), the tables shrink again after a burst, and an idle
/// cache holds nothing. Under a steady load:
///
/// ```text
/// bytes ≈ new proofs per second × 360 s × bytes per entry
/// ```
///
/// Bytes per entry, measured with [`memory_usage`](Self::memory_usage) at
/// 720,000 live entries (2,000 new proofs per second for 360 s; the tests
/// `holds_2000_proofs_per_second_in_64_mib*` check the first and the last
/// row):
///
/// | who sends the proofs | bytes per entry | total |
/// |---|---:|---:|
/// | 2,000 keys, one proof per second each | 47 | 32.4 MiB |
/// | a new key for every proof | 66 | 45.3 MiB |
/// | two proofs per key (the costliest arrangement) | 81 | 55.6 MiB |
///
/// Hash tables grow by doubling, so the figure moves with the load: the
/// set alone costs between 19 and 39 bytes per entry depending on where the
/// load sits between two doublings. Completely full, the default cache
/// holds between 56 and 87 MiB.
///
/// Each call takes one lock for O(1) work, plus the purge of what expired
/// since the last call (O(1) per entry removed); the fingerprint is
/// computed before the lock is taken.
///
/// # Fingerprints
///
/// The fingerprint's high half is a keyed hash of the `jkt`, its low half
/// one of the pair; the hash keys are random per cache, so no one can craft
/// colliding pairs. A collision could only make a fresh proof look used (a
/// false `Replayed`, about 5e-16 per proof for a key at its full share),
/// never let a replay through: the same pair always has the same
/// fingerprint.
///
/// # Scope
///
/// It protects one process. Several instances behind a load balancer need
/// a shared store (implement [`ReplayCache`] over Redis or a database).
/// Expiry follows the injected [`Clock`]; give it the verifier's.
pub struct InMemoryReplayCache {
    inner: Mutex<Entries>,
    fingerprints: Fingerprinter,
    limits: Limits,
    clock: Arc<dyn Clock>,
}

impl InMemoryReplayCache {
    /// A cache with the defaults: 1,000,000 entries, 10,000 per key, the
    /// system clock.
    pub fn new() -> Self {
        InMemoryReplayCacheBuilder::new().build()
    }

    /// A builder for other bounds or a test clock.
    pub fn builder() -> InMemoryReplayCacheBuilder {
        InMemoryReplayCacheBuilder::new()
    }

    /// The number of entries held, including any that expired since the
    /// last call that stored or purged.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The configured maximum number of live entries.
    pub fn max_entries(&self) -> usize {
        self.limits.max_entries
    }

    /// The configured maximum number of live entries of one key.
    pub fn max_entries_per_key(&self) -> usize {
        self.limits.max_per_key
    }

    /// The heap memory the cache holds, in bytes.
    ///
    /// Computed from the capacities of the structures held, not their
    /// contents: the fingerprint set and the per-key tables as the standard
    /// library's hash tables lay them out (a power-of-two number of slots,
    /// at most 7/8 used, each holding the element and one control byte),
    /// the per-second fingerprint lists and per-key heaps exactly, and the
    /// small ordered map of seconds as an upper estimate. The allocator's
    /// own overhead is not included. Costs O(1) and takes the lock briefly.
    pub fn memory_usage(&self) -> usize {
        self.lock().memory_usage()
    }

    /// Drops every entry whose proof can no longer pass the `iat` window,
    /// and gives back memory a burst left behind. Storing a proof does this
    /// too; call it to free memory after traffic stops.
    pub fn purge_expired(&self) {
        let now = self.now();
        self.lock().purge(now);
    }

    fn now(&self) -> u64 {
        u64::try_from(self.clock.unix_seconds()).unwrap_or(0)
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // No code holding this lock can panic half-way through an update,
        // so a poisoned lock still guards consistent data.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert(&self, jkt: &str, jti: &str, expires_at: u64) -> Result<(), ReplayError> {
        // Hashing needs no lock.
        let fingerprint = self.fingerprints.fingerprint(jkt, jti);
        let now = self.now();
        self.lock()
            .insert(fingerprint, expires_at, now, self.limits)
    }
}

#[async_trait]
impl ReplayCache for InMemoryReplayCache {
    async fn check_and_store(
        &self,
        jkt: &str,
        jti: &str,
        expires_at: u64,
    ) -> Result<(), ReplayError> {
        // Never waits: the future is ready on its first poll.
        self.insert(jkt, jti, expires_at)
    }
}

impl Default for InMemoryReplayCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for InMemoryReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryReplayCache")
            .field("len", &self.len())
            .field("max_entries", &self.limits.max_entries)
            .field("max_entries_per_key", &self.limits.max_per_key)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
