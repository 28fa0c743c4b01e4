//! Errors: one [`Error`] with a variant per rule of RFC 9449 section 4.3.
//!
//! Unless its docs say otherwise, a variant is the client's fault: the proof
//! (or the headers carrying it) breaks a rule, and the answer is
//! `invalid_dpop_proof`. Values taken from a proof are shortened before they
//! are stored, and no error ever holds the proof itself or the access token.

use std::time::Duration;

use jose_core::{HeaderError, KeyError, SignatureError};

use crate::nonce::NonceError;
use crate::replay::ReplayError;

/// Anything that can go wrong while verifying or creating a DPoP proof.
///
/// Use [`Error::error_code`], [`Error::status_code`] and
/// [`Error::fresh_nonce`] to build the HTTP answer instead of matching on
/// variants.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- the request's headers -----
    /// The request carries no `DPoP` header.
    #[error("request has no DPoP proof")]
    MissingProof,
    /// The request carries more than one `DPoP` header (RFC 9449 section
    /// 4.3, check 1).
    #[error("request has {count} DPoP headers, exactly one is allowed")]
    MultipleHeaders {
        /// Number of `DPoP` header fields.
        count: usize,
    },
    /// The one `DPoP` header holds a comma-separated list: several proofs
    /// joined by a proxy or a client. A compact JWS never contains a comma.
    #[error("DPoP header holds a list of values, exactly one proof is allowed")]
    MultipleValues,
    /// The proof is longer than the configured cap; nothing was decoded.
    #[error("DPoP proof is {len} bytes, more than the {max} allowed")]
    TooLarge {
        /// Length of the header value in bytes.
        len: usize,
        /// The configured cap.
        max: usize,
    },

    // ----- the JWS and its header -----
    /// The proof is not a well-formed compact JWS with JSON object header
    /// and payload (check 2).
    #[error("DPoP proof is not a well-formed JWS")]
    Malformed(#[source] jose_core::Error),
    /// `typ` is absent or not exactly `dpop+jwt` (check 4).
    #[error("DPoP proof typ is {}, not \"dpop+jwt\"", quoted_or_absent(.typ.as_deref()))]
    InvalidType {
        /// The `typ` value (shortened), `None` when absent.
        typ: Option<String>,
    },
    /// `alg` is not on the verifier's allowlist; `none` and HS* never are
    /// (check 5).
    #[error("DPoP proof algorithm is not allowed")]
    AlgorithmNotAllowed(#[source] HeaderError),
    /// The header has no `jwk` (check 3).
    #[error("DPoP proof header has no \"jwk\"")]
    MissingJwk,
    /// `jwk` is not a JSON object describing a usable public key for the
    /// proof's algorithm: not an object, an unsupported `kty` or curve, a
    /// point off the curve, an RSA key under ES256 (check 7).
    #[error("DPoP proof jwk is not a usable public key")]
    InvalidJwk(#[source] KeyError),
    /// `jwk` contains private key material (check 7).
    #[error("DPoP proof jwk contains private member {member:?}")]
    PrivateJwk {
        /// The private member found (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`
        /// or `k`).
        member: &'static str,
    },
    /// The signature does not verify with the header's `jwk` (check 6).
    #[error("DPoP proof signature is invalid")]
    InvalidSignature(#[source] SignatureError),

    // ----- the claims -----
    /// A required claim is absent (check 3): `jti`, `htm`, `htu`, `iat`,
    /// or `ath` when an access token is presented.
    #[error("DPoP proof has no {claim:?} claim")]
    MissingClaim {
        /// The claim name.
        claim: &'static str,
    },
    /// A claim has the wrong JSON type.
    #[error("DPoP proof claim {claim:?} must be {expected}")]
    InvalidClaim {
        /// The claim name.
        claim: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// `jti` is the empty string.
    #[error("DPoP proof jti is empty")]
    EmptyJti,
    /// `jti` is longer than the configured cap.
    #[error("DPoP proof jti is {len} bytes, more than the {max} allowed")]
    JtiTooLong {
        /// Length of the `jti` in bytes.
        len: usize,
        /// The configured cap.
        max: usize,
    },
    /// `htm` is not the request's method (check 8). The comparison is
    /// case-sensitive, as HTTP methods are (RFC 9110 section 9.1).
    #[error("DPoP proof htm {found:?} does not match the request method {expected:?}")]
    MethodMismatch {
        /// The request's method (shortened).
        expected: String,
        /// The proof's `htm` (shortened).
        found: String,
    },
    /// `htu` is not an absolute `http` or `https` URL without userinfo.
    #[error("DPoP proof htu is not an absolute http(s) URL")]
    InvalidHtu,
    /// `htu` is not the request's URL, after normalisation and without query
    /// and fragment (check 9).
    #[error("DPoP proof htu {found:?} does not match the request URL {expected:?}")]
    UrlMismatch {
        /// The normalised request URL, without query (shortened).
        expected: String,
        /// The normalised `htu`, without query (shortened).
        found: String,
    },
    /// `iat` is further in the future than the leeway allows (check 11).
    #[error("DPoP proof issued in the future at {iat} (now {now}, leeway {leeway}s)")]
    IatInFuture {
        /// The proof's `iat`.
        iat: i64,
        /// The verifier's clock.
        now: i64,
        /// The configured leeway in seconds.
        leeway: u64,
    },
    /// `iat` is older than the offset plus the leeway allow (check 11).
    #[error(
        "DPoP proof issued at {iat} is too old (now {now}, offset {offset}s, leeway {leeway}s)"
    )]
    IatTooOld {
        /// The proof's `iat`.
        iat: i64,
        /// The verifier's clock.
        now: i64,
        /// The configured maximum age in seconds.
        offset: u64,
        /// The configured leeway in seconds.
        leeway: u64,
    },
    /// `ath` is not the hash of the presented access token (check 12).
    #[error("DPoP proof ath does not match the access token")]
    AthMismatch,
    /// The proof key's RFC 7638 thumbprint is not the expected `jkt` (the
    /// access token's `cnf.jkt`, check 13).
    #[error("DPoP proof key thumbprint {found:?} does not match the expected {expected:?}")]
    ThumbprintMismatch {
        /// The expected thumbprint (shortened).
        expected: String,
        /// The proof key's thumbprint.
        found: String,
    },
    /// The replay cache has already seen this `jti` for this key within the
    /// `iat` window.
    #[error("DPoP proof has already been used")]
    Replayed,
    /// The proof's key already holds its share of the replay cache's live
    /// entries: it sends proofs faster than one client may. Answered with
    /// 429 and `Retry-After`, so that one key cannot lock every other key
    /// out of the cache; other keys are unaffected.
    #[error("DPoP key holds its share of {max_per_key} live proofs, retry in {}s", retry_after.as_secs())]
    KeyQuotaExceeded {
        /// The most live proofs one key may hold.
        max_per_key: usize,
        /// How long until one of this key's proofs may have expired.
        retry_after: Duration,
    },
    /// The replay store was reset less than a proof lifetime ago and this
    /// proof may predate the reset, so it may have been accepted already.
    /// A proof signed now passes.
    #[error("DPoP proof may predate the replay store's reset, sign a new one")]
    IssuedBeforeReset,

    // ----- server nonces -----
    /// Nonces are required and the proof has no valid, current one. Answer
    /// `use_dpop_nonce` and send [`Error::fresh_nonce`] in the `DPoP-Nonce`
    /// header (RFC 9449 sections 8 and 9); the client retries with it.
    #[error("DPoP proof needs a fresh server nonce")]
    UseNonce {
        /// The nonce to send in `DPoP-Nonce`.
        nonce: String,
        /// What was wrong with the proof's nonce.
        #[source]
        reason: NonceError,
    },

    // ----- the server side -----
    /// The replay cache could not record the proof (it is full, or a remote
    /// store failed): [`ReplayError::CapacityExceeded`] or
    /// [`ReplayError::Unavailable`]. The proof is refused: replay protection
    /// fails closed. Not the client's fault; retrying after
    /// [`Error::retry_after`] may succeed.
    #[error("DPoP replay cache failed")]
    ReplayCache(#[source] ReplayError),

    // ----- caller misuse -----
    /// A URL handed to this crate by the caller (the request URL to verify
    /// against, or a proof's `htu` to sign) is not an absolute `http` or
    /// `https` URL without userinfo. The caller's fault.
    #[error("given URL is not an absolute http(s) URL without userinfo")]
    InvalidUrl,
    /// A configuration value is unusable. The caller's fault.
    #[error("invalid DPoP configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: &'static str,
    },
    /// The private key given for signing proofs is not a P-256 PKCS#8 key.
    /// The caller's fault.
    #[error("signing key is not a P-256 PKCS#8 private key")]
    InvalidSigningKey,
    /// The system random number generator or the signer failed. Neither the
    /// client's nor the caller's fault.
    #[error("cryptographic operation failed")]
    Crypto,
}

impl Error {
    /// The OAuth error code to answer with: `use_dpop_nonce` for
    /// [`Error::UseNonce`], `rate_limited` for
    /// [`Error::KeyQuotaExceeded`] (no OAuth code exists for it),
    /// `invalid_dpop_proof` for everything else.
    ///
    /// Server-side failures ([`Error::status_code`] 500 or 503) also return
    /// `invalid_dpop_proof`; such an answer should not carry an OAuth
    /// challenge at all, which is the HTTP layer's decision.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::UseNonce { .. } => "use_dpop_nonce",
            Self::KeyQuotaExceeded { .. } => "rate_limited",
            _ => "invalid_dpop_proof",
        }
    }

    /// The HTTP status a resource server answers with.
    ///
    /// 401 for every proof problem and for `use_dpop_nonce`, as RFC 9449
    /// sections 7.1 and 9 show for resource servers (with a
    /// `WWW-Authenticate: DPoP` challenge). `auth0-api-python` answers 400
    /// for `invalid_dpop_proof`; we follow the RFC. An authorization server's
    /// token endpoint answers 400 instead (RFC 9449 sections 5 and 8), which
    /// its own error mapping decides.
    ///
    /// 429 for [`Error::KeyQuotaExceeded`], 503 for [`Error::ReplayCache`]
    /// (both retryable after [`Error::retry_after`]), 500 for caller misuse
    /// and [`Error::Crypto`].
    pub fn status_code(&self) -> u16 {
        match self {
            Self::KeyQuotaExceeded { .. } => 429,
            Self::ReplayCache(_) => 503,
            Self::InvalidUrl | Self::Config { .. } | Self::InvalidSigningKey | Self::Crypto => 500,
            _ => 401,
        }
    }

    /// For [`Error::UseNonce`], the nonce to send in the `DPoP-Nonce`
    /// response header.
    pub fn fresh_nonce(&self) -> Option<&str> {
        match self {
            Self::UseNonce { nonce, .. } => Some(nonce),
            _ => None,
        }
    }

    /// How long the client should wait before trying again (the HTTP
    /// `Retry-After`), for [`Error::KeyQuotaExceeded`] and
    /// [`Error::ReplayCache`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::KeyQuotaExceeded { retry_after, .. } => Some(*retry_after),
            Self::ReplayCache(error) => error.retry_after(),
            _ => None,
        }
    }

    /// Whether the same request may succeed when retried: with the fresh
    /// nonce ([`Error::UseNonce`]) or later ([`Error::KeyQuotaExceeded`],
    /// [`Error::ReplayCache`]).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::UseNonce { .. } | Self::KeyQuotaExceeded { .. } | Self::ReplayCache(_)
        )
    }

    /// Whether the proof (or the request's headers) is at fault, as opposed
    /// to the server's configuration, its replay cache or its environment.
    pub fn is_proof_error(&self) -> bool {
        self.status_code() == 401
    }
}

