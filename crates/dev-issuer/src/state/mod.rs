//! Everything the running issuer shares between the caller's handle and the
//! server's tasks.

mod config;
pub(crate) use config::Config;
pub use config::{
    DEFAULT_AUDIENCE, DEFAULT_CACHE_CONTROL, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_SUBJECT,
};

mod urls;
pub(crate) use urls::Urls;

mod clients;
pub(crate) use clients::{DynamicClients, MAX_DYNAMIC_CLIENTS, RegistryFull};

mod grants;
pub(crate) use grants::{
    Authorization, CodeRefused, GrantStore, PendingCode, RefreshGrant, RefreshRefused,
};

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use dpop::{InMemoryReplayCache, NonceSource, Verifier};
use jose_core::{Algorithm, Clock, Jwt, KeySet, Validation};
use serde_json::{Map, Value};

use crate::client::RegisteredClient;
use crate::compact;
use crate::connection_token::ConnectionToken;
use crate::endpoint::{Endpoint, RequestCounters};
use crate::error::KeyError;
use crate::exchange_profile::ExchangeProfile;
use crate::fault::{Fault, FaultTable};
use crate::key_ring::{KeyRing, RotateMode};
use crate::recorded_request::RecordedTokenRequest;
use crate::signing_key::SigningKey;
use crate::user::User;

/// The shared state of one issuer.
///
/// Fields are private: the handle and the handlers go through the methods
/// below, so what they may read or change is listed in one place.
#[derive(Debug)]
pub(crate) struct State {
    urls: Urls,
    config: Config,
    faults: FaultTable,
    counters: RequestCounters,
    /// Verifies the DPoP proofs of token requests.
    dpop: Verifier,
    keys: RwLock<KeyRing>,
    /// A key of the issuer's algorithm that is never published.
    outsider: SigningKey,
    records: Mutex<Vec<RecordedTokenRequest>>,
    dynamic_clients: DynamicClients,
    grants: GrantStore,
    /// The user `/authorize` approves as when the request names none.
    default_user: User,
}

impl State {
    pub(crate) fn new(urls: Urls, config: Config) -> Result<Self, KeyError> {
        let keys = KeyRing::new(config.first_key.clone(), config.algorithm)?;
        let outsider = match keys.current().algorithm() {
            Algorithm::Es256 => SigningKey::generate_es256()?,
            _ => SigningKey::outsider_rsa()?,
        };
        let dpop = dpop_verifier(&config)?;
        let default_user = config
            .users
            .first()
            .cloned()
            .unwrap_or_else(|| User::new(DEFAULT_SUBJECT));
        Ok(Self {
            urls,
            config,
            faults: FaultTable::default(),
            counters: RequestCounters::default(),
            dpop,
            keys: RwLock::new(keys),
            outsider,
            records: Mutex::new(Vec::new()),
            dynamic_clients: DynamicClients::default(),
            grants: GrantStore::default(),
            default_user,
        })
    }

    // ===== URLs =====

    /// The issuer identifier: `http://127.0.0.1:PORT/`.
    pub(crate) fn issuer_url(&self) -> &str {
        &self.urls.issuer
    }

    pub(crate) fn discovery_url(&self) -> &str {
        &self.urls.discovery
    }

    pub(crate) fn jwks_uri(&self) -> &str {
        &self.urls.jwks_uri
    }

    pub(crate) fn token_endpoint_url(&self) -> &str {
        &self.urls.token_endpoint
    }

    pub(crate) fn authorization_endpoint_url(&self) -> &str {
        &self.urls.authorization_endpoint
    }

    pub(crate) fn registration_endpoint_url(&self) -> &str {
        &self.urls.registration_endpoint
    }

    pub(crate) fn authorization_server_metadata_url(&self) -> &str {
        &self.urls.authorization_server_metadata
    }

    // ===== options =====

    /// The issuer clock's current time, in whole seconds.
    pub(crate) fn now(&self) -> i64 {
        self.config.clock.unix_seconds()
    }

