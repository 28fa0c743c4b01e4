//! The key layout: every name starts with the namespace, and every part
//! that comes from a request or a remote server is a SHA-256 hash of it,
//! so no attacker-chosen text ever reaches a key name.
//!
//! | Key                              | Type       | Holds                          |
//! |----------------------------------|------------|--------------------------------|
//! | `{ns}:dpop:generation`           | string     | Unix second the store started  |
//! | `{ns}:dpop:k:{hex(sha256(jkt))}` | sorted set | proofs of one key, by expiry   |
//! | `{ns}:doc:{hex(sha256(url))}`    | string     | a discovery document or JWKS   |
//! | `{ns}:nonce:{current,previous,next}` | string | 32-byte nonce secrets          |

use std::fmt::Write as _;
use std::sync::Arc;

use ring::digest;

use crate::error::Error;

/// The longest namespace accepted.
const MAX_NAMESPACE_LEN: usize = 64;

/// Key names under one namespace.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    namespace: Arc<str>,
}

impl Keys {
    /// Checks the namespace: 1 to 64 ASCII letters, digits, `.`, `_`, `-`
    /// or `:`.
    pub(crate) fn new(namespace: &str) -> Result<Self, Error> {
        let valid = (1..=MAX_NAMESPACE_LEN).contains(&namespace.len())
            && namespace
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b));
        if !valid {
            return Err(Error::Config {
                reason: "the namespace must be 1 to 64 ASCII letters, digits, '.', '_', '-' or ':'",
            });
        }
        Ok(Self {
            namespace: namespace.into(),
        })
    }

    pub(crate) fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The replay store's generation marker.
    pub(crate) fn generation(&self) -> String {
        format!("{}:dpop:generation", self.namespace)
    }

    /// The sorted set of the proofs of the key with thumbprint `jkt`.
    pub(crate) fn replay_set(&self, jkt: &str) -> String {
        let hash = digest::digest(&digest::SHA256, jkt.as_bytes());
        format!("{}:dpop:k:{}", self.namespace, hex(hash.as_ref()))
    }

    /// A shared discovery document or key set, by its cache key (a URL).
    pub(crate) fn document(&self, key: &str) -> String {
        let hash = digest::digest(&digest::SHA256, key.as_bytes());
        format!("{}:doc:{}", self.namespace, hex(hash.as_ref()))
    }

    /// The nonce secret slots: `current`, `previous`, `next`.
    pub(crate) fn nonce(&self, slot: &str) -> String {
        format!("{}:nonce:{slot}", self.namespace)
    }
}

/// The member of a proof in its key's sorted set: SHA-256 over the length
/// of `jkt` (8 bytes, big-endian), `jkt`, then `jti`, so that no two pairs
/// share a member.
pub(crate) fn replay_member(jkt: &str, jti: &str) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&(jkt.len() as u64).to_be_bytes());
    ctx.update(jkt.as_bytes());
    ctx.update(jti.as_bytes());
    let mut member = [0u8; 32];
    member.copy_from_slice(ctx.finish().as_ref());
    member
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_namespaced_and_hashed() {
        let keys = Keys::new("my-api").unwrap();
        assert_eq!(keys.generation(), "my-api:dpop:generation");
        // SHA-256("abc"), the FIPS 180-2 example.
        assert_eq!(
            keys.replay_set("abc"),
            "my-api:dpop:k:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(
            keys.document("https://x/.well-known/jwks.json")
                .starts_with("my-api:doc:")
        );
        assert_eq!(keys.document("a").len(), "my-api:doc:".len() + 64);
        assert_eq!(keys.nonce("current"), "my-api:nonce:current");
    }

    #[test]
    fn members_are_unambiguous() {
        assert_ne!(replay_member("ab", "c"), replay_member("a", "bc"));
        assert_ne!(replay_member("", "abc"), replay_member("abc", ""));
        assert_eq!(replay_member("k", "j"), replay_member("k", "j"));
    }

    #[test]
    fn namespaces_are_checked() {
        for good in ["a", "auth0-api", "prod:eu_1.api", &"x".repeat(64)] {
            assert!(Keys::new(good).is_ok(), "{good}");
        }
        for bad in ["", "with space", "new\nline", "{tag}", "é", &"x".repeat(65)] {
            assert!(
                matches!(Keys::new(bad), Err(Error::Config { .. })),
                "{bad:?}"
            );
        }
    }
}
