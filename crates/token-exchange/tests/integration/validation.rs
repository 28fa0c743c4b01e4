//! Requests refused before sending: nothing reaches the issuer.

use token_exchange::{
    ConnectionTokenRequest, Error, OnBehalfOfRequest, RequestError, TokenExchangeRequest,
};

use crate::support::{LEGACY_TOKEN, LEGACY_TYPE, client, issuer, token_requests};

fn refused(result: Result<impl std::fmt::Debug, Error>) -> RequestError {
    match result {
        Err(Error::Request(e)) => {
            assert_eq!(Error::Request(e.clone()).status_code(), 400);
            e
        }
        other => panic!("expected a refused request, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_requests_never_reach_the_issuer() {
    let issuer = issuer().await;
    let client = client(&issuer);
    let exchange = |token: &str| TokenExchangeRequest::new(token, LEGACY_TYPE);
    let cases: Vec<(RequestError, Result<(), Error>)> = vec![
        (
            RequestError::BlankSubjectToken,
            client.exchange(&exchange("")).await.map(drop),
        ),
        (
            RequestError::BlankSubjectToken,
            client.exchange(&exchange(" \t ")).await.map(drop),
        ),
        (
            RequestError::SubjectTokenWhitespace,
            client.exchange(&exchange(" token")).await.map(drop),
        ),
        (
            RequestError::SubjectTokenWhitespace,
            client.exchange(&exchange("token\n")).await.map(drop),
        ),
        (
            RequestError::SubjectTokenBearerPrefix,
            client.exchange(&exchange("Bearer token")).await.map(drop),
        ),
        (
            RequestError::SubjectTokenBearerPrefix,
            client.exchange(&exchange("BEARER token")).await.map(drop),
        ),
        (
            RequestError::MissingArgument {
                argument: "subject_token_type",
            },
            client
                .exchange(&TokenExchangeRequest::new(LEGACY_TOKEN, ""))
                .await
                .map(drop),
        ),
        (
            RequestError::MissingArgument {
                argument: "connection",
            },
            client
                .connection_token(&ConnectionTokenRequest::new("", "at"))
                .await
                .map(drop),
        ),
        (
            RequestError::MissingArgument {
                argument: "access_token",
            },
            client
                .connection_token(&ConnectionTokenRequest::new("google-oauth2", ""))
                .await
                .map(drop),
        ),
        (
            RequestError::MissingArgument {
                argument: "audience",
            },
            client
                .on_behalf_of(&OnBehalfOfRequest::new("at", ""))
                .await
                .map(drop),
        ),
        (
            RequestError::SubjectTokenBearerPrefix,
            client
                .on_behalf_of(&OnBehalfOfRequest::new("bearer at", "https://d"))
                .await
                .map(drop),
        ),
    ];
    for (expected, result) in cases {
        assert_eq!(refused(result), expected);
    }
    assert_eq!(token_requests(&issuer), 0);
}

#[tokio::test]
async fn reserved_extra_names_fail_in_any_case() {
    let issuer = issuer().await;
    let client = client(&issuer);
    for name in [
        "scope",
        "Audience",
        "CLIENT_SECRET",
        "Subject_Token",
        "resource",
    ] {
        let err = refused(
            client
                .exchange(&TokenExchangeRequest::new(LEGACY_TOKEN, LEGACY_TYPE).extra(name, "x"))
                .await,
        );
        assert!(
            matches!(err, RequestError::ReservedParameter { .. }),
            "{name}"
        );
    }
    assert_eq!(token_requests(&issuer), 0);
}

#[tokio::test]
async fn twenty_values_pass_twenty_one_fail() {
    let issuer = issuer().await;
    let client = client(&issuer);
    let values = |n: usize| (0..n).map(|i| format!("v{i}")).collect::<Vec<_>>();
    let err = refused(
        client
            .exchange(&TokenExchangeRequest::new(LEGACY_TOKEN, LEGACY_TYPE).extra("k", values(21)))
            .await,
    );
    assert_eq!(
        err,
        RequestError::TooManyValues {
            name: "k".into(),
            count: 21,
            max: 20
        }
    );
    assert_eq!(token_requests(&issuer), 0);
    client
        .exchange(&TokenExchangeRequest::new(LEGACY_TOKEN, LEGACY_TYPE).extra("k", values(20)))
        .await
        .unwrap();
    let seen = issuer.token_requests();
    assert_eq!(seen[0].field_values("k").count(), 20);
}
