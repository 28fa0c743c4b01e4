//! The floor: ring's own verification of the signatures the SDK checks.

use std::hint::black_box;
use std::time::{Duration, Instant};

use jose_core::base64url;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::Value;

use crate::Bench;

/// A signature as ring sees it: the signed bytes and the raw signature.
pub(crate) struct Signed {
    pub(crate) message: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

impl Signed {
    pub(crate) fn of(compact: &str) -> Self {
        let (message, signature) = compact.rsplit_once('.').unwrap();
        Self {
            message: message.as_bytes().to_vec(),
            signature: base64url::decode(signature).unwrap(),
        }
    }
}

/// The RSA public key of `kid` in the JWKS the issuer serves.
pub(crate) fn rsa_components(jwks: &Value, kid: &str) -> (Vec<u8>, Vec<u8>) {
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap();
    let member = |name: &str| base64url::decode(jwk[name].as_str().unwrap()).unwrap();
    (member("n"), member("e"))
}

/// A DPoP proof as ring sees it: its signature and its key's point.
pub(crate) struct Proof {
    pub(crate) signed: Signed,
    pub(crate) point: Vec<u8>,
}

impl Proof {
    pub(crate) fn of(compact: &str) -> Self {
        Self {
            signed: Signed::of(compact),
            point: proof_point(compact),
        }
    }
}

/// The uncompressed P-256 point of the `jwk` in a proof's header.
pub(crate) fn proof_point(proof: &str) -> Vec<u8> {
    let header = proof.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&base64url::decode(header).unwrap()).unwrap();
    let coordinate = |name: &str| base64url::decode(header["jwk"][name].as_str().unwrap()).unwrap();
    let mut point = vec![4];
    point.extend(coordinate("x"));
    point.extend(coordinate("y"));
    point
}

/// Ring's verification of the signatures the SDK checks, and nothing else.
pub(crate) struct Floors {
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
    pub(crate) token: Signed,
    pub(crate) bound_token: Signed,
    /// Distinct proofs, by the bench's users in turn: the SDK never sees a proof
    /// twice, and ring's variable-time P-256 verification runs measurably
    /// faster on one signature repeated (the branch predictor learns it),
    /// so the floor must not repeat one either.
    pub(crate) proofs: Vec<Proof>,
}

/// Distinct proofs the `floor_p256` benchmark cycles through.
pub(crate) const FLOOR_PROOFS: usize = 256;

impl Floors {
    pub(crate) fn new(bench: &Bench) -> Self {
        let (n, e) = rsa_components(&bench.issuer.jwks(), &bench.issuer.current_kid());
        let proofs: Vec<String> = (0..FLOOR_PROOFS)
            .map(|_| bench.dpop_headers()["dpop"].to_str().unwrap().to_owned())
            .collect();
        Self {
            n,
            e,
            token: Signed::of(&bench.token),
            bound_token: Signed::of(&bench.bound_token),
            proofs: proofs.iter().map(|p| Proof::of(p)).collect(),
        }
    }

    pub(crate) fn rsa(&self, signed: &Signed) {
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            black_box(&signed.message),
            black_box(&signed.signature),
        )
        .unwrap();
    }

    pub(crate) fn p256(&self, proof: &Proof) {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, black_box(&proof.point))
            .verify(
                black_box(&proof.signed.message),
                black_box(&proof.signed.signature),
            )
            .unwrap();
    }

    /// The floor of `n` Bearer requests, timed.
    pub(crate) fn bearer(&self, n: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            self.rsa(&self.token);
        }
        start.elapsed()
    }

    /// The floor of Bearer requests with these tokens, timed.
    pub(crate) fn rsa_all<'a>(&self, tokens: impl IntoIterator<Item = &'a Signed>) -> Duration {
        let tokens: Vec<&Signed> = tokens.into_iter().collect();
        let start = Instant::now();
        for signed in tokens {
            self.rsa(signed);
        }
        start.elapsed()
    }

    /// Ring's P-256 verification of these proofs alone, timed: the floor of
    /// a DPoP request whose token is already verified.
    pub(crate) fn p256_all(&self, proofs: &[Proof]) -> Duration {
        let start = Instant::now();
        for proof in proofs {
            self.p256(proof);
        }
        start.elapsed()
    }

    /// The floor of DPoP requests with these tokens and proofs, timed.
    pub(crate) fn dpop_first(&self, tokens: &[&Signed], proofs: &[Proof]) -> Duration {
        let start = Instant::now();
        for (signed, proof) in tokens.iter().zip(proofs) {
            self.rsa(signed);
            self.p256(proof);
        }
        start.elapsed()
    }
}
