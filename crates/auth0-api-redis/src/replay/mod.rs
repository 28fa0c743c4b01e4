//! The DPoP replay cache in Redis: one script, one round trip per proof.

mod builder;

pub use builder::RedisReplayCacheBuilder;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use dpop::{ReplayCache, ReplayError};
use jose_core::Clock;
use redis::Script;

use crate::client::Redis;
use crate::error::Error;
use crate::keys::replay_member;

/// The check, in Lua; see the comments in the file.
pub(crate) const SCRIPT: &str = include_str!("check_and_store.lua");

/// A [`dpop::ReplayCache`] in Redis, shared by every replica of a service.
///
/// # One round trip per proof
///
/// Each [`check_and_store`](ReplayCache::check_and_store) is one Lua
/// script (`EVALSHA`, loaded again by itself after Redis restarts), so it
/// is atomic: of any number of concurrent calls for one proof, exactly one
/// succeeds. Each key (`jkt`) has a sorted set of its live proofs, scored
/// by expiry. The script, using the caller's clock for "now":
///
/// 1. refuses the proof with [`ReplayError::IssuedBeforeReset`] if it may
///    predate a reset of the store (below);
/// 2. adds the proof to its key's set, refusing it as
///    [`ReplayError::Replayed`] if it was already there;
/// 3. if the key now holds more than its
///    [share](RedisReplayCacheBuilder::max_entries_per_key), drops the
///    key's expired proofs and counts again; still over, it takes the proof
///    out again and refuses it ([`ReplayError::KeyQuotaExceeded`], retry
///    when the key's oldest proof expires): a client flooding proofs under
///    one key cannot crowd out the others, nor grow its set past the share;
/// 4. lets the set expire with its latest proof.
///
/// Four Redis calls in the common case (`GET`, `ZADD NX`, `ZCARD`,
/// `EXPIRE`), measured at about 13 µs of Redis time per proof.
///
/// Key names hold the namespace and SHA-256 hashes only, never the `jkt`
/// or `jti` themselves.
///
/// # When Redis restarts empty
///
/// A Redis without persistence (or that lost its data) forgets every
/// proof; without care, each could then be replayed until it expires. A
/// *generation marker*, a key without expiry holding the Unix second at
/// which the script first found the store empty, closes that window: a
/// proof is refused while it may predate the marker. Why the rule is
/// `expires_at <= marker + proof_lifetime`:
///
/// - a proof accepted before the reset was accepted at some `t <= marker`,
///   with `iat <= t + leeway <= marker + leeway` (the verifier allows
///   `iat` up to `leeway` ahead of its clock);
/// - so its `expires_at = iat + offset + leeway <= marker + offset +
///   2 x leeway = marker + proof_lifetime`, and it is refused;
/// - a proof with `expires_at > marker + proof_lifetime` has
///   `iat > marker + leeway`: it was signed after the reset, and passes;
/// - once `now > marker + proof_lifetime`, every proof that passes the
///   `iat` window has `expires_at >= now > marker + proof_lifetime`: the
///   rule only ever bites during the first proof lifetime of a
///   generation, and normal operation is unaffected.
///
/// The cost: for `leeway` seconds (30 s by default) after a reset, every
/// proof is refused (401 `invalid_dpop_proof`), since a proof signed then
/// cannot be told from one signed before the reset by a client whose
/// clock runs ahead. A brand-new deployment starts a generation too, on
/// its first proof: proofs signed just before (or within `leeway` of) the
/// first use are refused once, and the clients' next proofs pass.
///
/// # What Redis must provide
///
/// - **No eviction** of these keys: `maxmemory-policy noeviction` (when
///   memory is full, writes fail and proofs are refused with 503, failing
///   closed) or a `volatile-*` policy (the marker has no expiry, so it is
///   never evicted; proof sets are, which reopens their window). An
///   `allkeys-*` policy may evict the marker or live proofs: don't.
/// - One primary. A failover to a replica that missed the latest writes
///   forgets those proofs without resetting the marker; use `WAIT` or
///   accept that window, as for any other state kept in Redis.
/// - Replica clocks within about a second of each other (NTP): each call
///   carries its replica's "now". Add any larger skew to
///   [`proof_lifetime`](RedisReplayCacheBuilder::proof_lifetime).
///
/// # When Redis is unreachable
///
/// Every call is bounded by the handle's timeout and then fails with
/// [`ReplayError::Unavailable`] (503 with `Retry-After`): DPoP fails
/// closed, Bearer tokens are unaffected. Calls succeed again as soon as
/// Redis is back; nothing needs rebuilding.
pub struct RedisReplayCache {
    redis: Redis,
    script: Script,
    max_entries_per_key: usize,
    /// Whole seconds.
    proof_lifetime: u64,
    retry_after: Duration,
    clock: Arc<dyn Clock>,
}

impl RedisReplayCache {
    /// The most live proofs one key may hold.
    pub fn max_entries_per_key(&self) -> usize {
        self.max_entries_per_key
    }

    /// The proof lifetime the reset rule uses.
    pub fn proof_lifetime(&self) -> Duration {
        Duration::from_secs(self.proof_lifetime)
    }

    fn unavailable(&self, error: Error) -> ReplayError {
        ReplayError::Unavailable {
            retry_after: self.retry_after,
            source: Arc::new(error),
        }
    }
}

impl fmt::Debug for RedisReplayCache {
    // Everything but the script's source.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayCache")
            .field("redis", &self.redis)
            .field("max_entries_per_key", &self.max_entries_per_key)
            .field("proof_lifetime", &self.proof_lifetime())
            .field("retry_after", &self.retry_after)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The furthest in the future an entry may expire: one year.
const MAX_AHEAD: u64 = 366 * 24 * 60 * 60;

/// What the script answered.
const STORED: i64 = 0;
const REPLAYED: i64 = 1;
const KEY_QUOTA: i64 = 2;
const BEFORE_RESET: i64 = 3;

#[async_trait]
impl ReplayCache for RedisReplayCache {
    async fn check_and_store(
        &self,
        jkt: &str,
        jti: &str,
        expires_at: u64,
    ) -> Result<(), ReplayError> {
        let now = u64::try_from(self.clock.unix_seconds()).unwrap_or(0);
        // The verifier's values are near `now`; a caller's absurd one must
        // not overflow the script's numbers (doubles) or Redis's TTLs.
        let expires_at = expires_at.min(now.saturating_add(MAX_AHEAD));
        let keys = self.redis.keys();
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(keys.generation())
            .key(keys.replay_set(jkt))
            .arg(&replay_member(jkt, jti)[..])
            .arg(expires_at)
            .arg(now)
            .arg(self.max_entries_per_key)
            .arg(self.proof_lifetime);
        let mut connection = self.redis.connection();
        let (code, value): (i64, i64) = self
            .redis
            .run(invocation.invoke_async(&mut connection))
            .await
            .map_err(|e| self.unavailable(e))?;
        match code {
            STORED => Ok(()),
            REPLAYED => Err(ReplayError::Replayed),
            KEY_QUOTA => {
                let oldest = u64::try_from(value).unwrap_or(0);
                Err(ReplayError::KeyQuotaExceeded {
                    max_per_key: self.max_entries_per_key,
                    retry_after: Duration::from_secs(oldest.saturating_sub(now) + 1),
                })
            }
            BEFORE_RESET => Err(ReplayError::IssuedBeforeReset),
            _ => Err(self.unavailable(Error::Corrupt {
                what: "replay script reply",
            })),
        }
    }
}
