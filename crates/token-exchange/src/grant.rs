//! The URNs of the grants and token types this crate speaks.

/// RFC 8693 token exchange.
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// Auth0 Token Vault: a federated connection's access token.
pub const FEDERATED_CONNECTION: &str =
    "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";

/// RFC 8693 token type of an OAuth access token.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The token type Auth0 issues for federated connections.
pub const FEDERATED_CONNECTION_TOKEN_TYPE: &str =
    "http://auth0.com/oauth/token-type/federated-connection-access-token";
