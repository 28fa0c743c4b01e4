//! Verifier options and their defaults.

use std::sync::Arc;
use std::time::Duration;

use jose_core::{Algorithm, Clock, SystemClock};

use super::Verifier;
use crate::nonce::NonceSource;
use crate::replay::ReplayCache;

/// The options of a [`Verifier`]; the defaults are written out in
/// [`Config::default`].
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) iat_leeway: u64,
    pub(crate) iat_offset: u64,
    pub(crate) max_proof_len: usize,
    pub(crate) max_jti_len: usize,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) replay_cache: Option<Arc<dyn ReplayCache>>,
    pub(crate) nonces: Option<Arc<NonceSource>>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            algorithms: vec![Algorithm::Es256],
            iat_leeway: 30,
            iat_offset: 300,
            max_proof_len: 8 * 1024,
            max_jti_len: 256,
            clock: Arc::new(SystemClock::default()),
            replay_cache: None,
            nonces: None,
        }
    }
}

/// Options for a [`Verifier`].
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let verifier = dpop::Verifier::builder()
///     .iat_leeway(Duration::from_secs(10))
///     .replay_cache(Arc::new(dpop::InMemoryReplayCache::new()))
///     .nonces(Arc::new(dpop::NonceSource::new()?))
///     .build();
/// # let _ = verifier;
/// # Ok::<(), dpop::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct VerifierBuilder {
    config: Config,
}

impl VerifierBuilder {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The algorithms a proof may be signed with. An algorithm also decides
    /// the key type: ES256 needs an EC P-256 `jwk`, RS256 an RSA one. An
    /// empty list rejects every proof.
    ///
    /// Default: `[ES256]`, the only algorithm Auth0 accepts for DPoP.
    pub fn algorithms(&mut self, algorithms: &[Algorithm]) -> &mut Self {
        self.config.algorithms = algorithms.to_vec();
        self
    }

    /// How far in the future `iat` may be (the client's clock running
    /// ahead), and how much older than the offset it may be. Whole seconds.
    ///
    /// Default: 30 s.
    pub fn iat_leeway(&mut self, leeway: Duration) -> &mut Self {
        self.config.iat_leeway = leeway.as_secs();
        self
    }

    /// The maximum age of a proof: `iat` must be at least
    /// `now - offset - leeway`. Whole seconds.
    ///
    /// Default: 300 s.
    pub fn iat_offset(&mut self, offset: Duration) -> &mut Self {
        self.config.iat_offset = offset.as_secs();
        self
    }

    /// The longest `DPoP` header value accepted, checked before anything is
    /// decoded.
    ///
    /// Default: 8 KiB.
    pub fn max_proof_len(&mut self, bytes: usize) -> &mut Self {
        self.config.max_proof_len = bytes;
        self
    }

    /// The longest `jti` accepted, in bytes.
    ///
    /// Default: 256.
    pub fn max_jti_len(&mut self, bytes: usize) -> &mut Self {
        self.config.max_jti_len = bytes;
        self
    }

    /// The clock `iat` is checked against. Give the replay cache and the
    /// nonce source the same one.
    ///
    /// Default: [`SystemClock`].
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.config.clock = clock;
        self
    }

    /// Where accepted proofs are recorded, so that each is accepted once.
    ///
    /// Default: none. Without a cache a proof can be replayed within its
    /// `iat` window (about five minutes) by whoever captured it; set one.
    pub fn replay_cache(&mut self, cache: Arc<dyn ReplayCache>) -> &mut Self {
        self.config.replay_cache = Some(cache);
        self
    }

    /// Requires every proof to carry a current nonce from `source`; a proof
    /// without one is refused with `use_dpop_nonce` and a fresh nonce.
    ///
    /// Default: none (nonces are not required, and a proof's `nonce` claim
    /// is not checked).
    pub fn nonces(&mut self, source: Arc<NonceSource>) -> &mut Self {
        self.config.nonces = Some(source);
        self
    }

    /// Builds the verifier.
    pub fn build(&self) -> Verifier {
        Verifier {
            config: self.config.clone(),
        }
    }
}
