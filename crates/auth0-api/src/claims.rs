//! Verified claims with typed accessors, scope checks and `act` helpers.

use std::sync::Arc;

use jose_core::{Clock, SystemClock};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::challenge::ChallengeContext;
use crate::error::{AuthError, AuthErrorKind};
use crate::scheme::Scheme;

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
    // Shared with the verified-token cache: handing claims out costs an
    // `Arc` clone, whether the token was verified now or remembered.
    map: Arc<Map<String, Value>>,
    scheme: Option<Scheme>,
    policy: Arc<ClaimsPolicy>,
}

/// What the client's configuration decides for the claims it hands out,
/// built once and shared: how their errors challenge, whether
/// `permissions` count as scopes, and the clock step-up checks read.
#[derive(Debug)]
pub(crate) struct ClaimsPolicy {
    pub(crate) challenge: ChallengeContext,
    pub(crate) permissions_as_scopes: bool,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Default for ClaimsPolicy {
    fn default() -> Self {
        Self {
            challenge: ChallengeContext::default(),
            permissions_as_scopes: false,
            clock: Arc::new(SystemClock::default()),
        }
    }
}

impl Claims {
    pub(crate) fn new(
        map: Arc<Map<String, Value>>,
        scheme: Option<Scheme>,
        policy: Arc<ClaimsPolicy>,
    ) -> Self {
        Self {
            map,
            scheme,
            policy,
        }
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

    /// The scopes granted: the individual scopes of `scope` and, with
    /// [`ApiClientOptions::permissions_as_scopes`](crate::ApiClientOptions::permissions_as_scopes),
    /// the string entries of `permissions` after them.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        let permissions = self
            .policy
            .permissions_as_scopes
            .then(|| self.permission_entries())
            .into_iter()
            .flatten();
        self.scope()
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .chain(permissions)
    }

    /// Whether `scope` is granted: in `scope` or, with
    /// [`ApiClientOptions::permissions_as_scopes`](crate::ApiClientOptions::permissions_as_scopes),
    /// in `permissions`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// `permissions` (Auth0 RBAC), the string entries of the array.
    pub fn permissions(&self) -> Vec<&str> {
        self.permission_entries().collect()
    }

    /// Whether `permissions` contains `permission`.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permission_entries().any(|p| p == permission)
    }

    /// The string entries of `permissions`; anything else (numbers,
    /// objects, a `permissions` that is not an array) is skipped. Bounded
    /// by the token's size cap.
    fn permission_entries(&self) -> impl Iterator<Item = &str> {
        self.map
            .get("permissions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    }

    /// Checks that every one of `required` is granted (see
    /// [`Claims::has_scope`]).
    ///
    /// # Errors
    ///
    /// 403 `insufficient_scope`, one challenge whose `scope` parameter
    /// lists all of `required`, each once, in order (RFC 6750 section 3.1:
    /// the scopes necessary, so a client re-authorizing with exactly them
    /// keeps what it had); the description names every missing one.
    ///
    /// ```
    /// # use auth0_api::Claims;
    /// # fn f(claims: &Claims) -> Result<(), auth0_api::AuthError> {
    /// claims.require_scopes(&["tools:read", "tools:admin"])?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// `required` may hold `&str` or `String`, so a guard that keeps its
    /// scopes passes them as they are.
    pub fn require_scopes<S: AsRef<str>>(&self, required: &[S]) -> Result<(), AuthError> {
        self.require(required, |s| self.has_scope(s), "scope")
    }

    /// Checks that `permissions` contains every one of `required`.
    ///
    /// # Errors
    ///
    /// As [`Claims::require_scopes`].
    pub fn require_permissions<S: AsRef<str>>(&self, required: &[S]) -> Result<(), AuthError> {
        self.require(required, |p| self.has_permission(p), "permission")
    }

    fn require<S: AsRef<str>>(
        &self,
        required: &[S],
        holds: impl Fn(&str) -> bool,
        what: &str,
    ) -> Result<(), AuthError> {
        if required.iter().all(|r| holds(r.as_ref())) {
            return Ok(());
        }
        // Only a refusal pays for the list.
        let mut unique: Vec<&str> = Vec::with_capacity(required.len());
        for scope in required.iter().map(AsRef::as_ref) {
            if !unique.contains(&scope) {
                unique.push(scope);
            }
        }
        let missing: Vec<String> = unique
            .iter()
            .filter(|r| !holds(r))
            .map(|r| format!("{r:?}"))
            .collect();
        let plural = if missing.len() == 1 { "" } else { "s" };
        Err(AuthError::new(
            AuthErrorKind::InsufficientScope,
            format!("missing required {what}{plural} {}", missing.join(", ")),
        )
        .with_scheme(self.scheme)
        .with_challenge_context(&self.policy.challenge)
        .with_scope(unique.join(" ")))
    }

    /// The policy's challenge context, for errors about these claims.
    pub(crate) fn challenge_context(&self) -> &ChallengeContext {
        &self.policy.challenge
    }

    /// "Now" on the client's clock, in whole seconds since the epoch.
    pub(crate) fn now(&self) -> i64 {
        self.policy.clock.unix_seconds()
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

    /// Gives up the claims: a copy only while the map is shared (by the
    /// verified-token cache, or a clone of these claims).
    pub fn into_map(self) -> Map<String, Value> {
        Arc::unwrap_or_clone(self.map)
    }

    /// Deserializes the claims into your own type.
    ///
    /// # Errors
    ///
    /// When the claims do not fit `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        // Straight from the map: no copy of the claims is built first.
        T::deserialize(&*self.map)
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
        Claims::new(Arc::new(map), Some(Scheme::Bearer), Arc::default())
    }

    fn claims_with(value: Value, permissions_as_scopes: bool) -> Claims {
        let Value::Object(map) = value else {
            unreachable!("tests pass objects")
        };
        let policy = ClaimsPolicy {
            permissions_as_scopes,
            ..ClaimsPolicy::default()
        };
        Claims::new(Arc::new(map), Some(Scheme::Bearer), Arc::new(policy))
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

    #[test]
    fn insufficient_scope_names_every_scope_once() {
        let c = claims(json!({"scope": "read:x"}));
        let err = c
            .require_scopes(&["read:x", "write:x", "admin", "write:x", "read:x"])
            .unwrap_err();
        assert_eq!(
            err.www_authenticate(),
            [
                "Bearer realm=\"api\", error=\"insufficient_scope\", \
                 error_description=\"missing required scopes 'write:x', 'admin'\", \
                 scope=\"read:x write:x admin\"",
                "DPoP algs=\"ES256\""
            ]
        );
    }

    #[test]
    fn permissions_count_as_scopes_only_when_enabled() {
        let token =
            json!({"scope": "openid", "permissions": ["read:x", 7, {"a": 1}, null, "write:x"]});
        let off = claims_with(token.clone(), false);
        assert_eq!(off.scopes().collect::<Vec<_>>(), ["openid"]);
        assert!(!off.has_scope("read:x"));
        assert!(off.require_scopes(&["read:x"]).is_err());
        let on = claims_with(token, true);
        assert_eq!(
            on.scopes().collect::<Vec<_>>(),
            ["openid", "read:x", "write:x"]
        );
        on.require_scopes(&["openid", "read:x", "write:x"]).unwrap();
        assert!(on.require_scopes(&["7"]).is_err());
        // Not an array: nothing, and no panic.
        let odd = claims_with(json!({"permissions": "read:x"}), true);
        assert_eq!(odd.scopes().count(), 0);
    }
}
