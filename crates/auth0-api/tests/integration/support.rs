//! An issuer on a fixed clock, clients pointed at it, and request builders.
//!
//! The fixed instant, the issuer on its clock and the DPoP proofs are
//! `dev_issuer::testing`'s, shared with the other crates' tests.

use std::sync::Arc;

use auth0_api::{ApiClient, ApiClientOptions, AuthError};
use dev_issuer::DevIssuer;
use dev_issuer::dpop::ProofKey;
use dev_issuer::testing::{ClockedIssuer, proof_at};
pub(crate) use dev_issuer::testing::{NOW, proof};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use jose_core::ManualClock;

/// The API URL requests are made to.
pub(crate) const URL: &str = "https://api.example.com/orders";

pub(crate) struct Env {
    pub(crate) issuer: DevIssuer,
    pub(crate) clock: Arc<ManualClock>,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let (issuer, clock) = ClockedIssuer::start().await.unwrap().into_parts();
        Self { issuer, clock }
    }

    pub(crate) fn options(&self) -> ApiClientOptions {
        ApiClientOptions::new(self.issuer.issuer_url(), self.issuer.audience())
            .clock(self.clock.clone())
    }

    pub(crate) fn client(&self) -> ApiClient {
        ApiClient::new(self.options()).unwrap()
    }

    pub(crate) fn token(&self) -> String {
        self.issuer.token().sub("auth0|user").sign().unwrap()
    }

    pub(crate) fn bound_token(&self, key: &ProofKey) -> String {
        self.issuer
            .token()
            .sub("auth0|user")
            .cnf_jkt(key.thumbprint())
            .sign()
            .unwrap()
    }
}

/// Request headers, built one field at a time.
#[derive(Default, Clone)]
pub(crate) struct Headers(pub(crate) HeaderMap);

impl Headers {
    pub(crate) fn authorization(mut self, value: &str) -> Self {
        self.0
            .append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        self
    }

    pub(crate) fn dpop(mut self, proof: &str) -> Self {
        self.0.append("dpop", HeaderValue::from_str(proof).unwrap());
        self
    }
}

/// What a test expects of a refused request.
pub(crate) fn assert_refused(error: &AuthError, status: u16, code: &str, www_authenticate: &str) {
    assert_eq!(error.status_code(), status, "{error:?}");
    assert_eq!(error.error_code(), code, "{error:?}");
    assert_eq!(
        error.www_authenticate_header().as_deref(),
        Some(www_authenticate),
        "{error:?}"
    );
}

/// The headers of a DPoP request with `token` and a fresh proof made at
/// `iat`.
pub(crate) fn dpop_headers(key: &ProofKey, token: &str, iat: u64) -> HeaderMap {
    Headers::default()
        .authorization(&format!("DPoP {token}"))
        .dpop(&proof_at(key, "GET", URL, token, iat))
        .0
}
