//! Token exchanges as methods of `ApiClient`, for the configured tenant.

use token_exchange::{
    ConnectionToken, ConnectionTokenRequest, Error as TokenExchangeError, ExchangedToken,
    OnBehalfOfRequest, OnBehalfOfToken, RequestError, TokenExchangeClient, TokenExchangeRequest,
};

use crate::client::ApiClient;

impl ApiClient {
    fn exchange_client(&self) -> Result<&TokenExchangeClient, TokenExchangeError> {
        self.token_exchange()
            .ok_or(RequestError::MissingClientCredentials.into())
    }

    /// Token Vault: the access token a user's federated connection holds
    /// (Google, GitHub, ...), in exchange for the user's Auth0 access token.
    ///
    /// # Errors
    ///
    /// [`TokenExchangeError::Request`] before anything is sent (no client
    /// credentials configured, empty connection or token);
    /// [`TokenExchangeError::Api`] for the token endpoint's answer.
    pub async fn get_access_token_for_connection(
        &self,
        request: &ConnectionTokenRequest,
    ) -> Result<ConnectionToken, TokenExchangeError> {
        self.exchange_client()?.connection_token(request).await
    }

    /// RFC 8693 custom token exchange, matched by Auth0 to a Custom Token
    /// Exchange profile through the subject token type.
    ///
    /// # Errors
    ///
    /// As [`ApiClient::get_access_token_for_connection`]; also refused
    /// before sending: a blank, padded or `Bearer `-prefixed subject token,
    /// reserved `extra` names, lists of more than 20 values.
    pub async fn get_token_by_exchange_profile(
        &self,
        request: &TokenExchangeRequest,
    ) -> Result<ExchangedToken, TokenExchangeError> {
        self.exchange_client()?.exchange(request).await
    }

    /// On-behalf-of: an access token for `audience` (a downstream API) for
    /// the same user as `access_token`. Never returns an ID or refresh token.
    ///
    /// # Errors
    ///
    /// As [`ApiClient::get_token_by_exchange_profile`].
    pub async fn get_token_on_behalf_of(
        &self,
        access_token: &str,
        audience: &str,
        scope: Option<&str>,
    ) -> Result<OnBehalfOfToken, TokenExchangeError> {
        let mut request = OnBehalfOfRequest::new(access_token, audience);
        if let Some(scope) = scope {
            request = request.scope(scope);
        }
        self.exchange_client()?.on_behalf_of(&request).await
    }
}
