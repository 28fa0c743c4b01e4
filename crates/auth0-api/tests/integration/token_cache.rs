//! The verified-token cache: a token sent again skips its RSA check, and
//! nothing that has changed since it was verified is skipped with it.

use std::time::Duration;

use auth0_api::{ApiClient, AuthErrorKind};
use dev_issuer::dpop::ProofKey;
use dev_issuer::{Endpoint, RotateMode};

use crate::support::{Env, Headers, NOW, URL, proof};

/// Hits and misses so far.
fn counts(client: &ApiClient) -> (u64, u64) {
    let stats = client.token_cache_stats();
    (stats.hits, stats.misses)
}

#[tokio::test]
async fn a_token_sent_again_is_answered_from_the_cache() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.token();
    let first = client.verify_access_token(&token).await.unwrap();
    assert_eq!(counts(&client), (0, 1));
    let again = client.verify_access_token(&token).await.unwrap();
    assert_eq!(counts(&client), (1, 1));
    assert_eq!(again.as_map(), first.as_map());
    assert_eq!(client.token_cache_stats().entries, 1);
}

#[tokio::test]
async fn a_token_whose_key_is_rotated_out_is_refused_on_the_next_request() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.token();
    client.verify_access_token(&token).await.unwrap();
    env.issuer.rotate_keys(RotateMode::DropOld).unwrap();
    // Once the key set is fetched again (its cache lifetime, 600 s), the
    // old key is gone, and so is every token it signed.
    env.clock.advance(Duration::from_secs(601));
    let error = client.verify_access_token(&token).await.unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::InvalidToken, "{error:?}");
    assert_eq!(
        counts(&client),
        (0, 2),
        "checked in full, not from the cache"
    );
    assert_eq!(client.token_cache_stats().entries, 0);
}

#[tokio::test]
async fn a_key_set_fetched_again_costs_one_verification_more() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.token();
    client.verify_access_token(&token).await.unwrap();
    // Same keys, a new copy of the set: verified once more, then cached.
    env.clock.advance(Duration::from_secs(601));
    client.verify_access_token(&token).await.unwrap();
    client.verify_access_token(&token).await.unwrap();
    assert_eq!(counts(&client), (1, 2));
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 2);
}

#[tokio::test]
async fn a_token_that_expires_while_cached_is_refused() {
    let env = Env::start().await;
    let client = env.client();
    let token = env
        .issuer
        .token()
        .sub("auth0|user")
        .expires_in(Duration::from_secs(60))
        .sign()
        .unwrap();
    client.verify_access_token(&token).await.unwrap();
    client.verify_access_token(&token).await.unwrap();
    env.clock.advance(Duration::from_secs(61));
    let error = client.verify_access_token(&token).await.unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::InvalidToken);
    assert!(error.description().contains("expired"), "{error:?}");
}

#[tokio::test]
async fn required_claims_are_checked_on_every_hit() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.token();
    client.verify_access_token(&token).await.unwrap();
    let error = client
        .verify_access_token_with(&token, &["org_id"])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::InvalidToken);
    assert!(error.description().contains("org_id"), "{error:?}");
    // The entry stays good for calls that do not require it.
    client.verify_access_token(&token).await.unwrap();
    assert_eq!(counts(&client), (1, 1));
}

#[tokio::test]
async fn another_audience_does_not_share_the_cache() {
    let env = Env::start().await;
    let token = env.token();
    env.client().verify_access_token(&token).await.unwrap();
    let other = ApiClient::new(
        auth0_api::ApiClientOptions::new(env.issuer.issuer_url(), "https://other.example")
            .clock(env.clock.clone()),
    )
    .unwrap();
    let error = other.verify_access_token(&token).await.unwrap_err();
    assert!(error.description().contains("aud"), "{error:?}");
}

#[tokio::test]
async fn other_claims_under_a_cached_tokens_signature_are_refused() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.token();
    client.verify_access_token(&token).await.unwrap();
    let admin = env.issuer.token().sub("auth0|admin").sign().unwrap();
    let [header, _, signature]: [&str; 3] =
        token.split('.').collect::<Vec<_>>().try_into().unwrap();
    let admin_claims = admin.split('.').nth(1).unwrap();
    let spliced = format!("{header}.{admin_claims}.{signature}");
    let error = client.verify_access_token(&spliced).await.unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::InvalidToken);
    assert!(error.description().contains("signature"), "{error:?}");
    assert_eq!(counts(&client), (0, 2));
}

#[tokio::test]
async fn a_failure_is_not_cached() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.issuer.token().tampered().sign().unwrap();
    for _ in 0..3 {
        client.verify_access_token(&token).await.unwrap_err();
    }
    assert_eq!(counts(&client), (0, 3));
    assert_eq!(client.token_cache_stats().entries, 0);
}

#[tokio::test]
async fn a_zero_bound_turns_the_cache_off() {
    let env = Env::start().await;
    let client = ApiClient::new(env.options().token_cache_entries(0)).unwrap();
    let token = env.token();
    for _ in 0..3 {
        client.verify_access_token(&token).await.unwrap();
    }
    // Off: nothing counted, nothing held.
    assert_eq!(client.token_cache_stats().entries, 0);
    assert_eq!(counts(&client), (0, 0));
}

#[tokio::test]
async fn a_cached_dpop_token_still_needs_a_fresh_proof_of_its_key() {
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let token = env.bound_token(&key);
    let request = |proof: &str| {
        Headers::default()
            .authorization(&format!("DPoP {token}"))
            .dpop(proof)
            .0
    };
    let first = proof(&key, "GET", URL, &token);
    client
        .verify_request(&request(&first), "GET", URL)
        .await
        .unwrap();
    // The token is cached now; the proof is not: a replay is refused...
    let replayed = client
        .verify_request(&request(&first), "GET", URL)
        .await
        .unwrap_err();
    assert_eq!(replayed.error_code(), "invalid_dpop_proof", "{replayed:?}");
    // ...and so is a proof by another key.
    let thief = ProofKey::generate().unwrap();
    let stolen = client
        .verify_request(&request(&proof(&thief, "GET", URL, &token)), "GET", URL)
        .await
        .unwrap_err();
    assert_eq!(stolen.error_code(), "invalid_token", "{stolen:?}");
    // A fresh proof of the right key passes, from the cache.
    let fresh = dev_issuer::testing::proof_at(&key, "GET", URL, &token, NOW + 1);
    client
        .verify_request(&request(&fresh), "GET", URL)
        .await
        .unwrap();
    assert_eq!(counts(&client), (3, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_for_a_new_token_verify_it_once() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.token();
    let tasks: Vec<_> = (0..1_000)
        .map(|_| {
            let (client, token) = (client.clone(), token.clone());
            tokio::spawn(async move { client.verify_access_token(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    // One request verified the signature; the others waited for it, or
    // came after, and were answered from the cache.
    assert_eq!(counts(&client), (999, 1));
}
