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

/// A 2048-bit RSA modulus (RFC 7515 appendix A.2's key), big-endian.
pub(crate) fn rsa_modulus() -> Vec<u8> {
    base64url::decode("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ").unwrap()
}

/// The P-256 generator as an uncompressed SEC1 point, a valid public key.
pub(crate) fn p256_generator() -> Vec<u8> {
    let x = "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296";
    let y = "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";
    let mut point = vec![4u8];
    for hex in [x, y] {
        point.extend((0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()));
    }
    point
}
