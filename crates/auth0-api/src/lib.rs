/*!
Secure HTTP APIs with Auth0-issued access tokens.

An API receives `Authorization: Bearer <jwt>`, or `Authorization: DPoP <jwt>`
with a `DPoP` proof header (RFC 9449). [`ApiClient`] decides whether the
request is authorized and by whom: it returns the verified [`Claims`], or an
[`AuthError`] that already carries its HTTP status, OAuth error code and
`WWW-Authenticate` challenges (RFC 6750 section 3, RFC 9449 section 7). It
discovers the tenant's OIDC metadata and JWKS and caches them (single
flight, key-rotation refresh, stale-if-error), and performs the token
exchanges an API needs: Token Vault connection tokens, RFC 8693 custom token
exchange and on-behalf-of.

This is the Rust counterpart of Auth0's `auth0-api-python` and
`@auth0/auth0-api-js`, with the same names in Rust style.

# Example

A complete round trip against the embedded development issuer
(`dev-issuer`, a real authorization server on loopback):

```
use auth0_api::{ApiClient, ApiClientOptions};
use dev_issuer::DevIssuer;
use http::{HeaderMap, header::AUTHORIZATION};

# tokio::runtime::Runtime::new()?.block_on(async {
let issuer = DevIssuer::start().await?;
// Once, at start-up: for a real tenant, ApiClientOptions::new("tenant.auth0.com", audience).
let api = ApiClient::new(ApiClientOptions::new(issuer.issuer_url(), issuer.audience()))?;

// Per request.
let token = issuer.token().sub("auth0|alice").scope("read:orders").sign()?;
let mut headers = HeaderMap::new();
headers.insert(AUTHORIZATION, format!("Bearer {token}").parse()?);
let claims = api.verify_request(&headers, "GET", "https://api.example.com/orders").await?;
assert_eq!(claims.sub(), Some("auth0|alice"));
claims.require_scopes(&["read:orders"])?;

// A refused request knows its response.
let err = api.verify_request(&HeaderMap::new(), "GET", "https://api.example.com/orders").await.unwrap_err();
assert_eq!(err.status_code(), 401);
assert_eq!(err.www_authenticate(), ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]);
# Ok::<(), Box<dyn std::error::Error>>(())
# })?;
# Ok::<(), Box<dyn std::error::Error>>(())
```

# Advertising the resource, scopes and step-up (MCP servers)

An MCP client (or any OAuth client that discovers) starts from a 401: it
reads `resource_metadata` from the challenge, fetches that RFC 9728
document and finds the authorization server there. Configure the document
once, with [`ApiClientOptions::resource_metadata`]: the client fills in the
authorization servers (its domains) and the DPoP members (its mode), and
every challenge names the document's well-known URL, computed from the
configured resource, never from `Host` or forwarded headers.
[`Claims::require_scopes`] names every required scope in one challenge;
[`ApiClientOptions::permissions_as_scopes`] counts Auth0 RBAC
`permissions` as scopes; [`StepUp`] asks for a stronger or more recent
login (RFC 9470, 401 `insufficient_user_authentication`).
`auth0_api_axum::resource_metadata_router` serves the document.

```
use auth0_api::{ApiClient, ApiClientOptions, ProtectedResourceMetadata};

let resource = "https://mcp.example.com/mcp"; // the API identifier too
let api = ApiClient::new(
    ApiClientOptions::new("my-tenant.us.auth0.com", resource)
        .resource_metadata(ProtectedResourceMetadata::new(resource).scopes_supported(["tools:admin"]))
        .permissions_as_scopes(true),
)?;
# tokio::runtime::Runtime::new()?.block_on(async {
let err = api.verify_request(&http::HeaderMap::new(), "POST", resource).await.unwrap_err();
let metadata = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
assert_eq!(err.www_authenticate(), [
    format!("Bearer realm=\"api\", resource_metadata=\"{metadata}\""),
    format!("DPoP algs=\"ES256\", resource_metadata=\"{metadata}\""),
]);
# });
# Ok::<(), Box<dyn std::error::Error>>(())
```

# What is checked

Access tokens: compact JWS only, size-capped before decoding, strict
base64url, duplicate-free JSON; only the algorithms of
[`ApiClientOptions::algorithms`] (RS256 by default; PS256 when listed; HS256
only with [`ApiClientOptions::hs256_secret`], verified with that secret and
never with a published key; never `none`), `crit`
and `b64` refused; `typ` absent, `JWT`, `at+jwt` or `application/at+jwt`;
the key chosen from the issuer's JWKS (or the
[static keys](ApiClientOptions::static_keys)) by exact `kid`, never from the
token, and limited to its JWK `alg` when it has one;
`iss` one of the accepted domains *before* any network call and equal to
the discovered issuer; `aud`; `exp` required; `nbf` honoured; `iat`
required; numeric claims of the wrong type are errors, not "absent".

Requests: exactly one `Authorization` header with a token68; the scheme
(case-insensitive) must be accepted by the [`DpopMode`]; a DPoP-bound token
(`cnf.jkt`) presented as Bearer is refused while DPoP is enabled, and so is
a `DPoP` header with the Bearer scheme; for DPoP, the proof is checked
against every rule of RFC 9449 section 4.3 (see the `dpop` crate), bound to
the token (`ath`) and its key (`cnf.jkt`), and accepted once (replay cache).
A certificate-bound token (`cnf.x5t#S256`, RFC 8705) is accepted only with
a client certificate of that thumbprint
([`ApiClient::verify_request_with_certificate`], or a trusted proxy's
`Client-Cert` header with [`ApiClientOptions::trust_client_cert_header`]);
any other confirmation method is refused.

# Where we differ from Auth0's SDKs, deliberately

- `nbf` is honoured; Auth0's SDKs ignore it.
- An unknown `kid` refreshes the JWKS once (rate limited), so a rotated key
  works at once; Auth0's SDKs reject it until their cache expires.
- DPoP proofs are remembered and accepted once; `htm` is compared
  case-sensitively (RFC 9110 methods are case-sensitive).
- Challenge parameters are always valid quoted-strings.
- DPoP proof errors answer 401 as RFC 9449 section 7.1 shows (Python: 400).
- When keys cannot be fetched the answer is 503 `temporarily_unavailable`,
  not a 401 that would make clients throw away valid tokens.

# Crate map

| crate | role |
| --- | --- |
| `jose-core` | strict JWS/JWK, RS256/PS256/ES256 on ring (HS256 with a secret), PEM public keys, claim validation |
| `oidc-discovery` | discovery and JWKS fetching and caching |
| `dpop` | RFC 9449 proofs: verification, replay, nonces, creation |
| `token-exchange` | Token Vault, RFC 8693, on-behalf-of |
| `auth0-api` | this crate: the `ApiClient` |
| `auth0-api-axum` | tower layer and axum extractor |

Everything a user needs is re-exported here.

# Crate features

None.
*/

