//! A Redis that restarts empty must not reopen the replay window.

use std::time::Duration;

use auth0_api_redis::RedisReplayCache;
use dpop::{ReplayCache as _, ReplayError};

use crate::support::{Env, expires_at, within};

/// Calls until Redis answers (while the handle reconnects to a restarted
/// server), at most 5 s.
async fn answer(
    cache: &RedisReplayCache,
    jkt: &str,
    jti: &str,
    expires: u64,
) -> Result<(), ReplayError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match cache.check_and_store(jkt, jti, expires).await {
            Err(ReplayError::Unavailable { .. }) if std::time::Instant::now() < deadline => {
                // Bounded polling while the restarted server is reached.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

#[tokio::test]
async fn a_restart_empty_refuses_proofs_from_before_it() {
    let mut env = Env::start().await;
    let cache = env.replay_cache(10_000);
    env.open_generation(&cache).await;

    // Accepted before the restart.
    let before = expires_at(env.now());
    within(cache.check_and_store("key", "before", before))
        .await
        .unwrap();
    env.advance(5);
    env.server.restart().unwrap(); // empty: the proof is forgotten

    // Replaying it now would pass a store without the marker; with it, it
    // is refused (the same cache value, nothing rebuilt).
    let replay = within(answer(&cache, "key", "before", before)).await;
    assert!(
        matches!(replay, Err(ReplayError::IssuedBeforeReset)),
        "{replay:?}"
    );
    // So is a proof signed right now: it cannot be told from one signed
    // before the restart by a client whose clock runs up to 30 s ahead.
    let signed_now = within(cache.check_and_store("key", "now", expires_at(env.now()))).await;
    assert!(
        matches!(signed_now, Err(ReplayError::IssuedBeforeReset)),
        "{signed_now:?}"
    );

    // Signed more than the leeway (30 s) after the restart: accepted, and
    // protected against replay as usual.
    env.advance(31);
    let after = expires_at(env.now());
    within(cache.check_and_store("key", "after", after))
        .await
        .unwrap();
    let replay = within(cache.check_and_store("key", "after", after)).await;
    assert!(matches!(replay, Err(ReplayError::Replayed)), "{replay:?}");
    let replay = within(cache.check_and_store("key", "before", before)).await;
    assert!(
        matches!(replay, Err(ReplayError::IssuedBeforeReset)),
        "{replay:?}"
    );

    // One proof lifetime after the restart, the marker no longer bites:
    // even the oldest proof the verifier lets through (iat = now - 330 s)
    // is checked as usual.
    env.advance(360);
    let oldest = expires_at(env.now() - 330);
    within(cache.check_and_store("key", "oldest", oldest))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_new_deployment_refuses_proofs_signed_before_its_first_use_once() {
    let env = Env::start().await;
    let cache = env.replay_cache(10_000);
    for (jti, iat) in [("old", env.now() - 10), ("fresh", env.now())] {
        let refused = within(cache.check_and_store("key", jti, expires_at(iat))).await;
        assert!(
            matches!(refused, Err(ReplayError::IssuedBeforeReset)),
            "{jti}: {refused:?}"
        );
    }
    // The boundary: signed `leeway` (30 s) after the first use, a proof
    // may still predate it (a client clock 30 s ahead); one second later,
    // it cannot.
    env.advance(30);
    let boundary = within(cache.check_and_store("key", "boundary", expires_at(env.now()))).await;
    assert!(
        matches!(boundary, Err(ReplayError::IssuedBeforeReset)),
        "{boundary:?}"
    );
    env.advance(1);
    within(cache.check_and_store("key", "next", expires_at(env.now())))
        .await
        .unwrap();
}
