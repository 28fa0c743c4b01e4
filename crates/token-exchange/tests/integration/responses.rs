//! Each way a token endpoint can answer badly, produced by the issuer's
//! fault injection, and the error it becomes.

use std::time::{Duration, Instant};

use dev_issuer::{Endpoint, Fault};
use http::StatusCode;
use serde_json::json;
use token_exchange::{ApiError, Error, TokenExchangeRequest};

use crate::support::{CLIENT, LEGACY_TOKEN, LEGACY_TYPE, client, client_with, issuer};

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> ApiError {
    match result {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn request() -> TokenExchangeRequest {
    TokenExchangeRequest::new(LEGACY_TOKEN, LEGACY_TYPE)
}

#[tokio::test]
async fn an_rfc6749_error_body_is_passed_on() {
    let issuer = issuer().await;
    let wrong_secret = client_with(&issuer, "not-the-secret", Duration::from_secs(2));
    let e = api_error(wrong_secret.exchange(&request()).await);
    assert_eq!((e.code(), e.status_code()), ("invalid_client", 401));
    // the secret appears in no error
    assert!(!format!("{e:?} {e}").contains("not-the-secret"));
    assert!(!format!("{e:?}").contains(CLIENT.1));

    let unknown_subject = TokenExchangeRequest::new("not-a-legacy-session", LEGACY_TYPE);
    let e = api_error(client(&issuer).exchange(&unknown_subject).await);
    assert_eq!((e.code(), e.status_code()), ("invalid_grant", 400));
    assert!(!e.message().is_empty());
}

#[tokio::test]
async fn an_error_status_without_a_json_body_gets_a_generic_code() {
    let issuer = issuer().await;
    issuer.set_fault(
        Endpoint::Token,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE),
    );
    let e = api_error(client(&issuer).exchange(&request()).await);
    assert_eq!((e.code(), e.status_code()), ("token_exchange_error", 503));
}

#[tokio::test]
async fn a_2xx_with_invalid_json() {
    let issuer = issuer().await;
    issuer.set_fault(Endpoint::Token, Fault::garbage_body());
    let e = api_error(client(&issuer).exchange(&request()).await);
    assert_eq!((e.code(), e.status_code()), ("invalid_json", 502));
}

#[tokio::test]
async fn a_2xx_without_a_usable_access_token_or_expiry() {
    let issuer = issuer().await;
    let client = client(&issuer);
    for body in [
        json!({"token_type": "Bearer"}),
        json!({"access_token": 42}),
        json!({"access_token": ""}),
        json!({"access_token": "at", "expires_in": "soon"}),
        json!({"access_token": "at", "expires_in": 1.5}),
        json!({"access_token": "at", "expires_in": -1}),
        json!({"access_token": "at", "expires_in": "-60"}),
    ] {
        issuer.set_fault(
            Endpoint::Token,
            Fault::json_body(StatusCode::OK, body.clone()),
        );
        let e = api_error(client.exchange(&request()).await);
        assert_eq!(
            (e.code(), e.status_code()),
            ("invalid_response", 502),
            "{body}"
        );
    }
    // a numeric string is accepted
    issuer.set_fault(
        Endpoint::Token,
        Fault::json_body(
            StatusCode::OK,
            json!({"access_token": "at", "expires_in": "60", "scope": ""}),
        ),
    );
    let token = client.exchange(&request()).await.unwrap();
    assert_eq!((token.expires_in(), token.scope()), (60, Some("")));
}

#[tokio::test]
async fn an_endpoint_that_never_answers_times_out_within_the_bound() {
    let issuer = issuer().await;
    let client = client(&issuer);
    // discovery first, so that only the token request hangs
    client.exchange(&request()).await.unwrap();
    issuer.set_fault(Endpoint::Token, Fault::hang());
    let started = Instant::now();
    let e = api_error(client.exchange(&request()).await);
    assert_eq!((e.code(), e.status_code()), ("timeout_error", 504));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error() {
    let issuer = issuer().await;
    issuer.set_fault(Endpoint::Token, Fault::close_connection());
    let e = api_error(client(&issuer).exchange(&request()).await);
    assert_eq!((e.code(), e.status_code()), ("network_error", 502));
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let issuer = issuer().await;
    for fault in [
        Fault::oversized_body(50_000_000),
        Fault::oversized_chunked_body(50_000_000),
    ] {
        issuer.set_fault(Endpoint::Token, fault);
        let started = Instant::now();
        let e = api_error(client(&issuer).exchange(&request()).await);
        assert_eq!((e.code(), e.status_code()), ("response_too_large", 502));
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
