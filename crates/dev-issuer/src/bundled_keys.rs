//! The RSA-2048 test keys shipped with the crate.
//!
//! ring cannot generate RSA keys, and RS256 is what Auth0 signs with, so the
//! crate carries a few PKCS#8 private keys made once with
//! `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`. They are
//! public: anyone can read them in this repository, so a token they sign
//! proves nothing outside a test. See `keys/README.md`.

/// Keys the issuer publishes, in rotation order.
const ROTATION: [&[u8]; 4] = [
    include_bytes!("../keys/rsa-test-1.pk8"),
    include_bytes!("../keys/rsa-test-2.pk8"),
    include_bytes!("../keys/rsa-test-3.pk8"),
    include_bytes!("../keys/rsa-test-4.pk8"),
];

/// A key the issuer never publishes: what "signed with the wrong key"
/// tokens are signed with.
const OUTSIDER: &[u8] = include_bytes!("../keys/rsa-test-5.pk8");

/// How many bundled keys the issuer rotates through.
pub(crate) const ROTATION_LEN: usize = ROTATION.len();

/// The PKCS#8 document of rotation key `index`, if there is one.
pub(crate) fn rotation_key(index: usize) -> Option<&'static [u8]> {
    ROTATION.get(index).copied()
}

/// The PKCS#8 document of the never-published key.
pub(crate) fn outsider_key() -> &'static [u8] {
    OUTSIDER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_key_is_a_distinct_rsa_2048_key() {
        let mut moduli = Vec::new();
        for der in ROTATION.iter().chain([&OUTSIDER]) {
            let pair = ring::rsa::KeyPair::from_pkcs8(der).unwrap();
            assert_eq!(pair.public().modulus_len(), 256);
            moduli.push(pair.public().as_ref().to_vec());
        }
        moduli.sort();
        moduli.dedup();
        assert_eq!(moduli.len(), ROTATION_LEN + 1);
        assert!(rotation_key(ROTATION_LEN).is_none());
    }
}
