//! Replay protection: remember each proof's `(jkt, jti)` for as long as the
//! proof could still pass the `iat` window.

mod memory;

pub use memory::{InMemoryReplayCache, InMemoryReplayCacheBuilder};

use std::error::Error as StdError;
use std::fmt::Debug;
use std::sync::Arc;

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
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The proof was seen before: a replay. The client's fault.
    #[error("proof already used")]
    Replayed,
    /// The cache holds its maximum number of live entries. Refusing keeps
    /// replay protection intact (failing closed); size the cache for the
    /// expected proof rate times the `iat` window.
    #[error("replay cache is full ({capacity} live entries)")]
    CapacityExceeded {
        /// The configured maximum number of entries.
        capacity: usize,
    },
    /// A cache backend failed (a remote store is unreachable, ...).
    #[error("replay cache backend failed")]
    Other(#[source] Arc<dyn StdError + Send + Sync>),
}

impl ReplayError {
    /// Wraps a backend's error.
    pub fn other(error: impl StdError + Send + Sync + 'static) -> Self {
        Self::Other(Arc::new(error))
    }
}
