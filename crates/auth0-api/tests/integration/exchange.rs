//! Token exchanges through `ApiClient`: the endpoint comes from the
//! tenant's (cached) discovery document, credentials from the options.

use auth0_api::ApiClient;
use auth0_api::exchange::{ConnectionTokenRequest, Error as TokenExchangeError, RequestError};
use dev_issuer::{ConnectionToken, DevIssuer, Endpoint, ExchangeProfile, Grant, RegisteredClient};

use crate::support::NOW;

const CLIENT: (&str, &str) = ("orders-api", "orders-secret");

async fn issuer() -> DevIssuer {
    DevIssuer::builder()
        .clock(std::sync::Arc::new(
            jose_core::ManualClock::at_unix_seconds(NOW),
        ))
        .client(
            RegisteredClient::new(CLIENT.0, CLIENT.1)
                .grants([Grant::TokenExchange, Grant::FederatedConnection]),
        )
        .exchange_profile(ExchangeProfile::on_behalf_of())
        .connection_token(ConnectionToken::new("github", "gho_upstream"))
        .start()
        .await
        .unwrap()
}

fn client(issuer: &DevIssuer) -> ApiClient {
    ApiClient::new(
        auth0_api::ApiClientOptions::new(issuer.issuer_url(), issuer.audience())
            .client_id(CLIENT.0)
            .client_secret(CLIENT.1),
    )
    .unwrap()
}

#[tokio::test]
async fn connection_token_and_on_behalf_of_through_the_client() {
    let issuer = issuer().await;
    let api = client(&issuer);
    let user = issuer.token().sub("auth0|user-3").sign().unwrap();
    let upstream = api
        .get_access_token_for_connection(&ConnectionTokenRequest::new("github", user.as_str()))
        .await
        .unwrap();
    assert_eq!(upstream.access_token().expose_secret(), "gho_upstream");
    let downstream = api
        .get_token_on_behalf_of(&user, "https://billing.example", Some("read:invoices"))
        .await
        .unwrap();
    let claims = api_claims(downstream.access_token().expose_secret());
    assert_eq!(claims["sub"], "auth0|user-3");
    // both used the one cached discovery document
    assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
    assert_eq!(issuer.request_count(Endpoint::Token), 2);
}

fn api_claims(token: &str) -> serde_json::Map<String, serde_json::Value> {
    jose_core::Jwt::parse(token)
        .unwrap()
        .into_unverified_claims()
}

#[tokio::test]
async fn without_credentials_nothing_is_sent() {
    let issuer = issuer().await;
    let api = ApiClient::new(auth0_api::ApiClientOptions::new(
        issuer.issuer_url(),
        issuer.audience(),
    ))
    .unwrap();
    let err = api
        .get_token_on_behalf_of("token", "https://billing.example", None)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        TokenExchangeError::Request(RequestError::MissingClientCredentials)
    ));
    assert_eq!(
        (err.error_code(), err.status_code()),
        ("invalid_configuration", 500)
    );
    assert_eq!(issuer.request_count(Endpoint::Discovery), 0);
    assert_eq!(issuer.request_count(Endpoint::Token), 0);
}

#[tokio::test]
async fn refused_client_credentials_are_502_not_the_users_401() {
    let issuer = issuer().await;
    let api = ApiClient::new(
        auth0_api::ApiClientOptions::new(issuer.issuer_url(), issuer.audience())
            .client_id(CLIENT.0)
            .client_secret("not-the-secret"),
    )
    .unwrap();
    let user = issuer.token().sub("auth0|user-4").sign().unwrap();
    let err = api
        .get_token_on_behalf_of(&user, "https://billing.example", None)
        .await
        .unwrap_err();
    let TokenExchangeError::Api(api_error) = &err else {
        panic!("expected the token endpoint's refusal, got {err:?}");
    };
    assert_eq!(api_error.upstream_status(), Some(401));
    assert_eq!(
        (err.error_code(), err.status_code()),
        ("invalid_client", 502)
    );
    assert!(!err.description().is_empty());
}
