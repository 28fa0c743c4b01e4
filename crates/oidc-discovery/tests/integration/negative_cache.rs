//! The negative cache: a failing issuer or `jwks_uri` is fetched at most
//! once per back-off period (`retry_after_failure`, 5 s by default),
//! however many lookups come and however fast; the failure is forgotten
//! when the period ends; a stale copy always wins over it.

use std::sync::Arc;
use std::time::Duration;

use dev_issuer::{DevIssuer, Endpoint, Fault};
use http::StatusCode;
use jose_core::Algorithm;
use oidc_discovery::{Discovery, Error, FetchError};
use tokio::sync::Barrier;

use crate::support::{self, block_on, clock, verify};

const SECOND: Duration = Duration::from_secs(1);

/// Long enough that concurrent lookups overlap the one fetch.
const SLOW: Duration = Duration::from_millis(200);

fn unavailable() -> Fault {
    Fault::status(StatusCode::SERVICE_UNAVAILABLE)
}

fn assert_unavailable(error: &Error) {
    assert!(
        matches!(
            error.fetch_error(),
            Some(FetchError::Status { status, .. }) if *status == StatusCode::SERVICE_UNAVAILABLE
        ),
        "{error:?}"
    );
}

/// `n` lookups of `issuer`'s document at once; every one must fail.
async fn concurrent_failing_lookups(discovery: &Discovery, issuer: &str, n: usize) {
    let start = Arc::new(Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (discovery, issuer, start) = (discovery.clone(), issuer.to_owned(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                discovery.document(&issuer).await
            })
        })
        .collect();
    for task in tasks {
        assert_unavailable(&task.await.unwrap().unwrap_err());
    }
}

#[test]
fn concurrent_and_sequential_lookups_of_a_failing_issuer_fetch_once_per_back_off() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(Endpoint::Discovery, unavailable().with_latency(SLOW));
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let url = issuer.issuer_url();

        concurrent_failing_lookups(&discovery, url, 300).await;
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        // Within the back-off, callers get the remembered failure at once.
        clock.advance(Duration::from_millis(4_999));
        for _ in 0..500 {
            assert_unavailable(&discovery.document(url).await.unwrap_err());
        }
        concurrent_failing_lookups(&discovery, url, 300).await;
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);

        // After it, one more fetch for the next burst, then quiet again.
        clock.advance(Duration::from_millis(1));
        concurrent_failing_lookups(&discovery, url, 300).await;
        for _ in 0..500 {
            assert_unavailable(&discovery.document(url).await.unwrap_err());
        }
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 0);
    });
}

#[test]
fn a_thousand_lookups_over_fifty_seconds_fetch_once_per_five_second_period() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(Endpoint::Discovery, unavailable());
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();

        for i in 0..1_000 {
            let error = discovery.document(issuer.issuer_url()).await.unwrap_err();
            assert_unavailable(&error);
            assert_eq!(issuer.request_count(Endpoint::Discovery), i / 100 + 1);
            clock.advance(Duration::from_millis(50));
        }
        assert_eq!(issuer.request_count(Endpoint::Discovery), 10);
    });
}

#[test]
fn a_failing_jwks_uri_is_fetched_once_per_back_off() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(Endpoint::Jwks, unavailable());
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let (url, kid) = (issuer.issuer_url(), issuer.current_kid());

        for _ in 0..200 {
            let error = discovery
                .key_for(url, Some(&kid), Algorithm::Rs256)
                .await
                .unwrap_err();
            assert_unavailable(&error);
        }
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1);

        clock.advance(5 * SECOND);
        let error = discovery
            .key_for(url, Some(&kid), Algorithm::Rs256)
            .await
            .unwrap_err();
        assert_unavailable(&error);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 2);
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1, "still fresh");
    });
}

#[test]
fn a_failure_is_not_remembered_beyond_the_back_off() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(Endpoint::Discovery, unavailable().times(1));
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());

        assert_unavailable(&verify(&discovery, url, &token).await.unwrap_err());
        // The issuer is already healthy again, but the failure is
        // remembered until the back-off ends ...
        clock.advance(Duration::from_millis(4_999));
        assert_unavailable(&verify(&discovery, url, &token).await.unwrap_err());
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        // ... and not a moment longer.
        clock.advance(Duration::from_millis(1));
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1);
        // Then cached as usual, for the TTL.
        clock.advance(599 * SECOND);
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2);
    });
}

#[test]
fn the_back_off_is_retry_after_failure_and_zero_turns_it_off() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(Endpoint::Discovery, unavailable());
        let clock = clock();
        let discovery = support::discovery(&clock)
            .retry_after_failure(30 * SECOND)
            .build()
            .unwrap();
        let url = issuer.issuer_url();
        discovery.document(url).await.unwrap_err();
        clock.advance(29 * SECOND);
        discovery.document(url).await.unwrap_err();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        clock.advance(SECOND);
        discovery.document(url).await.unwrap_err();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2);

        let off = support::discovery(&clock)
            .retry_after_failure(Duration::ZERO)
            .build()
            .unwrap();
        for _ in 0..3 {
            assert_unavailable(&off.document(url).await.unwrap_err());
        }
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2 + 3);
    });
}

#[test]
fn a_stale_copy_is_served_in_preference_to_a_remembered_failure() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock)
            .stale_if_error(20 * SECOND)
            .build()
            .unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());
        verify(&discovery, url, &token).await.unwrap();

        issuer.set_fault(Endpoint::Discovery, unavailable());
        issuer.set_fault(Endpoint::Jwks, unavailable());
        clock.advance(600 * SECOND);
        // The stale window (20 s): every lookup verifies, one failed try
        // per endpoint per 5 s.
        for _ in 0..4 {
            for _ in 0..50 {
                verify(&discovery, url, &token).await.unwrap();
            }
            clock.advance(5 * SECOND);
        }
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1 + 4);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1 + 4);

        // Past it, the failure is remembered: one fetch, then none.
        for _ in 0..50 {
            assert_unavailable(&verify(&discovery, url, &token).await.unwrap_err());
        }
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1 + 5);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1 + 4);
    });
}
