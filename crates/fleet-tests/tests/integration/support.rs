//! A fleet: one redis-server, one dev-issuer and three replica processes,
//! all on one instant that the tests move together.
//!
//! The instant, bounded waits and `Reply` are `dev_issuer::testing`'s,
//! shared with the other crates' tests; the reqwest client stays here
//! (dev-issuer has no HTTP client).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth0_api::ManualClock;
use dev_issuer::dpop::{ProofBuilder, ProofKey};
pub(crate) use dev_issuer::testing::within;
use dev_issuer::testing::{ClockedIssuer, Reply, http, send};
use dev_issuer::{DevIssuer, RedisServer};
use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The URL every replica checks proofs against.
pub(crate) const ORDERS: &str = "https://api.example.com/orders";

/// A DPoP proof's `iat` may be this far ahead of the clock (the default),
/// which is why a new or reset replay store refuses proofs signed in its
/// first seconds: they could have been accepted before the reset.
const IAT_LEEWAY: u64 = 30;

/// How a fleet's replicas are configured.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Config {
    /// Require server nonces (secrets kept in Redis).
    pub(crate) nonces: bool,
    /// The most live proofs one key may hold; the default when `None`.
    pub(crate) max_proofs_per_key: Option<usize>,
}

pub(crate) struct Fleet {
    redis: Mutex<RedisServer>,
    pub(crate) issuer: DevIssuer,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) replicas: Vec<Replica>,
    config: Config,
    http: reqwest::Client,
}

pub(crate) struct Replica {
    pub(crate) url: String,
    // Killed when dropped.
    _process: Child,
}

impl Fleet {
    /// Three replicas with the default configuration.
    pub(crate) async fn start() -> Self {
        Self::start_with(Config::default()).await
    }

    pub(crate) async fn start_with(config: Config) -> Self {
        let redis = RedisServer::start().unwrap();
        let (issuer, clock) = within(ClockedIssuer::start()).await.unwrap().into_parts();
        let mut replicas = Vec::new();
        for _ in 0..3 {
            replicas.push(Replica::start(&issuer, &redis.url(), config).await);
        }
        let fleet = Self {
            redis: Mutex::new(redis),
            issuer,
            clock,
            replicas,
            config,
            http: http(),
        };
        fleet.open_replay_window().await;
        fleet
    }

    /// A new replay store refuses proofs that could predate it (`iat` up to
    /// the leeway after its creation). Creates the store's generation with
    /// one proof, then moves past that window.
    pub(crate) async fn open_replay_window(&self) {
        let (key, token) = self.dpop_user("auth0|warm-up");
        let mut reply = self.dpop(0, &token, &self.proof(&key, &token)).await;
        if reply.error() == "use_dpop_nonce" {
            let nonce = reply.header("dpop-nonce").unwrap().to_owned();
            let proof = self.proof_with_nonce(&key, &token, &nonce);
            reply = self.dpop(0, &token, &proof).await;
        }
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert!(reply.description().contains("reset"), "{reply:?}");
        self.advance(IAT_LEEWAY + 1).await;
    }

    /// Sends `proof` to replica `index` until the answer is no longer 503,
    /// as the replica reconnects to a restarted Redis by itself. Bounded:
    /// at most 100 tries, 20 ms apart.
    pub(crate) async fn dpop_once_reconnected(
        &self,
        index: usize,
        token: &str,
        proof: &str,
    ) -> Reply {
        for _ in 0..100 {
            let reply = self.dpop(index, token, proof).await;
            if reply.status != StatusCode::SERVICE_UNAVAILABLE {
                return reply;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("replica {index} still answers 503 two seconds after Redis is back");
    }

    /// Starts one more replica, as an autoscaler would; its index is the
    /// number of replicas before it.
    pub(crate) async fn add_replica(&mut self) {
        let redis_url = self.redis.lock().unwrap().url();
        let replica = Replica::start(&self.issuer, &redis_url, self.config).await;
        self.replicas.push(replica);
    }

    /// Kills the redis-server.
    pub(crate) fn stop_redis(&self) {
        self.redis.lock().unwrap().stop().unwrap();
    }

    /// Starts an empty redis-server on the same port.
    pub(crate) fn restart_redis(&self) {
        self.redis.lock().unwrap().restart().unwrap();
    }

    /// Moves the issuer's and every replica's clock by `seconds`.
    pub(crate) async fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
        let now = self.now();
        for replica in &self.replicas {
            let url = format!("{}/_clock/{now}", replica.url);
            let response = within(self.http.post(url).send()).await.unwrap();
            assert!(response.status().is_success());
        }
    }

    /// The fleet's instant, in Unix seconds.
    pub(crate) fn now(&self) -> u64 {
        u64::try_from(self.issuer.now()).unwrap()
    }

    /// A key and an access token bound to it.
    pub(crate) fn dpop_user(&self, sub: &str) -> (ProofKey, String) {
        let key = ProofKey::generate().unwrap();
        let token = self
            .issuer
            .token()
            .sub(sub)
            .cnf_jkt(key.thumbprint())
            .sign()
            .unwrap();
        (key, token)
    }

    /// A fresh proof for `GET /orders` at the fleet's instant.
    pub(crate) fn proof(&self, key: &ProofKey, token: &str) -> String {
        self.proof_builder(key, token).sign().unwrap()
    }

    /// As [`Fleet::proof`], carrying a server nonce.
    pub(crate) fn proof_with_nonce(&self, key: &ProofKey, token: &str, nonce: &str) -> String {
        self.proof_builder(key, token).nonce(nonce).sign().unwrap()
    }

    fn proof_builder<'a>(
        &self,
        key: &'a ProofKey,
        token: &str,
    ) -> ProofBuilder<'a, dev_issuer::dpop::proof_state::Ready> {
        ProofBuilder::new(key)
            .htm("GET")
            .htu(ORDERS)
            .access_token(token)
            .iat(self.issuer.now())
    }

    /// `GET /orders` on replica `index` with a DPoP-bound token and a proof.
    pub(crate) async fn dpop(&self, index: usize, token: &str, proof: &str) -> Reply {
        let url = format!("{}/orders", self.replicas[index].url);
        let request = self
            .http
            .get(url)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof);
        send(request).await
    }

    /// `GET /orders` on replica `index` with a Bearer token.
    pub(crate) async fn bearer(&self, index: usize, token: &str) -> Reply {
        let url = format!("{}/orders", self.replicas[index].url);
        let request = self
            .http
            .get(url)
            .header("authorization", format!("Bearer {token}"));
        send(request).await
    }
}

impl Replica {
    async fn start(issuer: &DevIssuer, redis_url: &str, config: Config) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_replica"));
        command
            .env("ISSUER_URL", issuer.issuer_url())
            .env("AUDIENCE", issuer.audience())
            .env("REDIS_URL", redis_url)
            .env("START_AT", issuer.now().to_string())
            .env("NONCES", if config.nonces { "1" } else { "0" })
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(max) = config.max_proofs_per_key {
            command.env("MAX_PROOFS_PER_KEY", max.to_string());
        }
        let mut process = command.spawn().unwrap();
        let stdout = process.stdout.take().unwrap();
        let mut line = String::new();
        within(BufReader::new(stdout).read_line(&mut line))
            .await
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the replica said {line:?}"));
        Self {
            url: format!("http://{addr}"),
            _process: process,
        }
    }
}
