//! Values that must not leak: client secrets and issued tokens.

use std::fmt;

use zeroize::Zeroizing;

/// A secret string: a client secret, an access, refresh or ID token.
///
/// `Debug` prints `Secret(..)`, the memory is wiped on drop, and the only way
/// to read it is [`Secret::expose_secret`], so every use is easy to find.
/// `Clone` is implemented because a token is legitimately handed to several
/// places (a cache and a caller); each copy is wiped on its own drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret value.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(..)");
        assert_eq!(s.expose_secret(), "hunter2");
    }
}
