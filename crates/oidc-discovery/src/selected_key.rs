//! The key chosen for a token, handed out without copying it.

use std::ops::Deref;
use std::sync::Arc;

use jose_core::{KeySet, VerifyingKey};

/// The key [`Discovery::key_for`](crate::Discovery::key_for) chose: a share
/// of the cached key set and the key's position in it.
///
/// Cloning it, or handing it out, costs an `Arc` clone: the key material is
/// never copied. It dereferences to the [`VerifyingKey`].
#[derive(Debug, Clone)]
pub struct SelectedKey {
    set: Arc<KeySet>,
    index: usize,
}

impl SelectedKey {
    /// The key chosen from `set`, which must be one of `set.keys()`.
    pub(crate) fn new(set: Arc<KeySet>, key: &VerifyingKey) -> Option<Self> {
        let index = set.keys().iter().position(|k| std::ptr::eq(k, key))?;
        Some(Self { set, index })
    }

    /// Chooses the key for `kid` and `alg` from a key set held without
    /// discovery (static keys), as [`KeySet::select`] does.
    ///
    /// # Errors
    ///
    /// As [`KeySet::select`].
    pub fn select(
        set: &Arc<KeySet>,
        kid: Option<&str>,
        alg: jose_core::Algorithm,
    ) -> Result<Self, jose_core::KeyError> {
        let key = set.select(kid, alg)?;
        Self::new(Arc::clone(set), key).ok_or_else(|| jose_core::KeyError::UnknownKid {
            kid: jose_core::excerpt(kid.unwrap_or_default(), jose_core::EXCERPT_LEN),
        })
    }

    /// The key.
    pub fn key(&self) -> &VerifyingKey {
        // `index` was found in this very set, which is immutable.
        &self.set.keys()[self.index]
    }

    /// The whole key set it came from.
    pub fn key_set(&self) -> &Arc<KeySet> {
        &self.set
    }
}

impl Deref for SelectedKey {
    type Target = VerifyingKey;

    fn deref(&self) -> &VerifyingKey {
        self.key()
    }
}

impl AsRef<VerifyingKey> for SelectedKey {
    fn as_ref(&self) -> &VerifyingKey {
        self.key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_of_the_set_itself_can_be_selected() {
        let point = {
            // The P-256 generator, a valid public point.
            let x = "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296";
            let y = "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";
            let mut point = vec![4u8];
            for hex in [x, y] {
                point.extend(
                    (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()),
                );
            }
            point
        };
        let mut key = VerifyingKey::from_p256_point(&point).unwrap();
        key.set_kid("k1");
        let set = Arc::new(KeySet::from_keys([key.clone()]));
        let selected = SelectedKey::new(set.clone(), &set.keys()[0]).unwrap();
        assert_eq!(selected.kid(), Some("k1"));
        assert_eq!(selected.key(), &key);
        assert!(Arc::ptr_eq(selected.key_set(), &set));
        assert!(
            SelectedKey::new(set, &key).is_none(),
            "an equal copy is not in the set"
        );
    }
}
