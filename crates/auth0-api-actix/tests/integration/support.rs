//! An issuer on a fixed clock, actix-web apps served on loopback, and the
//! shared fixtures of `dev_issuer::testing`.
//!
//! The fixed instant, bounded waits, the issuer on its clock, the proofs,
//! the HTTP client and `Reply` are `dev_issuer::testing`'s, shared with the
//! other crates' tests. Its `Server` serves axum routers; [`Server`] here
//! is the same for actix-web.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpServer, web};
use auth0_api::{ApiClient, ApiClientOptions, ManualClock, PublicUrl};
use auth0_api_actix::RequestVerifier;
use dev_issuer::DevIssuer;
use dev_issuer::dpop::ProofKey;
use dev_issuer::testing::{ClockedIssuer, Reply};
pub(crate) use dev_issuer::testing::{http, proof, proof_with_nonce, send, within};
use tokio::task::JoinHandle;

/// The public URL of the apps driven without a socket.
pub(crate) const PUBLIC_URL: &str = "https://api.example.com";

/// A dev issuer and an API client, both on one fixed clock.
pub(crate) struct Env {
    pub(crate) issuer: DevIssuer,
    pub(crate) clock: Arc<ManualClock>,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let (issuer, clock) = within(ClockedIssuer::start()).await.unwrap().into_parts();
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

/// Sends `request` straight to `app` (from `actix_web::test::init_service`),
/// without a socket, and reads the reply.
pub(crate) async fn call<S, R, B>(app: &S, request: R) -> Reply
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = within(app.call(request)).await.unwrap();
    let status = http::StatusCode::from_u16(response.status().as_u16()).unwrap();
    let mut headers = http::HeaderMap::new();
    for (name, value) in response.headers() {
        headers.append(
            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let body = within(test::try_read_body(response)).await.ok().unwrap();
    Reply::new(status, headers, &body)
}

/// A request to `path` with these headers and no body.
pub(crate) fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> TestRequest {
    let mut request = TestRequest::default()
        .method(method.parse().unwrap())
        .uri(path);
    for (name, value) in headers {
        request = request.append_header((*name, *value));
    }
    request
}

/// An actix-web app served on `127.0.0.1` at a free port, by one worker;
/// it stops when dropped.
pub(crate) struct Server {
    url: String,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Serves the routes that `app` configures for the server's own URL
    /// (`http://127.0.0.1:PORT`, no trailing slash): an API verifying DPoP
    /// proofs learns its public URL before it serves.
    pub(crate) async fn start<F>(app: impl FnOnce(&str) -> F) -> Self
    where
        F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes = app(&url);
        let server = HttpServer::new(move || App::new().configure(routes.clone()))
            .workers(1)
            // The test runner, not Ctrl-C, ends the test.
            .disable_signals()
            .shutdown_timeout(0)
            .listen(listener)
            .unwrap()
            .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        Self { url, handle, task }
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub(crate) fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The command is sent at once; the worker threads then stop even
        // if nothing awaits the future.
        drop(self.handle.stop(false));
        self.task.abort();
    }
}
