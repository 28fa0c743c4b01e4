//! Verified claims with typed accessors, scope checks and `act` helpers.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{AuthError, AuthErrorKind};
use crate::scheme::{DpopMode, Scheme};

/// How deep an `act` chain is followed; deeper chains are cut, so a hostile
/// token cannot make us walk without bound.
const MAX_DELEGATION_DEPTH: usize = 32;

/// The claims of an access token that passed every check.
///
/// Only this crate can create one, so holding a `Claims` proves the token
/// was verified. Registered claims have typed accessors; anything else is
/// reachable with [`Claims::get`] or by deserializing into your own type with
/// [`Claims::deserialize`].
#[derive(Debug, Clone)]
pub struct Claims {
    map: Map<String, Value>,
    scheme: Option<Scheme>,
    mode: DpopMode,
}

impl Claims {
    pub(crate) fn new(map: Map<String, Value>, scheme: Option<Scheme>, mode: DpopMode) -> Self {
        Self { map, scheme, mode }
    }

    /// `sub`: the subject (user or client) the token was issued for.
    pub fn sub(&self) -> Option<&str> {
        self.str("sub")
    }

    /// `iss`: the issuer, equal to the discovered issuer.
    pub fn iss(&self) -> Option<&str> {
        self.str("iss")
    }

    /// `aud` as a list, whether the token had a string or an array.
    pub fn aud(&self) -> Vec<&str> {
        match self.map.get("aud") {
            Some(Value::String(aud)) => vec![aud],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// `exp` in seconds since the epoch.
    pub fn exp(&self) -> Option<i64> {
        self.map.get("exp").and_then(Value::as_i64)
    }

    /// `iat` in seconds since the epoch.
    pub fn iat(&self) -> Option<i64> {
        self.map.get("iat").and_then(Value::as_i64)
    }

    /// `azp` or `client_id`: the client the token was issued to.
    pub fn client_id(&self) -> Option<&str> {
        self.str("azp").or_else(|| self.str("client_id"))
    }

    /// `scope`, the space-separated string, if present.
    pub fn scope(&self) -> Option<&str> {
        self.str("scope")
    }

    /// The individual scopes of `scope`.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope()
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
    }

    /// Whether `scope` contains `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// `permissions` (Auth0 RBAC), the string entries of the array.
    pub fn permissions(&self) -> Vec<&str> {
        match self.map.get("permissions") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `permissions` contains `permission`.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions().contains(&permission)
    }

    /// Checks that `scope` contains every one of `required`.
    ///
    /// # Errors
    ///
    /// 403 `insufficient_scope` with the `scope` challenge parameter listing
    /// all of `required` (RFC 6750 section 3.1).
    pub fn require_scopes(&self, required: &[&str]) -> Result<(), AuthError> {
        self.require(required, |s| self.has_scope(s), "scope")
    }

    /// Checks that `permissions` contains every one of `required`.
    ///
    /// # Errors
    ///
    /// As [`Claims::require_scopes`].
    pub fn require_permissions(&self, required: &[&str]) -> Result<(), AuthError> {
        self.require(required, |p| self.has_permission(p), "permission")
    }

    fn require(
        &self,
        required: &[&str],
        holds: impl Fn(&str) -> bool,
        what: &str,
    ) -> Result<(), AuthError> {
        match required.iter().find(|r| !holds(r)) {
            None => Ok(()),
            Some(missing) => Err(AuthError::new(
                AuthErrorKind::InsufficientScope,
                format!("missing required {what} {missing:?}"),
            )
            .with_scheme(self.scheme)
            .with_challenge_context(self.mode)
            .with_scope(required.join(" "))),
        }
    }

    /// `cnf.jkt`: the thumbprint of the key a DPoP-bound token is bound to.
    pub fn cnf_jkt(&self) -> Option<&str> {
        self.map.get("cnf")?.get("jkt")?.as_str()
    }

    /// The scheme the token was presented with (`None` when verified with
    /// `verify_access_token`, outside a request).
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// The party acting now (`act.sub`, RFC 8693 section 4.1), if the token
    /// was obtained by delegation.
    pub fn current_actor(&self) -> Option<&str> {
        self.map.get("act")?.get("sub")?.as_str()
    }

    /// Every actor in the `act` chain, most recent first: the `sub` of `act`,
    /// of `act.act`, and so on (at most 32).
    pub fn delegation_chain(&self) -> Vec<&str> {
        let mut chain = Vec::new();
        let mut act = self.map.get("act");
        while let Some(Value::Object(actor)) = act {
            if chain.len() == MAX_DELEGATION_DEPTH {
                break;
            }
            match actor.get("sub").and_then(Value::as_str) {
                Some(sub) => chain.push(sub),
                None => break,
            }
            act = actor.get("act");
        }
        chain
    }

    /// Any claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// All claims.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// Gives up the claims.
    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }

