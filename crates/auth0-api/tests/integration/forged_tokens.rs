//! Issue 12, at the `ApiClient`: forged tokens must not turn into outbound
//! fetches (a failing issuer is asked once per 5 s back-off, whatever the
//! request rate), nor push the configured tenant's keys out of the cache
//! (it is pinned, and keeps verifying from its stale copy while down).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use auth0_api::discovery::MemoryStore;
use auth0_api::{ApiClient, ApiClientOptions, AuthErrorKind, DomainsResolver, ResolverContext};
use dev_issuer::{DevIssuer, Endpoint, Fault};
use http::StatusCode;
use jose_core::ManualClock;
use tokio::sync::Barrier;

use crate::support::NOW;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at_unix_seconds(NOW))
}

async fn issuer(clock: &Arc<ManualClock>) -> DevIssuer {
    DevIssuer::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap()
}

async fn issuers(clock: &Arc<ManualClock>, n: usize) -> Vec<DevIssuer> {
    let mut issuers = Vec::with_capacity(n);
    for _ in 0..n {
        issuers.push(issuer(clock).await);
    }
    issuers
}

/// (discovery, JWKS) requests `issuer` received.
fn counts(issuer: &DevIssuer) -> (usize, usize) {
    (
        issuer.request_count(Endpoint::Discovery),
        issuer.request_count(Endpoint::Jwks),
    )
}

fn total(issuers: &[DevIssuer]) -> (usize, usize) {
    issuers
        .iter()
        .map(counts)
        .fold((0, 0), |(d, j), (dd, jj)| (d + dd, j + jj))
}

/// A token naming `issuer`, with its current `kid`, signed by a key that is
/// not its own.
fn forged(issuer: &DevIssuer, n: usize) -> String {
    issuer
        .token()
        .sub(format!("attacker-{n}"))
        .signed_with_wrong_key()
        .sign()
        .unwrap()
}

fn outage(issuer: &DevIssuer) {
    let unavailable = Fault::status(StatusCode::SERVICE_UNAVAILABLE);
    issuer.set_fault(Endpoint::Discovery, unavailable.clone());
    issuer.set_fault(Endpoint::Jwks, unavailable);
}

/// A client for `home`'s tenant that also accepts `failing`'s tokens.
fn two_domain_client(clock: &Arc<ManualClock>, home: &DevIssuer, failing: &DevIssuer) -> ApiClient {
    ApiClient::new(
        ApiClientOptions::new(home.issuer_url(), home.audience())
            .domains([home.issuer_url(), failing.issuer_url()])
            .clock(clock.clone()),
    )
    .unwrap()
}

#[tokio::test]
async fn a_thousand_forged_tokens_for_a_failing_issuer_fetch_once_per_back_off() {
    let clock = clock();
    let (home, failing) = (issuer(&clock).await, issuer(&clock).await);
    failing.set_fault(
        Endpoint::Discovery,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE),
    );
    let client = two_domain_client(&clock, &home, &failing);
    let valid = home.token().sub("auth0|user").sign().unwrap();

    // 1,000 forged tokens, 50 ms apart (50 s): each answered 503 (keys
    // cannot be fetched), with one discovery fetch per 5 s back-off.
    for n in 0..1_000 {
        let error = client
            .verify_access_token(&forged(&failing, n))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Unavailable, "{error:?}");
        assert_eq!(error.status_code(), 503);
        assert_eq!(
            failing.request_count(Endpoint::Discovery),
            n / 100 + 1,
            "token {n}"
        );
        // The home tenant is not affected.
        client.verify_access_token(&valid).await.unwrap();
        clock.advance(Duration::from_millis(50));
    }
    assert_eq!(counts(&failing), (10, 0));
    assert_eq!(counts(&home), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_forged_tokens_for_a_failing_issuer_fetch_once() {
    let clock = clock();
    let (home, failing) = (issuer(&clock).await, issuer(&clock).await);
    // Slow, so that every request arrives while the one fetch is running.
    failing.set_fault(
        Endpoint::Discovery,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE).with_latency(Duration::from_millis(200)),
    );
    let client = two_domain_client(&clock, &home, &failing);
    let barrier = Arc::new(Barrier::new(1_000));
    let tasks: Vec<_> = (0..1_000)
        .map(|n| {
            let (client, barrier, token) = (client.clone(), barrier.clone(), forged(&failing, n));
            tokio::spawn(async move {
                barrier.wait().await;
                client.verify_access_token(&token).await
            })
        })
        .collect();
    for task in tasks {
        let error = tokio::time::timeout(Duration::from_secs(20), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Unavailable, "{error:?}");
    }
    // And 1,000 more right after: the failure is remembered.
    for n in 0..1_000 {
        let error = client
            .verify_access_token(&forged(&failing, n))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Unavailable, "{error:?}");
    }
    assert_eq!(counts(&failing), (1, 0));
}

/// Accepts a fixed list of domains, whatever the request.
#[derive(Debug)]
struct Accepts(Vec<String>);

#[async_trait]
impl DomainsResolver for Accepts {
    async fn allowed_domains(
        &self,
        _: &ResolverContext<'_>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.0.clone())
    }
}

