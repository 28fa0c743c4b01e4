//! Strict base64url without padding (RFC 7515 section 2).
//!
//! Decoding rejects everything a lenient decoder would quietly accept: `=`
//! padding, the standard alphabet's `+` and `/`, whitespace, and encodings
//! whose unused trailing bits are not zero. Two different strings therefore
//! never decode to the same bytes, so a signature cannot be replayed under a
//! second spelling of the same token.

use base64ct::{Base64UrlUnpadded, Encoding};

/// Decodes strict, unpadded base64url.
///
/// # Errors
///
/// [`InvalidBase64`] on padding, characters outside the URL-safe alphabet,
/// whitespace, an impossible length or non-zero trailing bits.
pub fn decode(input: &str) -> Result<Vec<u8>, InvalidBase64> {
    Base64UrlUnpadded::decode_vec(input).map_err(|_| InvalidBase64(()))
}

/// Encodes bytes as unpadded base64url.
pub fn encode(input: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(input)
}

/// The input was not strict, canonical, unpadded base64url.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base64url")]
pub struct InvalidBase64(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn rejects_lenient_spellings() {
        assert_eq!(decode("Zm9v").unwrap(), b"foo");
        assert_eq!(decode("Zm8").unwrap(), b"fo");
        // padding, whitespace, the standard alphabet, a lone character that
        // cannot hold a byte, and "Zm9" whose unused trailing bits are set
        for bad in ["Zm8=", "Zm9v ", " Zm9v", "Zm\n9v", "a+b/", "A", "Zm9"] {
            assert!(decode(bad).is_err(), "{bad:?} must be rejected");
        }
    }
}
