//! Compact JWS parsing (RFC 7515 section 7.1) and signature verification.

mod header;

pub use header::Header;

use std::sync::Arc;

use ring::hmac;
use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::base64url;
use crate::error::{Error, FormatError, KeyError, Part, SignatureError};
use crate::json::{self, JsonError};
use crate::jwk::VerifyingKey;

/// Bounds applied before a token is decoded.
#[derive(Debug, Clone)]
pub struct Limits {
    max_token_len: usize,
}

impl Limits {
    /// The default limits.
    pub const fn new() -> Self {
        Self {
            max_token_len: 16 * 1024,
        }
    }

    /// The longest token accepted, in bytes. Checked before any decoding, so
    /// an oversized token costs one length comparison.
    ///
    /// Default: 16 KiB.
    pub fn max_token_len(&mut self, bytes: usize) -> &mut Self {
        self.max_token_len = bytes;
        self
    }

    /// The configured maximum token length in bytes.
    pub const fn token_len(&self) -> usize {
        self.max_token_len
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

/// A parsed, not yet verified, compact JWS.
///
/// Holding a `Jws` proves only that the token is well-formed. The signing
/// input is kept as the original bytes of the token (never re-encoded), so
/// what is verified is exactly what was received.
#[derive(Debug, Clone)]
pub struct Jws<'a> {
    signing_input: &'a str,
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> Jws<'a> {
    /// Parses a compact JWS with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// [`FormatError`] for anything but three strict base64url segments whose
    /// header is a JSON object without duplicate members; [`HeaderError`]
    /// when the header uses `crit`, `b64` or `cty: JWT`, or lacks `alg`.
    ///
    /// [`HeaderError`]: crate::HeaderError
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with(token, &Limits::new())
    }

    /// Parses a compact JWS with explicit [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`Jws::parse`], plus [`FormatError::TooLarge`] past the cap.
    pub fn parse_with(token: &'a str, limits: &Limits) -> Result<Self, Error> {
        if token.len() > limits.max_token_len {
            return Err(FormatError::TooLarge {
                len: token.len(),
                max: limits.max_token_len,
            }
            .into());
        }
        let mut segments = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            let found = token.split('.').count();
            return Err(if found == 5 {
                FormatError::Jwe
            } else {
                FormatError::SegmentCount { found }
            }
            .into());
        };
        let header_bytes = decode(h, Part::Header)?;
        let header = Header::from_map(object(&header_bytes, Part::Header)?)?;
        let payload = decode(p, Part::Payload)?;
        let signature = decode(s, Part::Signature)?;
        Ok(Self {
            // `h` and `p` are the first two segments, so this slice is exactly
            // "header.payload" as received.
            signing_input: &token[..h.len() + 1 + p.len()],
            header,
            payload,
            signature,
        })
    }

    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The decoded signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, as received.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// Gives up the header, for [`VerifiedJwt`](crate::VerifiedJwt).
    pub(crate) fn into_header(self) -> Header {
        self.header
    }

    /// The payload parsed as a JSON object (no duplicate members), **not
    /// verified**: nothing here has been checked against a key. The name
    /// says so at every call site; for a JWT's claims, use
    /// [`Jwt::verify`](crate::Jwt::verify), whose [`VerifiedJwt`](crate::VerifiedJwt)
    /// is what validation accepts.
    ///
    /// # Errors
    ///
    /// [`FormatError`] when the payload is not a JSON object.
    pub fn unverified_payload_object(&self) -> Result<Map<String, Value>, Error> {
        Ok(object(&self.payload, Part::Payload)?)
    }

    /// Verifies the signature with `key`, for an algorithm on `allowed`.
    ///
    /// The algorithm is checked against `allowed` before the key is used, and
    /// the key's own type (not the token) decides which algorithm it can
    /// verify. Key metadata (`use`, `key_ops`, `alg`) is checked too.
    ///
    /// # Errors
    ///
    /// [`HeaderError`](crate::HeaderError) for an unsupported or disallowed
    /// algorithm, [`KeyError`](crate::KeyError) when the key cannot be used
    /// for it, [`SignatureError`](crate::SignatureError) when the signature
    /// does not verify.
    pub fn verify(&self, key: &VerifyingKey, allowed: &[Algorithm]) -> Result<Algorithm, Error> {
        let alg = self.header.algorithm(allowed)?;
        key.check_usable_for(alg)?;
        key.verify(alg, self.signing_input.as_bytes(), &self.signature)?;
        Ok(alg)
    }
}

impl Jws<'_> {
    /// Verifies an `HS256` signature with a secret the application
    /// configured, for an algorithm on `allowed`.
    ///
    /// `HS256` must be on `allowed` and be the token's `alg`; any other
    /// algorithm is refused before the secret is touched, so an `RS256`
    /// token is never checked against the secret. The secret must be at
    /// least 32 bytes (RFC 7518 section 3.2) and the signature exactly 32;
    /// the comparison is constant-time (`ring::hmac::verify`).
    ///
    /// # Errors
    ///
    /// [`HeaderError`](crate::HeaderError) for an unsupported or disallowed
    /// algorithm, [`KeyError::IncompatibleAlgorithm`] for an allowed one
    /// other than `HS256`, [`KeyError::HmacSecretTooShort`],
    /// [`SignatureError`](crate::SignatureError) when the signature does not
    /// verify.
    pub fn verify_hmac(&self, secret: &[u8], allowed: &[Algorithm]) -> Result<Algorithm, Error> {
        let alg = self.header.algorithm(allowed)?;
        if alg != Algorithm::Hs256 {
            return Err(KeyError::IncompatibleAlgorithm { alg }.into());
        }
        if secret.len() < HMAC_MIN_SECRET_LEN {
            return Err(KeyError::HmacSecretTooShort { len: secret.len() }.into());
        }
        if self.signature.len() != HMAC_SHA256_LEN {
            return Err(SignatureError::Length {
                alg,
                expected: HMAC_SHA256_LEN,
                found: self.signature.len(),
            }
            .into());
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        hmac::verify(&key, self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| SignatureError::Invalid)?;
        Ok(alg)
    }
}

/// The shortest HS256 secret accepted: as long as the hash (RFC 7518
/// section 3.2).
pub const HMAC_MIN_SECRET_LEN: usize = 32;

const HMAC_SHA256_LEN: usize = 32;

fn decode(segment: &str, part: Part) -> Result<Vec<u8>, FormatError> {
    base64url::decode(segment).map_err(|_| FormatError::Base64 { part })
}

fn object(bytes: &[u8], part: Part) -> Result<Map<String, Value>, FormatError> {
    json::parse_object(bytes).map_err(|e| match e {
        JsonError::Syntax(source) => FormatError::Json {
            part,
            source: Arc::new(source),
        },
        JsonError::NotAnObject => FormatError::NotAnObject { part },
        JsonError::DuplicateMember(name) => FormatError::DuplicateMember { part, name },
    })
}
