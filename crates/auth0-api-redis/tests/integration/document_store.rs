//! The document store: shared between replicas, expiry on the injected
//! clock, bounded reads, and the discovery cache on top of it.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use dev_issuer::{DevIssuer, Endpoint};
use oidc_discovery::{Discovery, DocumentStore as _, StoredDocument};
use url::Url;

use crate::support::{Env, handle, within};

const KEY: &str = "https://tenant.example/.well-known/jwks.json";

/// The message of `error` and of its causes, joined.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

#[tokio::test]
async fn documents_are_shared_until_they_expire() {
    let env = Env::start().await;
    let store = env.redis.document_store();
    let expires = Duration::from_secs(env.now() + 600);
    let document = StoredDocument::new(br#"{"keys":[]}"#.to_vec(), expires);
    within(store.put(KEY, document.clone())).await.unwrap();
    assert_eq!(
        within(store.get(KEY)).await.unwrap(),
        Some(document.clone())
    );

    // Another replica (its own handle) reads what this one stored.
    let replica = handle(&env.server.url(), &env.clock, "test")
        .await
        .document_store();
    assert_eq!(within(replica.get(KEY)).await.unwrap(), Some(document));
    assert_eq!(
        within(replica.get("https://other.example/")).await.unwrap(),
        None
    );
    // Another namespace does not.
    let other = handle(&env.server.url(), &env.clock, "other")
        .await
        .document_store();
    assert_eq!(within(other.get(KEY)).await.unwrap(), None);

    // Expired by the clock the store was given: ignored, although Redis
    // (whose clock this test does not move) still holds it.
    env.clock.advance(Duration::from_secs(600));
    assert_eq!(within(store.get(KEY)).await.unwrap(), None);
    assert_eq!(env.all_keys().await.len(), 1);

    // A document that is already stale is not stored at all.
    let stale = StoredDocument::new(b"{}".to_vec(), Duration::from_secs(env.now() - 1));
    within(store.put("https://stale.example/", stale))
        .await
        .unwrap();
    assert_eq!(
        within(store.get("https://stale.example/")).await.unwrap(),
        None
    );
    assert_eq!(env.all_keys().await.len(), 1);
}

#[tokio::test]
async fn oversized_and_foreign_values_are_refused() {
    let env = Env::start().await;
    let store = env.redis.document_store();
    let expires = Duration::from_secs(env.now() + 600);

    let too_big = StoredDocument::new(vec![b'x'; 1024 * 1024 + 1], expires);
    let refused = within(store.put(KEY, too_big)).await.unwrap_err();
    assert!(
        chain(&refused).contains("over the 1048576-byte limit"),
        "{}",
        chain(&refused)
    );
    assert!(env.all_keys().await.is_empty());

    let largest = StoredDocument::new(vec![b'x'; 1024 * 1024], expires);
    within(store.put(KEY, largest.clone())).await.unwrap();
    assert_eq!(within(store.get(KEY)).await.unwrap(), Some(largest));

    // Someone else writes under our key: too large, then not our format.
    let name = env.all_keys().await.pop().unwrap();
    let mut raw = env.raw().await;
    for (value, expected) in [
        (vec![1u8; 2 * 1024 * 1024], "over the 1048576-byte limit"),
        (b"not a document".to_vec(), "malformed document"),
        (vec![1u8; 5], "malformed document"),
    ] {
        let _: () = redis::cmd("SET")
            .arg(&name)
            .arg(value)
            .query_async(&mut raw)
            .await
            .unwrap();
        let error = within(store.get(KEY)).await.unwrap_err();
        assert!(chain(&error).contains(expected), "{}", chain(&error));
        assert!(error.source().is_some());
    }
}

#[tokio::test]
async fn replicas_fetch_discovery_and_keys_once_for_the_fleet() {
    let env = Env::start().await;
    let issuer = within(DevIssuer::builder().clock(env.clock.clone()).start())
        .await
        .unwrap();
    let discovery = |redis: &auth0_api_redis::Redis| {
        Discovery::builder()
            .store(Arc::new(redis.document_store()))
            .clock(env.clock.clone())
            .build()
            .unwrap()
    };
    let first = discovery(&env.redis);
    let second = discovery(&handle(&env.server.url(), &env.clock, "test").await);
    let jwks_uri = Url::parse(issuer.jwks_uri()).unwrap();

    let document = within(first.document(issuer.issuer_url())).await.unwrap();
    within(first.key_set(&jwks_uri)).await.unwrap();
    assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
    assert_eq!(issuer.request_count(Endpoint::Jwks), 1);

    // The second replica finds both in Redis: no fetch.
    let shared = within(second.document(issuer.issuer_url())).await.unwrap();
    assert_eq!(shared.issuer(), document.issuer());
    within(second.key_set(&jwks_uri)).await.unwrap();
    assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
    assert_eq!(issuer.request_count(Endpoint::Jwks), 1);
}
