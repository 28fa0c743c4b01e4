//! The `ath` claim: the hash that binds a proof to one access token.

use jose_core::base64url;
use ring::digest;

/// The `ath` value for `access_token`: base64url (unpadded) of the SHA-256
/// of its ASCII bytes (RFC 9449 section 4.2).
///
/// ```
/// // RFC 9449 section 7.1
/// assert_eq!(
///     dpop::access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
///     "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo",
/// );
/// ```
pub fn access_token_hash(access_token: &str) -> String {
    base64url::encode(digest::digest(&digest::SHA256, access_token.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_43_characters_of_base64url() {
        for token in ["", "a", "eyJ.x.y"] {
            let ath = access_token_hash(token);
            assert_eq!(ath.len(), 43);
            assert_eq!(base64url::decode(&ath).unwrap().len(), 32);
        }
        assert_ne!(access_token_hash("a"), access_token_hash("b"));
    }
}
