//! Options for a [`RedisReplayCache`].

use std::sync::Arc;
use std::time::Duration;

use dpop::ReplayError;
use jose_core::Clock;

use redis::Script;

use super::{RedisReplayCache, SCRIPT};
use crate::client::Redis;

/// The default share of one key: 10,000 live proofs, about 28 proofs per
/// second sustained over the default 360 s lifetime.
const DEFAULT_MAX_ENTRIES_PER_KEY: usize = 10_000;
/// The default proof lifetime: the verifier's default `iat` offset (300 s)
/// plus twice its default leeway (30 s).
const DEFAULT_PROOF_LIFETIME: Duration = Duration::from_secs(360);

/// Options for a [`RedisReplayCache`], from [`Redis::replay_cache`].
///
/// ```no_run
/// # async fn run() -> Result<(), auth0_api_redis::Error> {
/// use std::time::Duration;
///
/// let redis = auth0_api_redis::Redis::builder("redis://127.0.0.1:6379/").connect().await?;
/// let replay = redis
///     .replay_cache()
///     .max_entries_per_key(1_000)
///     .proof_lifetime(Duration::from_secs(300 + 2 * 30))
///     .build();
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RedisReplayCacheBuilder {
    redis: Redis,
    max_entries_per_key: usize,
    proof_lifetime: Duration,
    retry_after: Duration,
    clock: Option<Arc<dyn Clock>>,
}

impl RedisReplayCacheBuilder {
    pub(crate) fn new(redis: Redis) -> Self {
        Self {
            redis,
            max_entries_per_key: DEFAULT_MAX_ENTRIES_PER_KEY,
            proof_lifetime: DEFAULT_PROOF_LIFETIME,
            retry_after: ReplayError::DEFAULT_RETRY_AFTER,
            clock: None,
        }
    }

    /// The most live proofs one key (one `jkt`) may hold, at least 1. A key
    /// past its share is refused with [`ReplayError::KeyQuotaExceeded`]
    /// (429) until its oldest proof expires; other keys are unaffected.
    /// Size it for the fastest honest client: its proofs per second times
    /// the proof lifetime.
    ///
    /// Default: 10,000.
    pub fn max_entries_per_key(&mut self, max: usize) -> &mut Self {
        self.max_entries_per_key = max.max(1);
        self
    }

    /// How long a proof can pass the verifier's `iat` window: its `iat`
    /// offset plus twice its `iat` leeway, in whole seconds. It decides
    /// which proofs may predate a reset of Redis (see
    /// [`RedisReplayCache`]). Add the clock skew between replicas when
    /// their clocks may differ by more than a second.
    ///
    /// Default: 360 s (the verifier's defaults: 300 s + 2 x 30 s).
    pub fn proof_lifetime(&mut self, lifetime: Duration) -> &mut Self {
        self.proof_lifetime = lifetime;
        self
    }

    /// The `Retry-After` suggested when Redis cannot be reached
    /// ([`ReplayError::Unavailable`]).
    ///
    /// Default: [`ReplayError::DEFAULT_RETRY_AFTER`] (1 s).
    pub fn retry_after(&mut self, retry_after: Duration) -> &mut Self {
        self.retry_after = retry_after;
        self
    }

    /// The clock that decides what has expired; give it the verifier's.
    ///
    /// Default: the [`Redis`] handle's clock
    /// ([`RedisBuilder::clock`](crate::RedisBuilder::clock)).
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the cache. Nothing is sent to Redis until the first proof.
    pub fn build(&self) -> RedisReplayCache {
        RedisReplayCache {
            redis: self.redis.clone(),
            script: Script::new(SCRIPT),
            max_entries_per_key: self.max_entries_per_key,
            proof_lifetime: self.proof_lifetime.as_secs(),
            retry_after: self.retry_after,
            clock: self
                .clock
                .clone()
                .unwrap_or_else(|| Arc::clone(self.redis.clock())),
        }
    }
}