/// Forged tokens for each of `pool`, a millisecond apart (so "least
/// recently used" is never a tie): every one refused as invalid.
async fn forge_round(client: &ApiClient, clock: &ManualClock, pool: &[DevIssuer], round: usize) {
    for (i, issuer) in pool.iter().enumerate() {
        clock.advance(Duration::from_millis(1));
        let error = client
            .verify_access_token(&forged(issuer, round * pool.len() + i))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::InvalidToken, "{error:?}");
    }
}

#[tokio::test]
async fn forged_tokens_cycling_resolver_issuers_cannot_evict_the_home_tenant_in_an_outage() {
    let clock = clock();
    let home = issuer(&clock).await;
    let pool = issuers(&clock, 5).await;
    let mut accepted: Vec<String> = pool.iter().map(|i| i.issuer_url().to_owned()).collect();
    accepted.push(home.issuer_url().to_owned());
    let resolver = Arc::new(Accepts(accepted));
    // The home tenant is `domain` (pinned); the resolver's five other
    // issuers share a pool of two.
    let client = ApiClient::new(
        ApiClientOptions::new(home.issuer_url(), home.audience())
            .domains_resolver(resolver.clone())
            .cache_max_entries(2)
            .clock(clock.clone()),
    )
    .unwrap();
    let valid = home.token().sub("auth0|user").sign().unwrap();
    client.verify_access_token(&valid).await.unwrap();

    // The home tenant's cache expires (max-age=600), and it goes down.
    clock.advance(Duration::from_secs(600));
    outage(&home);
    // 100 rounds of 100 ms (10 s): a forged token for each of the five
    // resolver issuers, then the home tenant's valid token.
    for round in 0..100 {
        forge_round(&client, &clock, &pool, round).await;
        let claims = client
            .verify_access_token(&valid)
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        assert_eq!(claims.sub(), Some("auth0|user"));
        clock.advance(Duration::from_millis(95));
    }
    // Five issuers through a pool of two: each forged token cost a
    // discovery and a JWKS fetch (500 tokens) ...
    assert_eq!(total(&pool), (500, 500));
    // ... but the pinned home tenant kept its stale copy, and was asked
    // once per endpoint per 5 s back-off: the first fetch, then at
    // 600.005 s and 605.005 s.
    assert_eq!(counts(&home), (1 + 2, 1 + 2));

    // The attacked client: the home tenant accepted only through
    // the resolver, so in the pool. One round of forged tokens evicts its
    // stale copy, and its valid token gets a 503.
    home.reset();
    // On the issuers' clock: forged tokens whose claims are wrong for the
    // client's time (issued in its future, say) are refused before any
    // fetch, and could not evict anything.
    let unpinned = ApiClient::new(
        ApiClientOptions::for_audience(home.audience())
            .domains_resolver(resolver)
            .cache_max_entries(2)
            .clock(clock.clone()),
    )
    .unwrap();
    unpinned.verify_access_token(&valid).await.unwrap();
    clock.advance(Duration::from_secs(600));
    outage(&home);
    forge_round(&unpinned, &clock, &pool, 100).await;
    let error = unpinned.verify_access_token(&valid).await.unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::Unavailable, "{error:?}");
    assert_eq!(counts(&home), (1 + 1, 1));
}

#[tokio::test]
async fn every_listed_domain_is_pinned_past_cache_max_entries() {
    let clock = clock();
    let listed = issuers(&clock, 5).await;
    let client = ApiClient::new(
        ApiClientOptions::for_audience(listed[0].audience())
            .domains(listed.iter().map(DevIssuer::issuer_url))
            .cache_max_entries(2)
            .clock(clock.clone()),
    )
    .unwrap();
    // Five listed issuers, a pool of two: 100 rounds of forged tokens cost
    // one discovery and one JWKS fetch per issuer, in all.
    for round in 0..100 {
        forge_round(&client, &clock, &listed, round).await;
    }
    assert_eq!(total(&listed), (5, 5));
    for issuer in &listed {
        let valid = issuer.token().sub("auth0|user").sign().unwrap();
        client.verify_access_token(&valid).await.unwrap();
    }
    assert_eq!(total(&listed), (5, 5));
}

#[tokio::test]
async fn two_clients_sharing_a_document_store_fetch_once() {
    let clock = clock();
    let home = issuer(&clock).await;
    let store = Arc::new(MemoryStore::default());
    let client = |clock: &Arc<ManualClock>| {
        ApiClient::new(
            ApiClientOptions::new(home.issuer_url(), home.audience())
                .document_store(store.clone())
                .clock(clock.clone()),
        )
        .unwrap()
    };
    let (one, two) = (client(&clock), client(&clock));
    let valid = home.token().sub("auth0|user").sign().unwrap();

    one.verify_access_token(&valid).await.unwrap();
    assert_eq!(counts(&home), (1, 1));
    assert_eq!(store.len(), 2, "the discovery document and the JWKS");
    let claims = two.verify_access_token(&valid).await.unwrap();
    assert_eq!(claims.sub(), Some("auth0|user"));
    assert_eq!(counts(&home), (1, 1), "the second client fetched nothing");

    // Without the store, a third client fetches for itself.
    let alone = ApiClient::new(
        ApiClientOptions::new(home.issuer_url(), home.audience()).clock(clock.clone()),
    )
    .unwrap();
    alone.verify_access_token(&valid).await.unwrap();
    assert_eq!(counts(&home), (2, 2));
}
