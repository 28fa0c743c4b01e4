//! Replay protection: remember each proof's `(jkt, jti)` for as long as the
//! proof could still pass the `iat` window.

mod memory;

pub use memory::{InMemoryReplayCache, InMemoryReplayCacheBuilder};

use std::error::Error as StdError;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

/// Where the verifier records proofs it has accepted.
///
/// [`Verifier`](crate::Verifier) calls [`check_and_store`] once per proof,
/// after every other check has passed, so invalid proofs never take up
/// space. Implementations must be atomic: of two concurrent calls with the
/// same key, exactly one succeeds.
///
/// The key is the pair (key thumbprint, `jti`), not the proof's bytes: an
/// ECDSA signature can be re-encoded (its `s` negated), and a proof with a
/// new signature must still count as the same proof.
///
/// The wrong way, which lets a proof through twice under load:
///
/// ```text
/// if !store.contains(key).await { store.insert(key).await }   // two round trips
/// ```
///
/// The right way is one atomic operation, e.g. Redis
/// `SET key 1 NX EXAT expires_at`, or a map lookup and insert under one lock
/// as [`InMemoryReplayCache`] does.
///
/// A store must be bounded per key as well as in total, and refuse the key
/// over its share ([`ReplayError::KeyQuotaExceeded`]) rather than everyone
/// ([`ReplayError::CapacityExceeded`]): a client holding one valid bound
/// token can sign fresh, valid proofs as fast as it likes, and would
/// otherwise fill the store for all. Check for a replay first, so that a
/// replay is reported as one whatever the bounds say.
///
/// [`check_and_store`]: ReplayCache::check_and_store
#[async_trait]
pub trait ReplayCache: Debug + Send + Sync {
    /// Records the proof `jti` of the key with thumbprint `jkt`, failing if
    /// it was already recorded.
    ///
    /// `expires_at` (Unix seconds) is the last second at which the proof can
    /// pass the verifier's `iat` window; the entry may be forgotten after it.
    ///
    /// # Errors
    ///
    /// [`ReplayError::Replayed`] when the pair is already present; any other
    /// [`ReplayError`] when it cannot be recorded, which rejects the proof.
    async fn check_and_store(
        &self,
        jkt: &str,
        jti: &str,
        expires_at: u64,
    ) -> Result<(), ReplayError>;
}

/// Why a [`ReplayCache`] refused to record a proof.
///
/// Each variant says whose fault it is, and so how the HTTP layer answers:
/// the client's ([`Replayed`](Self::Replayed),
/// [`KeyQuotaExceeded`](Self::KeyQuotaExceeded),
/// [`IssuedBeforeReset`](Self::IssuedBeforeReset)) or the server's
/// ([`CapacityExceeded`](Self::CapacityExceeded),
/// [`Unavailable`](Self::Unavailable)).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The proof was seen before: a replay. The client's fault.
    #[error("proof already used")]
    Replayed,
    /// This key already holds its share of the cache's live entries. The
    /// client's fault (it sends proofs faster than its share allows); other
    /// keys are unaffected. The client may try again after `retry_after`.
    #[error("key holds its share of {max_per_key} live proofs, retry in {}s", retry_after.as_secs())]
    KeyQuotaExceeded {
        /// The most live entries one key may hold.
        max_per_key: usize,
        /// How long until one of this key's entries may have expired.
        retry_after: Duration,
    },
    /// The store was reset (a Redis restarted empty) less than a proof
    /// lifetime ago, and this proof may predate the reset: it could have
    /// been accepted before, so it is refused. A proof signed now passes;
    /// answered like an invalid proof.
    #[error("proof may predate the replay store's reset")]
    IssuedBeforeReset,
    /// The cache holds its maximum number of live entries. Refusing keeps
    /// replay protection intact (failing closed); size the cache for the
    /// expected proof rate times the `iat` window. The server's fault.
    #[error("replay cache is full ({capacity} live entries), retry in {}s", retry_after.as_secs())]
    CapacityExceeded {
        /// The configured maximum number of entries.
        capacity: usize,
        /// How long until the oldest entry expires.
        retry_after: Duration,
    },
    /// A cache backend failed (a remote store is unreachable or too slow).
    /// The server's fault; retrying after `retry_after` may succeed.
    #[error("replay cache backend unavailable")]
    Unavailable {
        /// A hint for the client's `Retry-After`.
        retry_after: Duration,
        /// The backend's error.
        #[source]
        source: Arc<dyn StdError + Send + Sync>,
    },
}

impl ReplayError {
    /// How long a backend failure is expected to last when the backend
    /// gives no better hint: 1 s.
    pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

    /// Wraps a backend's error, with [`ReplayError::DEFAULT_RETRY_AFTER`].
    pub fn unavailable(error: impl StdError + Send + Sync + 'static) -> Self {
        Self::Unavailable {
            retry_after: Self::DEFAULT_RETRY_AFTER,
            source: Arc::new(error),
        }
    }

    /// When the refusal is temporary, how long the client should wait
    /// before it tries again (the HTTP `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::KeyQuotaExceeded { retry_after, .. }
            | Self::CapacityExceeded { retry_after, .. }
            | Self::Unavailable { retry_after, .. } => Some(*retry_after),
            Self::Replayed | Self::IssuedBeforeReset => None,
        }
    }

    /// Whether the store, not the client, is at fault (the answer is 503).
    pub fn is_server_error(&self) -> bool {
        matches!(
            self,
            Self::CapacityExceeded { .. } | Self::Unavailable { .. }
        )
    }
}
