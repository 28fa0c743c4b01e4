//! The running issuer and the handle that controls it.

mod builder;
pub use builder::DevIssuerBuilder;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use jose_core::{Clock, KeySet};
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::client::RegisteredClient;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::fault::Fault;
use crate::key_ring::RotateMode;
use crate::recorded_request::RecordedTokenRequest;
use crate::state::State;
use crate::token_builder::TokenBuilder;

/// An Auth0-compatible authorization server, serving real HTTP on loopback.
///
/// It serves:
///
/// - `GET /.well-known/openid-configuration` and, with the same members,
///   `GET /.well-known/oauth-authorization-server` (RFC 8414): `issuer`
///   (`http://127.0.0.1:PORT/`, with the trailing slash Auth0 uses),
///   `authorization_endpoint`, `token_endpoint`, `registration_endpoint`,
///   `jwks_uri`, `response_types_supported: ["code"]`,
///   `code_challenge_methods_supported: ["S256"]`, the supported grants,
///   auth methods (`none` included, for public clients) and algorithms,
///   `dpop_signing_alg_values_supported: ["ES256"]`, with a configurable
///   `Cache-Control`;
/// - `GET /.well-known/jwks.json`: the published keys, same `Cache-Control`;
/// - `POST /oidc/register`: RFC 7591 dynamic client registration (public
///   clients with `token_endpoint_auth_method: none`, or confidential ones
///   that get a secret), at most 1,000 clients;
/// - `GET /authorize`: the authorization code flow with PKCE S256 required
///   and the RFC 8707 `resource`; it approves as a configured [`User`]
///   (see [`DevIssuerBuilder::user`] and [`DevIssuerBuilder::login_page`])
///   and redirects (302) with `code`, `state` and `iss`;
/// - `POST /oauth/token`: see [`Grant`](crate::Grant) for the grants and
///   [`RecordedTokenRequest`] for what is kept of each request. Tokens from
///   the authorization code and refresh grants have `aud` = the
///   authorized `resource` (or the default audience), `sub`, `scope`,
///   `azp`, `client_id`, `acr` and `auth_time`; refresh tokens rotate.
///
/// [`User`]: crate::User
///
/// The server runs on the Tokio runtime that started it and stops when this
/// handle is dropped (or [`DevIssuer::shutdown`] is awaited). Everything
/// else (minting, rotation, faults, counters) works through `&self` while
/// it runs, so one issuer can be shared by many tests.
pub struct DevIssuer {
    state: Arc<State>,
    server: JoinHandle<()>,
    local_addr: SocketAddr,
}

impl DevIssuer {
    pub(crate) fn new(state: Arc<State>, server: JoinHandle<()>, local_addr: SocketAddr) -> Self {
        Self {
            state,
            server,
            local_addr,
        }
    }

    /// Starts an issuer with every option at its default, on `127.0.0.1`
    /// and a free port.
    ///
    /// # Errors
    ///
    /// As [`DevIssuerBuilder::start`].
    pub async fn start() -> Result<Self, Error> {
        DevIssuerBuilder::new().start().await
    }

    /// A builder for an issuer with non-default options.
    pub fn builder() -> DevIssuerBuilder {
        DevIssuerBuilder::new()
    }

    /// The issuer identifier: `http://127.0.0.1:PORT/`.
    pub fn issuer_url(&self) -> &str {
        self.state.issuer_url()
    }

    /// The discovery document's URL.
    pub fn discovery_url(&self) -> &str {
        self.state.discovery_url()
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> &str {
        self.state.jwks_uri()
    }

    /// The token endpoint's URL.
    pub fn token_endpoint(&self) -> &str {
        self.state.token_endpoint_url()
    }

    /// The authorization endpoint's URL (`/authorize`).
    pub fn authorization_endpoint(&self) -> &str {
        self.state.authorization_endpoint_url()
    }

    /// The dynamic client registration endpoint's URL (`/oidc/register`).
    pub fn registration_endpoint(&self) -> &str {
        self.state.registration_endpoint_url()
    }

    /// The RFC 8414 metadata URL
    /// (`/.well-known/oauth-authorization-server`).
    pub fn authorization_server_metadata_url(&self) -> &str {
        self.state.authorization_server_metadata_url()
    }

    /// The client `id`, configured or dynamically registered.
    pub fn client(&self, id: &str) -> Option<RegisteredClient> {
        self.state.client(id)
    }

    /// The socket address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The default audience.
    pub fn audience(&self) -> &str {
        self.state.audience()
    }

    /// The issuer clock's time, in whole seconds since the epoch.
    pub fn now(&self) -> i64 {
        self.state.now()
    }

    /// The issuer's clock, for a verifier under test to share.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.state.clock()
    }

