//! Multiple custom domains: a static list and a per-request resolver.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use auth0_api::{ApiClient, ApiClientOptions, AuthErrorKind, DomainsResolver, ResolverContext};
use dev_issuer::{DevIssuer, Endpoint};

use crate::support::{Headers, NOW, URL};

async fn issuer(clock: &Arc<jose_core::ManualClock>) -> DevIssuer {
    DevIssuer::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap()
}

fn clock() -> Arc<jose_core::ManualClock> {
    Arc::new(jose_core::ManualClock::at_unix_seconds(NOW))
}

#[tokio::test]
async fn every_listed_issuer_verifies_and_no_other_is_contacted() {
    let clock = clock();
    let (a, b, other) = (
        issuer(&clock).await,
        issuer(&clock).await,
        issuer(&clock).await,
    );
    let client = ApiClient::new(
        ApiClientOptions::for_audience(a.audience())
            .domains([a.issuer_url(), b.issuer_url()])
            .clock(clock.clone()),
    )
    .unwrap();
    for listed in [&a, &b] {
        let claims = client
            .verify_access_token(&listed.token().sign().unwrap())
            .await
            .unwrap();
        assert_eq!(claims.iss(), Some(listed.issuer_url()));
    }
    let err = client
        .verify_access_token(&other.token().sign().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidToken);
    assert!(err.description().contains("not an accepted domain"));
    assert_eq!(other.request_count(Endpoint::Discovery), 0);
    assert_eq!(other.request_count(Endpoint::Jwks), 0);
}

/// What the resolver was given: URL, `x-tenant` header, unverified `iss`.
type Seen = (Option<String>, Option<String>, String);

/// Accepts only `allowed`, and remembers what it was asked.
#[derive(Debug)]
struct Recording {
    allowed: Vec<String>,
    seen: Mutex<Vec<Seen>>,
}

#[async_trait]
impl DomainsResolver for Recording {
    async fn allowed_domains(
        &self,
        context: &ResolverContext<'_>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
        let tenant = context
            .request_headers()
            .and_then(|h| h.get("x-tenant"))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        self.seen.lock().unwrap().push((
            context.request_url().map(str::to_owned),
            tenant,
            context.unverified_iss().to_owned(),
        ));
        Ok(self.allowed.clone())
    }
}

#[tokio::test]
async fn the_resolver_receives_its_context_and_decides() {
    let clock = clock();
    let (a, b) = (issuer(&clock).await, issuer(&clock).await);
    let resolver = Arc::new(Recording {
        allowed: vec![a.issuer_url().to_owned()],
        seen: Mutex::new(Vec::new()),
    });
    let client = ApiClient::new(
        ApiClientOptions::for_audience(a.audience())
            .domains_resolver(resolver.clone())
            .clock(clock.clone()),
    )
    .unwrap();
    let token = a.token().sign().unwrap();
    let mut headers = Headers::default().authorization(&format!("Bearer {token}"));
    headers.0.insert("x-tenant", "acme".parse().unwrap());
    client.verify_request(&headers.0, "GET", URL).await.unwrap();
    assert_eq!(
        resolver.seen.lock().unwrap()[0],
        (
            Some(URL.to_owned()),
            Some("acme".to_owned()),
            a.issuer_url().to_owned()
        )
    );

    let from_b = b.token().sign().unwrap();
    let err = client.verify_access_token(&from_b).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidToken);
    assert_eq!(b.request_count(Endpoint::Discovery), 0);
    // outside a request, the resolver sees only the issuer
    assert_eq!(
        resolver.seen.lock().unwrap()[1],
        (None, None, b.issuer_url().to_owned())
    );
}

#[derive(Debug)]
struct Failing;

#[async_trait]
impl DomainsResolver for Failing {
    async fn allowed_domains(
        &self,
        _: &ResolverContext<'_>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
        Err("tenant directory unavailable".into())
    }
}

#[derive(Debug)]
struct Empty;

#[async_trait]
impl DomainsResolver for Empty {
    async fn allowed_domains(
        &self,
        _: &ResolverContext<'_>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Vec::new())
    }
}

#[tokio::test]
async fn a_failing_resolver_is_its_own_error() {
    let clock = clock();
    let a = issuer(&clock).await;
    for resolver in [
        Arc::new(Failing) as Arc<dyn DomainsResolver>,
        Arc::new(Empty),
    ] {
        let client = ApiClient::new(
            ApiClientOptions::for_audience(a.audience())
                .domains_resolver(resolver)
                .clock(clock.clone()),
        )
        .unwrap();
        let err = client
            .verify_access_token(&a.token().sign().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), AuthErrorKind::DomainsResolver);
        assert_eq!(
            (err.status_code(), err.error_code()),
            (500, "domains_resolver_error")
        );
        assert!(err.www_authenticate().is_empty());
    }
    assert_eq!(a.request_count(Endpoint::Discovery), 0);
}
