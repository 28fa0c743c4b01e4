//! Redis down: every call fails within the timeout, DPoP fails closed,
//! and service resumes by itself when Redis is back.

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth0_api_redis::{Error, Redis};
use dpop::{ReplayCache as _, ReplayError};
use oidc_discovery::{DocumentStore as _, StoredDocument};

use crate::support::{CALL_TIMEOUT, Env, expires_at, within};

/// A generous bound on one failing call: the timeout plus scheduling noise.
/// Not a timing claim, a bound: without the timeout a call would hang.
const BOUND: Duration = Duration::from_secs(2);

/// Calls `check_and_store` until Redis answers, at most 5 s.
async fn until_answered(
    cache: &auth0_api_redis::RedisReplayCache,
    jti: &str,
    expires: u64,
) -> Result<(), ReplayError> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match cache.check_and_store("key", jti, expires).await {
            Err(ReplayError::Unavailable { .. }) if Instant::now() < deadline => {
                // Bounded polling while the restarted server is reached.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

#[tokio::test]
async fn a_killed_server_fails_closed_within_the_timeout_then_service_resumes() {
    let mut env = Env::start().await;
    let cache = env
        .redis
        .replay_cache()
        .retry_after(Duration::from_secs(7))
        .build();
    let store = env.redis.document_store();
    env.open_generation(&cache).await;
    within(cache.check_and_store("key", "up", expires_at(env.now())))
        .await
        .unwrap();

    env.server.stop().unwrap();
    for attempt in 0..5 {
        let started = Instant::now();
        let result =
            within(cache.check_and_store("key", &format!("down-{attempt}"), expires_at(env.now())))
                .await;
        let elapsed = started.elapsed();
        assert!(elapsed < BOUND, "attempt {attempt} took {elapsed:?}");
        let Err(ReplayError::Unavailable {
            retry_after,
            source,
        }) = result
        else {
            panic!("attempt {attempt}: {result:?}");
        };
        assert_eq!(retry_after, Duration::from_secs(7));
        let cause = source
            .downcast_ref::<Error>()
            .expect("our error is the source");
        assert!(cause.is_unavailable(), "{cause:?}");
    }
    // The document store and the nonce secrets fail as fast.
    let started = Instant::now();
    let got = within(store.get("https://issuer.example/")).await;
    assert!(got.is_err(), "{got:?}");
    let document = StoredDocument::new(b"{}".to_vec(), Duration::from_secs(env.now() + 60));
    let put = within(store.put("https://issuer.example/", document)).await;
    assert!(put.is_err(), "{put:?}");
    let secrets = within(env.redis.nonce_secrets()).await;
    assert!(secrets.is_err_and(|e| e.is_unavailable()));
    assert!(started.elapsed() < 3 * BOUND, "{:?}", started.elapsed());

    // Back (empty): the same cache answers again, nothing rebuilt. The
    // restart started a new generation, so proofs are refused for the
    // leeway, then accepted.
    env.server.restart().unwrap();
    let first = within(until_answered(&cache, "back", expires_at(env.now()))).await;
    assert!(
        matches!(first, Err(ReplayError::IssuedBeforeReset)),
        "{first:?}"
    );
    env.advance(31);
    within(cache.check_and_store("key", "later", expires_at(env.now())))
        .await
        .unwrap();
    let document = StoredDocument::new(b"{}".to_vec(), Duration::from_secs(env.now() + 60));
    within(store.put("https://issuer.example/", document.clone()))
        .await
        .unwrap();
    assert_eq!(
        within(store.get("https://issuer.example/")).await.unwrap(),
        Some(document)
    );
}

#[tokio::test]
async fn a_service_starts_while_redis_is_down_and_connects_when_it_is_up() {
    let mut env = Env::start().await;
    env.server.stop().unwrap();
    let builder = || {
        let mut builder = Redis::builder(env.server.url());
        builder
            .namespace("late")
            .timeout(CALL_TIMEOUT)
            .clock(env.clock.clone());
        builder
    };

    // `connect` checks that Redis answers: it does not, within the bound.
    let started = Instant::now();
    let refused = within(builder().connect()).await;
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let error = refused.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(error.source().is_some() || matches!(error, Error::Timeout { .. }));

    // `build` does not wait for it: the service starts, DPoP fails closed.
    let redis = builder().build().unwrap();
    let cache = Arc::new(redis.replay_cache().build());
    let down = within(cache.check_and_store("key", "early", expires_at(env.now()))).await;
    assert!(
        matches!(down, Err(ReplayError::Unavailable { .. })),
        "{down:?}"
    );

    env.server.restart().unwrap();
    let first = within(until_answered(&cache, "first", expires_at(env.now()))).await;
    assert!(
        matches!(first, Err(ReplayError::IssuedBeforeReset)),
        "{first:?}"
    );
    within(redis.ping()).await.unwrap();
}