    /// Starts minting an access token: see [`TokenBuilder`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// # let issuer = dev_issuer::DevIssuer::start().await?;
    /// let good = issuer.token().sub("auth0|u1").scope("read:x").sign()?;
    /// let expired = issuer.token().sub("auth0|u1").expired().sign()?;
    /// let forged = issuer.token().signed_with_wrong_key().sign()?;
    /// # assert!(good != expired && expired != forged);
    /// # Ok::<(), dev_issuer::Error>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn token(&self) -> TokenBuilder<'_> {
        TokenBuilder::new(&self.state)
    }

    /// A DPoP proof by `key` for a token request to this issuer: `htm`
    /// POST, `htu` the token endpoint, `iat` the issuer clock's now. Send it
    /// in a `DPoP` header to get a token bound to `key`.
    ///
    /// # Errors
    ///
    /// [`dpop::Error::Crypto`](::dpop::Error::Crypto) when signing fails.
    pub fn token_request_proof(&self, key: &::dpop::ProofKey) -> Result<String, ::dpop::Error> {
        ::dpop::ProofBuilder::new(key)
            .htm("POST")
            .htu(self.token_endpoint())
            .iat(self.now())
            .sign()
    }

    /// The `kid` new tokens are signed under.
    pub fn current_kid(&self) -> String {
        self.state.current_key().kid().to_owned()
    }

    /// The JWKS document, as served.
    pub fn jwks(&self) -> Value {
        self.state.jwks()
    }

    /// The published keys, ready to verify (what a client gets from the
    /// JWKS).
    pub fn key_set(&self) -> KeySet {
        self.state.key_set()
    }

    /// Replaces the signing key and returns the new `kid`. With
    /// [`RotateMode::KeepOld`] the old key stays published; with
    /// [`RotateMode::DropOld`] the JWKS holds only the new one.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] when the next key cannot be prepared.
    pub fn rotate_keys(&self, mode: RotateMode) -> Result<String, Error> {
        Ok(self.state.rotate(mode)?.kid().to_owned())
    }

    /// Arms `fault` on `endpoint`, replacing any fault armed there. It takes
    /// effect for the next request.
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        self.state.set_fault(endpoint, Some(fault));
    }

    /// Disarms the fault on `endpoint`.
    pub fn clear_fault(&self, endpoint: Endpoint) {
        self.state.set_fault(endpoint, None);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.state.clear_faults();
    }

    /// Requests `endpoint` received (any method, faulted ones included)
    /// since the start or the last [`DevIssuer::reset_counters`].
    pub fn request_count(&self, endpoint: Endpoint) -> usize {
        self.state.request_count(endpoint)
    }

    /// Sets every request counter back to zero.
    pub fn reset_counters(&self) {
        self.state.reset_counters();
    }

    /// Every token endpoint request so far, oldest first.
    pub fn token_requests(&self) -> Vec<RecordedTokenRequest> {
        self.state.records()
    }

    /// Forgets the recorded token requests.
    pub fn clear_token_requests(&self) {
        self.state.clear_records();
    }

    /// Clears faults, counters and recorded token requests. Keys are kept.
    pub fn reset(&self) {
        self.clear_faults();
        self.reset_counters();
        self.clear_token_requests();
    }

    /// Stops the server and waits until its socket is closed. Requests in
    /// flight are cut off.
    pub async fn shutdown(mut self) {
        self.server.abort();
        // The task can only end by this abort; its outcome says nothing.
        let _ = (&mut self.server).await;
    }
}

impl Drop for DevIssuer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl fmt::Debug for DevIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevIssuer")
            .field("issuer", &self.issuer_url())
            .field("kid", &self.current_kid())
            .finish_non_exhaustive()
    }
}
