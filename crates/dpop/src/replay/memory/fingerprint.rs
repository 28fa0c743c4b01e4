//! Fixed-size keyed fingerprints of `(jkt, jti)` pairs.
//!
//! A fingerprint is 128 bits. The high half, the [`KeyId`], is a keyed
//! 64-bit hash of the `jkt`; the low half is another keyed hash of the
//! pair. The hash is the standard library's: SipHash under a
//! [`RandomState`], whose secret keys come from the operating system's
//! random generator, so no one outside the process can compute a
//! fingerprint, and no one can choose `jti`s that collide with each other
//! or with someone else's. (ring has no short-input PRF; HMAC-SHA256 would
//! cost several times as much per proof, for no gain here.)
//!
//! # Collisions
//!
//! The same pair always gives the same fingerprint, so a replay is always
//! caught: a collision can never let a proof through twice. Two different
//! pairs with the same fingerprint make the second look used, a false
//! `Replayed`; the client signs a new proof and tries again.
//!
//! - Pairs of different keys collide only if both halves do: 2^-128.
//! - Pairs of one key collide if their low halves do: 2^-64. A new proof of
//!   a key holding `n` live entries is refused falsely with probability at
//!   most `n / 2^64`: 5.4e-16 for a key at the default share of 10,000.
//!   Even with a million such proofs every second, that is one false
//!   refusal in about 58 years.
//! - Two keys with the same `KeyId` (about `k^2 / 2^65` for `k` live keys:
//!   1.4e-8 for a million) share one per-key share of the cache; their
//!   pairs still differ in the low half, so it is the case above.

use std::fmt;
use std::hash::{BuildHasher, RandomState};

/// A pair's fingerprint: [`KeyId`] in the high 64 bits, the pair's hash in
/// the low 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Fingerprint(pub(super) u128);

impl Fingerprint {
    /// The key (`jkt`) the pair belongs to.
    pub(super) fn key(self) -> KeyId {
        KeyId((self.0 >> 64) as u64)
    }
}

/// A key's (`jkt`'s) keyed 64-bit hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct KeyId(pub(super) u64);

/// Computes fingerprints with this cache's secret keys.
pub(super) struct Fingerprinter {
    key_id: RandomState,
    pair: RandomState,
}

impl Fingerprinter {
    /// Fresh secret keys, one set per cache.
    pub(super) fn random() -> Self {
        Self {
            key_id: RandomState::new(),
            pair: RandomState::new(),
        }
    }

    /// The fingerprint of the pair. `str`'s `Hash` ends each string with a
    /// marker byte, so `("ab", "c")` and `("a", "bc")` differ.
    pub(super) fn fingerprint(&self, jkt: &str, jti: &str) -> Fingerprint {
        let key_id = self.key_id.hash_one(jkt);
        let pair = self.pair.hash_one((jkt, jti));
        Fingerprint((u128::from(key_id) << 64) | u128::from(pair))
    }
}

impl fmt::Debug for Fingerprinter {
    // The keys are secrets: with them, anyone could craft collisions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fingerprinter").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_pair_same_fingerprint_and_the_key_half_names_the_key() {
        let f = Fingerprinter::random();
        assert_eq!(f.fingerprint("k", "j"), f.fingerprint("k", "j"));
        assert_ne!(f.fingerprint("k", "j"), f.fingerprint("k", "j2"));
        assert_eq!(f.fingerprint("k", "a").key(), f.fingerprint("k", "b").key());
        assert_ne!(
            f.fingerprint("k", "a").key(),
            f.fingerprint("k2", "a").key()
        );
    }

    #[test]
    fn pairs_are_unambiguous() {
        let f = Fingerprinter::random();
        assert_ne!(f.fingerprint("ab", "c"), f.fingerprint("a", "bc"));
        assert_ne!(f.fingerprint("", "ab"), f.fingerprint("a", "b"));
    }

    #[test]
    fn keys_are_random_per_cache_and_not_shown() {
        let (a, b) = (Fingerprinter::random(), Fingerprinter::random());
        assert_ne!(a.fingerprint("k", "j"), b.fingerprint("k", "j"));
        assert_eq!(format!("{a:?}"), "Fingerprinter { .. }");
    }
}
