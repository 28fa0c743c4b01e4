//! How long entries live: `Cache-Control: max-age` against the configured
//! TTL, TTL 0, the LRU bound, and a shared second-level store.

use std::sync::Arc;
use std::time::Duration;

use dev_issuer::{DevIssuer, Endpoint};
use jose_core::Algorithm;
use oidc_discovery::{DocumentStore, MemoryStore};

use crate::support::{self, NOW, block_on, clock, random_kid, verify};

/// (discovery, JWKS) requests so far.
fn counts(issuer: &DevIssuer) -> (usize, usize) {
    (
        issuer.request_count(Endpoint::Discovery),
        issuer.request_count(Endpoint::Jwks),
    )
}

async fn issuer_with_cache_control(value: Option<&str>) -> DevIssuer {
    DevIssuer::builder()
        .cache_control(value)
        .start()
        .await
        .unwrap()
}

#[test]
fn max_age_60_under_a_ttl_of_600_is_refetched_after_60_seconds() {
    block_on(async {
        let issuer = issuer_with_cache_control(Some("public, max-age=60")).await;
        let clock = clock();
        let discovery = support::discovery(&clock)
            .cache_ttl(Duration::from_secs(600))
            .build()
            .unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());

        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (1, 1));
        clock.advance(Duration::from_millis(59_999));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (1, 1), "fresh for 60 s");
        clock.advance(Duration::from_millis(1));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (2, 2), "refetched at 60 s");
        clock.advance(Duration::from_secs(59));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (2, 2));
    });
}

#[test]
fn the_configured_ttl_caps_a_longer_max_age_and_applies_without_one() {
    block_on(async {
        // The issuer says 600 s; the cache keeps 60 s.
        let issuer = issuer_with_cache_control(Some("public, max-age=600")).await;
        let clock = clock();
        let discovery = support::discovery(&clock)
            .cache_ttl(Duration::from_secs(60))
            .build()
            .unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());
        verify(&discovery, url, &token).await.unwrap();
        clock.advance(Duration::from_secs(59));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (1, 1));
        clock.advance(Duration::from_secs(1));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (2, 2));

        // No Cache-Control: the default TTL of 600 s.
        let issuer = issuer_with_cache_control(None).await;
        let clock = support::clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());
        verify(&discovery, url, &token).await.unwrap();
        clock.advance(Duration::from_secs(599));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (1, 1));
        clock.advance(Duration::from_secs(1));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (2, 2));
    });
}

#[test]
fn a_ttl_of_zero_caches_nothing() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let discovery = support::discovery(&clock())
            .cache_ttl(Duration::ZERO)
            .build()
            .unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());
        for round in 1..=3 {
            verify(&discovery, url, &token).await.unwrap();
            assert_eq!(counts(&issuer), (round, round));
        }
    });
}

#[test]
fn the_least_recently_used_issuer_is_evicted_beyond_max_entries() {
    block_on(async {
        let first = DevIssuer::start().await.unwrap();
        let second = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock).max_entries(1).build().unwrap();

        discovery.document(first.issuer_url()).await.unwrap();
        discovery.document(first.issuer_url()).await.unwrap();
        assert_eq!(first.request_count(Endpoint::Discovery), 1);
        clock.advance(Duration::from_secs(1));
        discovery.document(second.issuer_url()).await.unwrap();
        clock.advance(Duration::from_secs(1));
        discovery.document(first.issuer_url()).await.unwrap();
        assert_eq!(
            first.request_count(Endpoint::Discovery),
            2,
            "evicted by the second issuer"
        );
        assert_eq!(second.request_count(Endpoint::Discovery), 1);
    });
}

#[test]
fn a_shared_store_saves_a_second_instance_every_fetch() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let store = Arc::new(MemoryStore::default());
        let clock = clock();
        let one = support::discovery(&clock)
            .store(store.clone())
            .build()
            .unwrap();
        let two = support::discovery(&clock)
            .store(store.clone())
            .build()
            .unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());

        verify(&one, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (1, 1));
        assert_eq!(store.len(), 2, "the discovery document and the JWKS");
        let stored = store.get(issuer.jwks_uri()).await.unwrap().unwrap();
        assert_eq!(
            stored.expires_at(),
            Duration::from_secs(NOW + 600),
            "the issuer's max-age=600"
        );

        verify(&two, url, &token).await.unwrap();
        assert_eq!(counts(&issuer), (1, 1), "served from the store");

        // An unknown kid must not be answered from the store, which holds
        // the same key set: the refetch goes to the issuer.
        let kid = random_kid(0);
        let error = two
            .key_for(url, Some(&kid), Algorithm::Rs256)
            .await
            .unwrap_err();
        assert!(error.key_error().is_some(), "{error:?}");
        assert_eq!(counts(&issuer), (1, 2));
    });
}
