//! The cache's state behind its lock: which pairs are live, when each
//! expires, and how many each key holds.

use std::collections::HashSet;
use std::time::Duration;

use super::expiry::Expiries;
use super::fingerprint::Fingerprint;
use super::keys::Keys;
use super::table::{PassThrough, shrink_set, table_bytes_of};
use crate::replay::ReplayError;

/// The cache's two bounds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub(super) max_entries: usize,
    pub(super) max_per_key: usize,
}

/// Live entries, three ways: a set for the replay check, groups by expiry
/// second for purging, counts per key for the quota. A store costs O(1)
/// plus O(log n) in its key's heap; the purge costs as much per entry it
/// removes.
#[derive(Debug, Default)]
pub(super) struct Entries {
    seen: HashSet<Fingerprint, PassThrough>,
    expiries: Expiries,
    keys: Keys,
}

impl Entries {
    /// Records the pair `fingerprint`, live through second `expires_at`.
    ///
    /// The checks run in this order, so that each refusal names the right
    /// culprit: a replay is a replay even when its key is over its share or
    /// the cache is full, and a key over its share hears so even when the
    /// cache is full too.
    pub(super) fn insert(
        &mut self,
        fingerprint: Fingerprint,
        expires_at: u64,
        now: u64,
        limits: Limits,
    ) -> Result<(), ReplayError> {
        if expires_at < now {
            // The verifier never asks this: such a proof fails the iat
            // check. Storing it would only waste space; it cannot pass later.
            return Ok(());
        }
        self.purge(now);
        if self.seen.contains(&fingerprint) {
            return Err(ReplayError::Replayed);
        }
        let key = fingerprint.key();
        if self.keys.count(key) >= limits.max_per_key {
            return Err(ReplayError::KeyQuotaExceeded {
                max_per_key: limits.max_per_key,
                retry_after: wait_until_after(self.keys.oldest(key), now),
            });
        }
        if self.seen.len() >= limits.max_entries {
            return Err(ReplayError::CapacityExceeded {
                capacity: limits.max_entries,
                retry_after: wait_until_after(self.expiries.oldest(), now),
            });
        }
        self.seen.insert(fingerprint);
        self.expiries.push(expires_at, fingerprint);
        self.keys.add(key, expires_at);
        Ok(())
    }

    /// Forgets every entry whose last second is before `now`, then gives
    /// back table space a burst left behind.
    pub(super) fn purge(&mut self, now: u64) {
        let Self {
            seen,
            expiries,
            keys,
        } = self;
        let mut purged = false;
        expiries.purge(now, |fingerprint, _| {
            seen.remove(&fingerprint);
            keys.forget_oldest(fingerprint.key());
            purged = true;
        });
        if purged {
            shrink_set(seen);
            keys.shrink();
        }
    }

    /// Entries held, expired or not.
    pub(super) fn len(&self) -> usize {
        self.seen.len()
    }

    /// Heap bytes held by the three structures.
    pub(super) fn memory_usage(&self) -> usize {
        table_bytes_of::<Fingerprint>(self.seen.capacity())
            + self.expiries.memory_usage()
            + self.keys.memory_usage()
    }

    /// How many keys hold live entries.
    #[cfg(test)]
    pub(super) fn keys(&self) -> usize {
        self.keys.len()
    }
}

/// The time from `now` until the second after `last` (when an entry kept
/// through `last` is gone), at least one second.
fn wait_until_after(last: Option<u64>, now: u64) -> Duration {
    let last = last.unwrap_or(now);
    Duration::from_secs(last.saturating_sub(now).saturating_add(1))
}
