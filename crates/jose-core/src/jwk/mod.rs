//! JSON Web Keys (RFC 7517): the serde model, ready-to-verify keys, key sets
//! and RFC 7638 thumbprints.

mod key;
mod p256;
mod pem;
mod roca;
mod set;

pub use key::VerifyingKey;
pub use set::{JwkSet, KeySet, RejectedKey};

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Members that only a private (or symmetric) key has. A verifier is never
/// handed one on purpose, so their presence means a publishing mistake or an
/// attack, and the key is refused.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// One JSON Web Key, as published: every member is kept, unknown ones too.
///
/// This is data, not a key: turn it into a [`VerifyingKey`] (which checks
/// it) with [`VerifyingKey::from_jwk`].
#[derive(Clone, PartialEq, Deserialize, Serialize)]
pub struct Jwk {
    kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    key_use: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_ops: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl Jwk {
    /// Reads a JWK from a JSON value.
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidMember`](crate::KeyError::InvalidMember) when the
    /// value is not an object or a registered member has the wrong type.
    pub fn from_value(value: &Value) -> Result<Self, crate::KeyError> {
        if !value.is_object() {
            return Err(crate::KeyError::InvalidMember { member: "jwk" });
        }
        Self::deserialize(value).map_err(|_| crate::KeyError::InvalidMember { member: "jwk" })
    }

    /// The JWK as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// `kty`.
    pub fn kty(&self) -> &str {
        &self.kty
    }

    /// `kid`, if present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `use`, if present.
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// `alg`, if present.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// `key_ops`, if present.
    pub fn key_ops(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }

    /// `crv`, if present.
    pub fn crv(&self) -> Option<&str> {
        self.crv.as_deref()
    }

    /// The first private-key member present, if any.
    pub fn private_member(&self) -> Option<&'static str> {
        PRIVATE_MEMBERS
            .into_iter()
            .find(|m| self.other.contains_key(*m))
    }

    /// Sets `kid`.
    pub fn set_kid(&mut self, kid: impl Into<String>) -> &mut Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `use`.
    pub fn set_key_use(&mut self, key_use: impl Into<String>) -> &mut Self {
        self.key_use = Some(key_use.into());
        self
    }

    /// Sets `alg`.
    pub fn set_alg(&mut self, alg: impl Into<String>) -> &mut Self {
        self.alg = Some(alg.into());
        self
    }

    fn public(kty: &str) -> Self {
        Self {
            kty: kty.to_owned(),
            kid: None,
            key_use: None,
            alg: None,
            key_ops: None,
            crv: None,
            x: None,
            y: None,
            n: None,
            e: None,
            other: Map::new(),
        }
    }
}

impl fmt::Debug for Jwk {
    // Members outside the registered public ones may hold private key
    // material, so Debug shows only the identifying members.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.key_use)
            .finish_non_exhaustive()
    }
}
