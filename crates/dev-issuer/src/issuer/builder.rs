//! Options for a [`DevIssuer`], and starting it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jose_core::{Algorithm, Clock};
use serde_json::Value;
use tokio::net::TcpListener;

use super::DevIssuer;
use crate::client::RegisteredClient;
use crate::connection_token::ConnectionToken;
use crate::error::Error;
use crate::exchange_profile::ExchangeProfile;
use crate::server;
use crate::signing_key::SigningKey;
use crate::state::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, State, Urls};
use crate::user::User;

/// Configures and starts a [`DevIssuer`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// use dev_issuer::{ConnectionToken, DevIssuer, ExchangeProfile, RegisteredClient};
///
/// let issuer = DevIssuer::builder()
///     .audience("https://calendar.example")
///     .client(RegisteredClient::new("calendar-api", "calendar-secret"))
///     .exchange_profile(ExchangeProfile::on_behalf_of())
///     .connection_token(ConnectionToken::new("google-oauth2", "ya29.test"))
///     .start()
///     .await?;
/// assert!(issuer.issuer_url().starts_with("http://127.0.0.1:"));
/// # Ok::<(), dev_issuer::Error>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DevIssuerBuilder {
    config: Config,
}

impl DevIssuerBuilder {
    /// A builder with every option at its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// The address to listen on. Port 0 picks a free port.
    ///
    /// Default: `127.0.0.1:0`.
    pub fn bind(&mut self, addr: SocketAddr) -> &mut Self {
        self.config.bind = addr;
        self
    }

    /// The algorithm of the generated signing keys: RS256 and PS256 use the
    /// bundled RSA test keys (PS256 publishes them with `"alg": "PS256"`),
    /// ES256 generates P-256 keys. Ignored for the first key when
    /// [`DevIssuerBuilder::signing_key`] is set. HS256 tokens are made per
    /// token, with `TokenBuilder::hs256_with_secret`.
    ///
    /// Default: RS256, as Auth0 signs.
    pub fn algorithm(&mut self, algorithm: Algorithm) -> &mut Self {
        self.config.algorithm = algorithm;
        self
    }

    /// The first signing key. Rotations then continue with keys of its
    /// algorithm.
    ///
    /// Default: bundled test key 0 (RS256) or a generated key (ES256).
    pub fn signing_key(&mut self, key: SigningKey) -> &mut Self {
        self.config.first_key = Some(key);
        self
    }

