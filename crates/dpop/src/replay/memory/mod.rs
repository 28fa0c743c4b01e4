//! A bounded, in-process [`ReplayCache`].

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use jose_core::{Clock, SystemClock};
use ring::digest;

use super::{ReplayCache, ReplayError};

/// SHA-256 of the entry's key: fixed size whatever the `jti` length.
type EntryKey = [u8; 32];

const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// A [`ReplayCache`] in this process's memory, bounded in size.
///
/// Each entry costs about 100 bytes (a 32-byte hash of the key, its expiry,
/// and their place in a hash map and a min-heap), whatever the length of the
/// `jti`. Entries are dropped as soon as their proof could no longer pass
/// the `iat` window, so under a steady load the cache holds about
/// (proofs per second) x (offset + 2 x leeway) entries, 330 s with the
/// defaults.
///
/// When the cache is full of live entries, new proofs are **refused**
/// ([`ReplayError::CapacityExceeded`]) rather than evicting live entries:
/// evicting would let an attacker who floods the cache replay a victim's
/// proof. Expired entries are always removed first. The default capacity of
/// 100,000 covers a steady 300 proofs per second with the default window.
///
/// It protects one process. Several instances behind a load balancer need a
/// shared store (implement [`ReplayCache`] over Redis or a database).
///
/// Expiry follows the injected [`Clock`]; give it the verifier's.
pub struct InMemoryReplayCache {
    inner: Mutex<Entries>,
    max_entries: usize,
    clock: Arc<dyn Clock>,
}

#[derive(Default)]
struct Entries {
    /// Live keys and the last second at which each may still be replayed.
    seen: HashMap<EntryKey, u64>,
    /// The same entries ordered by expiry, soonest first.
    by_expiry: BinaryHeap<Reverse<(u64, EntryKey)>>,
}

impl InMemoryReplayCache {
    /// A cache with the defaults: 100,000 entries, the system clock.
    pub fn new() -> Self {
        InMemoryReplayCacheBuilder::new().build()
    }

    /// A builder for another capacity or a test clock.
    pub fn builder() -> InMemoryReplayCacheBuilder {
        InMemoryReplayCacheBuilder::new()
    }

    /// The number of entries held, including any that expired since the
    /// last call that stored or purged.
    pub fn len(&self) -> usize {
        self.lock().seen.len()
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The configured maximum number of entries.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// Drops every entry whose proof can no longer pass the `iat` window.
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
        let now = self.now();
        if expires_at < now {
            // The verifier never asks this: such a proof fails the iat check.
            // Storing it would only waste space, and it cannot pass later.
            return Ok(());
        }
        let key = entry_key(jkt, jti);
        let mut entries = self.lock();
        entries.purge(now);
        if entries.seen.contains_key(&key) {
            return Err(ReplayError::Replayed);
        }
        if entries.seen.len() >= self.max_entries {
            let oldest = entries.by_expiry.peek().map_or(now, |Reverse((at, _))| *at);
            return Err(ReplayError::CapacityExceeded {
                capacity: self.max_entries,
                retry_after: Duration::from_secs(oldest.saturating_sub(now) + 1),
            });
        }
        entries.seen.insert(key, expires_at);
        entries.by_expiry.push(Reverse((expires_at, key)));
        Ok(())
    }
}

impl Entries {
    /// Removes every entry with `expires_at < now`.
    fn purge(&mut self, now: u64) {
        while let Some(Reverse((expires_at, key))) = self.by_expiry.peek().copied() {
            if expires_at >= now {
                break;
            }
            self.by_expiry.pop();
            if self.seen.get(&key) == Some(&expires_at) {
                self.seen.remove(&key);
            }
        }
        // Give memory back after a burst, but not on every small dip.
        let len = self.seen.len();
        if self.seen.capacity() > 1024 && len < self.seen.capacity() / 4 {
            self.seen.shrink_to(len * 2);
            self.by_expiry.shrink_to(len * 2);
        }
    }
}

