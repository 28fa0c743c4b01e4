//! An issuer on a fixed clock, routers served on loopback or driven
//! directly, DPoP proofs, and an HTTP client with bounded waits.
//!
//! The fixed instant, bounded waits, the issuer on its clock, the proofs,
//! the HTTP client, the loopback server and `Reply` are
//! `dev_issuer::testing`'s, shared with the other crates' tests.

use std::sync::Arc;

use auth0_api::{ApiClient, ApiClientOptions, ManualClock, PublicUrl};
use auth0_api_axum::RequestVerifier;
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use dev_issuer::DevIssuer;
use dev_issuer::dpop::ProofKey;
use dev_issuer::testing::{ClockedIssuer, Reply};
pub(crate) use dev_issuer::testing::{Server, http, proof, proof_with_nonce, send, within};
use tower::ServiceExt as _;

/// The public URL of the routers driven without a socket.
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

/// Sends `request` straight to `app`, without a socket, and reads the reply.
pub(crate) async fn oneshot(app: &Router, request: Request<Body>) -> Reply {
    let response = within(app.clone().oneshot(request)).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = within(axum::body::to_bytes(body, 1 << 20)).await.unwrap();
    Reply::new(parts.status, parts.headers, &bytes)
}

/// A request to `path` with these headers and no body.
pub(crate) fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}
