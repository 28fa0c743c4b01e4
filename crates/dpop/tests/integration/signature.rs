//! Check 6: the signature verifies with the header's `jwk` (raw 64-byte
//! `r || s`; high `s` accepted; `r` or `s` zero rejected).

use dpop::{Error, ProofKey};
use jose_core::SignatureError;

use crate::support::{Env, is_high_s, negate_s, sign_with, to_der, with_signature};

fn assert_bad_signature(err: Error) -> SignatureError {
    match err {
        Error::InvalidSignature(e) => e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_changed_signature_byte_is_rejected() {
    let env = Env::new();
    let proof = with_signature(&env.proof(|_| {}, |_| {}), |mut s| {
        s[10] ^= 0x01;
        s
    });
    let err = assert_bad_signature(env.verify(&proof).unwrap_err());
    assert_eq!(err, SignatureError::Invalid);
}

#[test]
fn a_changed_claim_is_rejected() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let (header, rest) = proof.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    // the claims of another valid proof under this proof's signature
    let other = env.proof(|_| {}, |_| {});
    let other_claims = other.split('.').nth(1).unwrap();
    let spliced = format!("{header}.{other_claims}.{signature}");
    assert_bad_signature(env.verify(&spliced).unwrap_err());
}

#[test]
fn a_signature_by_another_key_is_rejected() {
    let env = Env::new();
    let other = ProofKey::generate().unwrap();
    // the header names env.key, the signature is other's
    let proof = sign_with(&other, &env.header(), &env.claims());
    assert_bad_signature(env.verify(&proof).unwrap_err());
}

#[test]
fn a_der_encoded_signature_is_rejected() {
    let env = Env::new();
    let proof = with_signature(&env.proof(|_| {}, |_| {}), to_der);
    let err = assert_bad_signature(env.verify(&proof).unwrap_err());
    assert!(
        matches!(err, SignatureError::Length { expected: 64, found, .. } if (70..=72).contains(&found)),
        "{err:?}"
    );
}

#[test]
fn a_truncated_or_empty_signature_is_rejected() {
    let env = Env::new();
    for len in [0, 32, 63] {
        let proof = with_signature(&env.proof(|_| {}, |_| {}), |s| s[..len].to_vec());
        let err = assert_bad_signature(env.verify(&proof).unwrap_err());
        assert!(matches!(err, SignatureError::Length { .. }), "{err:?}");
    }
}

#[test]
fn high_s_and_low_s_are_both_accepted() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let flipped = with_signature(&proof, negate_s);
    let signature = |p: &str| jose_core::base64url::decode(p.rsplit('.').next().unwrap()).unwrap();
    assert_ne!(
        is_high_s(&signature(&proof)),
        is_high_s(&signature(&flipped))
    );
    // (the default verifier has no replay cache; replay.rs covers the pair)
    env.verify(&proof).unwrap();
    env.verify(&flipped).unwrap();
}

#[test]
fn zero_r_or_zero_s_is_rejected() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let zero_r = with_signature(&proof, |mut s| {
        s[..32].fill(0);
        s
    });
    let zero_s = with_signature(&proof, |mut s| {
        s[32..].fill(0);
        s
    });
    for bad in [zero_r, zero_s] {
        let err = assert_bad_signature(env.verify(&bad).unwrap_err());
        assert_eq!(err, SignatureError::Invalid);
    }
}

#[test]
fn a_misdirected_proof_is_refused_before_its_signature_is_checked() {
    // Wrong `htu` and a broken signature: the cheap claim check answers,
    // so a flood of garbage proofs costs no P-256 verification.
    let env = Env::new();
    let misdirected = env.proof_with_claims(|c| {
        c.insert("htu".into(), "https://elsewhere.example/".into());
    });
    let forged = with_signature(&misdirected, |mut s| {
        s[10] ^= 0x01;
        s
    });
    assert!(
        matches!(env.verify(&forged), Err(Error::UrlMismatch { .. })),
        "{:?}",
        env.verify(&forged)
    );
    // With every claim right, the same broken signature is what fails.
    let forged = with_signature(&env.proof(|_| {}, |_| {}), |mut s| {
        s[10] ^= 0x01;
        s
    });
    assert_bad_signature(env.verify(&forged).unwrap_err());
}
