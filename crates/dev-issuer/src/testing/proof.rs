//! DPoP proofs made at [`NOW`], and a DPoP client holding a bound token.

use http::{HeaderMap, HeaderValue};

use super::NOW;
use crate::DevIssuer;
use crate::dpop::{ProofBuilder, ProofKey};

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