/// An unambiguous fixed-size key for the pair: SHA-256 over the length of
/// `jkt`, `jkt`, then `jti`.
fn entry_key(jkt: &str, jti: &str) -> EntryKey {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&(jkt.len() as u64).to_be_bytes());
    ctx.update(jkt.as_bytes());
    ctx.update(jti.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(ctx.finish().as_ref());
    key
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
            .field("max_entries", &self.max_entries)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Options for an [`InMemoryReplayCache`].
#[derive(Debug, Clone)]
pub struct InMemoryReplayCacheBuilder {
    max_entries: usize,
    clock: Arc<dyn Clock>,
}

impl InMemoryReplayCacheBuilder {
    /// The defaults: 100,000 entries, the system clock.
    pub fn new() -> Self {
        Self {
            max_entries: DEFAULT_MAX_ENTRIES,
            clock: Arc::new(SystemClock::default()),
        }
    }

    /// The most live entries kept; past it, new proofs are refused.
    ///
    /// Default: 100,000.
    pub fn max_entries(&mut self, max_entries: usize) -> &mut Self {
        self.max_entries = max_entries;
        self
    }

    /// The clock that decides when entries expire; use the verifier's.
    ///
    /// Default: [`SystemClock`].
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.clock = clock;
        self
    }

    /// Builds the cache.
    pub fn build(&self) -> InMemoryReplayCache {
        InMemoryReplayCache {
            inner: Mutex::new(Entries::default()),
            max_entries: self.max_entries,
            clock: Arc::clone(&self.clock),
        }
    }
}

impl Default for InMemoryReplayCacheBuilder {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jose_core::ManualClock;

    fn cache(clock: &Arc<ManualClock>, max: usize) -> InMemoryReplayCache {
        InMemoryReplayCache::builder()
            .max_entries(max)
            .clock(clock.clone())
            .build()
    }

    #[test]
    fn second_insert_of_a_pair_is_a_replay_until_it_expires() {
        let clock = Arc::new(ManualClock::at_unix_seconds(1_000));
        let cache = cache(&clock, 10);
        cache.insert("k", "j", 1_010).unwrap();
        assert!(matches!(
            cache.insert("k", "j", 1_010),
            Err(ReplayError::Replayed)
        ));
        // another key or another jti is another entry
        cache.insert("k2", "j", 1_010).unwrap();
        cache.insert("k", "j2", 1_010).unwrap();
        clock.set(Duration::from_secs(1_010)); // the last second it counts
        assert!(matches!(
            cache.insert("k", "j", 1_020),
            Err(ReplayError::Replayed)
        ));
        clock.advance(Duration::from_secs(1));
        cache.insert("k", "j", 1_020).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn key_is_unambiguous() {
        assert_ne!(entry_key("ab", "c"), entry_key("a", "bc"));
    }

    #[test]
    fn full_cache_fails_closed_then_recovers_after_expiry() {
        let clock = Arc::new(ManualClock::at_unix_seconds(1_000));
        let cache = cache(&clock, 3);
        for jti in ["a", "b", "c"] {
            cache.insert("k", jti, 1_005).unwrap();
        }
        assert!(matches!(
            cache.insert("k", "d", 1_005),
            Err(ReplayError::CapacityExceeded { capacity: 3, .. })
        ));
        // a replay is still reported as a replay when full
        assert!(matches!(
            cache.insert("k", "a", 1_005),
            Err(ReplayError::Replayed)
        ));
        clock.advance(Duration::from_secs(6));
        cache.insert("k", "d", 1_011).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn already_expired_entries_are_not_stored() {
        let clock = Arc::new(ManualClock::at_unix_seconds(1_000));
        let cache = cache(&clock, 3);
        cache.insert("k", "a", 999).unwrap();
        assert!(cache.is_empty());
    }

    #[test]
    fn purge_gives_memory_back() {
        let clock = Arc::new(ManualClock::at_unix_seconds(1_000));
        let cache = cache(&clock, 100_000);
        for i in 0..10_000 {
            cache.insert("k", &i.to_string(), 1_001).unwrap();
        }
        clock.advance(Duration::from_secs(2));
        cache.purge_expired();
        let entries = cache.lock();
        assert!(entries.seen.is_empty() && entries.by_expiry.is_empty());
        assert!(entries.seen.capacity() < 10_000);
    }
}
