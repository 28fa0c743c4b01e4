//! Errors: one [`Error`] for everything this crate does with Redis.
//!
//! The trait implementations hand their callers the error types those
//! traits define ([`dpop::ReplayError`], [`oidc_discovery::StoreError`]),
//! each wrapping an [`Error`] as its `source()`.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

/// A cause kept for `source()`, shared so that [`Error`] stays `Clone`.
type Source = Arc<dyn StdError + Send + Sync>;

/// Anything that can go wrong between this crate and Redis.
///
/// Each variant says whose fault it is: the application's configuration
/// ([`InvalidUrl`](Self::InvalidUrl), [`Config`](Self::Config)), or Redis,
/// our dependency ([`Timeout`](Self::Timeout), [`Redis`](Self::Redis),
/// [`Corrupt`](Self::Corrupt), [`TooLarge`](Self::TooLarge)).
/// [`Error::is_unavailable`] tells the transient ones apart.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Redis URL cannot be used. The application's fault. The URL is
    /// not repeated: it may hold a password.
    #[error("invalid Redis URL")]
    InvalidUrl {
        /// Why redis-rs refused it.
        #[source]
        source: Source,
    },
    /// A setting cannot work (an empty namespace, a `rediss://` URL
    /// without TLS support, no tokio runtime). The application's fault.
    #[error("invalid Redis configuration: {reason}")]
    Config {
        /// What is wrong, and how to fix it.
        reason: &'static str,
    },
    /// Redis did not answer within the configured timeout (it is down,
    /// unreachable, or overloaded). Retrying later may succeed.
    #[error("Redis did not answer within {} ms", after.as_millis())]
    Timeout {
        /// The configured bound on one call.
        after: Duration,
    },
    /// Redis answered with an error, or the connection failed. Retrying
    /// later may succeed.
    #[error("Redis call failed")]
    Redis {
        /// The error from redis-rs.
        #[source]
        source: Source,
    },
    /// A value in Redis is not in the format this crate writes: another
    /// program wrote under our namespace, or a newer version of this crate
    /// uses another format. Redis's (or the operator's) fault.
    #[error("Redis holds a malformed {what}")]
    Corrupt {
        /// What was being read (`"document"`, `"nonce secret"`, ...).
        what: &'static str,
    },
    /// A document is larger than the store's limit (on write: the fetched
    /// body; on read: the value found in Redis).
    #[error("document of at least {len} bytes is over the {limit}-byte limit")]
    TooLarge {
        /// The length seen (on read, at least this long).
        len: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The system's random number generator failed.
    #[error("random number generator failed")]
    Random,
}

impl Error {
    /// Whether Redis, not the application, is at fault and trying again
    /// later may succeed: [`Timeout`](Self::Timeout) and
    /// [`Redis`](Self::Redis).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::Redis { .. })
    }

    /// Whether the application's configuration is at fault.
    pub fn is_config(&self) -> bool {
        matches!(self, Self::InvalidUrl { .. } | Self::Config { .. })
    }

    pub(crate) fn redis(error: redis::RedisError) -> Self {
        Self::Redis {
            source: Arc::new(error),
        }
    }

    pub(crate) fn invalid_url(error: redis::RedisError) -> Self {
        Self::InvalidUrl {
            source: Arc::new(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_clone_and_keep_their_cause() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Error>();
        let cause = redis::RedisError::from((redis::ErrorKind::Io, "connection refused"));
        let error = Error::redis(cause);
        assert!(error.is_unavailable());
        assert!(!error.is_config());
        let source = error.source().map(ToString::to_string);
        assert!(source.is_some_and(|s| s.contains("connection refused")));
        let timeout = Error::Timeout {
            after: Duration::from_millis(250),
        };
        assert_eq!(timeout.to_string(), "Redis did not answer within 250 ms");
        assert!(timeout.is_unavailable());
        assert!(Error::Config { reason: "x" }.is_config());
        assert!(!Error::Corrupt { what: "document" }.is_unavailable());
    }
}
