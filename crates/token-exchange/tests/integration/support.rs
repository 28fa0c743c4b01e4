//! An issuer with a client, profiles and connection tokens, and a client
//! of it, both at `dev_issuer::testing`'s fixed instant.

use std::sync::Arc;
use std::time::Duration;

pub(crate) use dev_issuer::testing::NOW;
use dev_issuer::testing::{ClockedIssuer, clock};
use dev_issuer::{
    ConnectionToken, DevIssuer, Endpoint, ExchangeProfile, Grant, RecordedTokenRequest,
    RegisteredClient,
};
use oidc_discovery::HttpFetcher;
use token_exchange::{ClientCredentials, TokenEndpoint, TokenExchangeClient};

pub(crate) const CLIENT: (&str, &str) = ("calendar-api", "calendar-secret");
pub(crate) const LEGACY_TYPE: &str = "urn:acme:legacy-session";
pub(crate) const LEGACY_TOKEN: &str = "legacy-session-1";
pub(crate) const DOWNSTREAM: &str = "https://downstream.example";

pub(crate) async fn issuer() -> DevIssuer {
    let mut builder = DevIssuer::builder();
    builder
        .client(
            RegisteredClient::new(CLIENT.0, CLIENT.1)
                .grants([Grant::TokenExchange, Grant::FederatedConnection]),
        )
        .exchange_profile(ExchangeProfile::on_behalf_of())
        .exchange_profile(
            ExchangeProfile::custom(LEGACY_TYPE)
                .subject(LEGACY_TOKEN, "auth0|legacy-user")
                .audiences([dev_issuer::DEFAULT_AUDIENCE, DOWNSTREAM]),
        )
        .connection_token(
            ConnectionToken::new("google-oauth2", "ya29.upstream")
                .scope("calendar.readonly")
                .expires_in(Duration::from_secs(600)),
        );
    ClockedIssuer::start_with(&builder)
        .await
        .unwrap()
        .into_parts()
        .0
}

/// A client of `issuer` with a short timeout, its endpoint discovered.
pub(crate) fn client(issuer: &DevIssuer) -> TokenExchangeClient {
    client_with(issuer, CLIENT.1, Duration::from_millis(500))
}

pub(crate) fn client_with(
    issuer: &DevIssuer,
    secret: &str,
    timeout: Duration,
) -> TokenExchangeClient {
    let fetcher = HttpFetcher::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .unwrap();
    let discovery = oidc_discovery::Discovery::builder()
        .fetcher(Arc::new(fetcher.clone()))
        .build()
        .unwrap();
    TokenExchangeClient::with_fetcher(
        ClientCredentials::new(CLIENT.0, secret),
        TokenEndpoint::discovered(discovery, issuer.issuer_url()),
        fetcher,
    )
    .clock(clock())
}

/// The one token request the issuer saw.
pub(crate) fn only_request(issuer: &DevIssuer) -> RecordedTokenRequest {
    let requests = issuer.token_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().unwrap()
}

pub(crate) fn token_requests(issuer: &DevIssuer) -> usize {
    issuer.request_count(Endpoint::Token)
}
