//! The verified-token cache: a bounded map from a token's SHA-256 to what
//! its verification produced, so that a token sent many times over its
//! lifetime pays for one RSA verification, not one per request.
//!
//! The cache only remembers; it decides nothing. Whoever reads an entry
//! still checks, on every hit, that the signing key is still published and
//! that the claims are still valid (expiry, issuer, audience, required
//! claims): see `access_token.rs`. Failures are never stored.
//!
//! # Bounds
//!
//! Entries live in [`SHARDS`] shards, each with its share of the entry and
//! byte bounds, evicted first-in first-out. An entry's byte cost is an
//! estimate made from the token's length ([`entry_cost`]), checked against
//! the process's resident memory by the unit test that stores a million
//! distinct tokens.
//!
//! # Concurrent misses
//!
//! The first request for a token not in the cache marks it pending and
//! verifies it; concurrent requests for the same token wait for that
//! verification instead of repeating it. A failed verification stores
//! nothing and wakes them: each then verifies for itself, as without a
//! cache. A verification whose request is dropped mid-way (a client that
//! hung up) clears its mark the same way, so nobody waits on it forever.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};
use tokio::sync::Notify;

/// Shards: enough that two threads seldom meet on one lock, few enough that
/// a small bound still leaves each shard room.
pub(crate) const SHARDS: usize = 16;

/// What a stored entry costs beyond its token's length: the map slot, the
/// FIFO slot, the `Arc`s and the parsed header and claims' fixed parts.
const ENTRY_OVERHEAD: usize = 1_024;

/// The estimated memory of the entry for a token of `token_len` bytes: the
/// parsed claims and header take about twice the token's length once
/// decoded into JSON maps. Measured on Auth0-shaped tokens of 900 bytes
/// (the million-token test): 2,684 resident bytes per entry, against an
/// estimate of 2,824.
pub(crate) const fn entry_cost(token_len: usize) -> usize {
    ENTRY_OVERHEAD + token_len.saturating_mul(2)
}

/// The cache's key: the SHA-256 of the whole token, so that two tokens
/// share an entry only if they are the same bytes (the signature alone, or
/// a prefix, would let a token with other claims borrow a verified one's).
pub(crate) type TokenDigest = [u8; 32];

/// The digest of `token`.
pub(crate) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// Bounds of a [`TokenCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub(crate) max_entries: usize,
    pub(crate) max_bytes: usize,
}

impl Bounds {
    /// Whether the cache stores anything at all.
    pub(crate) fn enabled(self) -> bool {
        self.max_entries > 0 && self.max_bytes > 0
    }
}

/// Hit and miss counts, read at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TokenCacheStats {
    /// Requests answered from the cache (the entry still passed every
    /// check).
    pub hits: u64,
    /// Requests that verified the token's signature.
    pub misses: u64,
    /// Entries held now.
    pub entries: usize,
    /// Their estimated memory, in bytes.
    pub bytes: usize,
}

/// A bounded map from token digests to verified values.
#[derive(Debug)]
pub(crate) struct TokenCache<V> {
    shards: Box<[Mutex<Shard<V>>]>,
    per_shard: Bounds,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Debug)]
struct Shard<V> {
    slots: HashMap<TokenDigest, Slot<V>>,
    /// Insertion order, for eviction. A digest whose entry was replaced or
    /// removed stays here until popped or compacted; its `seq` tells.
    order: VecDeque<(TokenDigest, u64)>,
    next_seq: u64,
    entries: usize,
    bytes: usize,
}

#[derive(Debug)]
enum Slot<V> {
    Ready { value: V, cost: usize, seq: u64 },
    Pending(Arc<Notify>),
}

/// What [`TokenCache::lookup`] found.
#[derive(Debug)]
pub(crate) enum Lookup<V: Clone> {
    /// A stored value, to be checked before use.
    Found(V),
    /// Not stored, and this caller now verifies it: the claim clears when
    /// dropped, whether or not the value was stored.
    Verify(Claim<V>),
    /// Not stored and not to be stored: verify without a claim (the cache
    /// is off, or another request's verification of it just failed).
    Bypass,
}

