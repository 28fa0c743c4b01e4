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

Unlike `auth0-api-python`, the token endpoint's status is never passed on
as the one an API should answer with: only the end user's mistakes keep a
4xx (a 400 or 403 with `invalid_request`, `invalid_grant`,
`invalid_scope`, `unauthorized_client` or `unsupported_grant_type` is 400,
with `access_denied` 403); everything else is 502, including the 401
`invalid_client` that means this API's own credentials were refused (see
[`ApiError::status_code`]).
The server's `error` is kept only within RFC 6749's character set and 64
characters, its `error_description` is cleaned and cut to 256, and an
`expires_in` beyond ten years is refused as `invalid_response`. Errors
answer to `error_code()`, `description()` and `status_code()`, like the
rest of the workspace.

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

mod error_answer;

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
