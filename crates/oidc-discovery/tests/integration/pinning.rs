//! Pinned issuers: their documents and key sets stay outside the LRU pool,
//! so cycling through many other issuers can neither evict them nor take
//! away their stale-if-error copy during an outage.

use std::sync::Arc;
use std::time::Duration;

use dev_issuer::{DevIssuer, Endpoint, Fault};
use http::StatusCode;
use jose_core::ManualClock;
use oidc_discovery::Discovery;

use crate::support::{self, block_on, clock, verify};

/// (discovery, JWKS) requests so far.
fn counts(issuer: &DevIssuer) -> (usize, usize) {
    (
        issuer.request_count(Endpoint::Discovery),
        issuer.request_count(Endpoint::Jwks),
    )
}

/// The sum of [`counts`] over `issuers`.
fn total(issuers: &[DevIssuer]) -> (usize, usize) {
    issuers
        .iter()
        .map(counts)
        .fold((0, 0), |(d, j), (dd, jj)| (d + dd, j + jj))
}

async fn issuers(n: usize) -> Vec<DevIssuer> {
    let mut issuers = Vec::with_capacity(n);
    for _ in 0..n {
        issuers.push(DevIssuer::start().await.unwrap());
    }
    issuers
}

/// One key lookup (document, then JWKS) for each of `others` in turn, a
/// millisecond apart (so that "least recently used" is never a tie).
async fn cycle(discovery: &Discovery, clock: &ManualClock, others: &[DevIssuer]) {
    for other in others {
        clock.advance(Duration::from_millis(1));
        let token = other.token().sign().unwrap();
        verify(discovery, other.issuer_url(), &token).await.unwrap();
    }
}

/// `max_entries(2)` and, if `pinned`, `home` pinned.
fn discovery(clock: &Arc<ManualClock>, home: &DevIssuer, pinned: bool) -> Discovery {
    let mut builder = support::discovery(clock);
    builder.max_entries(2);
    if pinned {
        builder.pin_issuer(home.issuer_url());
    }
    builder.build().unwrap()
}

fn outage(issuer: &DevIssuer) {
    let unavailable = Fault::status(StatusCode::SERVICE_UNAVAILABLE);
    issuer.set_fault(Endpoint::Discovery, unavailable.clone());
    issuer.set_fault(Endpoint::Jwks, unavailable);
}

#[test]
fn pinned_entries_survive_cycling_many_other_issuers_past_max_entries() {
    block_on(async {
        let home = DevIssuer::start().await.unwrap();
        let others = issuers(5).await;
        let clock = clock();
        let discovery = discovery(&clock, &home, true);
        let token = home.token().sign().unwrap();
        verify(&discovery, home.issuer_url(), &token).await.unwrap();

        for _ in 0..20 {
            cycle(&discovery, &clock, &others).await;
        }
        // Five issuers through a pool of two: every lookup missed ...
        assert_eq!(total(&others), (100, 100));
        // ... and the pinned issuer, the least recently used of all, is
        // still cached.
        verify(&discovery, home.issuer_url(), &token).await.unwrap();
        assert_eq!(counts(&home), (1, 1));

        // The same traffic evicts it when it is not pinned.
        let unpinned = self::discovery(&clock, &home, false);
        verify(&unpinned, home.issuer_url(), &token).await.unwrap();
        cycle(&unpinned, &clock, &others).await;
        verify(&unpinned, home.issuer_url(), &token).await.unwrap();
        assert_eq!(counts(&home), (3, 3), "fetched again once evicted");
    });
}

#[test]
fn a_pinned_stale_copy_keeps_serving_during_an_outage_while_others_cycle() {
    block_on(async {
        let home = DevIssuer::start().await.unwrap();
        let others = issuers(5).await;
        let clock = clock();
        let discovery = discovery(&clock, &home, true);
        let token = home.token().sign().unwrap();
        verify(&discovery, home.issuer_url(), &token).await.unwrap();

        // The home issuer's entries expire (max-age=600) and it goes down.
        outage(&home);
        clock.advance(Duration::from_secs(600));
        // 100 steps of 100 ms (10 s): every other issuer looked up, then a
        // home token verified.
        for step in 0..100 {
            cycle(&discovery, &clock, &others).await;
            verify(&discovery, home.issuer_url(), &token)
                .await
                .unwrap_or_else(|e| panic!("step {step}: {e}"));
            clock.advance(Duration::from_millis(95));
        }
        // Every pool lookup missed; the home issuer was asked once per
        // endpoint per 5 s back-off (at 600.005 s and 605.005 s), besides
        // the first fetch.
        assert_eq!(total(&others), (500, 500));
        assert_eq!(counts(&home), (1 + 2, 1 + 2));

        // Unpinned, one round of the same traffic loses the stale copy: the
        // next home token fails.
        home.reset();
        let clock = support::clock();
        let unpinned = self::discovery(&clock, &home, false);
        verify(&unpinned, home.issuer_url(), &token).await.unwrap();
        outage(&home);
        clock.advance(Duration::from_secs(600));
        cycle(&unpinned, &clock, &others).await;
        let error = verify(&unpinned, home.issuer_url(), &token)
            .await
            .unwrap_err();
        assert!(error.is_retryable(), "{error:?}");
        assert_eq!(counts(&home), (1 + 1, 1));
    });
}
