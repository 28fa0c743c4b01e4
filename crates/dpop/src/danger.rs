//! Signing arbitrary proofs. **Audit every use.**
//!
//! [`ProofBuilder`](crate::ProofBuilder) only produces proofs that follow
//! RFC 9449. Tests of a verifier need the opposite: a proof with exactly one
//! thing wrong, still validly signed, so that the test fails for the reason
//! it names. Reach this module through
//! [`ProofKey::dangerous`](crate::ProofKey::dangerous).
//!
//! ```
//! let key = dpop::ProofKey::generate()?;
//! // A proof whose typ is "jwt": correctly signed, and wrong.
//! let header = serde_json::json!({
//!     "typ": "jwt", "alg": "ES256", "jwk": key.public_jwk().to_value(),
//! });
//! let claims = serde_json::json!({
//!     "jti": "x", "htm": "GET", "htu": "https://a.example/", "iat": 0,
//! });
//! let proof = key.dangerous().sign_json(&header, &claims)?;
//! assert_eq!(proof.split('.').count(), 3);
//! # Ok::<(), dpop::Error>(())
//! ```

use serde_json::{Map, Value};

use crate::create::ProofKey;
use crate::error::Error;

/// A [`ProofKey`] that signs whatever it is given.
#[derive(Debug, Clone, Copy)]
pub struct DangerousProofKey<'k> {
    key: &'k ProofKey,
}

impl<'k> DangerousProofKey<'k> {
    pub(crate) fn new(key: &'k ProofKey) -> Self {
        Self { key }
    }

    /// The header [`ProofBuilder`](crate::ProofBuilder) would use (`typ`,
    /// `alg`, `jwk`), as a starting point to break.
    pub fn standard_header(&self) -> Map<String, Value> {
        self.key.proof_header()
    }

    /// Signs the JSON serialisations of `header` and `claims` (any JSON
    /// values, objects or not) with ES256.
    ///
    /// # Errors
    ///
    /// [`Error::Crypto`] when the signer fails.
    pub fn sign_json(&self, header: &Value, claims: &Value) -> Result<String, Error> {
        self.sign_bytes(header.to_string().as_bytes(), claims.to_string().as_bytes())
    }

    /// Signs exactly these header and payload bytes (base64url-encoding
    /// them), e.g. JSON with duplicate members or no JSON at all.
    ///
    /// # Errors
    ///
    /// [`Error::Crypto`] when the signer fails.
    pub fn sign_bytes(&self, header: &[u8], payload: &[u8]) -> Result<String, Error> {
        self.key.sign_compact(header, payload)
    }

    /// Signs an already encoded signing input (`header.payload`, taken as
    /// is, so it may be non-canonical base64url) and appends the signature.
    ///
    /// # Errors
    ///
    /// [`Error::Crypto`] when the signer fails.
    pub fn sign_input(&self, signing_input: &str) -> Result<String, Error> {
        self.key.sign_input(signing_input.to_owned())
    }
}
