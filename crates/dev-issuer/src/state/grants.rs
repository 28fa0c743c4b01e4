//! What users authorized: pending authorization codes and live refresh
//! tokens, each bounded in number (per client and in total) and expiring
//! by the issuer's clock.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How long an authorization code may be redeemed (RFC 6749 section 4.1.2
/// recommends at most ten minutes; Auth0 uses 60 seconds).
pub(crate) const CODE_LIFETIME_SECS: i64 = 60;

/// How long a refresh token lives if it is not rotated (Auth0's default
/// absolute lifetime is 30 days).
pub(crate) const REFRESH_LIFETIME_SECS: i64 = 30 * 86_400;

/// How long a redeemed code is remembered, so that its reuse is recognised
/// and the tokens issued for it are revoked (RFC 6749 section 4.1.2).
const REDEEMED_MEMORY_SECS: i64 = 600;

/// The most codes or refresh tokens kept in all.
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// The most codes or refresh tokens kept for one client, so that one
/// client cannot fill the store for the others.
pub(crate) const MAX_ENTRIES_PER_CLIENT: usize = 1_000;

/// What a user approved for a client: the contents of its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub(crate) client_id: String,
    pub(crate) sub: String,
    pub(crate) scope: Option<String>,
    /// The RFC 8707 resource: the tokens' audience.
    pub(crate) resource: Option<String>,
    pub(crate) acr: Option<String>,
    pub(crate) auth_time: i64,
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub(crate) authorization: Authorization,
    pub(crate) redirect_uri: String,
    /// Whether the authorization request named the redirect URI, which
    /// then must be repeated at the token endpoint (RFC 6749 section 4.1.3).
    pub(crate) redirect_uri_sent: bool,
    pub(crate) code_challenge: String,
}

/// A live refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub(crate) authorization: Authorization,
    /// The DPoP key the token is bound to (RFC 9449 section 5), if any.
    pub(crate) jkt: Option<String>,
    /// The code the chain of rotations started from.
    pub(crate) family: String,
}

/// The store is full for this client or in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoreFull;

/// Why a code is not redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeRefused {
    /// Never issued, or forgotten long ago.
    Unknown,
    /// Issued more than [`CODE_LIFETIME_SECS`] ago.
    Expired,
    /// Already redeemed; the refresh tokens issued for it are revoked.
    Reused,
}

/// Why a refresh token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshRefused {
    /// Never issued, revoked, or forgotten long ago.
    Unknown,
    /// Already rotated: presented again, so it may be stolen (RFC 9700
    /// section 4.14.2); the tokens that succeeded it are revoked.
    Reused,
    /// Past [`REFRESH_LIFETIME_SECS`].
    Expired,
    /// Issued to another client; it stays valid for its own.
    OtherClient,
}

#[derive(Debug)]
enum CodeEntry {
    Pending(Box<PendingCode>),
    Redeemed { client_id: String },
}

#[derive(Debug)]
struct Expiring<T> {
    entry: T,
    expires_at: i64,
}

/// Codes and refresh tokens by value.
#[derive(Debug, Default)]
pub(crate) struct GrantStore {
    codes: Mutex<HashMap<String, Expiring<CodeEntry>>>,
    refresh_tokens: Mutex<HashMap<String, Expiring<RefreshGrant>>>,
    /// Rotated refresh tokens and their family, to recognise a reuse.
    /// Best effort: when full, a rotation is not remembered.
    rotated: Mutex<HashMap<String, Expiring<String>>>,
}

impl GrantStore {
    /// Keeps `pending` under `code` for [`CODE_LIFETIME_SECS`] from `now`.
    pub(crate) fn issue_code(
        &self,
        code: String,
        pending: PendingCode,
        now: i64,
    ) -> Result<(), StoreFull> {
        let mut codes = lock(&self.codes);
        codes.retain(|_, e| e.expires_at >= now);
        let client = pending.authorization.client_id.as_str();
        let theirs = codes
            .values()
            .filter(|e| match &e.entry {
                CodeEntry::Pending(p) => p.authorization.client_id == client,
                CodeEntry::Redeemed { client_id } => client_id == client,
            })
            .count();
        if codes.len() >= MAX_ENTRIES || theirs >= MAX_ENTRIES_PER_CLIENT {
            return Err(StoreFull);
        }
        codes.insert(
            code,
            Expiring {
                entry: CodeEntry::Pending(Box::new(pending)),
                expires_at: now.saturating_add(CODE_LIFETIME_SECS),
            },
        );
        Ok(())
    }

