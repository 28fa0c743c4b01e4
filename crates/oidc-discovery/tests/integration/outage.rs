//! Stale-if-error: when the issuer is down, the last good keys keep
//! verifying for a bounded time, then a clear error.

use std::time::Duration;

use dev_issuer::{DevIssuer, Endpoint, Fault};
use http::StatusCode;
use oidc_discovery::FetchError;

use crate::support::{self, NOW, block_on, clock, verify};

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn cached_keys_keep_verifying_within_the_stale_window_then_a_clear_error() {
    block_on(async {
        // max-age=600 (the issuer's default), stale-if-error 600 s (ours).
        let issuer = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let url = issuer.issuer_url().to_owned();
        let discovery_url = issuer.discovery_url().to_owned();
        let token = issuer.token().sign().unwrap();
        verify(&discovery, &url, &token).await.unwrap();

        // The issuer goes away: its port refuses connections.
        issuer.shutdown().await;

        clock.advance(601 * SECOND);
        verify(&discovery, &url, &token).await.unwrap();
        clock.set(Duration::from_secs(NOW + 600 + 599));
        verify(&discovery, &url, &token).await.unwrap();

        clock.set(Duration::from_secs(NOW + 600 + 600));
        let error = verify(&discovery, &url, &token).await.unwrap_err();
        let Some(FetchError::Connect { url: failed, .. }) = error.fetch_error() else {
            panic!("expected a connection error, got {error:?}");
        };
        assert_eq!(failed.as_str(), discovery_url);
        assert!(error.is_retryable());
        assert_eq!(
            error.to_string(),
            format!("could not connect to {discovery_url}")
        );
    });
}

#[test]
fn a_failing_issuer_is_retried_at_an_interval_and_recovery_refreshes() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());
        verify(&discovery, url, &token).await.unwrap();

        let unavailable = Fault::status(StatusCode::SERVICE_UNAVAILABLE);
        issuer.set_fault(Endpoint::Discovery, unavailable.clone());
        issuer.set_fault(Endpoint::Jwks, unavailable);
        clock.advance(600 * SECOND);
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(
            issuer.request_count(Endpoint::Discovery),
            2,
            "one failed try"
        );
        assert_eq!(issuer.request_count(Endpoint::Jwks), 2);

        // Every request keeps verifying, and the down issuer is not asked
        // again until the retry interval (5 s) has passed.
        for _ in 0..50 {
            verify(&discovery, url, &token).await.unwrap();
        }
        clock.advance(4 * SECOND);
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2);
        clock.advance(SECOND);
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 3);

        // Back up: the next try refreshes, and the entries are fresh again
        // for a whole TTL.
        issuer.clear_faults();
        clock.advance(5 * SECOND);
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 4);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 4);
        clock.advance(599 * SECOND);
        verify(&discovery, url, &token).await.unwrap();
        assert_eq!(issuer.request_count(Endpoint::Discovery), 4);
    });
}

#[test]
fn without_a_stale_window_an_expired_entry_fails_at_once() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock)
            .stale_if_error(Duration::ZERO)
            .build()
            .unwrap();
        let (url, token) = (issuer.issuer_url(), issuer.token().sign().unwrap());
        verify(&discovery, url, &token).await.unwrap();
        issuer.set_fault(
            Endpoint::Discovery,
            Fault::status(StatusCode::INTERNAL_SERVER_ERROR),
        );
        clock.advance(600 * SECOND);
        let error = verify(&discovery, url, &token).await.unwrap_err();
        assert!(
            matches!(error.fetch_error(), Some(FetchError::Status { status, .. }) if status.as_u16() == 500),
            "{error:?}"
        );
    });
}
