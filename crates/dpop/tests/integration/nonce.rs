//! Server nonces (RFC 9449 sections 8 and 9): a proof without the current
//! nonce gets `use_dpop_nonce` plus a nonce; with it, it passes.

use std::sync::Arc;
use std::time::Duration;

use dpop::{Error, NonceError, NonceSource, Verifier};
use serde_json::json;

use crate::support::Env;

const STEP: u64 = 300;

/// An env whose verifier requires nonces from a source on the env's clock.
fn env_with_nonces() -> (Env, Arc<NonceSource>) {
    let mut env = Env::new();
    let nonces = Arc::new(
        NonceSource::builder()
            .secret(&[42; 32])
            .step(Duration::from_secs(STEP))
            .clock(env.clock.clone())
            .build()
            .unwrap(),
    );
    env.verifier = Verifier::builder()
        .clock(env.clock.clone())
        .nonces(nonces.clone())
        .build();
    (env, nonces)
}

fn proof_with_nonce(env: &Env, nonce: &str) -> String {
    env.proof_with_claims(|c| {
        c.insert("nonce".into(), nonce.into());
        c.insert("iat".into(), env.now().into());
    })
}

#[test]
fn missing_nonce_gets_use_dpop_nonce_with_a_nonce_that_then_passes() {
    let (env, _) = env_with_nonces();
    let err = env.verify(&env.proof(|_| {}, |_| {})).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UseNonce {
                reason: NonceError::Missing,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.error_code(), "use_dpop_nonce");
    assert_eq!(err.status_code(), 401);
    assert!(err.is_retryable());
    let nonce = err.fresh_nonce().unwrap();

    // the client retries with the nonce
    let verified = env.verify(&proof_with_nonce(&env, nonce)).unwrap();
    assert_eq!(verified.nonce(), Some(nonce));
}

#[test]
fn a_nonce_from_the_previous_step_passes() {
    let (env, nonces) = env_with_nonces();
    let nonce = nonces.issue();
    env.clock.advance(Duration::from_secs(STEP));
    env.verify(&proof_with_nonce(&env, &nonce)).unwrap();
}

#[test]
fn a_nonce_two_steps_old_is_rejected_with_a_fresh_one() {
    let (env, nonces) = env_with_nonces();
    let old = nonces.issue();
    env.clock.advance(Duration::from_secs(2 * STEP));
    let err = env.verify(&proof_with_nonce(&env, &old)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UseNonce {
                reason: NonceError::Expired,
                ..
            }
        ),
        "{err:?}"
    );
    let fresh = err.fresh_nonce().unwrap();
    assert_ne!(fresh, old);
    env.verify(&proof_with_nonce(&env, fresh)).unwrap();
}