impl<V: Clone> TokenCache<V> {
    pub(crate) fn new(bounds: Bounds) -> Arc<Self> {
        let per_shard = Bounds {
            max_entries: bounds.max_entries.div_ceil(SHARDS),
            max_bytes: bounds.max_bytes.div_ceil(SHARDS),
        };
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    slots: HashMap::new(),
                    order: VecDeque::new(),
                    next_seq: 0,
                    entries: 0,
                    bytes: 0,
                })
            })
            .collect();
        Arc::new(Self {
            shards,
            per_shard: if bounds.enabled() {
                per_shard
            } else {
                Bounds {
                    max_entries: 0,
                    max_bytes: 0,
                }
            },
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        })
    }

    /// Whether anything is ever stored.
    pub(crate) fn enabled(&self) -> bool {
        self.per_shard.enabled()
    }

    fn shard(&self, key: &TokenDigest) -> MutexGuard<'_, Shard<V>> {
        // The digest is uniform: its first byte spreads keys evenly.
        let index = usize::from(key[0]) % SHARDS;
        // A panic while holding the lock leaves a consistent map (every
        // mutation below completes or does not start), so a poisoned lock
        // is used as is.
        self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Finds `key`, waiting while another request verifies it.
    pub(crate) async fn lookup(self: &Arc<Self>, key: TokenDigest) -> Lookup<V> {
        if !self.enabled() {
            return Lookup::Bypass;
        }
        let notify = {
            let mut shard = self.shard(&key);
            match shard.slots.get(&key) {
                Some(Slot::Ready { value, .. }) => return Lookup::Found(value.clone()),
                Some(Slot::Pending(notify)) => Arc::clone(notify),
                None => {
                    let notify = Arc::new(Notify::new());
                    shard.slots.insert(key, Slot::Pending(Arc::clone(&notify)));
                    return Lookup::Verify(Claim {
                        cache: Arc::clone(self),
                        key,
                        notify,
                        done: false,
                    });
                }
            }
        };
        // Registered before the slot is read again, so a wake-up between
        // the read and the wait is not lost.
        let notified = notify.notified();
        let mut notified = std::pin::pin!(notified);
        notified.as_mut().enable();
        let still_pending = matches!(
            self.shard(&key).slots.get(&key),
            Some(Slot::Pending(n)) if Arc::ptr_eq(n, &notify)
        );
        if still_pending {
            notified.await;
        }
        match self.shard(&key).slots.get(&key) {
            Some(Slot::Ready { value, .. }) => Lookup::Found(value.clone()),
            // The verification failed or was abandoned, or a new one began:
            // verify alone rather than queue again, so no request waits on
            // more than one other.
            _ => Lookup::Bypass,
        }
    }

    /// Counts a request answered from the cache.
    pub(crate) fn record_hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request that verified the signature.
    pub(crate) fn record_miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops the entry for `key`, if it holds a value (an entry that
    /// failed its checks: its key was rotated out, say).
    pub(crate) fn remove(&self, key: &TokenDigest) {
        let mut shard = self.shard(key);
        if let Some(Slot::Ready { cost, .. }) = shard.slots.get(key) {
            let cost = *cost;
            shard.slots.remove(key);
            shard.entries -= 1;
            shard.bytes -= cost;
        }
    }

    /// The counts now.
    pub(crate) fn stats(&self) -> TokenCacheStats {
        let mut stats = TokenCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: 0,
            bytes: 0,
        };
        for shard in &*self.shards {
            let shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            stats.entries += shard.entries;
            stats.bytes += shard.bytes;
        }
        stats
    }
}

impl<V> Shard<V> {
    /// Evicts the oldest entries until one of `cost` more fits.
    fn make_room(&mut self, cost: usize, bounds: Bounds) {
        while self.entries > 0
            && (self.entries + 1 > bounds.max_entries || self.bytes + cost > bounds.max_bytes)
        {
            let Some((key, seq)) = self.order.pop_front() else {
                break;
            };
            if let Some(Slot::Ready {
                seq: held, cost, ..
            }) = self.slots.get(&key)
                && *held == seq
            {
                let cost = *cost;
                self.slots.remove(&key);
                self.entries -= 1;
                self.bytes -= cost;
            }
        }
    }

    /// Keeps the order queue within twice the entries: digests removed
    /// other than by eviction leave stale places behind.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.entries + 16 {
            let slots = &self.slots;
            self.order.retain(|(key, seq)| {
                matches!(slots.get(key), Some(Slot::Ready { seq: held, .. }) if held == seq)
            });
        }
    }
}

/// The right to store the value for one digest, held by the request that
/// verifies it. Dropping it without [`Claim::store`] wakes the waiters,
/// who then verify for themselves.
#[derive(Debug)]
pub(crate) struct Claim<V: Clone> {
    cache: Arc<TokenCache<V>>,
    key: TokenDigest,
    notify: Arc<Notify>,
    done: bool,
}

impl<V: Clone> Claim<V> {
    /// Stores `value`, which cost about `cost` bytes, and wakes the
    /// waiters. A value larger than a shard's whole byte bound is not
    /// stored.
    pub(crate) fn store(mut self, value: V, cost: usize) {
        let bounds = self.cache.per_shard;
        let mut shard = self.cache.shard(&self.key);
        if self.is_pending(&shard) {
            if cost <= bounds.max_bytes {
                shard.make_room(cost, bounds);
                let seq = shard.next_seq;
                shard.next_seq += 1;
                shard
                    .slots
                    .insert(self.key, Slot::Ready { value, cost, seq });
                shard.order.push_back((self.key, seq));
                shard.entries += 1;
                shard.bytes += cost;
                shard.compact();
            } else {
                shard.slots.remove(&self.key);
            }
        }
        drop(shard);
        self.done = true;
        self.notify.notify_waiters();
    }

    fn is_pending(&self, shard: &Shard<V>) -> bool {
        matches!(shard.slots.get(&self.key), Some(Slot::Pending(n)) if Arc::ptr_eq(n, &self.notify))
    }
}

impl<V: Clone> Drop for Claim<V> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut shard = self.cache.shard(&self.key);
        if self.is_pending(&shard) {
            shard.slots.remove(&self.key);
        }
        drop(shard);
        self.notify.notify_waiters();
    }
}

#[cfg(test)]
mod tests;
