//! A private signing key and the public JWK it is published as.

use std::fmt;
use std::sync::Arc;

use jose_core::{Algorithm, Jwk, VerifyingKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::rsa::PublicKeyComponents;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RSA_PSS_SHA256,
    RsaKeyPair,
};

use crate::bundled_keys;
use crate::error::KeyError;

/// A private key the issuer signs tokens with, plus its `kid`.
///
/// RS256 keys come from PKCS#8 documents (ring cannot generate RSA keys;
/// [`SigningKey::bundled_test_rsa`] loads the crate's public test keys), ES256
/// keys can also be generated. Each key gets a random `kid` unless one is set
/// with [`SigningKey::with_kid`].
///
/// `Clone` is cheap (the key pair sits behind an `Arc`) and exists so that a
/// token can be signed without holding the issuer's key lock; the material is
/// a test key either way. `Debug` shows only the `kid` and algorithm.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    pair: Arc<Pair>,
    public: VerifyingKey,
    /// What [`SigningKey::sign`] signs and the JWK's `alg` says: the key
    /// type's algorithm, or PS256 for an RSA key set so.
    alg: Algorithm,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl SigningKey {
    /// Loads an RSA private key (PKCS#8 DER) for RS256.
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidPkcs8`] when ring refuses the document (it must be
    /// an RSA key of 2048 to 4096 bits).
    pub fn rsa_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|_| KeyError::InvalidPkcs8 {
            alg: Algorithm::Rs256,
        })?;
        let components: PublicKeyComponents<Vec<u8>> = pair.public().into();
        let public = VerifyingKey::from_rsa_components(&components.n, &components.e)
            .map_err(KeyError::Public)?;
        Self::new(Pair::Rsa(pair), public)
    }

    /// Loads a P-256 private key (PKCS#8 DER, as ring writes it) for ES256.
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidPkcs8`] when ring refuses the document.
    pub fn es256_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng).map_err(
            |_| KeyError::InvalidPkcs8 {
                alg: Algorithm::Es256,
            },
        )?;
        let public =
            VerifyingKey::from_p256_point(pair.public_key().as_ref()).map_err(KeyError::Public)?;
        Self::new(Pair::Ec(pair), public)
    }

    /// Generates a fresh P-256 key for ES256.
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] when the system random generator fails.
    pub fn generate_es256() -> Result<Self, KeyError> {
        let document =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|_| KeyError::Random)?;
        Self::es256_pkcs8(document.as_ref())
    }

    /// One of the RSA-2048 test keys bundled with this crate, `index` from 0
    /// to [`SigningKey::BUNDLED_TEST_KEYS`] - 1.
    ///
    /// These keys are published in the source tree: a token they sign must
    /// never be trusted outside a test.
    ///
    /// # Errors
    ///
    /// [`KeyError::NoSuchBundledKey`] for an index out of range.
    pub fn bundled_test_rsa(index: usize) -> Result<Self, KeyError> {
        let der = bundled_keys::rotation_key(index).ok_or(KeyError::NoSuchBundledKey {
            index,
            max: bundled_keys::ROTATION_LEN - 1,
        })?;
        Self::rsa_pkcs8(der)
    }

    /// How many bundled RSA test keys there are.
    pub const BUNDLED_TEST_KEYS: usize = bundled_keys::ROTATION_LEN;

    /// The bundled key that the issuer never publishes.
    pub(crate) fn outsider_rsa() -> Result<Self, KeyError> {
        Self::rsa_pkcs8(bundled_keys::outsider_key())
    }

    fn new(pair: Pair, mut public: VerifyingKey) -> Result<Self, KeyError> {
        let kid = random_kid()?;
        public.set_kid(kid.clone());
        Ok(Self {
            kid,
            alg: public.algorithm(),
            pair: Arc::new(pair),
            public,
        })
    }

    /// The same key, signing (and published for) `alg`: `RS256` or
    /// `PS256` for an RSA key, `ES256` for a P-256 key. An issuer whose
    /// first key is set to PS256 signs PS256 tokens and publishes the key
    /// with `"alg": "PS256"`, as an Auth0 API set to PS256.
    ///
    /// # Errors
    ///
    /// [`KeyError::Public`] with
    /// [`IncompatibleAlgorithm`](jose_core::KeyError::IncompatibleAlgorithm)
    /// for an algorithm the key type cannot sign.
    pub fn with_algorithm(mut self, alg: Algorithm) -> Result<Self, KeyError> {
        if !self.public.algorithms().contains(&alg) {
            return Err(KeyError::Public(
                jose_core::KeyError::IncompatibleAlgorithm { alg },
            ));
        }
        self.alg = alg;
        Ok(self)
    }

    /// The same key published under `kid`.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        let kid = kid.into();
        self.public.set_kid(kid.clone());
        self.kid = kid;
        self
    }

    /// The key's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The public key, with its `kid`.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The public JWK as the JWKS publishes it: key members, `kid`,
    /// `use: sig` and `alg`.
    pub fn public_jwk(&self) -> Jwk {
        let mut jwk = self.public.to_jwk();
        jwk.set_key_use("sig").set_alg(self.algorithm().name());
        jwk
    }

    /// The public key's raw bytes, as a verifier library typically holds
    /// them: the DER `RSAPublicKey` (PKCS#1) for RSA, the uncompressed SEC1
    /// point for P-256. What an HS256 key-confusion token is keyed with.
    pub fn public_key_bytes(&self) -> Vec<u8> {
        match &*self.pair {
            Pair::Rsa(pair) => pair.public().as_ref().to_vec(),
            Pair::Ec(pair) => pair.public_key().as_ref().to_vec(),
        }
    }

    /// The RFC 7638 thumbprint of the public key.
    pub fn thumbprint(&self) -> String {
        self.public.thumbprint()
    }

    /// Signs `message` (a JWS signing input): RSASSA-PKCS1-v1_5 with SHA-256
    /// for RSA (RSASSA-PSS for a key set to PS256), raw `r || s` ECDSA
    /// P-256 with SHA-256 for EC.
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] when the system random generator fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match &*self.pair {
            Pair::Rsa(_) if self.alg == Algorithm::Ps256 => self.sign_ps256(message),
            Pair::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| KeyError::Random)?;
                Ok(signature)
            }
            Pair::Ec(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::Random),
        }
    }
}

