//! Single flight: many concurrent callers on a cold entry, one fetch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dev_issuer::{DevIssuer, Endpoint, Fault};
use http::StatusCode;
use jose_core::Algorithm;
use oidc_discovery::FetchError;
use tokio::sync::Barrier;

use crate::support::{self, block_on, clock, verify};

/// Long enough that every caller arrives while the first fetch is still in
/// flight: then only single flight, not the cache, keeps the count at one.
const SLOW: Duration = Duration::from_millis(300);

#[test]
fn a_thousand_concurrent_cold_verifications_cause_one_discovery_and_one_jwks_request() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(Endpoint::Discovery, Fault::latency(SLOW));
        issuer.set_fault(Endpoint::Jwks, Fault::latency(SLOW));
        let discovery = support::discovery(&clock()).build().unwrap();
        let token: Arc<str> = issuer.token().sign().unwrap().into();
        let url: Arc<str> = issuer.issuer_url().into();

        let start = Arc::new(Barrier::new(1000));
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let (discovery, url, token, start) =
                    (discovery.clone(), url.clone(), token.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    verify(&discovery, &url, &token).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }

        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1);
    });
}

#[test]
fn a_failed_cold_fetch_fails_every_waiter_once_and_is_remembered_for_the_back_off() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let unavailable = Fault::status(StatusCode::SERVICE_UNAVAILABLE)
            .with_latency(SLOW)
            .times(1);
        issuer.set_fault(Endpoint::Discovery, unavailable);
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let url: Arc<str> = issuer.issuer_url().into();

        let start = Arc::new(Barrier::new(200));
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (discovery, url, start) = (discovery.clone(), url.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    discovery.document(&url).await
                })
            })
            .collect();
        for task in tasks {
            let error = task.await.unwrap().unwrap_err();
            assert!(
                matches!(
                    error.fetch_error(),
                    Some(FetchError::Status { status, .. }) if *status == StatusCode::SERVICE_UNAVAILABLE
                ),
                "{error:?}"
            );
            assert!(error.is_retryable());
        }
        assert_eq!(
            issuer.request_count(Endpoint::Discovery),
            1,
            "one shared fetch"
        );

        // The failure is remembered for the back-off (5 s), not beyond it:
        // then the next caller fetches, and succeeds.
        clock.advance(Duration::from_millis(4_999));
        assert!(discovery.document(&url).await.is_err());
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        clock.advance(Duration::from_millis(1));
        let document = discovery.document(&url).await.unwrap();
        assert_eq!(document.issuer(), &*url);
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2);
    });
}

#[test]
fn a_slow_issuer_does_not_hold_up_another() {
    block_on(async {
        let stuck = DevIssuer::start().await.unwrap();
        stuck.set_fault(Endpoint::Discovery, Fault::hang());
        let healthy = DevIssuer::start().await.unwrap();
        let discovery = support::discovery(&clock()).build().unwrap();

        let waiting = {
            let (discovery, url) = (discovery.clone(), stuck.issuer_url().to_owned());
            tokio::spawn(async move { discovery.document(&url).await })
        };
        while stuck.request_count(Endpoint::Discovery) == 0 {
            tokio::task::yield_now().await;
        }

        // The stuck fetch holds no lock the other issuer needs.
        let started = Instant::now();
        let key = discovery
            .key_for(
                healthy.issuer_url(),
                Some(&healthy.current_kid()),
                Algorithm::Rs256,
            )
            .await
            .unwrap();
        assert_eq!(key.kid(), Some(&*healthy.current_kid()));
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(!waiting.is_finished(), "the stuck fetch is still waiting");

        // Cancelling the stuck caller frees its entry: the next caller
        // starts a new fetch instead of waiting for the abandoned one.
        waiting.abort();
        stuck.clear_faults();
        discovery.document(stuck.issuer_url()).await.unwrap();
        assert_eq!(stuck.request_count(Endpoint::Discovery), 2);
    });
}
