//! The [`Redis`] handle: one self-reconnecting connection, shared by the
//! replay cache, the document store and the nonce secrets.

mod builder;

pub use builder::RedisBuilder;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use jose_core::Clock;
use redis::RedisResult;
use redis::aio::ConnectionManager;

use crate::document_store::RedisDocumentStore;
use crate::error::Error;
use crate::keys::Keys;
use crate::replay::RedisReplayCacheBuilder;

/// A handle on one Redis: cheap to clone, safe to share, and it reconnects
/// by itself.
///
/// Every call is bounded by the [timeout](RedisBuilder::timeout). When
/// Redis goes away, calls fail fast ([`Error::Timeout`] or
/// [`Error::Redis`]) while a single reconnection runs in the background;
/// when Redis is back, calls succeed again, with nothing to rebuild.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use auth0_api_redis::Redis;
///
/// let redis = Redis::builder("redis://127.0.0.1:6379/").namespace("my-api").connect().await?;
/// let replay = Arc::new(redis.replay_cache().build()); // impl dpop::ReplayCache
/// let store = Arc::new(redis.document_store()); // impl oidc_discovery::DocumentStore
/// let secrets = redis.nonce_secrets().await?; // shared DPoP nonce secrets
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Redis {
    inner: Arc<Inner>,
}

struct Inner {
    connection: ConnectionManager,
    keys: Keys,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl Redis {
    /// Options for the Redis at `url`; see [`RedisBuilder::new`].
    pub fn builder(url: impl Into<String>) -> RedisBuilder {
        RedisBuilder::new(url)
    }

    /// The prefix of every key.
    pub fn namespace(&self) -> &str {
        self.inner.keys.namespace()
    }

    /// The bound on every call.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Checks that Redis answers.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] or [`Error::Redis`] when it does not.
    pub async fn ping(&self) -> Result<(), Error> {
        let mut connection = self.connection();
        self.run(async move {
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    /// A [`dpop::ReplayCache`] shared by every replica using this Redis
    /// and namespace; see [`RedisReplayCache`](crate::RedisReplayCache).
    pub fn replay_cache(&self) -> RedisReplayCacheBuilder {
        RedisReplayCacheBuilder::new(self.clone())
    }

    /// An [`oidc_discovery::DocumentStore`] shared by every replica using
    /// this Redis and namespace; see [`RedisDocumentStore`].
    pub fn document_store(&self) -> RedisDocumentStore {
        RedisDocumentStore::new(self.clone())
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.inner.keys
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// A handle on the shared connection, for one call.
    pub(crate) fn connection(&self) -> ConnectionManager {
        self.inner.connection.clone()
    }

    /// Runs one call, bounded by the timeout.
    pub(crate) async fn run<T>(
        &self,
        call: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, Error> {
        match tokio::time::timeout(self.inner.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(Error::redis(error)),
            Err(_elapsed) => Err(Error::Timeout {
                after: self.inner.timeout,
            }),
        }
    }
}

impl fmt::Debug for Redis {
    // Neither the URL (it may hold a password) nor redis-rs's view of it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("namespace", &self.namespace())
            .field("timeout", &self.inner.timeout)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}
