//! Issue 12, at the HTTP level: one client holding a valid DPoP-bound token
//! signs fresh proofs as fast as it can. It is answered 429 with a
//! `Retry-After` once it holds its share of the replay cache, and every
//! other client goes on as if nothing happened.

use std::sync::Arc;
use std::time::Duration;

use auth0_api::dpop::InMemoryReplayCache;
use auth0_api::{ApiClient, AuthError, AuthErrorKind};
use dev_issuer::dpop::ProofKey;
use http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use jose_core::Clock;

use crate::support::{Env, NOW, URL, dpop_headers};

/// The share of each key, and the whole cache: three shares, so that the
/// abuser alone could fill it three times over without its share.
const SHARE: usize = 10;
const CAPACITY: usize = 3 * SHARE;

/// A proof made at `NOW` passes the `iat` window through `NOW + 330`.
const PROOF_LIFETIME: u64 = 330;

fn assert_rate_limited(error: &AuthError, retry_after: u64) {
    assert_eq!(error.kind(), AuthErrorKind::RateLimited, "{error:?}");
    assert_eq!(
        (error.status_code(), error.error_code()),
        (429, "rate_limited")
    );
    let headers = error.response_headers();
    assert_eq!(headers[RETRY_AFTER], retry_after.to_string().as_str());
    assert!(headers.get(WWW_AUTHENTICATE).is_none(), "{headers:?}");
    assert_eq!(error.www_authenticate_header(), None);
}

#[tokio::test]
async fn a_key_flooding_proofs_is_rate_limited_while_another_user_is_served() {
    let env = Env::start().await;
    let cache = Arc::new(
        InMemoryReplayCache::builder()
            .max_entries(CAPACITY)
            .max_entries_per_key(SHARE)
            .clock(env.clock.clone())
            .build(),
    );
    let client = ApiClient::new(env.options().dpop_replay_cache(cache.clone())).unwrap();
    let abuser = ProofKey::generate().unwrap();
    let abuser_token = env.bound_token(&abuser);
    let user = ProofKey::generate().unwrap();
    let user_token = env.bound_token(&user);

    let (mut accepted, mut limited, mut served) = (0, 0, 0);
    for i in 0..5 * SHARE {
        // the abuser: fresh, valid proofs, five times its share
        let headers = dpop_headers(&abuser, &abuser_token, NOW);
        match client.verify_request(&headers, "GET", URL).await {
            Ok(_) => accepted += 1,
            Err(error) => {
                // its first proof lasts through NOW + 330
                assert_rate_limited(&error, PROOF_LIFETIME + 1);
                limited += 1;
            }
        }
        // the user, every fifth request: never refused
        if i % 5 == 4 {
            let headers = dpop_headers(&user, &user_token, NOW);
            let claims = client.verify_request(&headers, "GET", URL).await.unwrap();
            assert_eq!(claims.sub(), Some("auth0|user"));
            served += 1;
        }
    }
    assert_eq!((accepted, limited, served), (SHARE, 4 * SHARE, SHARE));
    assert_eq!(cache.len(), 2 * SHARE);

    // Bearer traffic never touches the replay cache.
    let bearer =
        crate::support::Headers::default().authorization(&format!("Bearer {}", env.token()));
    client.verify_request(&bearer.0, "GET", URL).await.unwrap();

    // Retry-After is honest: one second early the abuser is still refused,
    // on time it is served again.
    env.clock.advance(Duration::from_secs(PROOF_LIFETIME));
    let now = u64::try_from(env.clock.unix_seconds()).unwrap();
    let early = client
        .verify_request(&dpop_headers(&abuser, &abuser_token, now), "GET", URL)
        .await
        .unwrap_err();
    assert_rate_limited(&early, 1);
    env.clock.advance(Duration::from_secs(1));
    let now = u64::try_from(env.clock.unix_seconds()).unwrap();
    client
        .verify_request(&dpop_headers(&abuser, &abuser_token, now), "GET", URL)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_default_cache_gives_each_key_the_documented_share() {
    // No replay cache configured: the client builds the default one, whose
    // bounds are these.
    let defaults = InMemoryReplayCache::new();
    assert_eq!(defaults.max_entries(), 1_000_000);
    assert_eq!(defaults.max_entries_per_key(), 10_000);

    // And the client really uses them: a key is served 10,000 times within
    // one proof lifetime, and refused the next time. Driven through the
    // client's own verifier, 10,001 signed proofs.
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let token = env.bound_token(&key);
    for _ in 0..defaults.max_entries_per_key() {
        client
            .verify_request(&dpop_headers(&key, &token, NOW), "GET", URL)
            .await
            .unwrap();
    }
    let error = client
        .verify_request(&dpop_headers(&key, &token, NOW), "GET", URL)
        .await
        .unwrap_err();
    assert_rate_limited(&error, PROOF_LIFETIME + 1);
    // another key is served
    let other = ProofKey::generate().unwrap();
    let other_token = env.bound_token(&other);
    client
        .verify_request(&dpop_headers(&other, &other_token, NOW), "GET", URL)
        .await
        .unwrap();
}
