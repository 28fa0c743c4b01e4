//! The signature algorithms this crate verifies.

use std::fmt;

/// A JWS algorithm that this crate can verify.
///
/// The set is deliberately small: `RS256` (what Auth0 signs access tokens
/// with by default), `PS256` (RSA-PSS, Auth0's other asymmetric choice),
/// `ES256` (what DPoP proofs use) and `HS256`. `none` and every other name
/// are not representable, so they can never be allowed by mistake.
///
/// `HS256` is never verified with a [`VerifyingKey`](crate::VerifyingKey):
/// a public key (RSA or EC) cannot verify it, whatever the allowlist says,
/// which is what defeats the key-confusion attack (an HMAC "keyed" with the
/// public JWKS bytes). Only [`Jwt::verify_hmac`](crate::Jwt::verify_hmac),
/// with a secret the application configured, verifies `HS256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, modulus 2048 to 8192 bits.
    Rs256,
    /// ECDSA on P-256 with SHA-256, signature as raw 64-byte `r || s`.
    Es256,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt
    /// (RFC 7518 section 3.5), modulus 2048 to 8192 bits.
    Ps256,
    /// HMAC with SHA-256, only with an explicitly configured secret of at
    /// least 32 bytes ([`Jwt::verify_hmac`](crate::Jwt::verify_hmac)).
    Hs256,
}

impl Algorithm {
    /// The registered JWS name (`"RS256"`, `"ES256"`, `"PS256"`, `"HS256"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::Ps256 => "PS256",
            Self::Hs256 => "HS256",
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
            "PS256" => Some(Self::Ps256),
            "HS256" => Some(Self::Hs256),
            _ => None,
        }
    }

    /// Whether this is a symmetric (HMAC) algorithm, verified with a shared
    /// secret rather than a public key.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Self::Hs256)
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
        for alg in [
            Algorithm::Rs256,
            Algorithm::Es256,
            Algorithm::Ps256,
            Algorithm::Hs256,
        ] {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        for name in [
            "none", "None", "NONE", "hs256", "rs256", "ps256", "HS384", "HS512", "PS384", "RS384",
            "",
        ] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
    }
}
