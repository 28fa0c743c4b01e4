//! JWK Sets (RFC 7517 section 5) and key selection.

use serde_json::Value;

use super::{Jwk, VerifyingKey};
use crate::alg::Algorithm;
use crate::error::{KeyError, excerpt};
use crate::json;

/// A published JWK Set, as data: each entry kept as JSON.
///
/// Entries are read one by one by [`KeySet::from_jwk_set`], so one key of a
/// type we do not support (an `OKP` key, a symmetric key, a new `kty`) never
/// stops the others from loading.
#[derive(Debug, Clone, Default)]
pub struct JwkSet {
    keys: Vec<Value>,
}

impl JwkSet {
    /// Parses a JWKS document: a JSON object with a `keys` array.
    ///
    /// # Errors
    ///
    /// [`KeyError::MalformedKeySet`] when the document is not such an object
    /// (including duplicate member names).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let mut document = json::parse_object(bytes).map_err(|_| KeyError::MalformedKeySet {
            reason: "not a JSON object",
        })?;
        match document.remove("keys") {
            Some(Value::Array(keys)) => Ok(Self { keys }),
            Some(_) => Err(KeyError::MalformedKeySet {
                reason: "\"keys\" is not an array",
            }),
            None => Err(KeyError::MalformedKeySet {
                reason: "no \"keys\" member",
            }),
        }
    }

    /// A set holding these keys.
    pub fn from_keys(keys: impl IntoIterator<Item = Jwk>) -> Self {
        Self {
            keys: keys.into_iter().map(|k| k.to_value()).collect(),
        }
    }

    /// The entries, as published.
    pub fn entries(&self) -> &[Value] {
        &self.keys
    }

    /// The set as a JWKS JSON document.
    pub fn to_value(&self) -> Value {
        serde_json::json!({ "keys": self.keys })
    }
}

/// An entry of a JWK Set that could not be used, and why. Kept so that the
/// caller can log it, and so that a token naming that `kid` gets the real
/// reason instead of "unknown kid".
#[derive(Debug, Clone)]
pub struct RejectedKey {
    kid: Option<String>,
    error: KeyError,
}

impl RejectedKey {
    /// The entry's `kid`, when it had a string one (shortened).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Why it was rejected.
    pub fn error(&self) -> &KeyError {
        &self.error
    }
}

/// Ready-to-verify keys from a JWK Set, converted once.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
    rejected: Vec<RejectedKey>,
}

impl KeySet {
    /// Converts every usable entry; the others are listed in
    /// [`KeySet::rejected`].
    pub fn from_jwk_set(set: &JwkSet) -> Self {
        let mut keys = Vec::new();
        let mut rejected = Vec::new();
        for entry in &set.keys {
            match Jwk::from_value(entry).and_then(|jwk| VerifyingKey::from_jwk(&jwk)) {
                Ok(key) => keys.push(key),
                Err(error) => rejected.push(RejectedKey {
                    kid: entry.get("kid").and_then(Value::as_str).map(excerpt),
                    error,
                }),
            }
        }
        Self { keys, rejected }
    }

    /// Parses and converts a JWKS document in one step.
    ///
    /// # Errors
    ///
    /// As [`JwkSet::from_slice`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        JwkSet::from_slice(bytes).map(|set| Self::from_jwk_set(&set))
    }

    /// A set of already-converted keys.
    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Self {
        Self {
            keys: keys.into_iter().collect(),
            rejected: Vec::new(),
        }
    }

    /// Chooses the key for a token with this `kid` and (already allowed)
    /// algorithm.
    ///
    /// The `kid` must match exactly, and exactly one matching key may be
    /// usable for `alg` (see [`VerifyingKey::check_usable_for`]). Keys the
    /// token itself offers (`jwk`, `jku`, `x5u`, `x5c`) are never considered.
    ///
    /// # Errors
    ///
    /// [`KeyError::MissingKid`] without a `kid`; [`KeyError::UnknownKid`]
    /// when no entry has it (a refresh of the set may help); the rejection
    /// reason when the entry with that `kid` was unusable;
    /// [`KeyError::AmbiguousKid`] when two usable keys share it.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&VerifyingKey, KeyError> {
        let kid = kid.ok_or(KeyError::MissingKid)?;
        let mut chosen = None;
        let mut unusable = None;
        for key in self.keys.iter().filter(|k| k.kid() == Some(kid)) {
            match key.check_usable_for(alg) {
                Ok(()) if chosen.is_some() => {
                    return Err(KeyError::AmbiguousKid { kid: excerpt(kid) });
                }
                Ok(()) => chosen = Some(key),
                Err(e) => {
                    unusable.get_or_insert(e);
                }
            }
        }
        if let Some(key) = chosen {
            return Ok(key);
        }
        if let Some(e) = unusable {
            return Err(e);
        }
        match self.rejected.iter().find(|r| r.kid() == Some(kid)) {
            Some(rejected) => Err(rejected.error.clone()),
            None => Err(KeyError::UnknownKid { kid: excerpt(kid) }),
        }
    }

    /// The usable keys.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// The entries that could not be used.
    pub fn rejected(&self) -> &[RejectedKey] {
        &self.rejected
    }

    /// Whether this set has a key with this `kid` (usable or not).
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid() == Some(kid))
            || self.rejected.iter().any(|r| r.kid() == Some(kid))
    }
}