impl SigningKey {
    /// Signs `message` with RSASSA-PSS, SHA-256, MGF1-SHA-256 and a 32-byte
    /// salt: a `PS256` JWS signature (RFC 7518 section 3.5).
    ///
    /// # Errors
    ///
    /// [`KeyError::Public`] with
    /// [`IncompatibleAlgorithm`](jose_core::KeyError::IncompatibleAlgorithm)
    /// for a P-256 key; [`KeyError::Random`] when the system random
    /// generator fails.
    pub fn sign_ps256(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let Pair::Rsa(pair) = &*self.pair else {
            return Err(KeyError::Public(
                jose_core::KeyError::IncompatibleAlgorithm {
                    alg: Algorithm::Ps256,
                },
            ));
        };
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(
            &RSA_PSS_SHA256,
            &SystemRandom::new(),
            message,
            &mut signature,
        )
        .map_err(|_| KeyError::Random)?;
        Ok(signature)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

/// 16 base64url characters from 12 random bytes.
pub(crate) fn random_kid() -> Result<String, KeyError> {
    random_id(12)
}

/// `len` random bytes as base64url: `kid`s, `jti`s.
pub(crate) fn random_id(len: usize) -> Result<String, KeyError> {
    let mut bytes = vec![0; len];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| KeyError::Random)?;
    Ok(jose_core::base64url::encode(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifies(key: &SigningKey) {
        let message = b"header.payload";
        let signature = key.sign(message).unwrap();
        key.verifying_key()
            .verify(key.algorithm(), message, &signature)
            .unwrap();
    }

    #[test]
    fn rsa_and_ec_keys_sign_what_their_public_half_verifies() {
        let rsa = SigningKey::bundled_test_rsa(0).unwrap();
        assert_eq!(rsa.algorithm(), Algorithm::Rs256);
        verifies(&rsa);
        let ec = SigningKey::generate_es256().unwrap();
        assert_eq!(ec.algorithm(), Algorithm::Es256);
        verifies(&ec);
    }

    #[test]
    fn public_jwk_carries_kid_use_and_alg_and_no_private_member() {
        let key = SigningKey::bundled_test_rsa(1).unwrap().with_kid("k1");
        let jwk = key.public_jwk();
        assert_eq!(jwk.kid(), Some("k1"));
        assert_eq!(jwk.key_use(), Some("sig"));
        assert_eq!(jwk.alg(), Some("RS256"));
        assert_eq!(jwk.private_member(), None);
        let round_trip = VerifyingKey::from_jwk(&jwk).unwrap();
        assert_eq!(round_trip.thumbprint(), key.thumbprint());
    }

    #[test]
    fn public_key_bytes_are_der_for_rsa_and_a_point_for_ec() {
        let rsa = SigningKey::bundled_test_rsa(0).unwrap().public_key_bytes();
        assert_eq!(rsa[0], 0x30, "a DER SEQUENCE");
        let ec = SigningKey::generate_es256().unwrap().public_key_bytes();
        assert_eq!((ec.len(), ec[0]), (65, 4));
    }

    #[test]
    fn kids_are_random_unless_set_and_debug_hides_the_key() {
        let a = SigningKey::bundled_test_rsa(0).unwrap();
        let b = SigningKey::bundled_test_rsa(0).unwrap();
        assert_ne!(a.kid(), b.kid());
        assert_eq!(a.kid().len(), 16);
        let debug = format!("{a:?}");
        assert!(
            debug.contains(a.kid()) && debug.ends_with(".. }"),
            "{debug}"
        );
    }

    #[test]
    fn refuses_wrong_documents_and_indexes() {
        let ec =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        assert!(matches!(
            SigningKey::rsa_pkcs8(ec.as_ref()),
            Err(KeyError::InvalidPkcs8 { .. })
        ));
        assert!(matches!(
            SigningKey::es256_pkcs8(bundled_keys::outsider_key()),
            Err(KeyError::InvalidPkcs8 { .. })
        ));
        assert!(matches!(
            SigningKey::bundled_test_rsa(SigningKey::BUNDLED_TEST_KEYS),
            Err(KeyError::NoSuchBundledKey { .. })
        ));
    }
}
