//! Proofs made by `ProofBuilder` pass the verifier, for every option.

use std::sync::Arc;
use std::time::Duration;

use dpop::{Error, NonceSource, ProofBuilder, ProofKey, Request, Verifier};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

use crate::support::{Env, NOW};

#[test]
fn a_built_proof_with_token_and_nonce_verifies_with_every_check_on() {
    let mut env = Env::new();
    let nonces = Arc::new(
        NonceSource::builder()
            .clock(env.clock.clone())
            .build()
            .unwrap(),
    );
    let cache = Arc::new(
        dpop::InMemoryReplayCache::builder()
            .clock(env.clock.clone())
            .build(),
    );
    env.verifier = Verifier::builder()
        .clock(env.clock.clone())
        .replay_cache(cache)
        .nonces(nonces.clone())
        .build();
    let proof = ProofBuilder::new(&env.key)
        .htm("PATCH")
        .htu("https://api.example.com/items/7?fields=all")
        .access_token("tok")
        .nonce(nonces.issue())
        .iat(NOW)
        .sign()
        .unwrap();
    let proofs = [proof.as_str()];
    let jkt = env.key.thumbprint();
    let request = Request::new(&proofs, "PATCH", "https://api.example.com/items/7")
        .access_token("tok")
        .expected_jkt(&jkt);
    let verified = env.verify_request(&request).unwrap();
    assert_eq!(verified.htu(), "https://api.example.com/items/7");
    assert_eq!(verified.jti().len(), 22);
    assert!(matches!(env.verify_request(&request), Err(Error::Replayed)));
}

#[test]
fn a_key_loaded_from_pkcs8_keeps_its_thumbprint() {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let a = ProofKey::from_pkcs8(pkcs8.as_ref()).unwrap();
    let b = ProofKey::from_pkcs8(pkcs8.as_ref()).unwrap();
    assert_eq!(a.thumbprint(), b.thumbprint());
    // a proof by one verifies against the other's expected jkt
    let env = Env::new();
    let proof = ProofBuilder::new(&a)
        .htm("GET")
        .htu(crate::support::URL)
        .iat(NOW)
        .sign()
        .unwrap();
    let proofs = [proof.as_str()];
    let jkt = b.thumbprint();
    env.verify_request(&Request::new(&proofs, "GET", crate::support::URL).expected_jkt(&jkt))
        .unwrap();
}

#[test]
fn a_proof_with_the_system_clock_verifies_with_the_system_clock() {
    let key = ProofKey::generate().unwrap();
    let proof = ProofBuilder::new(&key)
        .htm("GET")
        .htu("https://api.example.com/")
        .sign()
        .unwrap();
    let proofs = [proof.as_str()];
    let request = Request::new(&proofs, "GET", "https://api.example.com");
    crate::support::block_on(Verifier::new().verify(&request)).unwrap();
}

#[test]
fn a_proof_signed_too_early_is_refused_later() {
    let env = Env::new();
    let proof = ProofBuilder::new(&env.key)
        .htm("GET")
        .htu(crate::support::URL)
        .iat(NOW - 1000)
        .sign()
        .unwrap();
    assert!(matches!(env.verify(&proof), Err(Error::IatTooOld { .. })));
    env.clock.set(Duration::from_secs((NOW - 1000) as u64));
    env.verify(&proof).unwrap();
}