    /// Redeems `code` at `now`: whatever the outcome of the request that
    /// follows, a code is good for one attempt only, so that its verifier
    /// cannot be guessed at.
    pub(crate) fn redeem_code(&self, code: &str, now: i64) -> Result<PendingCode, CodeRefused> {
        let mut codes = lock(&self.codes);
        let Some(slot) = codes.get_mut(code) else {
            return Err(CodeRefused::Unknown);
        };
        if let CodeEntry::Redeemed { .. } = slot.entry {
            drop(codes);
            self.revoke_family(code);
            return Err(CodeRefused::Reused);
        }
        if slot.expires_at < now {
            codes.remove(code);
            return Err(CodeRefused::Expired);
        }
        let client_id = match &slot.entry {
            CodeEntry::Pending(pending) => pending.authorization.client_id.clone(),
            CodeEntry::Redeemed { client_id } => client_id.clone(),
        };
        let previous = std::mem::replace(&mut slot.entry, CodeEntry::Redeemed { client_id });
        slot.expires_at = now.saturating_add(REDEEMED_MEMORY_SECS);
        match previous {
            CodeEntry::Pending(pending) => Ok(*pending),
            CodeEntry::Redeemed { .. } => Err(CodeRefused::Reused),
        }
    }

    /// Keeps `grant` under `token` for [`REFRESH_LIFETIME_SECS`] from `now`.
    pub(crate) fn issue_refresh_token(
        &self,
        token: String,
        grant: RefreshGrant,
        now: i64,
    ) -> Result<(), StoreFull> {
        let mut tokens = lock(&self.refresh_tokens);
        tokens.retain(|_, e| e.expires_at >= now);
        let client = grant.authorization.client_id.as_str();
        let theirs = tokens
            .values()
            .filter(|e| e.entry.authorization.client_id == client)
            .count();
        if tokens.len() >= MAX_ENTRIES || theirs >= MAX_ENTRIES_PER_CLIENT {
            return Err(StoreFull);
        }
        tokens.insert(
            token,
            Expiring {
                entry: grant,
                expires_at: now.saturating_add(REFRESH_LIFETIME_SECS),
            },
        );
        Ok(())
    }

    /// Takes `token` for `client_id` at `now` if `accept` (the request's
    /// own checks against the grant) agrees: it is invalid afterwards
    /// (rotation), and its successor carries the grant on. A request that
    /// `accept` refuses leaves the token as it was.
    pub(crate) fn redeem_refresh_token<E>(
        &self,
        token: &str,
        client_id: &str,
        now: i64,
        accept: impl FnOnce(&RefreshGrant) -> Result<(), E>,
    ) -> Result<Result<RefreshGrant, E>, RefreshRefused> {
        let mut tokens = lock(&self.refresh_tokens);
        let Some(slot) = tokens.get(token) else {
            drop(tokens);
            return Err(self.reuse(token));
        };
        if slot.entry.authorization.client_id != client_id {
            return Err(RefreshRefused::OtherClient);
        }
        if slot.expires_at < now {
            tokens.remove(token);
            return Err(RefreshRefused::Expired);
        }
        if let Err(refused) = accept(&slot.entry) {
            return Ok(Err(refused));
        }
        let Some(taken) = tokens.remove(token) else {
            return Err(RefreshRefused::Unknown);
        };
        drop(tokens);
        let mut rotated = lock(&self.rotated);
        rotated.retain(|_, e| e.expires_at >= now);
        if rotated.len() < MAX_ENTRIES {
            rotated.insert(
                token.to_owned(),
                Expiring {
                    entry: taken.entry.family.clone(),
                    expires_at: taken.expires_at,
                },
            );
        }
        Ok(Ok(taken.entry))
    }

    /// A refresh token that is not live: if it was rotated, its family is
    /// revoked.
    fn reuse(&self, token: &str) -> RefreshRefused {
        let Some(family) = lock(&self.rotated).remove(token) else {
            return RefreshRefused::Unknown;
        };
        self.revoke_family(&family.entry);
        RefreshRefused::Reused
    }

    fn revoke_family(&self, family: &str) {
        lock(&self.refresh_tokens).retain(|_, e| e.entry.family != family);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update is a single insert, remove or retain: a panic elsewhere
    // cannot leave a map half-changed.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authorization(client_id: &str) -> Authorization {
        Authorization {
            client_id: client_id.to_owned(),
            sub: "auth0|u".to_owned(),
            scope: Some("read".to_owned()),
            resource: None,
            acr: None,
            auth_time: 0,
        }
    }