    pub(crate) fn clock(&self) -> Arc<dyn Clock> {
        self.config.clock.clone()
    }

    /// The default audience.
    pub(crate) fn audience(&self) -> &str {
        &self.config.audience
    }

    pub(crate) fn token_lifetime(&self) -> Duration {
        self.config.token_lifetime
    }

    /// Whether clients may send their secret in the body.
    pub(crate) fn allows_client_secret_post(&self) -> bool {
        self.config.client_secret_post
    }

    /// The client `id`: configured (later registrations win), or else
    /// registered dynamically. A copy, so that no lock is held while a
    /// request is answered.
    pub(crate) fn client(&self, id: &str) -> Option<RegisteredClient> {
        self.config
            .client(id)
            .cloned()
            .or_else(|| self.dynamic_clients.get(id))
    }

    /// Adds a dynamically registered client, unless the registry is full.
    pub(crate) fn register_client(&self, client: RegisteredClient) -> Result<(), RegistryFull> {
        self.dynamic_clients.register(client)
    }

    /// The user `/authorize` approves as when the request names none.
    pub(crate) fn default_user(&self) -> &User {
        &self.default_user
    }

    /// The configured user with subject `sub`, the default one included.
    pub(crate) fn user(&self, sub: &str) -> Option<&User> {
        self.config
            .users
            .iter()
            .chain(std::iter::once(&self.default_user))
            .find(|u| u.sub() == sub)
    }

    /// Every user `/authorize` can approve as, the default first.
    pub(crate) fn users(&self) -> impl Iterator<Item = &User> {
        let configured = self.config.users.iter().skip(1);
        std::iter::once(&self.default_user).chain(configured)
    }

    /// Whether `/authorize` shows a page to pick the user when the request
    /// names none.
    pub(crate) fn login_page(&self) -> bool {
        self.config.login_page
    }

    /// Pending authorization codes and live refresh tokens.
    pub(crate) fn grants(&self) -> &GrantStore {
        &self.grants
    }

    /// The exchange profile for `subject_token_type`; later ones win.
    pub(crate) fn profile(&self, subject_token_type: &str) -> Option<&ExchangeProfile> {
        self.config.profile(subject_token_type)
    }

    pub(crate) fn connection_tokens(&self) -> &[ConnectionToken] {
        &self.config.connections
    }

    /// Members added to, or (when null) removed from, the discovery
    /// document.
    pub(crate) fn discovery_members(&self) -> &Map<String, Value> {
        &self.config.discovery_members
    }

    /// The `Cache-Control` of discovery and JWKS responses, if any.
    pub(crate) fn cache_control(&self) -> Option<&str> {
        self.config.cache_control.as_deref()
    }

    // ===== DPoP =====

    /// Verifies the DPoP proofs of token requests.
    pub(crate) fn dpop_verifier(&self) -> &Verifier {
        &self.dpop
    }

    /// A nonce for the client's next proof, when the issuer requires them.
    pub(crate) fn fresh_dpop_nonce(&self) -> Option<String> {
        self.dpop.nonce_source().map(NonceSource::issue)
    }

    // ===== faults and counters =====

    /// Arms `fault` on `endpoint`, or disarms it with `None`.
    pub(crate) fn set_fault(&self, endpoint: Endpoint, fault: Option<Fault>) {
        self.faults.set(endpoint, fault);
    }

    pub(crate) fn clear_faults(&self) {
        self.faults.clear();
    }

    /// The fault for one request to `endpoint`, counting it against
    /// [`Fault::times`].
    pub(crate) fn take_fault(&self, endpoint: Endpoint) -> Option<Fault> {
        self.faults.take(endpoint)
    }

    /// Counts one request to `endpoint`.
    pub(crate) fn count_request(&self, endpoint: Endpoint) {
        self.counters.record(endpoint);
    }

    pub(crate) fn request_count(&self, endpoint: Endpoint) -> usize {
        self.counters.get(endpoint)
    }

