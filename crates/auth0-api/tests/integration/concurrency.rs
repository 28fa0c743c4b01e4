//! A cold client under a burst: one discovery fetch and one JWKS fetch.

use std::sync::Arc;
use std::time::Duration;

use dev_issuer::{Endpoint, Fault};
use tokio::sync::Barrier;

use crate::support::{Env, Headers, URL};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_on_a_cold_client_fetch_once() {
    let env = Env::start().await;
    // Slow answers keep every request waiting on the same fetch: only
    // single flight can then explain a count of one.
    env.issuer.set_fault(
        Endpoint::Discovery,
        Fault::latency(Duration::from_millis(200)),
    );
    env.issuer
        .set_fault(Endpoint::Jwks, Fault::latency(Duration::from_millis(200)));
    let client = env.client();
    let token = env.token();
    let headers = Arc::new(
        Headers::default()
            .authorization(&format!("Bearer {token}"))
            .0,
    );
    let barrier = Arc::new(Barrier::new(1_000));
    let tasks: Vec<_> = (0..1_000)
        .map(|_| {
            let (client, headers, barrier) = (client.clone(), headers.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                client.verify_request(&headers, "GET", URL).await
            })
        })
        .collect();
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(20), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
    assert_eq!(env.issuer.request_count(Endpoint::Discovery), 1);
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 1);
}
