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
async fn a_refused_client_is_502_but_a_refused_grant_stays_400() {
    let issuer = issuer().await;
    let wrong_secret = client_with(&issuer, "not-the-secret", Duration::from_secs(2));
    let e = api_error(wrong_secret.exchange(&request()).await);
    // the API's own credentials were refused: not the end user's 401
    assert_eq!(
        (e.error_code(), e.status_code(), e.upstream_status()),
        ("invalid_client", 502, Some(401))
    );
    // the secret appears in no error
    assert!(!format!("{e:?} {e}").contains("not-the-secret"));
    assert!(!format!("{e:?}").contains(CLIENT.1));

    let unknown_subject = TokenExchangeRequest::new("not-a-legacy-session", LEGACY_TYPE);
    let e = api_error(client(&issuer).exchange(&unknown_subject).await);
    assert_eq!(
        (e.error_code(), e.status_code(), e.upstream_status()),
        ("invalid_grant", 400, Some(400))
    );
    assert!(!e.description().is_empty());
}

#[tokio::test]
async fn access_denied_is_403() {
    let issuer = issuer().await;
    issuer.set_fault(
        Endpoint::Token,
        Fault::json_body(
            StatusCode::FORBIDDEN,
            json!({"error": "access_denied", "error_description": "denied by an Action"}),
        ),
    );
    let e = api_error(client(&issuer).exchange(&request()).await);
    assert_eq!(
        (e.error_code(), e.description(), e.status_code()),
        ("access_denied", "denied by an Action", 403)
    );
}

#[tokio::test]
async fn odd_upstream_statuses_are_502() {
    let issuer = issuer().await;
    let client = client(&issuer);
    // discovery first, so that only the token endpoint misbehaves
    client.exchange(&request()).await.unwrap();
    for status in [101, 307, 401, 429, 500, 503, 999] {
        let status = StatusCode::from_u16(status).unwrap();
        for fault in [
            Fault::status(status),
            // a client error code does not make any status a client error
            Fault::json_body(status, json!({"error": "invalid_grant"})),
        ] {
            issuer.set_fault(Endpoint::Token, fault.clone());
            let e = api_error(client.exchange(&request()).await);
            assert_eq!(e.status_code(), 502, "{fault:?}: {e:?}");
        }
    }
}

#[tokio::test]
async fn an_error_status_without_a_json_body_gets_a_generic_code() {
    let issuer = issuer().await;
    issuer.set_fault(
        Endpoint::Token,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE),
    );
    let e = api_error(client(&issuer).exchange(&request()).await);
    assert_eq!(
        (e.error_code(), e.status_code(), e.upstream_status()),
        ("token_exchange_error", 502, Some(503))
    );
    assert!(e.description().contains("503"), "{}", e.description());
}

#[tokio::test]
async fn server_error_text_is_sanitized() {
    let issuer = issuer().await;
    let client = client(&issuer);
    for code in [
        "invalid_grant\r\nX-Injected: 1".to_owned(),
        "invalid_\"grant".to_owned(),
        "x".repeat(65),
    ] {
        issuer.set_fault(
            Endpoint::Token,
            Fault::json_body(
                StatusCode::BAD_REQUEST,
                json!({"error": code, "error_description": "line one\nline \"two\"\u{7}"}),
            ),
        );
        let e = api_error(client.exchange(&request()).await);
        assert_eq!(
            (e.error_code(), e.status_code()),
            ("token_exchange_error", 502),
            "{code:?}"
        );
        assert_eq!(e.description(), "line one line 'two'");
    }
    issuer.set_fault(
        Endpoint::Token,
        Fault::json_body(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "d".repeat(100_000)}),
        ),
    );
    let e = api_error(client.exchange(&request()).await);
    assert_eq!((e.error_code(), e.status_code()), ("invalid_grant", 400));
    assert_eq!(e.description().len(), 256);
}

#[tokio::test]
async fn a_failed_discovery_names_its_cause_once() {
    let issuer = issuer().await;
    issuer.set_fault(
        Endpoint::Discovery,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE),
    );
    let e = client(&issuer).exchange(&request()).await.unwrap_err();
    assert!(matches!(e, Error::Discovery(_)), "{e:?}");
    assert_eq!((e.error_code(), e.status_code()), ("discovery_error", 503));
    let cause = std::error::Error::source(&e).unwrap().to_string();
    assert!(cause.contains("503"), "{cause}");
    assert_eq!(e.to_string(), "token endpoint discovery failed");
    assert_eq!(e.description(), e.to_string());
}

#[tokio::test]
async fn a_2xx_with_invalid_json() {
    let issuer = issuer().await;
    issuer.set_fault(Endpoint::Token, Fault::garbage_body());
    let e = api_error(client(&issuer).exchange(&request()).await);
    assert_eq!((e.error_code(), e.status_code()), ("invalid_json", 502));
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
        // more than ten years
        json!({"access_token": "at", "expires_in": 1e300}),
        json!({"access_token": "at", "expires_in": 315_360_001}),
        json!({"access_token": "at", "expires_in": u64::MAX}),
        json!({"access_token": "at", "expires_in": "315360001"}),
    ] {
        issuer.set_fault(
            Endpoint::Token,
            Fault::json_body(StatusCode::OK, body.clone()),
        );
        let e = api_error(client.exchange(&request()).await);
        assert_eq!(
            (e.error_code(), e.status_code()),
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
    assert_eq!((e.error_code(), e.status_code()), ("timeout_error", 504));
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
    let e = client(&issuer).exchange(&request()).await.unwrap_err();
    assert_eq!((e.error_code(), e.status_code()), ("network_error", 502));
    // the cause is reachable through source(), and said once
    let cause = std::error::Error::source(&e).expect("the fetch error");
    assert!(
        cause.to_string().starts_with("the request to http://"),
        "{cause}"
    );
    assert!(!e.to_string().contains(&cause.to_string()), "{e}");
    assert_eq!(
        e.to_string(),
        "network_error: the request to the token endpoint failed"
    );
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
        assert_eq!(
            (e.error_code(), e.status_code()),
            ("response_too_large", 502)
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
