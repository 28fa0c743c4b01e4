//! Fixed-size keyed fingerprints of `(jkt, jti)` pairs.
//!
//! A fingerprint is 128 bits. The high half, the [`KeyId`], is
//! SipHash-2-4 of the `jkt` under one secret key; the low half is
//! SipHash-2-4 of `len(jkt) || jkt || jti` under another. Both secret keys
//! are drawn from ring's `SystemRandom` when the cache is built, so no one outside the
//! process can compute a fingerprint, and no one can choose `jti`s that
//! collide with each other or with someone else's.
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

use ring::rand::{SecureRandom, SystemRandom};

use super::siphash::{SipHasher24, SipKey};

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

/// Computes fingerprints with this process's secret keys.
pub(super) struct Fingerprinter {
    key_id: SipKey,
    pair: SipKey,
}

impl Fingerprinter {
    /// Fresh secret keys from ring's `SystemRandom`. Should the system
    /// generator fail, the keys come from the standard library's
    /// `RandomState`, also seeded by the operating system: a cache is never
    /// refused for want of randomness.
    pub(super) fn random() -> Self {
        let mut bytes = [0u8; 32];
        if SystemRandom::new().fill(&mut bytes).is_err() {
            let state = RandomState::new();
            for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
                chunk.copy_from_slice(&state.hash_one(i).to_le_bytes());
            }
        }
        let (key_id, pair) = bytes.split_at(16);
        Self {
            key_id: SipKey::from_bytes(key_id.try_into().unwrap_or_default()),
            pair: SipKey::from_bytes(pair.try_into().unwrap_or_default()),
        }
    }

    /// The fingerprint of the pair. `jkt`'s length goes first, so that
    /// `("ab", "c")` and `("a", "bc")` differ.
    pub(super) fn fingerprint(&self, jkt: &str, jti: &str) -> Fingerprint {
        let mut key_id = SipHasher24::new(self.key_id);
        key_id.write(jkt.as_bytes());
        let mut pair = SipHasher24::new(self.pair);
        pair.write(&(jkt.len() as u64).to_le_bytes());
        pair.write(jkt.as_bytes());
        pair.write(jti.as_bytes());
        Fingerprint((u128::from(key_id.finish()) << 64) | u128::from(pair.finish()))
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
