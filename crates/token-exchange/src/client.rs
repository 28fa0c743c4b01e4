//! Sending the requests to the token endpoint.

use std::sync::Arc;

use jose_core::{Clock, SystemClock};
use oidc_discovery::{Discovery, FetchError, HttpFetcher};
use url::Url;

use crate::credentials::ClientCredentials;
use crate::error::{ApiError, Error};
use crate::error_answer::error_response;
use crate::request::{ConnectionTokenRequest, OnBehalfOfRequest, TokenExchangeRequest};
use crate::response::{ConnectionToken, ExchangedToken, OnBehalfOfToken, TokenResponse};
use crate::secret::Secret;

/// Performs token exchanges as one confidential client.
///
/// Every request authenticates with HTTP Basic (the secret never goes in
/// the body), goes through [`HttpFetcher`]'s policy (`https` only except
/// loopback, a timeout, a response size cap, no redirects for POSTs), and
/// is validated before it is sent.
///
/// ```no_run
/// use oidc_discovery::Discovery;
/// use token_exchange::{
///     ClientCredentials, TokenEndpoint, TokenExchangeClient, TokenExchangeRequest,
/// };
///
/// # async fn run(user_token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let endpoint = TokenEndpoint::discovered(Discovery::new()?, "https://tenant.auth0.com/");
/// let client = TokenExchangeClient::new(
///     ClientCredentials::new("client-id", "client-secret"),
///     endpoint,
/// )?;
/// let token = client
///     .exchange(
///         &TokenExchangeRequest::new(user_token, "urn:acme:legacy-token")
///             .audience("https://api.example.com")
///             .extra("device_id", "d-42"),
///     )
///     .await?;
/// println!("expires at {}", token.expires_at());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TokenExchangeClient {
    credentials: ClientCredentials,
    endpoint: TokenEndpoint,
    fetcher: HttpFetcher,
    clock: Arc<dyn Clock>,
}

/// Where the token endpoint is.
#[derive(Debug, Clone)]
pub struct TokenEndpoint(EndpointSource);

#[derive(Debug, Clone)]
enum EndpointSource {
    Fixed(Url),
    Discovered {
        discovery: Discovery,
        issuer: String,
    },
}

impl TokenEndpoint {
    /// A known URL.
    pub fn url(url: Url) -> Self {
        Self(EndpointSource::Fixed(url))
    }

    /// The `token_endpoint` of `issuer`'s discovery document, looked up
    /// through (and cached by) `discovery` at each request.
    pub fn discovered(discovery: Discovery, issuer: impl Into<String>) -> Self {
        Self(EndpointSource::Discovered {
            discovery,
            issuer: issuer.into(),
        })
    }

    async fn resolve(&self) -> Result<Url, Error> {
        match &self.0 {
            EndpointSource::Fixed(url) => Ok(url.clone()),
            EndpointSource::Discovered { discovery, issuer } => discovery
                .document(issuer)
                .await?
                .token_endpoint()
                .cloned()
                .ok_or_else(|| {
                    ApiError::new(
                        "invalid_configuration",
                        format!("the discovery document of {issuer} has no token_endpoint"),
                        502,
                    )
                    .into()
                }),
        }
    }
}

impl TokenExchangeClient {
    /// A client with the default [`HttpFetcher`] (10 s timeout, 1 MiB cap).
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be set up (no root certificates).
    pub fn new(
        credentials: ClientCredentials,
        endpoint: TokenEndpoint,
    ) -> Result<Self, oidc_discovery::Error> {
        Ok(Self::with_fetcher(
            credentials,
            endpoint,
            HttpFetcher::new()?,
        ))
    }

    /// A client sending through `fetcher` (its timeout and size cap apply).
    pub fn with_fetcher(
        credentials: ClientCredentials,
        endpoint: TokenEndpoint,
        fetcher: HttpFetcher,
    ) -> Self {
        Self {
            credentials,
            endpoint,
            fetcher,
            clock: Arc::new(SystemClock::default()),
        }
    }

    /// The clock that turns `expires_in` into `expires_at`.
    ///
    /// Default: [`SystemClock`].
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The client id requests are made as.
    pub fn client_id(&self) -> &str {
        self.credentials.client_id()
    }

    /// Token Vault: the access token of a user's federated connection.
    ///
    /// # Errors
    ///
    /// [`Error::Request`] before sending when `connection` or the access
    /// token is empty; [`Error::Api`] for the endpoint's answer.
    pub async fn connection_token(
        &self,
        request: &ConnectionTokenRequest,
    ) -> Result<ConnectionToken, Error> {
        let body = request.form(self.credentials.client_id())?;
        let response = self.send(body, "connection_token_error").await?;
        Ok(response.into_connection_token(self.now()))
    }

    /// RFC 8693 custom token exchange.
    ///
    /// # Errors
    ///
    /// [`Error::Request`] before sending for a blank, padded or
    /// `Bearer `-prefixed subject token, a reserved `extra` name or too many
    /// values; [`Error::Api`] for the endpoint's answer.
    pub async fn exchange(&self, request: &TokenExchangeRequest) -> Result<ExchangedToken, Error> {
        let body = request.form()?;
        let response = self.send(body, "token_exchange_error").await?;
        Ok(response.into_exchanged_token(self.now()))
    }

    /// On-behalf-of: the same user's token for a downstream API.
    ///
    /// # Errors
    ///
    /// As [`TokenExchangeClient::exchange`].
    pub async fn on_behalf_of(
        &self,
        request: &OnBehalfOfRequest,
    ) -> Result<OnBehalfOfToken, Error> {
        let body = request.form()?;
        let response = self.send(body, "on_behalf_of_error").await?;
        Ok(response.into_on_behalf_of_token(self.now()))
    }

    async fn send(&self, body: Secret, fallback_code: &str) -> Result<TokenResponse, Error> {
        let token_endpoint = self.endpoint.resolve().await?;
        let authorization = self.credentials.basic_authorization();
        let response = self
            .fetcher
            .post_form(
                &token_endpoint,
                authorization.expose_secret(),
                body.expose_secret().to_owned(),
            )
            .await
            .map_err(transport_error)?;
        let status = response.status();
        if !status.is_success() {
            return Err(error_response(status.as_u16(), response.body(), fallback_code).into());
        }
        Ok(TokenResponse::parse(response.body())?)
    }

    fn now(&self) -> u64 {
        self.clock.since_epoch().as_secs()
    }
}

/// The request never got a usable answer: `error` becomes the source, and
/// the description does not repeat it.
fn transport_error(error: FetchError) -> ApiError {
    match &error {
        FetchError::Timeout { after, .. } => ApiError::transport(
            "timeout_error",
            format!("token endpoint did not answer within {after:?}"),
            504,
            error,
        ),
        FetchError::TooLarge { limit, .. } => ApiError::transport(
            "response_too_large",
            format!("token endpoint answer exceeds {limit} bytes"),
            502,
            error,
        ),
        other if other.is_refused_before_connecting() => ApiError::transport(
            "invalid_token_endpoint",
            "the token endpoint URL is refused by the fetch policy".to_owned(),
            502,
            error,
        ),
        _ => ApiError::transport(
            "network_error",
            "the request to the token endpoint failed".to_owned(),
            502,
            error,
        ),
    }
}
