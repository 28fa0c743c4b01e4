//! The registered names the token endpoint speaks: grant types and token
//! types (RFC 6749, RFC 8693 and Auth0's Token Vault).

/// `grant_type` of the client credentials grant (RFC 6749 section 4.4).
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";

/// `grant_type` of the authorization code grant (RFC 6749 section 4.1).
pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";

/// `grant_type` of a refresh (RFC 6749 section 6).
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";

/// `grant_type` of RFC 8693 token exchange.
pub const GRANT_TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// `grant_type` of Auth0's federated connection (Token Vault) exchange.
pub const GRANT_FEDERATED_CONNECTION: &str =
    "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";

/// Token type of an OAuth access token (RFC 8693 section 3).
pub const TOKEN_TYPE_ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// Token type of a JWT (RFC 8693 section 3).
pub const TOKEN_TYPE_JWT: &str = "urn:ietf:params:oauth:token-type:jwt";

/// Token type of an OAuth refresh token (RFC 8693 section 3).
pub const TOKEN_TYPE_REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";

/// `requested_token_type` (and `issued_token_type`) of Auth0's federated
/// connection exchange: an upstream provider's access token.
pub const TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN: &str =
    "http://auth0.com/oauth/token-type/federated-connection-access-token";
