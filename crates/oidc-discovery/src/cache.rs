//! The in-process cache: parsed values by key, with a TTL, a bounded LRU
//! pool beside pinned keys, single-flight loading, rate-limited forced
//! refreshes, stale-if-error and a negative cache of failed loads.
//!
//! One `RwLock` guards the map and is never held across an `.await`: a
//! fresh hit takes the read lock, clones an `Arc` and returns; a miss takes
//! the write lock just long enough to join or start a flight, then loads
//! with no lock held, so a slow key never blocks another.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use jose_core::Clock;

use crate::error::{Chain, Error};
use crate::single_flight::{self, Flight, Leader, Outcome};

mod slots;
use slots::{Cached, Failed, Slots};

/// The cache's bounds and time windows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Entries kept in the pool (at least 1), besides the pinned ones; the
    /// least recently used idle one goes first.
    pub(crate) max_entries: usize,
    /// How long past its expiry a value keeps serving when refreshes fail.
    pub(crate) stale_if_error: Duration,
    /// After a failed load, how long before the next try: a stale value
    /// serves meanwhile if there is one, else the failure is remembered and
    /// answered (the negative cache).
    pub(crate) retry_after_failure: Duration,
    /// Minimum time between two forced refreshes of one key.
    pub(crate) forced_refresh_interval: Duration,
}

/// A value a loader produced, and how long it stays fresh.
#[derive(Debug)]
pub(crate) struct Loaded<V> {
    pub(crate) value: V,
    pub(crate) ttl: Duration,
}

/// Why a loader runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// Nothing fresh is cached.
    Miss,
    /// The cached value is suspected outdated (an unknown `kid`): a
    /// second-level store likely holds the same value, so skip it.
    Forced,
}

/// The result of a forced refresh.
#[derive(Debug)]
pub(crate) enum Refreshed<V> {
    /// The value now cached: newer than the one seen if the refresh (or
    /// another caller's) succeeded, the same one if it failed.
    Current(Arc<V>),
    /// A forced refresh of this key ran too recently; nothing was fetched.
    RateLimited,
}

pub(crate) struct Cache<V> {
    kind: &'static str,
    clock: Arc<dyn Clock>,
    limits: Limits,
    slots: RwLock<Slots<V>>,
}

/// What a caller does next, decided under the write lock.
enum Step<V> {
    Ready(Arc<V>),
    Wait(Flight<V>),
    Lead(Leader<V>, Flight<V>),
    RateLimited,
    /// A load failed less than `retry_after_failure` ago and nothing may
    /// serve: its error, without loading again.
    Remembered(Error),
}

/// How a flight ended, decided under the write lock and logged after it.
enum Settled<V> {
    Loaded(Arc<V>, Duration),
    Stale {
        value: Arc<V>,
        error: Error,
        retry_at: Duration,
        stale_until: Duration,
    },
    Failed(Error),
}

impl<V: Send + Sync> Cache<V> {
    pub(crate) fn new(kind: &'static str, clock: Arc<dyn Clock>, limits: Limits) -> Self {
        Self {
            kind,
            clock,
            limits: Limits {
                max_entries: limits.max_entries.max(1),
                ..limits
            },
            slots: RwLock::new(Slots::new()),
        }
    }

    /// The fresh value for `key`, if any: the hot path. A read lock, a
    /// hash lookup and an `Arc` clone; no allocation, no `.await`.
    pub(crate) fn fresh(&self, key: &str) -> Option<Arc<V>> {
        let now = self.clock.since_epoch();
        let slots = self.read();
        let slot = slots.get(key)?;
        let cached = slot.cached.as_ref()?;
        if now >= cached.fresh_until {
            return None;
        }
        slot.touch(now);
        tracing::trace!(kind = self.kind, key, "cache hit");
        Some(Arc::clone(&cached.value))
    }

    /// The fresh value for `key`, loading it with `load` (once, however
    /// many callers ask at the same time) when there is none.
    pub(crate) async fn get<F, Fut>(&self, key: &str, load: F) -> Result<Arc<V>, Error>
    where
        F: Fn(Reason) -> Fut,
        Fut: Future<Output = Result<Loaded<V>, Error>>,
    {
        loop {
            match self.step(key, None) {
                Step::Ready(value) => return Ok(value),
                Step::Wait(flight) => {
                    if let Some(outcome) = flight.outcome().await {
                        return outcome;
                    }
                }
                Step::Lead(leader, flight) => {
                    tracing::debug!(kind = self.kind, key, "cache miss, loading");
                    return self.lead(key, leader, flight, load(Reason::Miss)).await;
                }
                Step::Remembered(error) => {
                    tracing::debug!(
                        kind = self.kind,
                        key,
                        "recently failed, not loading again yet"
                    );
                    return Err(error);
                }
                // Only forced refreshes are rate limited.
                Step::RateLimited => {}
            }
        }
    }

