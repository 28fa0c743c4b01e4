//! PKCE with the S256 method (RFC 7636), the only method this issuer
//! accepts: `plain` would let anyone who sees the authorization request
//! redeem the code.

use base64ct::{Base64UrlUnpadded, Encoding};
use ring::digest::{SHA256, digest};

/// The length of an S256 challenge: 32 bytes of SHA-256 in unpadded
/// base64url.
const CHALLENGE_LEN: usize = 43;

/// The bounds RFC 7636 section 4.1 puts on a code verifier.
const VERIFIER_MIN: usize = 43;
const VERIFIER_MAX: usize = 128;

/// Why a code verifier does not redeem a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PkceMismatch {
    /// Not 43 to 128 unreserved characters (RFC 7636 section 4.1).
    Malformed,
    /// Well formed, but its S256 is not the challenge.
    Wrong,
}

/// Whether `challenge` can be the S256 of some verifier: 43 base64url
/// characters that decode to 32 bytes.
pub(crate) fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == CHALLENGE_LEN
        && Base64UrlUnpadded::decode_vec(challenge).is_ok_and(|bytes| bytes.len() == 32)
}

/// `BASE64URL(SHA256(verifier))`, the S256 challenge of `verifier`.
pub(crate) fn s256(verifier: &str) -> String {
    Base64UrlUnpadded::encode_string(digest(&SHA256, verifier.as_bytes()).as_ref())
}

/// Checks `verifier` against the S256 `challenge` of the authorization
/// request.
pub(crate) fn verify(verifier: &str, challenge: &str) -> Result<(), PkceMismatch> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if !(VERIFIER_MIN..=VERIFIER_MAX).contains(&verifier.len()) || !verifier.bytes().all(unreserved)
    {
        return Err(PkceMismatch::Malformed);
    }
    // Both sides are public once the code is redeemed; a constant-time
    // comparison would protect nothing here.
    if s256(verifier) == challenge {
        Ok(())
    } else {
        Err(PkceMismatch::Wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(s256(verifier), challenge);
        assert!(is_s256_challenge(challenge));
        assert_eq!(verify(verifier, challenge), Ok(()));
    }

    #[test]
    fn malformed_and_wrong_verifiers() {
        let challenge = s256(&"a".repeat(43));
        assert_eq!(verify(&"a".repeat(43), &challenge), Ok(()));
        assert_eq!(
            verify(&"b".repeat(43), &challenge),
            Err(PkceMismatch::Wrong)
        );
        for bad in [
            "a".repeat(42),
            "a".repeat(129),
            format!("{}+", "a".repeat(42)),
            format!("{} ", "a".repeat(43)),
            "é".repeat(30),
        ] {
            assert_eq!(
                verify(&bad, &challenge),
                Err(PkceMismatch::Malformed),
                "{bad:?}"
            );
        }
        assert!(verify(&"a".repeat(128), &challenge).is_err());
    }

    #[test]
    fn challenges_must_look_like_s256() {
        assert!(!is_s256_challenge("short"));
        assert!(!is_s256_challenge(&"a".repeat(44)));
        assert!(!is_s256_challenge(&"+".repeat(43)));
        assert!(is_s256_challenge(&s256("anything")));
    }
}