    pub(crate) fn reset_counters(&self) {
        self.counters.reset();
    }

    // ===== keys =====
    //
    // Key ring: a lock is held only to copy or swap keys, never while
    // signing and never across an await.

    pub(crate) fn current_key(&self) -> SigningKey {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .current()
            .clone()
    }

    pub(crate) fn jwks(&self) -> Value {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .jwks()
    }

    pub(crate) fn key_set(&self) -> KeySet {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .key_set()
    }

    pub(crate) fn rotate(&self, mode: RotateMode) -> Result<SigningKey, KeyError> {
        self.keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .rotate(mode)
            .cloned()
    }

    pub(crate) fn outsider(&self) -> &SigningKey {
        &self.outsider
    }

    /// `iss`, `sub`, `aud`, `iat` and `exp` for a token issued now.
    pub(crate) fn base_claims(&self, sub: &str, aud: Value) -> Map<String, Value> {
        let now = self.now();
        let lifetime = i64::try_from(self.config.token_lifetime.as_secs()).unwrap_or(i64::MAX);
        let mut claims = Map::new();
        claims.insert("iss".into(), self.urls.issuer.clone().into());
        claims.insert("sub".into(), sub.into());
        claims.insert("aud".into(), aud);
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), now.saturating_add(lifetime).into());
        claims
    }

    /// Signs `claims` with the current key, `typ: JWT` as Auth0 does.
    pub(crate) fn sign(&self, claims: &Map<String, Value>) -> Result<String, KeyError> {
        let key = self.current_key();
        compact::sign(&key, &compact::header(&key, Some("JWT")), claims)
    }

    /// The claims of `token` if this issuer signed it with a key it still
    /// publishes and it is valid now (`iss`, `exp`, `nbf`, `iat`), for any
    /// audience.
    pub(crate) fn verify_own_token(
        &self,
        token: &str,
    ) -> Result<Map<String, Value>, jose_core::Error> {
        let jwt = Jwt::parse(token)?;
        let alg = jwt
            .header()
            .algorithm(&[Algorithm::Rs256, Algorithm::Es256])?;
        let keys = self.key_set();
        let key = keys.select(jwt.header().kid(), alg)?;
        let verified = jwt.verify(key, &[alg])?;
        // jose-core always checks the audience; any audience is fine for a
        // subject token, so the token's own are the accepted ones.
        let audiences: Vec<&str> = match verified.claims().get("aud") {
            Some(Value::String(aud)) => vec![aud.as_str()],
            Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let mut validation = Validation::new(
            self.urls.issuer.clone(),
            audiences.first().copied().unwrap_or(""),
        );
        for aud in audiences.iter().skip(1) {
            validation.add_audience(*aud);
        }
        validation.clock(self.config.clock.clone());
        validation.validate(&verified)?;
        Ok(verified.into_claims())
    }

    // ===== token request records =====

    pub(crate) fn record(&self, request: RecordedTokenRequest) {
        self.lock_records().push(request);
    }

    pub(crate) fn records(&self) -> Vec<RecordedTokenRequest> {
        self.lock_records().clone()
    }

    pub(crate) fn clear_records(&self) {
        self.lock_records().clear();
    }

    fn lock_records(&self) -> MutexGuard<'_, Vec<RecordedTokenRequest>> {
        // Pushing or clearing cannot leave the list inconsistent.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A verifier on the issuer's clock, with a replay cache, and nonces when
/// required.
fn dpop_verifier(config: &Config) -> Result<Verifier, KeyError> {
    let clock = config.clock.clone();
    let cache = InMemoryReplayCache::builder().clock(clock.clone()).build();
    let mut verifier = Verifier::builder();
    verifier.clock(clock.clone()).replay_cache(Arc::new(cache));
    if config.dpop_nonce {
        let nonces = NonceSource::builder()
            .clock(clock)
            .build()
            .map_err(|_| KeyError::Random)?;
        verifier.nonces(Arc::new(nonces));
    }
    Ok(verifier.build())
}
