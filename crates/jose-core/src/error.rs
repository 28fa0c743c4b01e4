//! Errors: one [`Error`] that fans out by what went wrong.
//!
//! Every variant is the remote party's fault (a malformed or forged token, an
//! unusable key in a JWKS) unless its docs say otherwise. Values taken from a
//! token are shortened with an ellipsis before they are stored, so an error
//! never carries an unbounded amount of attacker-chosen text.

use std::sync::Arc;

use crate::alg::Algorithm;

/// Anything that can go wrong while parsing or verifying a JWS or JWT.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The compact serialization itself is malformed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The protected header is unacceptable.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// No usable key, or the key itself is unusable.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The signature does not verify.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The claims do not pass validation.
    #[error(transparent)]
    Claims(#[from] ClaimsError),
}

/// Which part of a compact JWS an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The protected header (first segment).
    Header,
    /// The payload (second segment).
    Payload,
    /// The signature (third segment).
    Signature,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// The token is not a well-formed compact JWS.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The token is longer than the configured cap; nothing was decoded.
    #[error("token is {len} bytes, more than the {max} allowed")]
    TooLarge {
        /// Length of the input in bytes.
        len: usize,
        /// The configured cap.
        max: usize,
    },
    /// Five segments: an encrypted JWE, which is never accepted as a JWS.
    #[error("token is a JWE (5 segments), not a JWS")]
    Jwe,
    /// Not the three segments of a compact JWS.
    #[error("token has {found} segments, a compact JWS has 3")]
    SegmentCount {
        /// Number of `.`-separated segments found.
        found: usize,
    },
    /// A segment is not strict unpadded base64url.
    #[error("{part} is not strict base64url")]
    Base64 {
        /// The offending segment.
        part: Part,
    },
    /// A segment that must be JSON is not valid JSON.
    #[error("{part} is not valid JSON")]
    Json {
        /// The offending segment.
        part: Part,
        /// What the JSON parser reported.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// A segment that must be a JSON object is another JSON value.
    #[error("{part} is not a JSON object")]
    NotAnObject {
        /// The offending segment.
        part: Part,
    },
    /// A JSON object repeats a member name, which would let two parsers
    /// disagree on the token's meaning.
    #[error("{part} repeats the member {name:?}")]
    DuplicateMember {
        /// The offending segment.
        part: Part,
        /// The repeated name (shortened).
        name: String,
    },
}

/// The protected header is unacceptable.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// No `alg` member.
    #[error("header has no \"alg\"")]
    MissingAlg,
    /// A registered member has the wrong JSON type.
    #[error("header member {member:?} has the wrong type")]
    InvalidMember {
        /// The member name.
        member: &'static str,
    },
    /// `alg` names an algorithm this crate never verifies (`none`, HS*, PS*,
    /// ...), whatever the caller allows.
    #[error("algorithm {alg:?} is not supported")]
    UnsupportedAlgorithm {
        /// The `alg` value (shortened).
        alg: String,
    },
    /// `alg` is supported but not on the caller's allowlist.
    #[error("algorithm {alg} is not allowed here")]
    AlgorithmNotAllowed {
        /// The algorithm.
        alg: Algorithm,
    },
    /// `crit` is present: we understand no extensions, so RFC 7515 section
    /// 4.1.11 requires rejection.
    #[error("header has \"crit\", and no extension is supported")]
    Critical,
    /// `b64` is present: the unencoded-payload option (RFC 7797) is refused.
    #[error("header has \"b64\", unencoded payloads are not supported")]
    UnencodedPayload,
    /// `cty: JWT`: a nested token, whose inner claims would not be covered by
    /// the checks applied to this one.
    #[error("nested JWTs (cty \"JWT\") are not accepted")]
    NestedJwt,
    /// `typ` is not one the caller accepts.
    #[error("token type {typ:?} is not accepted")]
    UnexpectedType {
        /// The `typ` value (shortened), or `None` when absent.
        typ: Option<String>,
    },
}

