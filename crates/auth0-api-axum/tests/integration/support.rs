//! An issuer on a fixed clock, routers served on loopback or driven
//! directly, DPoP proofs, and an HTTP client with bounded waits.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use auth0_api::{ApiClient, ApiClientOptions, ManualClock, PublicUrl};
use auth0_api_axum::RequestVerifier;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use dev_issuer::DevIssuer;
use dev_issuer::dpop::{ProofBuilder, ProofKey};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

/// Every token and proof is made, and checked, at this instant.
pub(crate) const NOW: u64 = 1_700_000_000;

/// The public URL of the routers driven without a socket.
pub(crate) const PUBLIC_URL: &str = "https://api.example.com";

/// The longest any test waits for anything.
const TEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `future`, failing the test if it takes longer than the bound.
pub(crate) async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(TEST_TIMEOUT, future)
        .await
        .expect("the test timed out")
}

/// A dev issuer and an API client, both on one fixed clock.
pub(crate) struct Env {
    pub(crate) issuer: DevIssuer,
    pub(crate) clock: Arc<ManualClock>,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let clock = Arc::new(ManualClock::at_unix_seconds(NOW));
        let issuer = within(DevIssuer::builder().clock(clock.clone()).start())
            .await
            .unwrap();
        Self { issuer, clock }
    }

    pub(crate) fn options(&self) -> ApiClientOptions {
        ApiClientOptions::new(self.issuer.issuer_url(), self.issuer.audience())
            .clock(self.clock.clone())
    }

    /// A verifier with the default options, for `public_url`.
    pub(crate) fn verifier(&self, public_url: &str) -> RequestVerifier {
        verifier(self.options(), public_url)
    }

    /// A Bearer token of `auth0|alice` with `scope`.
    pub(crate) fn token(&self, scope: &str) -> String {
        self.issuer
            .token()
            .sub("auth0|alice")
            .scope(scope)
            .sign()
            .unwrap()
    }

    /// A token of `auth0|alice` bound to `key`.
    pub(crate) fn bound_token(&self, key: &ProofKey) -> String {
        self.issuer
            .token()
            .sub("auth0|alice")
            .cnf_jkt(key.thumbprint())
            .sign()
            .unwrap()
    }
}

pub(crate) fn verifier(options: ApiClientOptions, public_url: &str) -> RequestVerifier {
    RequestVerifier::new(
        ApiClient::new(options).unwrap(),
        PublicUrl::new(public_url).unwrap(),
    )
}

/// A proof of `key` for `method` and `url`, bound to `token`, made now.
pub(crate) fn proof(key: &ProofKey, method: &str, url: &str, token: &str) -> String {
    ProofBuilder::new(key)
        .htm(method)
        .htu(url)
        .access_token(token)
        .iat(i64::try_from(NOW).unwrap())
        .sign()
        .unwrap()
}

/// As [`proof`], carrying a server nonce.
pub(crate) fn proof_with_nonce(
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
        .iat(i64::try_from(NOW).unwrap())
        .sign()
        .unwrap()
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    /// Every `WWW-Authenticate` header, in order.
    pub(crate) fn challenges(&self) -> Vec<&str> {
        self.headers
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect()
    }

    /// The `error` member of the JSON body.
    pub(crate) fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }
}

/// A router served on a free loopback port; stopped when dropped.
pub(crate) struct Server {
    pub(crate) url: String,
    task: JoinHandle<()>,
}

impl Server {
    /// Serves the router `app` builds for the server's own URL.
    pub(crate) async fn start(app: impl FnOnce(&str) -> Router) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = app(&url);
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, task }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn http() -> reqwest::Client {
    // Already installed by an earlier call: fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(TEST_TIMEOUT)
        .build()
        .unwrap()
}

/// Sends `request` over HTTP and reads the reply.
pub(crate) async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = within(request.send()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = within(response.bytes()).await.unwrap();
    Reply {
        status,
        headers,
        body: json(&bytes),
    }
}

/// Sends `request` straight to `app`, without a socket, and reads the reply.
pub(crate) async fn oneshot(app: &Router, request: Request<Body>) -> Reply {
    let response = within(app.clone().oneshot(request)).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = within(axum::body::to_bytes(body, 1 << 20)).await.unwrap();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: json(&bytes),
    }
}

/// A body as JSON; `Null` when empty, a string when not JSON.
fn json(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// A request to `path` with these headers and no body.
pub(crate) fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}
