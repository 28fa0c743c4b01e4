//! Fault injection and request counters, each on an issuer of its own so
//! that no other test sees the fault.

use std::time::{Duration, Instant};

use dev_issuer::{DevIssuer, Endpoint, Fault};
use http::StatusCode;

use crate::support::{block_on, client_credentials, get, http};

async fn issuer() -> DevIssuer {
    DevIssuer::start().await.unwrap()
}

#[test]
fn a_status_fault_answers_with_that_status_for_as_many_requests_as_asked() {
    block_on(async {
        let issuer = issuer().await;
        issuer.set_fault(
            Endpoint::Jwks,
            Fault::status(StatusCode::SERVICE_UNAVAILABLE).times(2),
        );
        for _ in 0..2 {
            let reply = get(issuer.jwks_uri()).await;
            assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
            assert!(reply.body.is_null(), "no body");
        }
        let reply = get(issuer.jwks_uri()).await;
        assert_eq!(reply.status, StatusCode::OK, "the fault cleared itself");
        assert_eq!(issuer.request_count(Endpoint::Jwks), 3);
        assert_eq!(issuer.request_count(Endpoint::Discovery), 0);

        // Other endpoints were never affected.
        issuer.set_fault(Endpoint::Discovery, Fault::status(StatusCode::NOT_FOUND));
        assert_eq!(get(issuer.jwks_uri()).await.status, StatusCode::OK);
        assert_eq!(
            get(issuer.discovery_url()).await.status,
            StatusCode::NOT_FOUND
        );
        issuer.clear_fault(Endpoint::Discovery);
        assert_eq!(get(issuer.discovery_url()).await.status, StatusCode::OK);
    });
}

#[test]
fn a_garbage_body_claims_json_and_is_not() {
    block_on(async {
        let issuer = issuer().await;
        issuer.set_fault(Endpoint::Discovery, Fault::garbage_body());
        let reply = get(issuer.discovery_url()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers["content-type"], "application/json");
        // `Reply` keeps a body that is not JSON as text.
        assert!(reply.body.is_string(), "{:?}", reply.body);
    });
}

/// Reads at most `cap` bytes of `url`, as a fetcher with a size cap would,
/// and returns the announced length and how much was read.
async fn read_capped(url: &str, cap: usize) -> (Option<u64>, usize) {
    let mut response = http().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let announced = response.content_length();
    let mut read = 0;
    while let Some(chunk) = response.chunk().await.unwrap() {
        read += chunk.len();
        if read > cap {
            break;
        }
    }
    (announced, read)
}

#[test]
fn an_oversized_body_is_streamed_with_or_without_its_length() {
    const FIFTY_MB: u64 = 50 * 1024 * 1024;
    const CAP: usize = 1024 * 1024;
    block_on(async {
        let issuer = issuer().await;
        issuer.set_fault(Endpoint::Jwks, Fault::oversized_body(FIFTY_MB));
        let (announced, read) = read_capped(issuer.jwks_uri(), CAP).await;
        assert_eq!(announced, Some(FIFTY_MB));
        assert!(read > CAP && read < 2 * CAP, "stopped reading at the cap");

        issuer.set_fault(Endpoint::Jwks, Fault::oversized_chunked_body(FIFTY_MB));
        let (announced, read) = read_capped(issuer.jwks_uri(), CAP).await;
        assert_eq!(announced, None, "a chunked body announces no length");
        assert!(read > CAP);

        // A small one, read whole: exactly the size asked for.
        issuer.set_fault(Endpoint::Jwks, Fault::oversized_chunked_body(200_000));
        let reply = get(issuer.jwks_uri()).await;
        let body = reply
            .body
            .as_str()
            .expect("a body that is not JSON, as text");
        assert_eq!(body.len(), 200_000);
        assert!(body.starts_with('{'));
    });
}

#[test]
fn closing_the_connection_leaves_the_client_without_an_answer() {
    block_on(async {
        let issuer = issuer().await;
        issuer.set_fault(Endpoint::Token, Fault::close_connection().times(1));
        let form = "grant_type=client_credentials";
        let error = http()
            .post(issuer.token_endpoint())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap_err();
        assert!(!error.is_timeout(), "{error}");
        assert!(error.status().is_none(), "no status was received: {error}");
        assert_eq!(issuer.request_count(Endpoint::Token), 1);
        assert!(
            issuer.token_requests().is_empty(),
            "the token endpoint itself never ran"
        );

        let reply = client_credentials().send(&issuer).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(issuer.token_requests().len(), 1);
    });
}

#[test]
fn a_hanging_endpoint_never_answers() {
    block_on(async {
        let issuer = issuer().await;
        issuer.set_fault(Endpoint::Discovery, Fault::hang());
        // The client's timeout is what ends the wait: that is the test.
        let error = http()
            .get(issuer.discovery_url())
            .timeout(Duration::from_millis(150))
            .send()
            .await
            .unwrap_err();
        assert!(error.is_timeout(), "{error}");
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
    });
}

#[test]
fn latency_delays_the_answer() {
    const DELAY: Duration = Duration::from_millis(100);
    block_on(async {
        let issuer = issuer().await;
        issuer.set_fault(Endpoint::Jwks, Fault::latency(DELAY));
        let started = Instant::now();
        let reply = get(issuer.jwks_uri()).await;
        assert!(started.elapsed() >= DELAY);
        assert_eq!(reply.status, StatusCode::OK);

        issuer.set_fault(
            Endpoint::Jwks,
            Fault::status(StatusCode::BAD_GATEWAY).with_latency(DELAY),
        );
        let started = Instant::now();
        let reply = get(issuer.jwks_uri()).await;
        assert!(started.elapsed() >= DELAY);
        assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    });
}

#[test]
fn counters_and_records_reset() {
    block_on(async {
        let issuer = issuer().await;
        get(issuer.discovery_url()).await;
        get(issuer.jwks_uri()).await;
        get(issuer.jwks_uri()).await;
        client_credentials().send(&issuer).await;
        get(&format!("{}elsewhere", issuer.issuer_url())).await;
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 2);
        assert_eq!(issuer.request_count(Endpoint::Token), 1);
        assert_eq!(issuer.token_requests().len(), 1);

        issuer.reset_counters();
        assert!(
            Endpoint::ALL
                .into_iter()
                .all(|e| issuer.request_count(e) == 0)
        );
        assert_eq!(issuer.token_requests().len(), 1, "records are separate");

        issuer.set_fault(Endpoint::Jwks, Fault::garbage_body());
        issuer.reset();
        assert!(issuer.token_requests().is_empty());
        assert_eq!(
            get(issuer.jwks_uri()).await.body["keys"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1);
    });
}
