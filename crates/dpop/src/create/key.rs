//! The client's proof-of-possession key.

use std::fmt;

use jose_core::{Jwk, VerifyingKey, base64url};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Map, Value};

use crate::danger::DangerousProofKey;
use crate::error::Error;

/// A P-256 key pair that signs DPoP proofs with ES256.
///
/// The private key never leaves this value: there is no accessor for it, no
/// `Clone` (share it with an `Arc`), and `Debug` shows only the public
/// thumbprint. ring keeps the key material in its own types, which do not
/// zeroize on drop.
pub struct ProofKey {
    pair: EcdsaKeyPair,
    public: VerifyingKey,
    rng: SystemRandom,
}

impl ProofKey {
    /// A fresh random key.
    ///
    /// # Errors
    ///
    /// [`Error::Crypto`] if the system random number generator fails.
    pub fn generate() -> Result<Self, Error> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| Error::Crypto)?;
        Self::from_pkcs8(pkcs8.as_ref())
    }

    /// A key from a PKCS#8 (DER) P-256 private key, e.g. one kept across
    /// restarts so that tokens bound to it stay usable.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSigningKey`] when the bytes are not such a key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, Error> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|_| Error::InvalidSigningKey)?;
        let public = VerifyingKey::from_p256_point(pair.public_key().as_ref())
            .map_err(|_| Error::InvalidSigningKey)?;
        Ok(Self { pair, public, rng })
    }

    /// The public key as the JWK that goes into each proof's header.
    pub fn public_jwk(&self) -> Jwk {
        self.public.to_jwk()
    }

    /// The public key, ready to verify.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The RFC 7638 thumbprint of the public key: the `jkt` an authorization
    /// server binds tokens to.
    pub fn thumbprint(&self) -> String {
        self.public.thumbprint()
    }

    /// Access to signing arbitrary headers and claims, for tests that need
    /// deliberately broken proofs. Audit every use.
    pub fn dangerous(&self) -> DangerousProofKey<'_> {
        DangerousProofKey::new(self)
    }

    /// The protected header of a proof from this key.
    pub(crate) fn proof_header(&self) -> Map<String, Value> {
        let mut header = Map::new();
        header.insert("typ".to_owned(), Value::from("dpop+jwt"));
        header.insert("alg".to_owned(), Value::from("ES256"));
        header.insert("jwk".to_owned(), self.public_jwk().to_value());
        header
    }

    /// Signs `header` and `payload` bytes as given, returning the compact
    /// JWS.
    pub(crate) fn sign_compact(&self, header: &[u8], payload: &[u8]) -> Result<String, Error> {
        let signing_input = format!(
            "{}.{}",
            base64url::encode(header),
            base64url::encode(payload)
        );
        self.sign_input(signing_input)
    }

    /// Appends the ES256 signature of `signing_input` (already encoded
    /// `header.payload`).
    pub(crate) fn sign_input(&self, mut signing_input: String) -> Result<String, Error> {
        let signature = self
            .pair
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| Error::Crypto)?;
        signing_input.push('.');
        signing_input.push_str(&base64url::encode(signature.as_ref()));
        Ok(signing_input)
    }

    /// 16 random bytes, base64url: a `jti` that never repeats in practice.
    pub(crate) fn random_jti(&self) -> Result<String, Error> {
        let bytes: [u8; 16] = ring::rand::generate(&self.rng)
            .map_err(|_| Error::Crypto)?
            .expose();
        Ok(base64url::encode(&bytes))
    }
}

impl fmt::Debug for ProofKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProofKey")
            .field("thumbprint", &self.thumbprint())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_jwk_is_public_ec_p256_with_the_same_thumbprint() {
        let key = ProofKey::generate().unwrap();
        let jwk = key.public_jwk();
        assert_eq!(jwk.kty(), "EC");
        assert_eq!(jwk.crv(), Some("P-256"));
        assert_eq!(jwk.private_member(), None);
        let again = VerifyingKey::from_jwk(&jwk).unwrap();
        assert_eq!(again.thumbprint(), key.thumbprint());
        assert_eq!(key.thumbprint().len(), 43);
    }

    #[test]
    fn debug_shows_only_the_thumbprint() {
        let key = ProofKey::generate().unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains(&key.thumbprint()));
        assert!(!debug.contains("pair") && !debug.contains("\"d\""));
    }

    #[test]
    fn rejects_non_keys_and_other_curves() {
        assert!(matches!(
            ProofKey::from_pkcs8(b"not a key"),
            Err(Error::InvalidSigningKey)
        ));
        let rng = SystemRandom::new();
        let p384 =
            EcdsaKeyPair::generate_pkcs8(&ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING, &rng)
                .unwrap();
        assert!(matches!(
            ProofKey::from_pkcs8(p384.as_ref()),
            Err(Error::InvalidSigningKey)
        ));
    }

    #[test]
    fn random_jtis_differ() {
        let key = ProofKey::generate().unwrap();
        let a = key.random_jti().unwrap();
        assert_eq!(a.len(), 22);
        assert_ne!(a, key.random_jti().unwrap());
    }
}