/// `"value"` (Debug-quoted, so control characters are escaped) or `absent`.
fn quoted_or_absent(value: Option<&str>) -> String {
    value.map_or_else(|| "absent".to_owned(), |v| format!("{v:?}"))
}

/// [`jose_core::excerpt`] with the default bound.
pub(crate) fn excerpt(value: &str) -> String {
    jose_core::excerpt(value, jose_core::EXCERPT_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        let nonce = Error::UseNonce {
            nonce: "n".to_owned(),
            reason: NonceError::Missing,
        };
        assert_eq!(nonce.error_code(), "use_dpop_nonce");
        assert_eq!(nonce.status_code(), 401);
        assert_eq!(nonce.fresh_nonce(), Some("n"));
        assert!(nonce.is_retryable());
        assert!(nonce.is_proof_error());

        assert_eq!(Error::Replayed.error_code(), "invalid_dpop_proof");
        assert_eq!(Error::Replayed.status_code(), 401);
        assert_eq!(Error::Replayed.fresh_nonce(), None);
        assert!(!Error::Replayed.is_retryable());

        let full = Error::ReplayCache(ReplayError::CapacityExceeded {
            capacity: 1,
            retry_after: Duration::from_secs(7),
        });
        assert_eq!(full.status_code(), 503);
        assert_eq!(full.retry_after(), Some(Duration::from_secs(7)));

        let quota = Error::KeyQuotaExceeded {
            max_per_key: 10,
            retry_after: Duration::from_secs(3),
        };
        assert_eq!(
            (quota.status_code(), quota.error_code()),
            (429, "rate_limited")
        );
        assert_eq!(quota.retry_after(), Some(Duration::from_secs(3)));
        assert!(quota.is_retryable() && !quota.is_proof_error());

        assert_eq!(Error::IssuedBeforeReset.status_code(), 401);
        assert_eq!(Error::IssuedBeforeReset.error_code(), "invalid_dpop_proof");
        assert_eq!(Error::IssuedBeforeReset.retry_after(), None);
        assert!(full.is_retryable());
        assert!(!full.is_proof_error());
        assert_eq!(Error::InvalidUrl.status_code(), 500);
        assert_eq!(Error::Crypto.status_code(), 500);
    }

    #[test]
    fn typ_display_says_absent_or_quotes() {
        assert_eq!(
            Error::InvalidType { typ: None }.to_string(),
            "DPoP proof typ is absent, not \"dpop+jwt\""
        );
        assert_eq!(
            Error::InvalidType {
                typ: Some("jwt".to_owned())
            }
            .to_string(),
            "DPoP proof typ is \"jwt\", not \"dpop+jwt\""
        );
    }

    #[test]
    fn errors_are_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Error>();
    }

    #[test]
    fn display_is_lowercase_one_line_without_trailing_period() {
        let samples = [
            Error::MissingProof,
            Error::MultipleHeaders { count: 2 },
            Error::MultipleValues,
            Error::InvalidType { typ: None },
            Error::MissingJwk,
            Error::EmptyJti,
            Error::AthMismatch,
            Error::Replayed,
            Error::InvalidUrl,
            Error::Crypto,
        ];
        for error in samples {
            let text = error.to_string();
            let first = text.chars().next().unwrap_or_default();
            assert!(!first.is_uppercase() || text.starts_with("DPoP"), "{text}");
            assert!(!text.ends_with('.') && !text.contains('\n'), "{text}");
        }
    }
}