    /// The clock that `iat`, `exp` and `nbf` are counted from, and that
    /// subject tokens are checked against.
    ///
    /// Default: [`SystemClock`](jose_core::SystemClock).
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.config.clock = clock;
        self
    }

    /// The audience of minted tokens and of token requests that name none.
    ///
    /// Default: [`DEFAULT_AUDIENCE`](crate::DEFAULT_AUDIENCE).
    pub fn audience(&mut self, audience: impl Into<String>) -> &mut Self {
        self.config.audience = audience.into();
        self
    }

    /// How long issued and minted tokens live.
    ///
    /// Default: 24 hours, Auth0's default for an API.
    pub fn token_lifetime(&mut self, lifetime: Duration) -> &mut Self {
        self.config.token_lifetime = lifetime;
        self
    }

    /// Registers a client. A later registration of the same id wins.
    ///
    /// Default: only [`DEFAULT_CLIENT_ID`].
    pub fn client(&mut self, client: RegisteredClient) -> &mut Self {
        self.config.clients.push(client);
        self
    }

    /// Does not register [`DEFAULT_CLIENT_ID`].
    ///
    /// Default: it is registered.
    pub fn without_default_client(&mut self) -> &mut Self {
        self.config.default_client = false;
        self
    }

    /// Adds a token exchange profile. A later profile for the same
    /// `subject_token_type` wins.
    ///
    /// Default: none, so every token exchange is refused.
    pub fn exchange_profile(&mut self, profile: ExchangeProfile) -> &mut Self {
        self.config.profiles.push(profile);
        self
    }

    /// Adds an upstream token for the federated connection grant.
    ///
    /// Default: none, so every such request gets
    /// `federated_connection_refresh_token_not_found`.
    pub fn connection_token(&mut self, token: ConnectionToken) -> &mut Self {
        self.config.connections.push(token);
        self
    }

    /// The `Cache-Control` header of discovery and JWKS responses; `None`
    /// sends none.
    ///
    /// Default: [`DEFAULT_CACHE_CONTROL`](crate::DEFAULT_CACHE_CONTROL).
    pub fn cache_control(&mut self, value: Option<&str>) -> &mut Self {
        self.config.cache_control = value.map(str::to_owned);
        self
    }

    /// Adds or replaces a member of the discovery document (OpenID
    /// discovery and RFC 8414 metadata alike): a wrong `issuer` or
    /// `jwks_uri` for a client's mismatch tests, or extra metadata such as
    /// `scopes_supported`; [`Value::Null`] removes the member.
    ///
    /// Default: the document as described on [`DevIssuer`].
    pub fn discovery_member(&mut self, name: impl Into<String>, value: Value) -> &mut Self {
        self.config.discovery_members.insert(name.into(), value);
        self
    }

    /// Whether clients may authenticate with `client_id` and
    /// `client_secret` in the body (`client_secret_post`) instead of HTTP
    /// Basic. When not, such a request gets `invalid_client`.
    ///
    /// Default: allowed, as Auth0 allows it.
    pub fn allow_client_secret_post(&mut self, allow: bool) -> &mut Self {
        self.config.client_secret_post = allow;
        self
    }

    /// Whether token requests with a DPoP proof must carry a server nonce
    /// (RFC 9449 section 8). A proof without a current one is refused with
    /// `use_dpop_nonce` and a fresh nonce in `DPoP-Nonce`; every token
    /// response then carries the next nonce.
    ///
    /// Default: not required.
    pub fn require_dpop_nonce(&mut self, require: bool) -> &mut Self {
        self.config.dpop_nonce = require;
        self
    }

    /// Adds a user `GET /authorize` can approve as. The first user added is
    /// the default one, approved as when a request names none; a request
    /// picks another with `login_hint=<sub>`.
    ///
    /// Default: one user, [`DEFAULT_SUBJECT`](crate::DEFAULT_SUBJECT), with
    /// no `acr`, signing in at each request.
    pub fn user(&mut self, user: User) -> &mut Self {
        self.config.users.push(user);
        self
    }

    /// Whether `GET /authorize` shows a minimal HTML page to pick the user
    /// when the request has no `login_hint` (and no `prompt=none`), for a
    /// person trying the flow in a browser. When off, it redirects at once
    /// as the default user, which headless clients need.
    ///
    /// Default: off.
    pub fn login_page(&mut self, enabled: bool) -> &mut Self {
        self.config.login_page = enabled;
        self
    }

    /// Binds the socket and starts serving on the current Tokio runtime.
    ///
    /// The server runs until the returned [`DevIssuer`] is dropped or shut
    /// down.
    ///
    /// # Errors
    ///
    /// [`Error::NoRuntime`] outside a Tokio runtime, [`Error::Bind`] when
    /// the address cannot be bound, [`Error::Key`] when the first signing
    /// key cannot be prepared.
    pub async fn start(&self) -> Result<DevIssuer, Error> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
        let addr = self.config.bind;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::bind(addr, e))?;
        let local_addr = listener.local_addr().map_err(|e| Error::bind(addr, e))?;
        let mut config = self.config.clone();
        if config.default_client {
            config.clients.insert(
                0,
                RegisteredClient::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            );
        }
        let state = Arc::new(State::new(Urls::for_addr(local_addr), config)?);
        let server = server::spawn(&runtime, listener, state.clone());
        Ok(DevIssuer::new(state, server, local_addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_outside_a_runtime_is_an_error_not_a_panic() {
        let builder = DevIssuerBuilder::new();
        let future = builder.start();
        // Drive the future without any runtime.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(Err(Error::NoRuntime)) => {}
            other => panic!("expected NoRuntime, got {other:?}"),
        }
    }
}
