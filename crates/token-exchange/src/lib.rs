/*!
Outbound token exchanges an API performs at the Auth0 token endpoint.
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
