//! Options for a [`Redis`] handle, and connecting.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jose_core::{Clock, SystemClock};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Inner, Redis};
use crate::error::Error;
use crate::keys::Keys;

/// The default namespace, the prefix of every key.
pub(crate) const DEFAULT_NAMESPACE: &str = "auth0-api";
/// The default bound on one call.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
/// Connection attempts after the first, per reconnection; then the next
/// call starts a new round. Few, so that a dead Redis costs little.
const RECONNECT_RETRIES: usize = 2;
/// The backoff between attempts grows from here...
const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(50);
/// ...to at most this.
const RECONNECT_MAX_DELAY: Duration = Duration::from_secs(1);

/// Options for a [`Redis`] handle: the namespace, the timeout and the
/// clock.
///
/// ```no_run
/// # async fn run() -> Result<(), auth0_api_redis::Error> {
/// use std::time::Duration;
///
/// let redis = auth0_api_redis::Redis::builder("redis://127.0.0.1:6379/")
///     .namespace("orders-api")
///     .timeout(Duration::from_millis(100))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
pub struct RedisBuilder {
    url: String,
    namespace: String,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl RedisBuilder {
    /// Options for the Redis at `url`: `redis://[[user]:password@]host[:port][/db]`,
    /// `rediss://..` for TLS (with the `tls` feature), or
    /// `redis+unix:///path/to/socket`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            clock: Arc::new(SystemClock::default()),
        }
    }

    /// The prefix of every key this crate writes: 1 to 64 ASCII letters,
    /// digits, `.`, `_`, `-` or `:`. Services sharing one Redis need
    /// different namespaces; the replicas of one service share theirs.
    ///
    /// Default: `auth0-api`.
    pub fn namespace(&mut self, namespace: &str) -> &mut Self {
        namespace.clone_into(&mut self.namespace);
        self
    }

    /// The longest any call may take, connecting included. A call that
    /// takes longer fails ([`Error::Timeout`]): a DPoP proof is then
    /// refused with 503, and a document is fetched from the network. The
    /// connection's own connect and response timeouts are set to it too.
    ///
    /// Default: 250 ms.
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// The clock that decides what has expired: give it the verifier's and
    /// the discovery cache's. Redis's own clock only counts down key
    /// lifetimes, which are always relative to this clock.
    ///
    /// Default: [`SystemClock`].
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.clock = clock;
        self
    }

    /// Builds the handle without waiting for Redis: it connects on first
    /// use, so a service can start while Redis is down (its calls fail
    /// until Redis is back). Call it inside a tokio runtime with timers
    /// enabled (`enable_all`, as `#[tokio::main]` does).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] or [`Error::Config`] for a setting that can
    /// never work, including a call outside a tokio runtime.
    pub fn build(&self) -> Result<Redis, Error> {
        let keys = Keys::new(&self.namespace)?;
        if self.timeout.is_zero() {
            return Err(Error::Config {
                reason: "the timeout must be longer than zero",
            });
        }
        check_tls(&self.url)?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::Config {
                reason: "the Redis handle must be built inside a tokio runtime",
            });
        }
        let client = redis::Client::open(self.url.as_str()).map_err(Error::invalid_url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_min_delay(RECONNECT_MIN_DELAY)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(Error::invalid_url)?;
        Ok(Redis {
            inner: Arc::new(Inner {
                connection,
                keys,
                timeout: self.timeout,
                clock: Arc::clone(&self.clock),
            }),
        })
    }

    /// Builds the handle and checks that Redis answers (`PING`, within the
    /// timeout), so that a wrong URL or password shows at start-up. Later
    /// outages are survived the same way as with [`build`](Self::build).
    ///
    /// # Errors
    ///
    /// What [`build`](Self::build) returns, and [`Error::Timeout`] or
    /// [`Error::Redis`] when Redis does not answer.
    pub async fn connect(&self) -> Result<Redis, Error> {
        let redis = self.build()?;
        redis.ping().await?;
        Ok(redis)
    }
}

/// Refuses a TLS URL that cannot work, rather than letting redis-rs pick
/// a process-wide rustls provider (or panic) when it connects.
fn check_tls(url: &str) -> Result<(), Error> {
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    let tls = scheme.eq_ignore_ascii_case("rediss") || scheme.eq_ignore_ascii_case("valkeys");
    if !tls {
        return Ok(());
    }
    #[cfg(not(feature = "tls"))]
    {
        Err(Error::Config {
            reason: "a rediss:// URL needs the `tls` feature of auth0-api-redis",
        })
    }
    #[cfg(feature = "tls")]
    {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            return Err(Error::Config {
                reason: "TLS to Redis needs a process-wide rustls provider: call \
                         rustls::crypto::ring::default_provider().install_default() at start-up",
            });
        }
        Ok(())
    }
}

impl fmt::Debug for RedisBuilder {
    // The URL may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBuilder")
            .field("url", &"<redacted>")
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("clock", &self.clock)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settings_that_cannot_work_are_refused_before_connecting() {
        let config = |builder: &RedisBuilder| builder.build().unwrap_err().is_config();
        assert!(config(
            RedisBuilder::new("redis://127.0.0.1:1/").namespace("")
        ));
        assert!(config(
            RedisBuilder::new("redis://127.0.0.1:1/").timeout(Duration::ZERO)
        ));
        assert!(config(&RedisBuilder::new("http://127.0.0.1:1/")));
        assert!(config(&RedisBuilder::new("not a url")));
        #[cfg(not(feature = "tls"))]
        assert!(matches!(
            RedisBuilder::new("rediss://127.0.0.1:1/").build(),
            Err(Error::Config { reason }) if reason.contains("`tls` feature")
        ));
        // Nothing listens on port 1, and building does not care.
        assert!(RedisBuilder::new("redis://127.0.0.1:1/").build().is_ok());
    }

    #[cfg(feature = "tls")]
    #[tokio::test]
    async fn tls_without_an_installed_provider_is_refused_not_guessed() {
        // No test of this crate's unit tests installs a process provider.
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let error = RedisBuilder::new("rediss://127.0.0.1:1/")
            .build()
            .unwrap_err();
        assert!(
            matches!(error, Error::Config { reason } if reason.contains("install_default")),
            "{error:?}"
        );
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        rustls::crypto::ring::default_provider()
            .install_default()
            .unwrap();
        assert!(RedisBuilder::new("rediss://127.0.0.1:1/").build().is_ok());
    }

    #[test]
    fn building_outside_a_runtime_is_an_error_not_a_panic() {
        let error = RedisBuilder::new("redis://127.0.0.1:1/")
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::Config { reason } if reason.contains("tokio runtime")));
    }

    #[test]
    fn the_url_is_not_printed() {
        let mut builder = RedisBuilder::new("redis://:hunter2@127.0.0.1:6379/");
        builder.namespace("ns");
        let debug = format!("{builder:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("ns"), "{debug}");
    }
}