    /// Replaces `seen` (which the caller found wanting) with a newly loaded
    /// value, unless another caller already did, or a forced refresh of this
    /// key ran less than the configured interval ago.
    pub(crate) async fn refresh<F, Fut>(
        &self,
        key: &str,
        seen: &Arc<V>,
        load: F,
    ) -> Result<Refreshed<V>, Error>
    where
        F: Fn(Reason) -> Fut,
        Fut: Future<Output = Result<Loaded<V>, Error>>,
    {
        loop {
            match self.step(key, Some(seen)) {
                Step::Ready(value) => return Ok(Refreshed::Current(value)),
                Step::Wait(flight) => {
                    if let Some(outcome) = flight.outcome().await {
                        return outcome.map(Refreshed::Current);
                    }
                }
                Step::Lead(leader, flight) => {
                    tracing::debug!(kind = self.kind, key, "forced refresh");
                    let outcome = self.lead(key, leader, flight, load(Reason::Forced)).await;
                    return outcome.map(Refreshed::Current);
                }
                Step::RateLimited => {
                    tracing::debug!(kind = self.kind, key, "forced refresh rate limited");
                    return Ok(Refreshed::RateLimited);
                }
                Step::Remembered(error) => {
                    tracing::debug!(kind = self.kind, key, "recently failed, not refreshing yet");
                    return Err(error);
                }
            }
        }
    }

    /// Decides, under the write lock, whether the caller has a value (or a
    /// remembered failure), waits for a flight or leads a new one.
    fn step(&self, key: &str, seen: Option<&Arc<V>>) -> Step<V> {
        let now = self.clock.since_epoch();
        let mut slots = self.write();
        let slot = slots.slot(key, now, self.limits.max_entries, self.kind);
        slot.touch(now);
        if let Some(cached) = &slot.cached {
            let usable = match seen {
                None => now < cached.fresh_until,
                // Someone replaced the value the caller found wanting.
                Some(seen) => !Arc::ptr_eq(&cached.value, seen),
            };
            if usable {
                return Step::Ready(Arc::clone(&cached.value));
            }
        }
        if let Some(flight) = &slot.flight {
            return Step::Wait(flight.clone());
        }
        // Checked after the value, so a stale value always wins over a
        // remembered failure; and dropped once due, so it never lingers.
        if let Some(failed) = &slot.failed {
            if now < failed.until {
                return Step::Remembered(failed.error.clone());
            }
            slot.failed = None;
        }
        if seen.is_some() {
            let interval = self.limits.forced_refresh_interval;
            if slot
                .last_forced
                .is_some_and(|at| now < at.saturating_add(interval))
            {
                return Step::RateLimited;
            }
            slot.last_forced = Some(now);
        }
        let (leader, flight) = single_flight::start();
        slot.flight = Some(flight.clone());
        Step::Lead(leader, flight)
    }

    /// Runs the load as the flight's leader, then records and shares the
    /// outcome. If this future is dropped first, [`Abandon`] clears the
    /// flight and wakes the waiters, so one of them takes over.
    async fn lead<Fut>(
        &self,
        key: &str,
        leader: Leader<V>,
        flight: Flight<V>,
        load: Fut,
    ) -> Outcome<V>
    where
        Fut: Future<Output = Result<Loaded<V>, Error>>,
    {
        let mut abandon = Abandon {
            cache: self,
            key,
            flight,
            leader: Some(leader),
        };
        let result = load.await;
        let settled = self.settle(key, result, &abandon.flight);
        let outcome = match settled {
            Settled::Loaded(value, ttl) => {
                tracing::debug!(kind = self.kind, key, ttl_secs = ttl.as_secs(), "loaded");
                Ok(value)
            }
            Settled::Stale {
                value,
                error,
                retry_at,
                stale_until,
            } => {
                tracing::warn!(
                    kind = self.kind,
                    key,
                    error = %Chain(&error),
                    retry_in_secs = retry_at.saturating_sub(self.clock.since_epoch()).as_secs(),
                    serving_for_at_most_secs =
                        stale_until.saturating_sub(self.clock.since_epoch()).as_secs(),
                    "refresh failed, serving the last good value"
                );
                Ok(value)
            }
            Settled::Failed(error) => {
                tracing::warn!(kind = self.kind, key, error = %Chain(&error), "load failed");
                Err(error)
            }
        };
        if let Some(leader) = abandon.leader.take() {
            leader.finish(outcome.clone());
        }
        outcome
    }

