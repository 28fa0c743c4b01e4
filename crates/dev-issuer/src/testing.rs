//! Test fixtures shared by the workspace's integration tests: one fixed
//! instant, bounded waits, one runtime, an issuer on a manual clock, DPoP
//! proofs made at that instant, and a whole response to assert on.
//!
//! Every crate's `tests/integration/support.rs` imports these instead of
//! keeping its own copy (the way rustls-test serves rustls's tests). The
//! helpers panic where a test would unwrap: a fixture that cannot do its
//! job fails the test that asked for it.
//!
//! ```
//! use std::time::Duration;
//!
//! use dev_issuer::testing::{ClockedIssuer, NOW, block_on, within};
//!
//! block_on(async {
//!     let fixture = within(ClockedIssuer::start()).await?;
//!     assert_eq!(fixture.issuer().now(), NOW as i64);
//!     // The issuer runs on the fixture's clock: moving one moves both.
//!     fixture.clock().advance(Duration::from_secs(60));
//!     assert_eq!(fixture.issuer().now(), NOW as i64 + 60);
//!     Ok::<(), dev_issuer::Error>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Helpers that need an HTTP client (a `reqwest::Client` with ring
//! installed as the rustls provider) stay in the crates that use them:
//! this crate depends on neither reqwest nor rustls.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http::{HeaderMap, HeaderValue, StatusCode};
use jose_core::ManualClock;
use serde_json::Value;
use tokio::runtime::Runtime;

use crate::dpop::{ProofBuilder, ProofKey};
use crate::{DevIssuer, DevIssuerBuilder, Error};

/// The instant every test starts at, in Unix seconds (November 2023).
pub const NOW: u64 = 1_700_000_000;

/// The longest any test waits for anything.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `future`, failing the test if it takes longer than
/// [`TEST_TIMEOUT`].
///
/// # Panics
///
/// When `future` is not ready within [`TEST_TIMEOUT`].
#[expect(
    clippy::expect_used,
    reason = "a test that outlives its bound must fail, not hang"
)]
pub async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(TEST_TIMEOUT, future)
        .await
        .expect("the test timed out")
}

/// The runtime [`block_on`] uses: multi-threaded (two workers), built on
/// first use and shared by every test of the binary, so that a shared
/// issuer's tasks outlive the test that started it.
///
/// # Panics
///
/// When the runtime cannot be built.
#[expect(
    clippy::expect_used,
    reason = "without a runtime no test of the binary can run"
)]
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the tests")
    })
}

/// Runs a test body on the shared [`runtime`], bounded as by [`within`].
///
/// # Panics
///
/// When `future` is not ready within [`TEST_TIMEOUT`], or when called from
/// inside a runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    runtime().block_on(within(future))
}

/// A clock at [`NOW`] that only moves when told.
pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at_unix_seconds(NOW))
}

/// A [`DevIssuer`] and the [`ManualClock`] it runs on, which starts at
/// [`NOW`].
///
/// Tests that move time move [`ClockedIssuer::clock`]; a verifier under
/// test shares the same clock, so issuer and verifier always agree on the
/// instant.
#[derive(Debug)]
pub struct ClockedIssuer {
    issuer: DevIssuer,
    clock: Arc<ManualClock>,
}

impl ClockedIssuer {
    /// An issuer with the default configuration on a new clock at [`NOW`].
    ///
    /// # Errors
    ///
    /// As [`DevIssuerBuilder::start`]: the listener cannot be bound.
    pub async fn start() -> Result<Self, Error> {
        Self::start_with(&DevIssuer::builder()).await
    }

    /// An issuer configured by `builder`, on a new clock at [`NOW`] (which
    /// replaces any clock `builder` has). `builder` is left unchanged.
    ///
    /// # Errors
    ///
    /// As [`DevIssuerBuilder::start`]: the listener cannot be bound.
    pub async fn start_with(builder: &DevIssuerBuilder) -> Result<Self, Error> {
        let clock = clock();
        let issuer = builder.clone().clock(clock.clone()).start().await?;
        Ok(Self { issuer, clock })
    }

    /// The issuer.
    pub fn issuer(&self) -> &DevIssuer {
        &self.issuer
    }

    /// The issuer's clock, to move time or to share with a verifier.
    pub fn clock(&self) -> &Arc<ManualClock> {
        &self.clock
    }

    /// The issuer and its clock, for a test's own environment to hold.
    pub fn into_parts(self) -> (DevIssuer, Arc<ManualClock>) {
        (self.issuer, self.clock)
    }
}

/// A DPoP proof of `key` for `method` and `url`, bound to `token`, made at
/// [`NOW`].
///
/// # Panics
///
/// When the proof cannot be signed.
pub fn proof(key: &ProofKey, method: &str, url: &str, token: &str) -> String {
    proof_at(key, method, url, token, NOW)
}

/// As [`proof`], made at `iat` (Unix seconds).
///
/// # Panics
///
/// When `iat` is beyond `i64::MAX` or the proof cannot be signed.
#[expect(
    clippy::expect_used,
    reason = "a fixture that cannot make its proof fails the test"
)]
pub fn proof_at(key: &ProofKey, method: &str, url: &str, token: &str, iat: u64) -> String {
    ProofBuilder::new(key)
        .htm(method)
        .htu(url)
        .access_token(token)
        .iat(i64::try_from(iat).expect("an iat within i64"))
        .sign()
        .expect("a signed DPoP proof")
}