/// No usable key, or the key itself is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// `kty` is not `RSA` or `EC`.
    #[error("key type {kty:?} is not supported")]
    UnsupportedKeyType {
        /// The `kty` value (shortened).
        kty: String,
    },
    /// An EC key on a curve other than P-256.
    #[error("curve {crv:?} is not supported")]
    UnsupportedCurve {
        /// The `crv` value (shortened), empty when absent.
        crv: String,
    },
    /// A member the key type requires is absent.
    #[error("key has no {member:?}")]
    MissingMember {
        /// The member name.
        member: &'static str,
    },
    /// A member is present but malformed (wrong type, bad base64url, wrong
    /// length).
    #[error("key member {member:?} is malformed")]
    InvalidMember {
        /// The member name.
        member: &'static str,
    },
    /// The key carries private key material where a public key was expected.
    #[error("key contains private member {member:?}")]
    PrivateKeyMaterial {
        /// The private member found.
        member: &'static str,
    },
    /// RSA modulus outside 2048..=8192 bits.
    #[error("RSA modulus of {bits} bits is outside 2048..=8192")]
    RsaModulusSize {
        /// Size of the modulus in bits.
        bits: usize,
    },
    /// RSA modulus is even, so it cannot be a product of two odd primes.
    #[error("RSA modulus is even")]
    RsaModulusEven,
    /// RSA modulus made by the ROCA-vulnerable generator (CVE-2017-15361),
    /// and therefore factorable.
    #[error("RSA modulus has the ROCA fingerprint (CVE-2017-15361)")]
    RsaRocaVulnerable,
    /// RSA public exponent is even, below 3 or above 2^33 - 1.
    #[error("RSA public exponent is unusable")]
    RsaExponent,
    /// EC coordinates do not describe a point on P-256.
    #[error("EC point is not on P-256")]
    InvalidEcPoint,
    /// A JWKS document is not an object with a `keys` array.
    #[error("malformed JWK set: {reason}")]
    MalformedKeySet {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The header names no `kid`, so no key can be chosen.
    #[error("token header has no \"kid\"")]
    MissingKid,
    /// No key in the set has this `kid` (after a refresh, the key may exist).
    #[error("no key with kid {kid:?}")]
    UnknownKid {
        /// The `kid` (shortened).
        kid: String,
    },
    /// More than one usable key has this `kid`; choosing would be a guess.
    #[error("several keys have kid {kid:?}")]
    AmbiguousKid {
        /// The `kid` (shortened).
        kid: String,
    },
    /// The key's type cannot verify this algorithm (the key decides, never
    /// the token).
    #[error("{alg} cannot be verified with this key type")]
    IncompatibleAlgorithm {
        /// The requested algorithm.
        alg: Algorithm,
    },
    /// An HMAC secret shorter than the 32 bytes HS256 requires (RFC 7518
    /// section 3.2). The secret itself is never part of the error.
    #[error("HMAC secret is {len} bytes, at least 32 are required")]
    HmacSecretTooShort {
        /// The secret's length in bytes.
        len: usize,
    },
    /// A PEM public key could not be read.
    #[error("PEM public key is malformed: {reason}")]
    InvalidPem {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key declares an `alg` different from the token's.
    #[error("key is for {key_alg:?}, token uses {alg}")]
    AlgorithmMismatch {
        /// The key's `alg` (shortened).
        key_alg: String,
        /// The token's algorithm.
        alg: Algorithm,
    },
    /// The key's `use` is not `sig`.
    #[error("key use {key_use:?} is not \"sig\"")]
    NotForSignatures {
        /// The key's `use` (shortened).
        key_use: String,
    },
    /// The key's `key_ops` does not include `verify`.
    #[error("key_ops does not include \"verify\"")]
    VerifyNotPermitted,
}

/// The signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature has the wrong length for the algorithm (for ES256, a
    /// DER-encoded signature lands here: JWS uses raw `r || s`).
    #[error("{alg} signature is {found} bytes, expected {expected}")]
    Length {
        /// The algorithm.
        alg: Algorithm,
        /// Required length in bytes.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The signature is not valid for this key and signing input.
    #[error("signature is invalid")]
    Invalid,
}

/// The claims do not pass validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// A required claim is absent.
    #[error("claim {claim:?} is missing")]
    Missing {
        /// The claim name.
        claim: String,
    },
    /// A claim is present with the wrong JSON type (never treated as absent).
    #[error("claim {claim:?} must be {expected}")]
    InvalidType {
        /// The claim name.
        claim: String,
        /// What it must be.
        expected: &'static str,
    },
    /// `exp` has passed.
    #[error("token expired at {exp} (now {now}, leeway {leeway}s)")]
    Expired {
        /// The `exp` claim.
        exp: i64,
        /// The clock's time.
        now: i64,
        /// The configured leeway in seconds.
        leeway: u64,
    },
    /// `nbf` is in the future.
    #[error("token not valid before {nbf} (now {now}, leeway {leeway}s)")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: i64,
        /// The clock's time.
        now: i64,
        /// The configured leeway in seconds.
        leeway: u64,
    },
    /// `iat` is in the future.
    #[error("token issued in the future at {iat} (now {now}, leeway {leeway}s)")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: i64,
        /// The clock's time.
        now: i64,
        /// The configured leeway in seconds.
        leeway: u64,
    },
    /// `iss` is not an accepted issuer.
    #[error("issuer {found:?} is not accepted")]
    IssuerMismatch {
        /// The token's issuer (shortened).
        found: String,
    },
    /// `aud` does not contain an accepted audience.
    #[error("audience {found:?} is not accepted")]
    AudienceMismatch {
        /// The token's audiences (each shortened, at most 8).
        found: Vec<String>,
    },
}

/// [`excerpt`](crate::excerpt) with the default bound.
pub(crate) fn excerpt(value: &str) -> String {
    crate::excerpt(value, crate::EXCERPT_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Error>();
    }
}
