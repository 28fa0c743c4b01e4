//! The signature algorithms this crate verifies.

use std::fmt;

/// A JWS algorithm that this crate can verify.
///
/// The set is deliberately small: `RS256` (what Auth0 signs access tokens
/// with) and `ES256` (what DPoP proofs use). `none`, the HMAC family (whose
/// "key" would be public JWKS bytes: the key-confusion attack) and every
/// other name are not representable, so they can never be allowed by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, modulus 2048 to 8192 bits.
    Rs256,
    /// ECDSA on P-256 with SHA-256, signature as raw 64-byte `r || s`.
    Es256,
}

impl Algorithm {
    /// The registered JWS name (`"RS256"`, `"ES256"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    /// The algorithm with this exact registered name, if supported.
    ///
    /// Matching is case-sensitive, as JOSE names are: `"rs256"` and `"None"`
    /// are not algorithms.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for alg in [Algorithm::Rs256, Algorithm::Es256] {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        for name in [
            "none", "None", "NONE", "HS256", "rs256", "PS256", "RS384", "",
        ] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
    }
}