    fn pending(client_id: &str) -> PendingCode {
        PendingCode {
            authorization: authorization(client_id),
            redirect_uri: "http://127.0.0.1/cb".to_owned(),
            redirect_uri_sent: true,
            code_challenge: "c".to_owned(),
        }
    }

    fn refresh(client_id: &str, family: &str) -> RefreshGrant {
        RefreshGrant {
            authorization: authorization(client_id),
            jkt: None,
            family: family.to_owned(),
        }
    }

    #[test]
    fn codes_redeem_once_and_expire() {
        let store = GrantStore::default();
        store.issue_code("a".into(), pending("c"), 100).unwrap();
        store.issue_code("b".into(), pending("c"), 100).unwrap();
        assert_eq!(
            store.redeem_code("x", 100).unwrap_err(),
            CodeRefused::Unknown
        );
        assert_eq!(
            store.redeem_code("a", 160).unwrap().authorization.client_id,
            "c"
        );
        assert_eq!(
            store.redeem_code("a", 160).unwrap_err(),
            CodeRefused::Reused
        );
        assert_eq!(
            store.redeem_code("b", 161).unwrap_err(),
            CodeRefused::Expired
        );
        assert_eq!(
            store.redeem_code("b", 161).unwrap_err(),
            CodeRefused::Unknown
        );
    }

    #[test]
    fn a_reused_code_revokes_its_refresh_tokens() {
        let store = GrantStore::default();
        store.issue_code("code".into(), pending("c"), 0).unwrap();
        store.redeem_code("code", 0).unwrap();
        store
            .issue_refresh_token("r1".into(), refresh("c", "code"), 0)
            .unwrap();
        store
            .issue_refresh_token("r2".into(), refresh("c", "other"), 0)
            .unwrap();
        assert_eq!(
            store.redeem_code("code", 1).unwrap_err(),
            CodeRefused::Reused
        );
        assert_eq!(
            store
                .redeem_refresh_token("r1", "c", 1, |_| Ok::<(), ()>(()))
                .unwrap_err(),
            RefreshRefused::Unknown
        );
        assert!(
            store
                .redeem_refresh_token("r2", "c", 1, |_| Ok::<(), ()>(()))
                .is_ok()
        );
    }

    #[test]
    fn refresh_tokens_rotate_belong_to_their_client_and_expire() {
        let store = GrantStore::default();
        let accept = |_: &RefreshGrant| Ok::<(), &str>(());
        store
            .issue_refresh_token("r".into(), refresh("c", "f"), 0)
            .unwrap();
        assert_eq!(
            store.redeem_refresh_token("r", "d", 0, accept).unwrap_err(),
            RefreshRefused::OtherClient
        );
        let refused = store.redeem_refresh_token("r", "c", 0, |_| Err("too wide"));
        assert!(
            matches!(refused, Ok(Err("too wide"))),
            "kept for a better request"
        );
        let grant = store
            .redeem_refresh_token("r", "c", 0, accept)
            .unwrap()
            .unwrap();
        assert_eq!(grant.family, "f");
        store
            .issue_refresh_token("r2".into(), refresh("c", "f"), 0)
            .unwrap();
        assert_eq!(
            store.redeem_refresh_token("r", "c", 0, accept).unwrap_err(),
            RefreshRefused::Reused,
            "rotated away"
        );
        assert_eq!(
            store
                .redeem_refresh_token("r2", "c", 0, accept)
                .unwrap_err(),
            RefreshRefused::Unknown,
            "the successor is revoked"
        );
        store
            .issue_refresh_token("s".into(), refresh("c", "f"), 0)
            .unwrap();
        assert_eq!(
            store
                .redeem_refresh_token("s", "c", REFRESH_LIFETIME_SECS + 1, accept)
                .unwrap_err(),
            RefreshRefused::Expired
        );
    }

    #[test]
    fn stores_are_bounded_per_client_and_expired_entries_make_room() {
        let store = GrantStore::default();
        for i in 0..MAX_ENTRIES_PER_CLIENT {
            store
                .issue_code(format!("c{i}"), pending("greedy"), 0)
                .unwrap();
        }
        assert_eq!(
            store.issue_code("more".into(), pending("greedy"), 0),
            Err(StoreFull)
        );
        store
            .issue_code("fair".into(), pending("other"), 0)
            .unwrap();
        store
            .issue_code("later".into(), pending("greedy"), CODE_LIFETIME_SECS + 1)
            .unwrap();
    }
}
