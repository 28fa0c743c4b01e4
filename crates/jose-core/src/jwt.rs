//! A JWS whose payload is a JSON claim set.

use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::error::Error;
use crate::jwk::VerifyingKey;
use crate::jws::{Header, Jws, Limits};

/// A parsed, not yet verified, JWT: a compact JWS whose payload is a JSON
/// object with no duplicate member names.
#[derive(Debug, Clone)]
pub struct Jwt<'a> {
    jws: Jws<'a>,
    claims: Map<String, Value>,
}

impl<'a> Jwt<'a> {
    /// Parses a JWT with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`Jws::parse`], and [`FormatError`](crate::FormatError) when the
    /// payload is not a JSON object.
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with(token, &Limits::new())
    }

    /// Parses a JWT with explicit [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`Jwt::parse`].
    pub fn parse_with(token: &'a str, limits: &Limits) -> Result<Self, Error> {
        let jws = Jws::parse_with(token, limits)?;
        let claims = jws.payload_object()?;
        Ok(Self { jws, claims })
    }

    /// The protected header.
    pub fn header(&self) -> &Header {
        self.jws.header()
    }

    /// The (unverified until [`Jwt::verify`] succeeds) claims.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The underlying JWS.
    pub fn jws(&self) -> &Jws<'a> {
        &self.jws
    }

    /// Verifies the signature: see [`Jws::verify`].
    ///
    /// # Errors
    ///
    /// As [`Jws::verify`].
    pub fn verify(&self, key: &VerifyingKey, allowed: &[Algorithm]) -> Result<Algorithm, Error> {
        self.jws.verify(key, allowed)
    }

    /// Gives up the claims.
    pub fn into_claims(self) -> Map<String, Value> {
        self.claims
    }
}
