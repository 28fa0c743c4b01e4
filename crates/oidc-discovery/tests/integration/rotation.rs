//! Unknown `kid`s: a rotated key is accepted at once, random kids cannot
//! hammer the JWKS endpoint.

use std::sync::Arc;
use std::time::Duration;

use dev_issuer::{DevIssuer, Endpoint, RotateMode};
use jose_core::KeyError;
use oidc_discovery::{Discovery, Error};
use tokio::sync::Barrier;

use crate::support::{self, block_on, clock, random_kid, verify};

fn assert_unknown_kid(result: Result<(), Error>) {
    let error = result.unwrap_err();
    assert!(
        matches!(error.key_error(), Some(KeyError::UnknownKid { .. })),
        "{error:?}"
    );
}

#[test]
fn a_token_signed_with_a_rotated_key_verifies_on_the_first_request() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let url = issuer.issuer_url().to_owned();
        let old_token = issuer.token().sign().unwrap();
        verify(&discovery, &url, &old_token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1);

        // Graceful rotation: the new key is published beside the old one.
        let new_kid = issuer.rotate_keys(RotateMode::KeepOld).unwrap();
        let new_token = issuer.token().sign().unwrap();
        assert_eq!(issuer.current_kid(), new_kid);
        verify(&discovery, &url, &new_token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Jwks), 2, "one refetch");
        verify(&discovery, &url, &old_token).await.unwrap();
        verify(&discovery, &url, &new_token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Jwks), 2, "both keys cached");

        // A revocation, once the rate limit allows another refetch: the new
        // key works at once, tokens of the dropped keys stop verifying.
        clock.advance(Duration::from_secs(30));
        issuer.rotate_keys(RotateMode::DropOld).unwrap();
        let newest_token = issuer.token().sign().unwrap();
        verify(&discovery, &url, &newest_token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Jwks), 3);
        assert_unknown_kid(verify(&discovery, &url, &old_token).await);
        assert_unknown_kid(verify(&discovery, &url, &new_token).await);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 3, "rate limited");
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
    });
}

/// Verifies 1,000 tokens with distinct unknown kids, all at once.
async fn flood(discovery: &Discovery, url: &str, tokens: &Arc<Vec<String>>) {
    let start = Arc::new(Barrier::new(tokens.len()));
    let tasks: Vec<_> = (0..tokens.len())
        .map(|i| {
            let (discovery, url, tokens, start) = (
                discovery.clone(),
                url.to_owned(),
                tokens.clone(),
                start.clone(),
            );
            tokio::spawn(async move {
                start.wait().await;
                verify(&discovery, &url, &tokens[i]).await
            })
        })
        .collect();
    for task in tasks {
        assert_unknown_kid(task.await.unwrap());
    }
}

#[test]
fn a_thousand_random_kids_within_30_seconds_cost_at_most_one_jwks_fetch() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let url = issuer.issuer_url().to_owned();
        verify(&discovery, &url, &issuer.token().sign().unwrap())
            .await
            .unwrap();
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1);

        // Real tokens, signed by the issuer's key under kids its JWKS does
        // not have.
        let tokens: Vec<String> = (0..1000)
            .map(|i| issuer.token().kid(random_kid(i)).sign().unwrap())
            .collect();
        let tokens = Arc::new(tokens);

        flood(&discovery, &url, &tokens).await;
        assert_eq!(
            issuer.request_count(Endpoint::Jwks),
            2,
            "exactly one refetch"
        );

        clock.advance(Duration::from_secs(29));
        flood(&discovery, &url, &tokens).await;
        assert_eq!(issuer.request_count(Endpoint::Jwks), 2, "still within 30 s");

        clock.advance(Duration::from_secs(1));
        flood(&discovery, &url, &tokens).await;
        assert_eq!(issuer.request_count(Endpoint::Jwks), 3, "one per interval");
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);

        // The good key kept working throughout.
        verify(&discovery, &url, &issuer.token().sign().unwrap())
            .await
            .unwrap();
        assert_eq!(issuer.request_count(Endpoint::Jwks), 3);
    });
}
