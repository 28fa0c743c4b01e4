//! The issuer's signing keys: the current one and the retired ones it still
//! publishes.

use jose_core::{Algorithm, JwkSet, KeySet};
use serde_json::Value;

use crate::bundled_keys::ROTATION_LEN;
use crate::error::KeyError;
use crate::signing_key::SigningKey;

/// What happens to the current key when the issuer rotates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RotateMode {
    /// The old key stays in the JWKS, so tokens it signed keep verifying:
    /// a graceful rotation, as Auth0 does it.
    KeepOld,
    /// The old key leaves the JWKS at once, so tokens it signed stop
    /// verifying: a revocation.
    DropOld,
}

/// The current key and the retired keys still published, newest first.
#[derive(Debug)]
pub(crate) struct KeyRing {
    current: SigningKey,
    retired: Vec<SigningKey>,
    /// The bundled RSA key the next RS256 rotation loads.
    next_bundled: usize,
}

impl KeyRing {
    /// A ring starting with `first`, or with a fresh key for `algorithm`
    /// (bundled test key 0 for RS256, a generated one for ES256).
    pub(crate) fn new(first: Option<SigningKey>, algorithm: Algorithm) -> Result<Self, KeyError> {
        let (current, next_bundled) = match first {
            Some(key) => (key, 0),
            None => (fresh_key(algorithm, 0)?, 1),
        };
        Ok(Self {
            current,
            retired: Vec::new(),
            next_bundled,
        })
    }

    /// The key new tokens are signed with.
    pub(crate) fn current(&self) -> &SigningKey {
        &self.current
    }

    /// Every published key, the current one first.
    pub(crate) fn published(&self) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.current).chain(&self.retired)
    }

    /// The JWKS document.
    pub(crate) fn jwks(&self) -> Value {
        JwkSet::from_keys(self.published().map(SigningKey::public_jwk)).to_value()
    }

    /// The published keys, ready to verify.
    pub(crate) fn key_set(&self) -> KeySet {
        KeySet::from_keys(self.published().map(|k| k.verifying_key().clone()))
    }

    /// Replaces the current key with a new one of the same algorithm and
    /// returns it. RS256 rotations cycle through the bundled test keys, each
    /// time under a new `kid`.
    pub(crate) fn rotate(&mut self, mode: RotateMode) -> Result<&SigningKey, KeyError> {
        let next = fresh_key(self.current.algorithm(), self.next_bundled)?;
        self.next_bundled = (self.next_bundled + 1) % ROTATION_LEN;
        let old = std::mem::replace(&mut self.current, next);
        match mode {
            RotateMode::KeepOld => self.retired.insert(0, old),
            RotateMode::DropOld => self.retired.clear(),
        }
        Ok(&self.current)
    }
}

fn fresh_key(algorithm: Algorithm, bundled: usize) -> Result<SigningKey, KeyError> {
    match algorithm {
        Algorithm::Es256 => SigningKey::generate_es256(),
        Algorithm::Ps256 => {
            SigningKey::bundled_test_rsa(bundled % ROTATION_LEN)?.with_algorithm(Algorithm::Ps256)
        }
        _ => SigningKey::bundled_test_rsa(bundled % ROTATION_LEN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kids(ring: &KeyRing) -> Vec<String> {
        ring.published().map(|k| k.kid().to_owned()).collect()
    }

    #[test]
    fn keep_old_publishes_both_and_drop_old_only_the_new_key() {
        let mut ring = KeyRing::new(None, Algorithm::Rs256).unwrap();
        let first = ring.current().kid().to_owned();
        let second = ring.rotate(RotateMode::KeepOld).unwrap().kid().to_owned();
        assert_eq!(kids(&ring), [second, first.clone()]);
        assert_ne!(
            ring.current().thumbprint(),
            ring.retired[0].thumbprint(),
            "a rotation changes the key material, not only the kid"
        );

        let third = ring.rotate(RotateMode::DropOld).unwrap().kid().to_owned();
        assert_eq!(kids(&ring), [third]);
        assert_eq!(ring.jwks()["keys"].as_array().unwrap().len(), 1);
        assert!(ring.key_set().contains_kid(ring.current().kid()));
        assert!(!ring.key_set().contains_kid(&first));
    }

    #[test]
    fn rotation_keeps_the_algorithm_and_cycles_bundled_keys_under_new_kids() {
        let mut ring = KeyRing::new(None, Algorithm::Es256).unwrap();
        ring.rotate(RotateMode::KeepOld).unwrap();
        assert!(ring.published().all(|k| k.algorithm() == Algorithm::Es256));

        let mut ring = KeyRing::new(None, Algorithm::Rs256).unwrap();
        for _ in 0..ROTATION_LEN + 1 {
            ring.rotate(RotateMode::KeepOld).unwrap();
        }
        let mut all = kids(&ring);
        all.sort();
        all.dedup();
        assert_eq!(
            all.len(),
            ROTATION_LEN + 2,
            "kids stay unique across cycles"
        );
    }
}
