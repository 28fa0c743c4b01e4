//! A Redis server per test, a handle on a fixed clock, and a raw
//! connection to look at what is stored.
//!
//! The instant (November 2023: Redis's own clock is later, which shows
//! that nothing depends on it), the clock and bounded waits are
//! `dev_issuer::testing`'s, shared with the other crates' tests.

use std::sync::Arc;
use std::time::Duration;

use auth0_api_redis::{Redis, RedisReplayCache};
use dev_issuer::RedisServer;
use dev_issuer::testing::clock;
pub(crate) use dev_issuer::testing::within;
use dpop::{ReplayCache as _, ReplayError};
use jose_core::{Clock as _, ManualClock};
use redis::aio::MultiplexedConnection;

/// The handles' bound on one call in these tests.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_millis(200);

/// A server of this test, a handle on it, and the handle's clock.
pub(crate) struct Env {
    pub(crate) server: RedisServer,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) redis: Redis,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let server = RedisServer::start().unwrap();
        let clock = clock();
        let redis = handle(&server.url(), &clock, "test").await;
        Self {
            server,
            clock,
            redis,
        }
    }

    /// A replay cache with the defaults but `max_per_key`.
    pub(crate) fn replay_cache(&self, max_per_key: usize) -> RedisReplayCache {
        self.redis
            .replay_cache()
            .max_entries_per_key(max_per_key)
            .build()
    }

    /// The clock's time, in Unix seconds.
    pub(crate) fn now(&self) -> u64 {
        u64::try_from(self.clock.unix_seconds()).unwrap()
    }

    /// Starts the replay store's first generation, as a new deployment's
    /// first proof does, then moves past the proof lifetime so that proofs
    /// signed from now on are accepted.
    pub(crate) async fn open_generation(&self, cache: &RedisReplayCache) {
        let first = cache
            .check_and_store("first-key", "first-proof", expires_at(self.now()))
            .await;
        assert!(
            matches!(first, Err(ReplayError::IssuedBeforeReset)),
            "{first:?}"
        );
        self.advance(cache.proof_lifetime().as_secs() + 1);
    }

    pub(crate) fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// A plain connection, to look at and tamper with what is stored.
    pub(crate) async fn raw(&self) -> MultiplexedConnection {
        raw(&self.server.url()).await
    }

    /// Every key in the server.
    pub(crate) async fn all_keys(&self) -> Vec<String> {
        let mut raw = self.raw().await;
        let mut keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut raw)
            .await
            .unwrap();
        keys.sort();
        keys
    }
}

/// A handle on `url` with the test timeout, `clock` and `namespace`,
/// connected (the server must be up).
pub(crate) async fn handle(url: &str, clock: &Arc<ManualClock>, namespace: &str) -> Redis {
    within(
        Redis::builder(url)
            .namespace(namespace)
            .timeout(CALL_TIMEOUT)
            .clock(clock.clone())
            .connect(),
    )
    .await
    .unwrap()
}

pub(crate) async fn raw(url: &str) -> MultiplexedConnection {
    within(
        redis::Client::open(url)
            .unwrap()
            .get_multiplexed_async_connection(),
    )
    .await
    .unwrap()
}

/// The `expires_at` the verifier gives a proof signed at `iat` with its
/// defaults (300 s offset, 30 s leeway).
pub(crate) fn expires_at(iat: u64) -> u64 {
    iat + 300 + 30
}
