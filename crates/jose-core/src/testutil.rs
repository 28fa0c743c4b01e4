//! Unit-test support: tokens signed for real, so a [`VerifiedJwt`] in a
//! test comes from [`Jwt::verify`] like everywhere else.
//!
//! [`VerifiedJwt`]: crate::VerifiedJwt
//! [`Jwt::verify`]: crate::Jwt::verify

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};

use crate::alg::Algorithm;
use crate::base64url;
use crate::jwk::VerifyingKey;
use crate::jwt::{Jwt, VerifiedJwt};

/// A fresh P-256 key pair that signs ES256 tokens.
pub(crate) struct Es256Signer {
    pair: EcdsaKeyPair,
}

impl Es256Signer {
    /// The `kid` in every token header and on [`Es256Signer::key`].
    pub(crate) const KID: &str = "test-key";

    pub(crate) fn generate() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Self { pair }
    }

    /// The public key, as a verifier would hold it.
    pub(crate) fn key(&self) -> VerifyingKey {
        let mut key = VerifyingKey::from_p256_point(self.pair.public_key().as_ref()).unwrap();
        key.set_kid(Self::KID);
        key
    }

    /// A compact ES256 JWT with `claims` as its payload.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": Self::KID});
        let input = format!(
            "{}.{}",
            base64url::encode(header.to_string().as_bytes()),
            base64url::encode(claims.to_string().as_bytes())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", base64url::encode(signature.as_ref()))
    }
}

/// `claims` signed and verified: what a caller holds after [`Jwt::verify`].
pub(crate) fn verified(claims: &Value) -> VerifiedJwt {
    let signer = Es256Signer::generate();
    Jwt::parse(&signer.sign(claims))
        .unwrap()
        .verify(&signer.key(), &[Algorithm::Es256])
        .unwrap()
}