#[test]
fn a_nonce_from_another_secret_is_rejected() {
    let (env, _) = env_with_nonces();
    let foreign = NonceSource::builder()
        .secret(&[7; 32])
        .clock(env.clock.clone())
        .build()
        .unwrap()
        .issue();
    let err = env.verify(&proof_with_nonce(&env, &foreign)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UseNonce {
                reason: NonceError::Invalid,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_made_up_nonce_is_rejected() {
    let (env, _) = env_with_nonces();
    let err = env.verify(&proof_with_nonce(&env, "made-up")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UseNonce {
                reason: NonceError::Malformed,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_nonce_that_is_not_a_string_is_an_invalid_proof() {
    let (env, _) = env_with_nonces();
    let proof = env.proof_with_claims(|c| {
        c.insert("nonce".into(), json!(1));
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(err, Error::InvalidClaim { claim: "nonce", .. }),
        "{err:?}"
    );
}

#[test]
fn other_checks_come_before_the_nonce() {
    // a proof for the wrong method learns that, not that it needs a nonce
    let (env, _) = env_with_nonces();
    let proof = env.proof_with_claims(|c| {
        c.insert("htm".into(), "POST".into());
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(matches!(err, Error::MethodMismatch { .. }), "{err:?}");
}

#[test]
fn without_a_nonce_policy_a_nonce_claim_is_not_checked() {
    let env = Env::new();
    let proof = proof_with_nonce(&env, "anything");
    let verified = env.verify(&proof).unwrap();
    assert_eq!(verified.nonce(), Some("anything"));
    assert!(env.verifier.nonce_source().is_none());
}

#[test]
fn the_verifier_exposes_its_source_for_success_responses() {
    let (env, nonces) = env_with_nonces();
    let source = env.verifier.nonce_source().unwrap();
    assert_eq!(source.check(&nonces.issue()), Ok(()));
}

/// A verifier on `env`'s clock requiring nonces from a source that issues
/// with `secret` and also accepts `accepted`.
fn replica(env: &Env, secret: u8, accepted: &[u8]) -> Verifier {
    let mut source = NonceSource::builder();
    source
        .secret(&[secret; 32])
        .step(Duration::from_secs(STEP))
        .clock(env.clock.clone());
    for &old in accepted {
        source.accept_secret(&[old; 32]);
    }
    Verifier::builder()
        .clock(env.clock.clone())
        .nonces(Arc::new(source.build().unwrap()))
        .build()
}

fn verify_on(env: &Env, verifier: &Verifier, nonce: &str) -> Result<(), Error> {
    let proof = proof_with_nonce(env, nonce);
    let proofs = [proof.as_str()];
    let request = dpop::Request::new(&proofs, "GET", crate::support::URL);
    crate::support::block_on(verifier.verify(&request)).map(|_| ())
}

#[test]
fn a_fleet_rotates_its_secret_without_refusing_a_nonce_it_issued() {
    const OLD: u8 = 1;
    const NEW: u8 = 2;
    let env = Env::new();
    let before = replica(&env, OLD, &[]);
    let phase_1 = replica(&env, OLD, &[NEW]);
    let phase_2 = replica(&env, NEW, &[OLD]);
    let issued_by = |v: &Verifier| v.nonce_source().unwrap().issue();

    // A nonce issued just before a replica rotates passes just after it.
    let old_nonce = issued_by(&before);
    env.clock.advance(Duration::from_secs(1));
    verify_on(&env, &phase_2, &old_nonce).unwrap();
    // While replicas move to phase 2, the ones still in phase 1 accept the
    // new nonces, and everyone accepts the old ones.
    let new_nonce = issued_by(&phase_2);
    assert_ne!(new_nonce, issued_by(&phase_1));
    verify_on(&env, &phase_1, &new_nonce).unwrap();
    verify_on(&env, &phase_1, &old_nonce).unwrap();
    // ... which the old configuration would not have done.
    assert!(matches!(
        verify_on(&env, &before, &new_nonce),
        Err(Error::UseNonce {
            reason: NonceError::Invalid,
            ..
        })
    ));

    // A nonce from a secret none of them knows is refused, with a fresh one
    // of the new secret.
    let unknown = replica(&env, 9, &[]);
    let err = verify_on(&env, &phase_2, &issued_by(&unknown)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UseNonce {
                reason: NonceError::Invalid,
                ..
            }
        ),
        "{err:?}"
    );
    let fresh = err.fresh_nonce().unwrap().to_owned();
    verify_on(&env, &replica(&env, NEW, &[]), &fresh).unwrap();

    // Two steps later the old nonces have expired anyway: dropping the old
    // secret (phase 3) refuses nothing a client could still hold.
    env.clock.advance(Duration::from_secs(2 * STEP));
    assert!(matches!(
        verify_on(&env, &phase_2, &old_nonce),
        Err(Error::UseNonce {
            reason: NonceError::Expired,
            ..
        })
    ));
}

#[test]
fn a_forged_proof_without_a_nonce_gets_no_nonce() {
    // The nonce check runs after the signature: a client that cannot sign
    // is told its proof is bad, never handed a fresh nonce.
    let (env, _) = env_with_nonces();
    let forged = crate::support::with_signature(&env.proof(|_| {}, |_| {}), |mut s| {
        s[10] ^= 0x01;
        s
    });
    let err = env.verify(&forged).unwrap_err();
    assert!(matches!(err, Error::InvalidSignature(_)), "{err:?}");
}
