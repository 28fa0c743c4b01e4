//! Nonce secrets shared by the replicas, and their rotation.

use auth0_api_redis::{NonceSecrets, Redis};
use dpop::{NonceError, NonceSource};

use crate::support::{Env, handle, within};

/// A replica's nonce source, built from what Redis holds now.
async fn source(env: &Env, redis: &Redis) -> NonceSource {
    secrets(redis)
        .await
        .configure(NonceSource::builder().clock(env.clock.clone()))
        .build()
        .unwrap()
}

async fn secrets(redis: &Redis) -> NonceSecrets {
    within(redis.nonce_secrets()).await.unwrap()
}

#[tokio::test]
async fn replicas_accept_each_others_nonces() {
    let env = Env::start().await;
    let url = env.server.url();
    let replica_2 = handle(&url, &env.clock, "test").await;
    // Both start at once: one creates the secret, both get it.
    let (first, second) = tokio::join!(source(&env, &env.redis), source(&env, &replica_2));
    assert_eq!(second.check(&first.issue()), Ok(()));
    assert_eq!(first.check(&second.issue()), Ok(()));
    // Loading again keeps the secret.
    assert_eq!(source(&env, &env.redis).await.check(&first.issue()), Ok(()));

    // Another service (namespace) has its own secret.
    let other = source(&env, &handle(&url, &env.clock, "other").await).await;
    assert_eq!(other.check(&first.issue()), Err(NonceError::Invalid));
}

#[tokio::test]
async fn a_nonce_issued_before_a_rotation_is_accepted_after_it() {
    let env = Env::start().await;
    let before = source(&env, &env.redis).await;
    assert!(!secrets(&env.redis).await.has_previous());
    let old_nonce = before.issue();

    within(env.redis.rotate_nonce_secret()).await.unwrap();
    assert!(secrets(&env.redis).await.has_previous());
    let after = source(&env, &env.redis).await;
    assert_eq!(
        after.check(&old_nonce),
        Ok(()),
        "the previous secret is accepted"
    );
    let new_nonce = after.issue();
    assert_ne!(new_nonce, old_nonce);
    assert_eq!(
        before.check(&new_nonce),
        Err(NonceError::Invalid),
        "the new secret issues"
    );

    // A second rotation drops the first secret.
    within(env.redis.rotate_nonce_secret()).await.unwrap();
    let later = source(&env, &env.redis).await;
    assert_eq!(later.check(&old_nonce), Err(NonceError::Invalid));
    assert_eq!(later.check(&new_nonce), Ok(()));
}

#[tokio::test]
async fn a_staged_secret_is_accepted_before_it_issues() {
    let env = Env::start().await;
    let replica_2 = handle(&env.server.url(), &env.clock, "test").await;
    let current = source(&env, &env.redis).await;

    // Phase 1: stage (twice: the first one stays), every replica reloads.
    within(env.redis.stage_nonce_secret()).await.unwrap();
    let staged = source(&env, &replica_2).await;
    within(replica_2.stage_nonce_secret()).await.unwrap();
    assert!(secrets(&env.redis).await.has_staged());
    assert_eq!(
        staged.check(&current.issue()),
        Ok(()),
        "still issues with current"
    );
    assert_eq!(current.check(&staged.issue()), Ok(()));

    // Phase 2: rotate. A replica that reloaded after phase 1 accepts the
    // new nonces at once; the rotated one accepts the old nonces.
    within(env.redis.rotate_nonce_secret()).await.unwrap();
    let rotated = source(&env, &env.redis).await;
    assert!(!secrets(&env.redis).await.has_staged());
    assert_eq!(staged.check(&rotated.issue()), Ok(()));
    assert_eq!(rotated.check(&staged.issue()), Ok(()));
    assert_eq!(current.check(&rotated.issue()), Err(NonceError::Invalid));
}

#[tokio::test]
async fn secrets_never_print() {
    let env = Env::start().await;
    let secrets = secrets(&env.redis).await;
    let mut raw = env.raw().await;
    let stored: Vec<u8> = redis::cmd("GET")
        .arg("test:nonce:current")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    let debug = format!("{secrets:?}");
    let as_list = format!("{:?}", &stored[..4])
        .trim_end_matches(']')
        .to_owned();
    let as_hex: String = stored[..4].iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        !debug.contains(&as_list) && !debug.contains(&as_hex),
        "{debug}"
    );
    assert!(debug.contains("redacted"), "{debug}");
}
