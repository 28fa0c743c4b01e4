//! The result of a successful verification.

use jose_core::Algorithm;
use serde_json::{Map, Value};

/// A proof that passed every check. Only [`Verifier`](crate::Verifier)
/// creates one.
#[derive(Debug, Clone)]
pub struct VerifiedProof {
    pub(crate) jkt: String,
    pub(crate) algorithm: Algorithm,
    pub(crate) jti: String,
    pub(crate) htm: String,
    pub(crate) htu: String,
    pub(crate) iat: i64,
    pub(crate) nonce: Option<String>,
    pub(crate) claims: Map<String, Value>,
}

impl VerifiedProof {
    /// The RFC 7638 thumbprint of the proof's key, to compare with (or bind
    /// a new token to, as `cnf.jkt`).
    pub fn jkt(&self) -> &str {
        &self.jkt
    }

    /// The algorithm the proof was signed with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// `jti`, the proof's unique identifier.
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// `htm`, equal to the request's method.
    pub fn htm(&self) -> &str {
        &self.htm
    }

    /// `htu` as the proof states it (it matched the request URL after
    /// normalisation).
    pub fn htu(&self) -> &str {
        &self.htu
    }

    /// `iat`, in Unix seconds.
    pub fn iat(&self) -> i64 {
        self.iat
    }

    /// `nonce`, when the proof has one.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// All the proof's claims, including any not checked here.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}