/// As [`proof`], carrying the server nonce `nonce`.
///
/// # Panics
///
/// When the proof cannot be signed.
#[expect(
    clippy::expect_used,
    reason = "a fixture that cannot make its proof fails the test"
)]
pub fn proof_with_nonce(
    key: &ProofKey,
    method: &str,
    url: &str,
    token: &str,
    nonce: &str,
) -> String {
    ProofBuilder::new(key)
        .htm(method)
        .htu(url)
        .access_token(token)
        .nonce(nonce)
        .iat(i64::try_from(NOW).expect("NOW is within i64"))
        .sign()
        .expect("a signed DPoP proof")
}

/// An HTTP response, read whole, whichever client or router produced it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reply {
    /// The status code.
    pub status: StatusCode,
    /// Every header, in order.
    pub headers: HeaderMap,
    /// The body: JSON when it is JSON, `Null` when empty, otherwise the
    /// text as a JSON string.
    pub body: Value,
}

impl Reply {
    /// A reply from its status, headers and raw body (see
    /// [`Reply::body`]).
    pub fn new(status: StatusCode, headers: HeaderMap, body: &[u8]) -> Self {
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        Self {
            status,
            headers,
            body,
        }
    }

    /// The `error` member of the JSON body, or `""`.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }

    /// The `error_description` member of the JSON body, or `""`.
    pub fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or_default()
    }

    /// The first header `name`, as text, or `None` when absent.
    ///
    /// # Panics
    ///
    /// When the header is not visible ASCII.
    #[expect(
        clippy::expect_used,
        reason = "a header a test cannot read as text fails the test"
    )]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("a visible-ASCII header"))
    }

    /// Every `WWW-Authenticate` header, in order.
    ///
    /// # Panics
    ///
    /// When one is not visible ASCII.
    #[expect(
        clippy::expect_used,
        reason = "a challenge a test cannot read as text fails the test"
    )]
    pub fn challenges(&self) -> Vec<&str> {
        self.headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| v.to_str().expect("a visible-ASCII challenge"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_body_is_json_null_or_text() {
        let json = Reply::new(StatusCode::OK, HeaderMap::new(), br#"{"error":"x"}"#);
        assert_eq!(json.error(), "x");
        assert_eq!(json.description(), "");
        let empty = Reply::new(StatusCode::NO_CONTENT, HeaderMap::new(), b"");
        assert_eq!(empty.body, Value::Null);
        let text = Reply::new(StatusCode::BAD_REQUEST, HeaderMap::new(), b"not json");
        assert_eq!(text.body, Value::String("not json".to_owned()));
        assert_eq!(text.error(), "");
    }

    #[test]
    fn reply_reads_headers_in_order() {
        let mut headers = HeaderMap::new();
        headers.append("www-authenticate", "Bearer".parse().unwrap());
        headers.append("www-authenticate", "DPoP algs=\"ES256\"".parse().unwrap());
        headers.append("dpop-nonce", "n-1".parse().unwrap());
        let reply = Reply::new(StatusCode::UNAUTHORIZED, headers, b"");
        assert_eq!(reply.challenges(), ["Bearer", "DPoP algs=\"ES256\""]);
        assert_eq!(reply.header("dpop-nonce"), Some("n-1"));
        assert_eq!(reply.header("dpop"), None);
    }

    #[test]
    fn block_on_runs_the_future_and_the_clock_starts_at_now() {
        assert_eq!(block_on(async { 7 }), 7);
        assert_eq!(jose_core::Clock::unix_seconds(&*clock()), NOW as i64);
    }

    #[test]
    fn clocked_issuer_keeps_the_builder_configuration() {
        let mut builder = DevIssuer::builder();
        builder.audience("https://other.example");
        let fixture = block_on(ClockedIssuer::start_with(&builder)).unwrap();
        assert_eq!(fixture.issuer().audience(), "https://other.example");
        assert_eq!(fixture.issuer().now(), NOW as i64);
        let (issuer, clock) = fixture.into_parts();
        clock.advance(Duration::from_secs(5));
        assert_eq!(issuer.now(), NOW as i64 + 5);
    }
}

/// A DPoP client of an issuer: a key and an access token bound to it.
#[derive(Debug)]
pub struct DpopUser {
    key: ProofKey,
    token: String,
}

impl DpopUser {
    /// A new key, and a token of `issuer` for `sub` bound to it.
    ///
    /// # Panics
    ///
    /// When the key or the token cannot be made.
    #[expect(
        clippy::expect_used,
        reason = "a fixture that cannot make its key or token fails the test"
    )]
    pub fn new(issuer: &DevIssuer, sub: &str) -> Self {
        let key = ProofKey::generate().expect("a P-256 key");
        let token = issuer
            .token()
            .sub(sub)
            .cnf_jkt(key.thumbprint())
            .sign()
            .expect("a signed access token");
        Self { key, token }
    }

    /// The proof key.
    pub fn key(&self) -> &ProofKey {
        &self.key
    }

    /// The access token, bound to [`DpopUser::key`] (`cnf.jkt`).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The headers of a `GET url` with this user's token and a new proof
    /// made at `iat`: `Authorization: DPoP ..` and `DPoP`.
    ///
    /// # Panics
    ///
    /// When the proof cannot be signed.
    #[expect(
        clippy::expect_used,
        reason = "tokens and proofs are base64url: always header values"
    )]
    pub fn get_headers(&self, url: &str, iat: u64) -> HeaderMap {
        let proof = proof_at(&self.key, "GET", url, &self.token, iat);
        let mut headers = HeaderMap::new();
        let authorization = format!("DPoP {}", self.token);
        headers.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_str(&authorization).expect("a header value"),
        );
        headers.insert(
            "dpop",
            HeaderValue::from_str(&proof).expect("a header value"),
        );
        headers
    }
}
