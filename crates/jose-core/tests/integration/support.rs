//! Test signers: tokens with any header and payload, signed for real.

use jose_core::{VerifyingKey, base64url};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
};
use serde_json::Value;

/// A P-256 key pair for signing test tokens.
pub(crate) struct Es256Signer {
    pair: EcdsaKeyPair,
    der: EcdsaKeyPair,
}

impl Es256Signer {
    pub(crate) fn generate() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let der = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Self { pair, der }
    }

    pub(crate) fn verifying_key(&self, kid: &str) -> VerifyingKey {
        let mut key = VerifyingKey::from_p256_point(self.pair.public_key().as_ref()).unwrap();
        key.set_kid(kid);
        key
    }

    /// `header.payload.signature` with a raw r||s signature.
    pub(crate) fn sign(&self, header: &Value, payload: &Value) -> String {
        let input = signing_input(header, payload);
        let sig = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", base64url::encode(sig.as_ref()))
    }

    /// The same, but with the DER signature encoding JWS forbids.
    pub(crate) fn sign_der(&self, header: &Value, payload: &Value) -> String {
        let input = signing_input(header, payload);
        let sig = self
            .der
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", base64url::encode(sig.as_ref()))
    }
}

pub(crate) fn signing_input(header: &Value, payload: &Value) -> String {
    format!(
        "{}.{}",
        base64url::encode(header.to_string().as_bytes()),
        base64url::encode(payload.to_string().as_bytes())
    )
}

/// A segment from raw JSON text (for inputs `serde_json` would not produce,
/// such as duplicate members).
pub(crate) fn segment(raw: &str) -> String {
    base64url::encode(raw.as_bytes())
}
