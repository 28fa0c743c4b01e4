//! Replay protection: a proof is accepted once, entries expire with the
//! `iat` window, and memory stays bounded under constant load.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use dpop::{Error, InMemoryReplayCache, ReplayCache, ReplayError, Verifier};
use jose_core::{Clock, ManualClock};

use crate::support::{Env, NOW, block_on, negate_s, with_signature};

/// An env whose verifier records proofs in `cache` (on the env's clock).
fn env_with_cache(max_entries: usize) -> (Env, Arc<InMemoryReplayCache>) {
    let mut env = Env::new();
    let cache = Arc::new(
        InMemoryReplayCache::builder()
            .max_entries(max_entries)
            .clock(env.clock.clone())
            .build(),
    );
    env.verifier = Verifier::builder()
        .clock(env.clock.clone())
        .replay_cache(cache.clone())
        .build();
    (env, cache)
}

#[test]
fn the_same_proof_twice_is_rejected_the_second_time() {
    let (env, cache) = env_with_cache(100);
    let proof = env.proof(|_| {}, |_| {});
    env.verify(&proof).unwrap();
    let err = env.verify(&proof).unwrap_err();
    assert!(matches!(err, Error::Replayed), "{err:?}");
    assert_eq!(err.error_code(), "invalid_dpop_proof");
    assert_eq!(err.status_code(), 401);
    assert_eq!(cache.len(), 1);
}

#[test]
fn a_re_signed_copy_with_the_other_s_is_still_a_replay() {
    // ECDSA signatures are malleable; the cache keys on (jkt, jti), not on
    // the proof's bytes.
    let (env, _) = env_with_cache(100);
    let proof = env.proof(|_| {}, |_| {});
    env.verify(&proof).unwrap();
    let twin = with_signature(&proof, negate_s);
    assert_ne!(twin, proof);
    let err = env.verify(&twin).unwrap_err();
    assert!(matches!(err, Error::Replayed), "{err:?}");
}

#[test]
fn the_same_jti_from_another_key_is_not_a_replay() {
    let (env, cache) = env_with_cache(100);
    let mut claims = env.claims();
    claims.insert("jti".into(), "shared".into());
    env.verify(&env.sign(&env.header(), &claims)).unwrap();
    let other = dpop::ProofKey::generate().unwrap();
    let proof = crate::support::sign_with(&other, &other.dangerous().standard_header(), &claims);
    env.verify(&proof).unwrap();
    assert_eq!(cache.len(), 2);
}

#[test]
fn rejected_proofs_take_no_place_in_the_cache() {
    let (env, cache) = env_with_cache(100);
    let wrong_method = env.proof_with_claims(|c| {
        c.insert("htm".into(), "POST".into());
    });
    assert!(env.verify(&wrong_method).is_err());
    assert!(cache.is_empty());
}

#[test]
fn an_entry_is_forgotten_once_its_proof_cannot_pass() {
    let (env, cache) = env_with_cache(100);
    let proof = env.proof(|_| {}, |_| {}); // iat = NOW
    env.verify(&proof).unwrap();
    // iat + offset + leeway is the last second the proof passes
    env.clock.advance(Duration::from_secs(330));
    assert!(matches!(env.verify(&proof), Err(Error::Replayed)));
    env.clock.advance(Duration::from_secs(1));
    cache.purge_expired();
    assert!(cache.is_empty());
    assert!(matches!(env.verify(&proof), Err(Error::IatTooOld { .. })));
}

#[test]
fn memory_stays_bounded_over_100_000_distinct_proofs() {
    // Driven through the cache directly (signing 100,000 proofs would be
    // slow): 100 proofs per simulated second from 10 keys for 1,000 s, each
    // expiring as the verifier computes it, iat + 300 + 30. (Ten keys, not
    // one: one key at 100 proofs per second would exceed its share.)
    let clock = Arc::new(ManualClock::at_unix_seconds(NOW as u64));
    let cache = InMemoryReplayCache::builder().clock(clock.clone()).build();
    let window = 330;
    let per_second = 100;
    let (mut peak, mut peak_bytes) = (0, 0);
    for i in 0..100_000u64 {
        if i % per_second == 0 && i > 0 {
            clock.advance(Duration::from_secs(1));
        }
        let iat = clock.unix_seconds() as u64;
        let jkt = format!("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4{}", i % 10);
        block_on(cache.check_and_store(&jkt, &format!("jti-{i}"), iat + window)).unwrap();
        peak = peak.max(cache.len());
        if i % 1_000 == 0 {
            peak_bytes = peak_bytes.max(cache.memory_usage());
        }
    }
    // live entries: at most (window + 1) seconds of proofs
    let bound = ((window + 1) * per_second) as usize;
    assert!(peak <= bound, "peak {peak} > {bound}");
    assert!(
        peak >= bound - per_second as usize,
        "entries were kept: {peak}"
    );
    assert!(cache.len() <= bound);
    // about 50 bytes an entry; never the 1,000,000-entry capacity's worth
    assert!(peak_bytes < 100 * bound, "{peak_bytes} bytes");
    // and once the load stops, everything expires and memory is given back
    clock.advance(Duration::from_secs(window + 1));
    cache.purge_expired();
    assert!(cache.is_empty());
    assert_eq!(cache.memory_usage(), 0);
}