mod access_token;
mod authorization;
mod challenge;

mod claims;
pub use claims::Claims;

mod client;
pub use client::{ApiClient, WarmUpError, WarmUpStage};

mod configuration;
pub use configuration::ConfigurationError;

mod client_certificate;
pub use client_certificate::ClientCertificate;

mod client_exchange;
mod domain;
mod join;

mod error;
pub use error::{AuthError, AuthErrorKind, DPOP_NONCE};

mod error_response;
pub use error_response::ErrorResponse;

mod options;
pub use options::ApiClientOptions;

mod public_url;
pub use public_url::PublicUrl;

mod resolver;
pub use resolver::{DomainsResolver, ResolverContext};

mod resource_metadata;
pub use resource_metadata::ProtectedResourceMetadata;

mod scheme;
pub use scheme::{DpopMode, Scheme};

mod step_up;
pub use step_up::StepUp;

mod token_cache;
pub use token_cache::TokenCacheStats;

// The README's examples are compiled as doc tests, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
mod readme {}

// ===== Re-exports: the types of the crates below that this API exposes =====

// Each item keeps its own summary: a doc comment on a multi-item `pub use`
// would be copied onto every item (a rustdoc quirk).
pub use jose_core::{Algorithm, KeySet, VerifyingKey};
pub use jose_core::{Clock, ManualClock, SystemClock};

/// DPoP: replay caches and server nonces to configure, and proof creation
/// for clients and tests.
pub mod dpop {
    pub use ::dpop::{
        InMemoryReplayCache, InMemoryReplayCacheBuilder, NonceSource, NonceSourceBuilder,
        ProofBuilder, ProofKey, ReplayCache, ReplayError,
    };
}

/// Discovery: plug in how documents are fetched or shared.
pub mod discovery {
    pub use oidc_discovery::{
        DocumentStore, FetchError, FetchResponse, Fetcher, HttpFetcher, MemoryStore, StoredDocument,
    };
}

/// Token exchanges: the requests [`ApiClient`]'s exchange methods take,
/// the tokens they return, and their errors.
pub mod exchange {
    pub use token_exchange::{
        ApiError, ConnectionToken, ConnectionTokenRequest, Error, ExchangedToken, ExtraValue,
        OnBehalfOfToken, RequestError, Secret, TokenExchangeRequest,
    };
}
