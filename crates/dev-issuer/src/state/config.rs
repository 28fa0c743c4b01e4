//! The issuer's options, as the builder collects them, and their defaults.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use jose_core::{Algorithm, Clock, SystemClock};
use serde_json::{Map, Value};

use crate::client::RegisteredClient;
use crate::connection_token::ConnectionToken;
use crate::exchange_profile::ExchangeProfile;
use crate::signing_key::SigningKey;
use crate::user::User;

/// The client every issuer registers unless told not to.
pub const DEFAULT_CLIENT_ID: &str = "dev-client";

/// The secret of [`DEFAULT_CLIENT_ID`]. Public, like everything here.
pub const DEFAULT_CLIENT_SECRET: &str = "dev-client-secret";

/// The audience tokens get unless the caller names one.
pub const DEFAULT_AUDIENCE: &str = "https://api.example.com";

/// The `sub` minted tokens get unless the caller names one.
pub const DEFAULT_SUBJECT: &str = "auth0|dev-user";

/// The `Cache-Control` of discovery and JWKS responses by default.
pub const DEFAULT_CACHE_CONTROL: &str = "public, max-age=600";

/// The issuer's options; fixed once it starts.
///
/// The fields are open to the builder that fills them in; once the issuer
/// runs, the config is private to [`State`](super::State) and read through
/// its methods.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) bind: SocketAddr,
    pub(crate) algorithm: Algorithm,
    pub(crate) first_key: Option<SigningKey>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) audience: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) default_client: bool,
    pub(crate) clients: Vec<RegisteredClient>,
    pub(crate) profiles: Vec<ExchangeProfile>,
    pub(crate) connections: Vec<ConnectionToken>,
    pub(crate) cache_control: Option<String>,
    pub(crate) discovery_members: Map<String, Value>,
    pub(crate) client_secret_post: bool,
    pub(crate) dpop_nonce: bool,
    /// The users `/authorize` can approve as; the first is the default.
    /// Empty means [`DEFAULT_SUBJECT`] alone.
    pub(crate) users: Vec<User>,
    pub(crate) login_page: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            algorithm: Algorithm::Rs256,
            first_key: None,
            clock: Arc::new(SystemClock::default()),
            audience: DEFAULT_AUDIENCE.to_owned(),
            token_lifetime: Duration::from_secs(86_400),
            default_client: true,
            clients: Vec::new(),
            profiles: Vec::new(),
            connections: Vec::new(),
            cache_control: Some(DEFAULT_CACHE_CONTROL.to_owned()),
            discovery_members: Map::new(),
            client_secret_post: true,
            dpop_nonce: false,
            users: Vec::new(),
            login_page: false,
        }
    }
}

impl Config {
    /// The client registered under `id`; later registrations win.
    pub(crate) fn client(&self, id: &str) -> Option<&RegisteredClient> {
        self.clients.iter().rev().find(|c| c.id() == id)
    }

    /// The exchange profile for `subject_token_type`; later ones win.
    pub(crate) fn profile(&self, subject_token_type: &str) -> Option<&ExchangeProfile> {
        self.profiles
            .iter()
            .rev()
            .find(|p| p.subject_token_type() == subject_token_type)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("algorithm", &self.algorithm)
            .field("audience", &self.audience)
            .field("clients", &self.clients)
            .field("profiles", &self.profiles)
            .field("connections", &self.connections)
            .field("users", &self.users)
            .field("login_page", &self.login_page)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_registrations_win() {
        let mut config = Config::default();
        config.clients.push(RegisteredClient::new("c", "first"));
        config.clients.push(RegisteredClient::new("c", "second"));
        assert!(config.client("c").unwrap().secret_matches("second"));
        assert!(config.client("d").is_none());

        config
            .profiles
            .push(ExchangeProfile::custom("urn:t").subject("a", "1"));
        config
            .profiles
            .push(ExchangeProfile::custom("urn:t").subject("b", "2"));
        let profile = config.profile("urn:t").unwrap();
        assert_eq!(profile.kind().custom_subject("b"), Some("2"));
    }
}
