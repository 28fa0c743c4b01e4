//! The replay cache: atomic, per-key quotas, expiry on the injected clock,
//! and a proof replayed against another replica.

use std::sync::Arc;
use std::time::Duration;

use dpop::{ProofBuilder, ProofKey, ReplayCache as _, ReplayError, Request, Verifier};
use tokio::task::JoinSet;

use crate::support::{Env, expires_at, handle, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_checks_of_one_proof_store_it_exactly_once() {
    let env = Env::start().await;
    let cache = Arc::new(env.replay_cache(10_000));
    env.open_generation(&cache).await;
    let expires = expires_at(env.now());

    const PROOFS: usize = 8;
    const COPIES: usize = 16;
    let mut tasks = JoinSet::new();
    for copy in 0..COPIES {
        for proof in 0..PROOFS {
            let cache = cache.clone();
            tasks.spawn(async move {
                let jti = format!("jti-{proof}");
                let result = cache.check_and_store("key", &jti, expires).await;
                (proof, copy, result)
            });
        }
    }
    let mut accepted = [0usize; PROOFS];
    while let Some(joined) = within(tasks.join_next()).await {
        let (proof, copy, result) = joined.unwrap();
        match result {
            Ok(()) => accepted[proof] += 1,
            Err(ReplayError::Replayed) => {}
            Err(other) => panic!("proof {proof} copy {copy}: {other:?}"),
        }
    }
    assert_eq!(accepted, [1; PROOFS], "each proof accepted exactly once");
}

#[tokio::test]
async fn a_replayed_proof_is_refused_and_only_it() {
    let env = Env::start().await;
    let cache = env.replay_cache(10_000);
    let debug = format!("{cache:?}");
    assert!(debug.contains("max_entries_per_key: 10000"), "{debug}");
    assert!(!debug.contains("redis.call"), "no script source: {debug}");
    env.open_generation(&cache).await;
    let expires = expires_at(env.now());

    within(cache.check_and_store("key-1", "jti-1", expires))
        .await
        .unwrap();
    let again = within(cache.check_and_store("key-1", "jti-1", expires)).await;
    assert!(matches!(again, Err(ReplayError::Replayed)), "{again:?}");
    // Another jti of the key, the same jti under another key: new proofs.
    within(cache.check_and_store("key-1", "jti-2", expires))
        .await
        .unwrap();
    within(cache.check_and_store("key-2", "jti-1", expires))
        .await
        .unwrap();
    // An absurd expiry (no verifier computes it) is bounded, not an error.
    within(cache.check_and_store("key-3", "far", u64::MAX))
        .await
        .unwrap();
    let far = within(cache.check_and_store("key-3", "far", u64::MAX)).await;
    assert!(matches!(far, Err(ReplayError::Replayed)), "{far:?}");
    // Still refused until the very last second it could pass.
    env.advance(expires - env.now());
    let last = within(cache.check_and_store("key-1", "jti-1", expires)).await;
    assert!(matches!(last, Err(ReplayError::Replayed)), "{last:?}");
}

#[tokio::test]
async fn a_key_past_its_share_is_refused_while_another_keeps_being_accepted() {
    const SHARE: usize = 20;
    let env = Env::start().await;
    let cache = env.replay_cache(SHARE);
    env.open_generation(&cache).await;
    assert_eq!(cache.max_entries_per_key(), SHARE);
    let first_expiry = expires_at(env.now());

    let (mut abuser_accepted, mut honest_accepted) = (0, 0);
    for i in 0..200u64 {
        if i % 10 == 0 && i > 0 {
            env.advance(1);
        }
        let now = env.now();
        // The abuser floods proofs under one key...
        match within(cache.check_and_store("abuser", &format!("a-{i}"), expires_at(now))).await {
            Ok(()) => abuser_accepted += 1,
            Err(ReplayError::KeyQuotaExceeded {
                max_per_key,
                retry_after,
            }) => {
                assert_eq!(max_per_key, SHARE);
                // ...and may retry when its oldest proof has expired.
                assert_eq!(retry_after, Duration::from_secs(first_expiry - now + 1));
            }
            Err(other) => panic!("abuser proof {i}: {other:?}"),
        }
        // ...while an honest client's proofs keep being accepted.
        if i % 10 == 5 {
            let honest = cache
                .check_and_store("honest", &format!("h-{i}"), expires_at(now))
                .await;
            assert!(honest.is_ok(), "honest proof {i}: {honest:?}");
            honest_accepted += 1;
        }
    }
    assert_eq!(abuser_accepted, SHARE);
    assert_eq!(honest_accepted, 20);

    // Once its oldest proofs expire, the abuser gets that many slots back.
    env.advance(first_expiry + 1 - env.now());
    within(cache.check_and_store("abuser", "later-1", expires_at(env.now())))
        .await
        .unwrap();
}

#[tokio::test]
async fn entries_expire_by_the_injected_clock_not_by_redis_time() {
    let env = Env::start().await;
    let cache = env.replay_cache(2);
    env.open_generation(&cache).await;

    let first = expires_at(env.now());
    within(cache.check_and_store("key", "jti-1", first))
        .await
        .unwrap();
    env.advance(10);
    within(cache.check_and_store("key", "jti-2", expires_at(env.now())))
        .await
        .unwrap();
    let full = within(cache.check_and_store("key", "jti-3", expires_at(env.now()))).await;
    assert!(
        matches!(full, Err(ReplayError::KeyQuotaExceeded { retry_after, .. })
            if retry_after == Duration::from_secs(first - env.now() + 1)),
        "{full:?}"
    );

    // At its expiry second the first proof could still pass: kept.
    env.advance(first - env.now());
    let still = within(cache.check_and_store("key", "jti-3", expires_at(env.now()))).await;
    assert!(
        matches!(still, Err(ReplayError::KeyQuotaExceeded { retry_after, .. })
            if retry_after == Duration::from_secs(1)),
        "{still:?}"
    );
    // One second later it is gone: the script dropped it, by the clock the
    // call carried (Redis's own clock is three years ahead of this one).
    env.advance(1);
    within(cache.check_and_store("key", "jti-3", expires_at(env.now())))
        .await
        .unwrap();

    let mut raw = env.raw().await;
    let sets: Vec<String> = redis::cmd("KEYS")
        .arg("test:dpop:k:*")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(sets.len(), 1, "one key's set: {sets:?}");
    let size: usize = redis::cmd("ZCARD")
        .arg(&sets[0])
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(size, 2, "jti-2 and jti-3 are left");
    // The set lives as long as its latest proof, counted from the
    // caller's clock (330 s + 1 s), not until an absolute time that would
    // be in Redis's past.
    let ttl: i64 = redis::cmd("TTL")
        .arg(&sets[0])
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!((300..=331).contains(&ttl), "ttl {ttl}");
}

#[tokio::test]
async fn a_proof_accepted_by_one_replica_is_refused_by_another() {
    let env = Env::start().await;
    let url = env.server.url();
    let replicas = [
        handle(&url, &env.clock, "test").await,
        handle(&url, &env.clock, "test").await,
    ];
    let verifiers = replicas.map(|redis| {
        let cache = redis.replay_cache().build();
        Verifier::builder()
            .clock(env.clock.clone())
            .replay_cache(Arc::new(cache))
            .build()
    });
    env.open_generation(&env.replay_cache(10)).await;

    let key = ProofKey::generate().unwrap();
    let url = "https://api.example.com/orders";
    let proof = ProofBuilder::new(&key)
        .htm("GET")
        .htu(url)
        .iat(i64::try_from(env.now()).unwrap())
        .sign()
        .unwrap();
    let headers = [proof.as_str()];
    let request = Request::new(&headers, "GET", url);

    let verified = within(verifiers[0].verify(&request)).await.unwrap();
    assert_eq!(verified.jkt(), key.thumbprint());
    let replayed = within(verifiers[1].verify(&request)).await;
    assert!(
        matches!(replayed, Err(dpop::Error::Replayed)),
        "{replayed:?}"
    );
    let replayed = within(verifiers[0].verify(&request)).await;
    assert!(
        matches!(replayed, Err(dpop::Error::Replayed)),
        "{replayed:?}"
    );
}