    /// Deserializes the claims into your own type.
    ///
    /// # Errors
    ///
    /// When the claims do not fit `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&Value::Object(self.map.clone()))
    }

    fn str(&self, name: &str) -> Option<&str> {
        self.map.get(name).and_then(Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Claims {
        let Value::Object(map) = value else {
            unreachable!("tests pass objects")
        };
        Claims::new(map, Some(Scheme::Bearer), DpopMode::Allowed)
    }

    #[test]
    fn typed_accessors() {
        let c = claims(json!({
            "sub": "user", "iss": "https://t/", "aud": ["a", "b"], "exp": 10, "iat": 5,
            "azp": "client", "scope": "read:x  write:x", "permissions": ["p1", 2, "p2"],
            "cnf": {"jkt": "thumb"},
        }));
        assert_eq!(c.sub(), Some("user"));
        assert_eq!(c.iss(), Some("https://t/"));
        assert_eq!(c.aud(), ["a", "b"]);
        assert_eq!((c.exp(), c.iat()), (Some(10), Some(5)));
        assert_eq!(c.client_id(), Some("client"));
        assert_eq!(c.scopes().collect::<Vec<_>>(), ["read:x", "write:x"]);
        assert_eq!(c.permissions(), ["p1", "p2"]);
        assert_eq!(c.cnf_jkt(), Some("thumb"));
        assert_eq!(claims(json!({"aud": "a"})).aud(), ["a"]);
    }

    #[test]
    fn require_scopes_yields_insufficient_scope() {
        let c = claims(json!({"scope": "read:x"}));
        c.require_scopes(&["read:x"]).unwrap();
        let err = c.require_scopes(&["read:x", "write:x"]).unwrap_err();
        assert_eq!(err.status_code(), 403);
        assert_eq!(err.error_code(), "insufficient_scope");
        assert_eq!(
            err.www_authenticate()[0],
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"missing required scope 'write:x'\", scope=\"read:x write:x\""
        );
        // a scope that is a prefix of a granted one is not granted
        assert!(
            claims(json!({"scope": "read:xy"}))
                .require_scopes(&["read:x"])
                .is_err()
        );
        claims(json!({"permissions": ["p"]}))
            .require_permissions(&["p"])
            .unwrap();
        assert!(
            claims(json!({"scope": "p"}))
                .require_permissions(&["p"])
                .is_err()
        );
    }

    #[test]
    fn delegation_chain_follows_act() {
        let c = claims(json!({
            "sub": "user",
            "act": {"sub": "service-b", "act": {"sub": "service-a"}},
        }));
        assert_eq!(c.current_actor(), Some("service-b"));
        assert_eq!(c.delegation_chain(), ["service-b", "service-a"]);
        assert!(claims(json!({})).delegation_chain().is_empty());
    }

    #[test]
    fn delegation_chain_is_bounded() {
        let mut act = json!({"sub": "root"});
        for i in 0..100 {
            act = json!({"sub": format!("a{i}"), "act": act});
        }
        assert_eq!(claims(json!({ "act": act })).delegation_chain().len(), 32);
    }

    #[test]
    fn deserializes_into_user_types() {
        #[derive(serde::Deserialize)]
        struct Mine {
            sub: String,
            org_id: String,
        }
        let mine: Mine = claims(json!({"sub": "u", "org_id": "o"}))
            .deserialize()
            .unwrap();
        assert_eq!((mine.sub.as_str(), mine.org_id.as_str()), ("u", "o"));
    }
}
