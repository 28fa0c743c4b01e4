//! Everything the running issuer shares between the caller's handle and the
//! server's tasks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use dpop::{InMemoryReplayCache, NonceSource, Verifier};

use jose_core::{Algorithm, Jwt, KeySet, Validation};
use serde_json::{Map, Value};

use super::builder::Config;
use crate::compact;
use crate::endpoint::{Endpoint, RequestCounters};
use crate::error::KeyError;
use crate::fault::FaultTable;
use crate::key_ring::{KeyRing, RotateMode};
use crate::recorded_request::RecordedTokenRequest;
use crate::signing_key::SigningKey;

/// The issuer's URLs, fixed once the socket is bound.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub(crate) issuer: String,
    pub(crate) discovery: String,
    pub(crate) jwks_uri: String,
    pub(crate) token_endpoint: String,
}

impl Urls {
    /// URLs for a server bound to `addr`. An unspecified bind address
    /// (`0.0.0.0`, `[::]`) is named by its loopback address, which reaches it.
    pub(crate) fn for_addr(addr: SocketAddr) -> Self {
        let ip = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let base = format!("http://{}", SocketAddr::new(ip, addr.port()));
        let url = |endpoint: Endpoint| format!("{base}{}", endpoint.path());
        Self {
            issuer: format!("{base}/"),
            discovery: url(Endpoint::Discovery),
            jwks_uri: url(Endpoint::Jwks),
            token_endpoint: url(Endpoint::Token),
        }
    }
}

/// The shared state of one issuer.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) urls: Urls,
    pub(crate) config: Config,
    pub(crate) faults: FaultTable,
    pub(crate) counters: RequestCounters,
    /// Verifies the DPoP proofs of token requests.
    pub(crate) dpop: Verifier,
    keys: RwLock<KeyRing>,
    /// A key of the issuer's algorithm that is never published.
    outsider: SigningKey,
    records: Mutex<Vec<RecordedTokenRequest>>,
}

impl State {
    pub(crate) fn new(urls: Urls, config: Config) -> Result<Self, KeyError> {
        let keys = KeyRing::new(config.first_key.clone(), config.algorithm)?;
        let outsider = match keys.current().algorithm() {
            Algorithm::Es256 => SigningKey::generate_es256()?,
            _ => SigningKey::outsider_rsa()?,
        };
        let dpop = dpop_verifier(&config)?;
        Ok(Self {
            urls,
            config,
            faults: FaultTable::default(),
            counters: RequestCounters::default(),
            dpop,
            keys: RwLock::new(keys),
            outsider,
            records: Mutex::new(Vec::new()),
        })
    }

    /// The issuer clock's current time, in whole seconds.
    pub(crate) fn now(&self) -> i64 {
        self.config.clock.unix_seconds()
    }

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

    // Token request records.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_loopback_for_unspecified_addresses() {
        let urls = Urls::for_addr("0.0.0.0:8080".parse().unwrap());
        assert_eq!(urls.issuer, "http://127.0.0.1:8080/");
        assert_eq!(
            urls.discovery,
            "http://127.0.0.1:8080/.well-known/openid-configuration"
        );
        assert_eq!(urls.jwks_uri, "http://127.0.0.1:8080/.well-known/jwks.json");
        assert_eq!(urls.token_endpoint, "http://127.0.0.1:8080/oauth/token");
        let urls = Urls::for_addr("[::]:9".parse().unwrap());
        assert_eq!(urls.issuer, "http://[::1]:9/");
    }
}
