/*!
An embedded, Auth0-compatible authorization server for local development and
tests.

`dev-issuer` runs a real authorization server on loopback: discovery, JWKS
and a token endpoint over real HTTP, RS256 tokens signed with real keys. An
API protected by the Auth0 SDK can then be developed and tested end to end
without an Auth0 tenant and without mocking the SDK.

- [`DevIssuer`] serves `/.well-known/openid-configuration`,
  `/.well-known/jwks.json` and `/oauth/token` (client credentials, RFC 8693
  token exchange through [`ExchangeProfile`]s including on-behalf-of, and
  Auth0's federated connection grant answered from [`ConnectionToken`]s),
  with HTTP Basic client authentication for [`RegisteredClient`]s and
  DPoP-bound tokens for requests carrying a proof.
- For interactive clients (an MCP client, a SPA, a CLI) it also serves
  RFC 8414 metadata at `/.well-known/oauth-authorization-server`, RFC 7591
  dynamic registration at `/oidc/register`, and `GET /authorize` with PKCE
  S256 and the RFC 8707 `resource`, which approves at once as a configured
  [`User`] and redirects with the code; the `authorization_code` and
  rotating `refresh_token` grants then issue tokens whose `aud` is the
  `resource`, with `acr` and `auth_time` for step-up tests. See
  [`DevIssuerBuilder::user`] and [`DevIssuerBuilder::login_page`].
- [`TokenBuilder`] mints tokens directly, good ones and deliberately broken
  ones (expired, wrong key, unknown `kid`, `alg: none`, HS256 key confusion,
  tampered payload), so that tests read as intent.
- [`DevIssuer::rotate_keys`] rotates the signing key, keeping or dropping
  the old one; [`Fault`]s make an [`Endpoint`] slow, failing, garbled,
  oversized, hanging or connection-closing; request counters and
  [`RecordedTokenRequest`]s show what a client really sent.
- [`RedisServer`] runs a throwaway `redis-server` on a loopback port for
  tests of fleet state kept in Redis, and kills or restarts it empty.
- The [`dpop`] module re-exports the `dpop` crate's client side: a P-256
  [`ProofKey`](dpop::ProofKey), the [`ProofBuilder`](dpop::ProofBuilder) and
  [`danger`](dpop::danger) for deliberately wrong proofs.
- The [`testing`] module holds the fixtures every crate's integration tests
  share: the fixed instant [`NOW`](testing::NOW), bounded waits, one
  runtime, an issuer on a manual clock, DPoP proofs and whole responses.

**Everything here is for development and tests only.** The RSA keys are
bundled in the source (see `keys/README.md`), client secrets are compared
but never protected, and the issuer trusts anyone who can reach it. It is a
dev-dependency of the SDK's crates, never a dependency.

# Example

```
# tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
use dev_issuer::DevIssuer;
use jose_core::{Algorithm, Jwt, Validation};

let issuer = DevIssuer::start().await?;
println!("discovery at {}", issuer.discovery_url());

// A token, and the checks an API makes on it.
let token = issuer.token().sub("auth0|user-1").scope("read:messages").sign()?;
let jwt = Jwt::parse(&token)?;
let keys = issuer.key_set(); // what GET /.well-known/jwks.json serves
let key = keys.select(jwt.header().kid(), Algorithm::Rs256)?;
let verified = jwt.verify(key, &[Algorithm::Rs256])?;
Validation::new(issuer.issuer_url(), issuer.audience()).validate(&verified)?;
assert_eq!(verified.claims()["scope"], "read:messages");

// The same API must refuse an expired token.
let expired = issuer.token().expired().sign()?;
let jwt = Jwt::parse(&expired)?;
let verified = jwt.verify(key, &[Algorithm::Rs256])?; // well signed, but
assert!(Validation::new(issuer.issuer_url(), issuer.audience()).validate(&verified).is_err());
# Ok::<(), Box<dyn std::error::Error>>(())
# }).map_err(|e| e.to_string())?;
# Ok::<(), Box<dyn std::error::Error>>(())
```

# The binary

`cargo run -p dev-issuer -- --port 8080` starts an issuer and prints its
URL, a ready-to-use access token, a DPoP example and the `curl` commands to
use them, and the URLs an interactive (MCP) client starts from;
`--login-page` shows a page to pick the user at `/authorize`; `--help`
lists the options.

# Crate features

None.
*/

mod bundled_keys;
mod compact;
mod pkce;
mod resource_indicator;
mod server;
mod token_endpoint;

mod state;
pub use state::{
    DEFAULT_AUDIENCE, DEFAULT_CACHE_CONTROL, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_SUBJECT,
};

mod client;
pub use client::{Grant, RegisteredClient};

mod connection_token;
pub use connection_token::ConnectionToken;

mod endpoint;
pub use endpoint::Endpoint;

mod error;
pub use error::{Error, KeyError};

mod exchange_profile;
pub use exchange_profile::ExchangeProfile;

mod fault;
pub use fault::Fault;

mod issuer;
pub use issuer::{DevIssuer, DevIssuerBuilder};

mod key_ring;
pub use key_ring::RotateMode;

mod recorded_request;
pub use recorded_request::{ClientAuthMethod, RecordedTokenRequest};

mod redis_server;
pub use redis_server::RedisServer;

mod signing_key;
pub use signing_key::SigningKey;

mod token_builder;
pub use token_builder::TokenBuilder;

mod user;
pub use user::User;

pub mod testing;
pub mod urn;

pub mod dpop {
    //! DPoP client helpers, re-exported from the `dpop` crate: a P-256
    //! [`ProofKey`], the type-state [`ProofBuilder`] (method, then URL, then
    //! optional `ath`, nonce, `jti`, `iat`; its states are in [`proof_state`]),
    //! and [`danger`] to sign proofs with deliberately wrong fields.
    //!
    //! ```
    //! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    //! use dev_issuer::DevIssuer;
    //! use dev_issuer::dpop::{ProofBuilder, ProofKey};
    //!
    //! let issuer = DevIssuer::start().await?;
    //! let key = ProofKey::generate()?;
    //! // A token bound to the key, and a proof to present it to an API with.
    //! let token = issuer.token().cnf_jkt(key.thumbprint()).sign()?;
    //! let proof = ProofBuilder::new(&key)
    //!     .htm("GET")
    //!     .htu("http://localhost:3000/api/messages")
    //!     .access_token(&token)
    //!     .iat(issuer.now())
    //!     .sign()?;
    //! # assert_eq!(proof.split('.').count(), 3);
    //! # Ok::<(), Box<dyn std::error::Error>>(())
    //! # }).map_err(|e| e.to_string())?;
    //! # Ok::<(), Box<dyn std::error::Error>>(())
    //! ```

    pub use ::dpop::{Error, ProofBuilder, ProofKey, access_token_hash, danger, proof_state};
}
