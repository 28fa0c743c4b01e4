//! Strict base64url without padding (RFC 7515 section 2).
//!
//! Decoding rejects everything a lenient decoder would quietly accept: `=`
//! padding, the standard alphabet's `+` and `/`, whitespace, and encodings
//! whose unused trailing bits are not zero. Two different strings therefore
//! never decode to the same bytes, so a signature cannot be replayed under a
//! second spelling of the same token.
//!
//! Decoding is table-driven and variable-time, unlike `base64ct`'s
//! constant-time decoder, which cost about a microsecond per access token
//! (a few percent of a whole verification). Everything this crate decodes
//! is public: token and proof segments, public keys, nonces. `base64ct`
//! still encodes, and the tests hold the two decoders to the same verdicts.

use base64ct::{Base64UrlUnpadded, Encoding};

/// Marks a byte outside the URL-safe alphabet.
const INVALID: u8 = 0xFF;

/// Each input byte's 6-bit value, or [`INVALID`].
const SEXTETS: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decodes strict, unpadded base64url.
///
/// Variable-time: for public data only (tokens, proofs, public keys,
/// nonces), never for secrets.
///
/// # Errors
///
/// [`InvalidBase64`] on padding, characters outside the URL-safe alphabet,
/// whitespace, an impossible length or non-zero trailing bits.
pub fn decode(input: &str) -> Result<Vec<u8>, InvalidBase64> {
    let input = input.as_bytes();
    let (quads, tail) = input.split_at(input.len() - input.len() % 4);
    // A lone trailing character cannot hold a whole byte.
    if tail.len() == 1 {
        return Err(InvalidBase64(()));
    }
    // `with_capacity`, not `vec![0; n]`: glibc serves the latter through
    // calloc, which skips its thread cache.
    let mut out = Vec::with_capacity(quads.len() / 4 * 3 + tail.len().saturating_sub(1));
    for quad in quads.chunks_exact(4) {
        out.extend_from_slice(&sextets(quad)?.to_be_bytes()[1..]);
    }
    if !tail.is_empty() {
        let bits = sextets(tail)? << (6 * (4 - tail.len()));
        let bytes = bits.to_be_bytes();
        let (kept, unused) = bytes[1..].split_at(tail.len() - 1);
        // Canonical encodings leave the bits after the last byte zero.
        if unused[0] != 0 {
            return Err(InvalidBase64(()));
        }
        out.extend_from_slice(kept);
    }
    Ok(out)
}

/// Up to four characters as one big-endian group of 6-bit values.
fn sextets(chars: &[u8]) -> Result<u32, InvalidBase64> {
    let mut bits = 0_u32;
    let mut seen = 0_u8;
    for &c in chars {
        let sextet = SEXTETS[usize::from(c)];
        seen |= sextet;
        bits = bits << 6 | u32::from(sextet);
    }
    // `INVALID` is the only table value with its top bits set.
    if seen & 0xC0 == 0 {
        Ok(bits)
    } else {
        Err(InvalidBase64(()))
    }
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
        assert_eq!(decode("Zg").unwrap(), b"f");
        assert_eq!(decode("").unwrap(), b"");
        // padding, whitespace, the standard alphabet, a lone character that
        // cannot hold a byte, and "Zm9"/"Zh" whose unused trailing bits are set
        for bad in [
            "Zm8=", "Zm9v ", " Zm9v", "Zm\n9v", "a+b/", "A", "Zm9vA", "Zm9", "Zh", "Zm9v\0",
        ] {
            assert!(decode(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn every_byte_outside_the_alphabet_is_rejected_in_every_position() {
        for byte in 0..=u8::MAX {
            let c = char::from(byte);
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                continue;
            }
            for at in 0..4 {
                let mut chars = *b"AAAA";
                chars[at] = byte;
                // Not UTF-8 on its own for bytes >= 0x80, so test through the
                // same table the decoder uses.
                assert!(sextets(&chars).is_err(), "byte {byte:#04x} at {at}");
            }
        }
    }

    #[test]
    fn agrees_with_base64ct_on_every_short_input() {
        // Every string of length 0..=4 (every tail, and a whole group) over
        // an alphabet with the edge cases.
        let alphabet = b"ABPQgwz09-_=+/ ";
        let mut layer = vec![String::new()];
        for _ in 0..=4 {
            for input in &layer {
                let ours = decode(input).ok();
                let reference = Base64UrlUnpadded::decode_vec(input).ok();
                assert_eq!(ours, reference, "{input:?}");
            }
            layer = layer
                .iter()
                .flat_map(|s| {
                    alphabet
                        .iter()
                        .map(move |&c| format!("{s}{}", char::from(c)))
                })
                .collect();
        }
    }
}
