/*!
Outbound token exchanges an API performs at the Auth0 token endpoint.

An API often has to call another API on behalf of its caller. This crate
does the three exchanges Auth0 offers for that, as one confidential client:

- **Token Vault** ([`TokenExchangeClient::connection_token`]): the access
  token a user's federated connection holds (Google, GitHub, ...), for the
  user's Auth0 access token.
- **Custom token exchange** ([`TokenExchangeClient::exchange`]): RFC 8693,
  matched by Auth0 to a Custom Token Exchange profile through
  `subject_token_type`, with extra form parameters for the profile's Action.
- **On-behalf-of** ([`TokenExchangeClient::on_behalf_of`]): the same user's
  token for a downstream API. It never returns ID or refresh tokens.

Behaviour follows `auth0-api-python`: HTTP Basic client authentication only
(the secret never travels in the body), subject tokens checked before
sending (not blank, no surrounding whitespace, no `Bearer ` prefix),
reserved parameter names refused in `extra` whatever their case, at most
[`MAX_EXTRA_VALUES`] values per parameter, and the same error codes for bad
answers: `invalid_json` and `invalid_response` (502), `timeout_error` (504),
`network_error` (502), the server's own RFC 6749 `error` otherwise. Requests
go through [`oidc_discovery::HttpFetcher`]'s policy: `https` only except
loopback hosts, a timeout, a response size cap, no redirects.

Client secrets and issued tokens are [`Secret`]s: redacted in `Debug`, wiped
from memory on drop, read only through [`Secret::expose_secret`].

# Example

```no_run
use oidc_discovery::Discovery;
use token_exchange::{
    ClientCredentials, ConnectionTokenRequest, TokenEndpoint, TokenExchangeClient,
};

# async fn run(user_access_token: &str) -> Result<(), Box<dyn std::error::Error>> {
let client = TokenExchangeClient::new(
    ClientCredentials::new("my-api-client", "its-secret"),
    // The token endpoint comes from the tenant's discovery document, cached.
    TokenEndpoint::discovered(Discovery::new()?, "https://my-tenant.us.auth0.com/"),
)?;
let google = client
    .connection_token(&ConnectionTokenRequest::new("google-oauth2", user_access_token))
    .await?;
println!("upstream token valid until {}", google.expires_at());
# Ok(())
# }
```

Inside an API, use it through `auth0_api::ApiClient`, which configures it
from its options.

# Crate features

None.
*/

mod client;
pub use client::{TokenEndpoint, TokenExchangeClient};

mod credentials;
pub use credentials::ClientCredentials;

mod error;
pub use error::{ApiError, Error, RequestError};

pub mod grant;

mod request;
pub use request::{
    ConnectionTokenRequest, ExtraValue, MAX_EXTRA_VALUES, OnBehalfOfRequest, RESERVED_PARAMETERS,
    TokenExchangeRequest,
};

mod response;
pub use response::{ConnectionToken, ExchangedToken, OnBehalfOfToken};

mod secret;
pub use secret::Secret;
