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

/// ring's verdict on a P-256 public point, asked directly.
///
/// ring validates a point only when it uses it, so ask it to use one: ECDH
/// with a fresh ephemeral key. In ring 0.17 ECDH and ECDSA verification
/// parse the peer point with the same function
/// (`ec::suite_b::public_key::parse_uncompressed_point`: `04` prefix, both
/// coordinates below p, `y^2 = x^3 - 3x + b`). After that the agreement
/// cannot fail: P-256 has prime order and cofactor 1, so a valid point
/// times a scalar in `[1, n-1]` is never the point at infinity. So this is
/// `true` exactly when ring accepts the point as a key, which a signature
/// check cannot tell (there, a refused point and a wrong key look the same).
pub(crate) fn ring_accepts_p256_point(point: &[u8]) -> bool {
    use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
    let mine = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new()).unwrap();
    agree_ephemeral(mine, &UnparsedPublicKey::new(&ECDH_P256, point), |_| ()).is_ok()
}

/// The P-256 field prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1, big-endian.
pub(crate) const P256_P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// `a + b` over 256 bits, big-endian, and whether it carried out.
pub(crate) fn add_256(a: &[u8; 32], b: &[u8; 32]) -> ([u8; 32], bool) {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    (out, carry != 0)
}

/// `a - b` over 256 bits, big-endian, and whether it borrowed.
pub(crate) fn sub_256(a: &[u8; 32], b: &[u8; 32]) -> ([u8; 32], bool) {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let diff = i16::from(a[i]) - i16::from(b[i]) - borrow;
        out[i] = diff.rem_euclid(256) as u8;
        borrow = i16::from(diff < 0);
    }
    (out, borrow != 0)
}

/// The two halves of an uncompressed point `04 || x || y`.
pub(crate) fn coordinates(point: &[u8; 65]) -> ([u8; 32], [u8; 32]) {
    let mut x = [0u8; 32];
    let mut y = [0u8; 32];
    x.copy_from_slice(&point[1..33]);
    y.copy_from_slice(&point[33..]);
    (x, y)
}

/// `04 || x || y`.
pub(crate) fn uncompressed(x: &[u8; 32], y: &[u8; 32]) -> [u8; 65] {
    let mut point = [4u8; 65];
    point[1..33].copy_from_slice(x);
    point[33..].copy_from_slice(y);
    point
}