    /// Records a load's result and ends the flight, under the write lock.
    fn settle(
        &self,
        key: &str,
        result: Result<Loaded<V>, Error>,
        flight: &Flight<V>,
    ) -> Settled<V> {
        let now = self.clock.since_epoch();
        let mut slots = self.write();
        let slot = slots.slot(key, now, self.limits.max_entries, self.kind);
        if slot.flight.as_ref().is_some_and(|f| f.same_as(flight)) {
            slot.flight = None;
        }
        match result {
            Ok(Loaded { value, ttl }) => {
                let value = Arc::new(value);
                let fresh_until = now.saturating_add(ttl);
                slot.failed = None;
                slot.cached = Some(Cached {
                    value: Arc::clone(&value),
                    fresh_until,
                    stale_until: fresh_until.saturating_add(self.limits.stale_if_error),
                });
                Settled::Loaded(value, ttl)
            }
            Err(error) => match slot.cached.as_mut() {
                Some(cached) if now < cached.stale_until => {
                    // Serve the last good value without asking again until
                    // `retry_at`, so a down server is not retried by every
                    // request; a forced refresh of a still-fresh value keeps
                    // its expiry.
                    let retry_at = now
                        .saturating_add(self.limits.retry_after_failure)
                        .min(cached.stale_until);
                    cached.fresh_until = cached.fresh_until.max(retry_at);
                    slot.failed = None;
                    Settled::Stale {
                        value: Arc::clone(&cached.value),
                        error,
                        retry_at: cached.fresh_until,
                        stale_until: cached.stale_until,
                    }
                }
                _ => {
                    // Nothing may serve: remember the failure, so that
                    // callers (however many, however fast) get it without
                    // another load until `retry_after_failure` has passed.
                    let retry = self.limits.retry_after_failure;
                    slot.failed = (!retry.is_zero()).then(|| Failed {
                        error: error.clone(),
                        until: now.saturating_add(retry),
                    });
                    Settled::Failed(error)
                }
            },
        }
    }

    /// Whether `key` is pinned (outside the LRU pool).
    pub(crate) fn is_pinned(&self, key: &str) -> bool {
        self.read().is_pinned(key)
    }

    /// Pins `key` (never evicted, not counted against `max_entries`), or
    /// puts it back in the pool.
    pub(crate) fn set_pinned(&self, key: &str, pinned: bool) {
        let mut slots = self.write();
        slots.set_pinned(key, pinned, self.limits.max_entries, self.kind);
        tracing::debug!(kind = self.kind, key, pinned, "pin changed");
    }
}

impl<V> Cache<V> {
    /// How many entries are held.
    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }

    fn read(&self) -> RwLockReadGuard<'_, Slots<V>> {
        // Every update under the write lock leaves the map consistent (no
        // code between two related writes can panic), so a poisoned lock
        // is safe to keep using.
        self.slots.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Slots<V>> {
        self.slots.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<V> fmt::Debug for Cache<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("kind", &self.kind)
            .field("entries", &self.len())
            .field("pinned", &self.read().pinned_len())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Ends an abandoned flight: clears it from its slot (if it is still the
/// one there), then drops the leader, which wakes the waiters with nothing.
struct Abandon<'a, V> {
    cache: &'a Cache<V>,
    key: &'a str,
    flight: Flight<V>,
    leader: Option<Leader<V>>,
}

impl<V> Drop for Abandon<'_, V> {
    fn drop(&mut self) {
        if self.leader.is_none() {
            return;
        }
        let mut slots = self.cache.write();
        if let Some(slot) = slots.get_mut(self.key)
            && slot
                .flight
                .as_ref()
                .is_some_and(|f| f.same_as(&self.flight))
        {
            slot.flight = None;
        }
        // `leader` is dropped after this, with the lock released.
    }
}

#[cfg(test)]
mod tests;