#[test]
fn a_key_signing_faster_than_its_share_allows_is_rate_limited_alone() {
    let mut env = Env::new();
    let cache = Arc::new(
        InMemoryReplayCache::builder()
            .max_entries(1_000)
            .max_entries_per_key(3)
            .clock(env.clock.clone())
            .build(),
    );
    env.verifier = Verifier::builder()
        .clock(env.clock.clone())
        .replay_cache(cache.clone())
        .build();
    let other = Env::new(); // another key, verified by env's verifier
    for _ in 0..3 {
        env.verify(&env.proof(|_| {}, |_| {})).unwrap();
    }
    let proof = env.proof(|_| {}, |_| {});
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(err, Error::KeyQuotaExceeded { max_per_key: 3, .. }),
        "{err:?}"
    );
    assert_eq!((err.status_code(), err.error_code()), (429, "rate_limited"));
    // iat = NOW: the oldest entry lasts through NOW + 330
    assert_eq!(err.retry_after(), Some(Duration::from_secs(331)));
    assert!(err.is_retryable() && !err.is_proof_error());
    // another key is unaffected, and the refused proof took no place
    env.verify(&other.proof(|_| {}, |_| {})).unwrap();
    assert_eq!(cache.len(), 4);
    // once the first proofs have expired the key may sign again
    env.clock.advance(Duration::from_secs(331));
    let fresh = env.proof_with_claims(|c| {
        c.insert("iat".into(), (NOW + 331).into());
    });
    env.verify(&fresh).unwrap();
}

#[test]
fn a_full_cache_refuses_new_proofs_as_a_server_error() {
    let (env, _) = env_with_cache(2);
    env.verify(&env.proof(|_| {}, |_| {})).unwrap();
    env.verify(&env.proof(|_| {}, |_| {})).unwrap();
    let err = env.verify(&env.proof(|_| {}, |_| {})).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReplayCache(ReplayError::CapacityExceeded { capacity: 2, .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.status_code(), 503);
    assert!(err.is_retryable() && !err.is_proof_error());
    // once the entries expire there is room again
    env.clock.advance(Duration::from_secs(331));
    let fresh = env.proof_with_claims(|c| {
        c.insert("iat".into(), (NOW + 331).into());
    });
    env.verify(&fresh).unwrap();
}

/// A backend that is always down.
#[derive(Debug)]
struct Unreachable;

#[async_trait]
impl ReplayCache for Unreachable {
    async fn check_and_store(&self, _: &str, _: &str, _: u64) -> Result<(), ReplayError> {
        Err(ReplayError::unavailable(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "redis down",
        )))
    }
}

#[test]
fn a_failing_backend_rejects_the_proof() {
    let mut env = Env::new();
    env.verifier = Verifier::builder()
        .clock(env.clock.clone())
        .replay_cache(Arc::new(Unreachable))
        .build();
    let err = env.verify(&env.proof(|_| {}, |_| {})).unwrap_err();
    assert!(
        matches!(err, Error::ReplayCache(ReplayError::Unavailable { .. })),
        "{err:?}"
    );
    assert_eq!(err.status_code(), 503);
    let source = std::error::Error::source(&err).unwrap();
    assert!(
        std::error::Error::source(source).is_some(),
        "the backend's error is kept"
    );
}

#[test]
fn the_expiry_passed_to_the_cache_is_the_end_of_the_iat_window() {
    #[derive(Debug, Default)]
    struct Recorder(std::sync::Mutex<Vec<u64>>);
    #[async_trait]
    impl ReplayCache for Recorder {
        async fn check_and_store(&self, _: &str, _: &str, at: u64) -> Result<(), ReplayError> {
            self.0.lock().unwrap().push(at);
            Ok(())
        }
    }
    let recorder = Arc::new(Recorder::default());
    let mut env = Env::new();
    env.verifier = Verifier::builder()
        .clock(env.clock.clone())
        .replay_cache(recorder.clone())
        .build();
    let proof = env.proof_with_claims(|c| {
        c.insert("iat".into(), (NOW - 10).into());
    });
    env.verify(&proof).unwrap();
    assert_eq!(*recorder.0.lock().unwrap(), [(NOW - 10 + 330) as u64]);
}
