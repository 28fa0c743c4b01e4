//! Where a cache keeps its entries: one slot per key, the set of pinned
//! keys, and the bounded LRU pool every other key shares.
//!
//! Pinned keys (the configured issuers and the key sets their documents
//! name) live outside the pool: they are never evicted and do not count
//! against its bound, so however many other keys callers make the cache
//! look up, a pinned entry (and its stale-if-error copy) stays.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::Error;
use crate::single_flight::Flight;

/// Every slot by key, and which keys are pinned.
pub(super) struct Slots<V> {
    map: HashMap<Box<str>, Slot<V>>,
    /// Pinned keys, whether or not they have a slot yet.
    pinned: HashSet<Box<str>>,
}

/// Everything the cache knows about one key.
pub(super) struct Slot<V> {
    /// Milliseconds since the epoch of the last use, for LRU eviction. An
    /// atomic so that hits can record it under the read lock.
    last_used: AtomicU64,
    /// Outside the pool: never evicted.
    pinned: bool,
    pub(super) cached: Option<Cached<V>>,
    /// The last load's failure, remembered while no value may serve.
    pub(super) failed: Option<Failed>,
    pub(super) flight: Option<Flight<V>>,
    pub(super) last_forced: Option<Duration>,
}

/// A loaded value and its time windows.
pub(super) struct Cached<V> {
    pub(super) value: Arc<V>,
    pub(super) fresh_until: Duration,
    pub(super) stale_until: Duration,
}

/// A failed load, answered to every caller until `until` without loading
/// again (the negative cache).
pub(super) struct Failed {
    pub(super) error: Error,
    pub(super) until: Duration,
}

impl<V> Slots<V> {
    pub(super) fn new() -> Self {
        Self {
            map: HashMap::new(),
            pinned: HashSet::new(),
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Slot<V>> {
        self.map.get(key)
    }

    pub(super) fn get_mut(&mut self, key: &str) -> Option<&mut Slot<V>> {
        self.map.get_mut(key)
    }

    /// How many slots there are, pinned or not.
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    /// How many keys are pinned.
    pub(super) fn pinned_len(&self) -> usize {
        self.pinned.len()
    }

    /// How many slots are in the pool (not pinned).
    pub(super) fn pooled_len(&self) -> usize {
        self.map.values().filter(|slot| !slot.pinned).count()
    }

    pub(super) fn is_pinned(&self, key: &str) -> bool {
        self.pinned.contains(key)
    }

    /// The slot of `key`, created if absent. A new slot in the pool first
    /// makes room for itself among at most `max_pooled`.
    pub(super) fn slot(
        &mut self,
        key: &str,
        now: Duration,
        max_pooled: usize,
        kind: &'static str,
    ) -> &mut Slot<V> {
        let pinned = self.pinned.contains(key);
        if !pinned && !self.map.contains_key(key) {
            self.evict_beyond(max_pooled.saturating_sub(1), kind);
        }
        self.map
            .entry(Box::from(key))
            .or_insert_with(|| Slot::new(now, pinned))
    }

    /// Takes `key` out of the pool (`pinned`) or puts it back. A key put
    /// back may push the pool past `max_pooled`; the least recently used
    /// idle slots then go.
    pub(super) fn set_pinned(
        &mut self,
        key: &str,
        pinned: bool,
        max_pooled: usize,
        kind: &'static str,
    ) {
        if pinned {
            self.pinned.insert(Box::from(key));
        } else {
            self.pinned.remove(key);
        }
        if let Some(slot) = self.map.get_mut(key) {
            slot.pinned = pinned;
        }
        if !pinned {
            self.evict_beyond(max_pooled, kind);
        }
    }

    /// Evicts least recently used idle pool slots until at most `keep`
    /// remain. Pinned slots and slots with a flight in progress are never
    /// evicted.
    fn evict_beyond(&mut self, keep: usize, kind: &'static str) {
        let mut pooled = self.pooled_len();
        while pooled > keep {
            let victim = self
                .map
                .iter()
                .filter(|(_, slot)| !slot.pinned && slot.flight.is_none())
                .min_by_key(|(_, slot)| slot.last_used.load(Ordering::Relaxed))
                .map(|(key, _)| key.clone());
            let Some(victim) = victim else { break };
            self.map.remove(&victim);
            pooled -= 1;
            tracing::debug!(kind, key = &*victim, "evicted");
        }
    }
}

impl<V> Slot<V> {
    fn new(now: Duration, pinned: bool) -> Self {
        Self {
            last_used: AtomicU64::new(millis(now)),
            pinned,
            cached: None,
            failed: None,
            flight: None,
            last_forced: None,
        }
    }

    pub(super) fn touch(&self, now: Duration) {
        // Written only when it changes, so concurrent hits within the same
        // millisecond do not fight over the cache line.
        let now = millis(now);
        if self.last_used.load(Ordering::Relaxed) != now {
            self.last_used.store(now, Ordering::Relaxed);
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
