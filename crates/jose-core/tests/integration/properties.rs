//! Property tests: no input makes parsing or verification panic.

use jose_core::{Algorithm, Jws, Jwt, KeySet, base64url};
use proptest::prelude::*;

use crate::support::Es256Signer;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

/// A token-shaped string: a few segments of base64url-ish or arbitrary text.
fn token_like() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        "[A-Za-z0-9_-]{0,40}",
        any::<Vec<u8>>().prop_map(|b| base64url::encode(&b)),
        proptest::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| base64url::encode(String::from_utf8_lossy(&b).as_bytes())),
        ".{0,20}",
    ];
    proptest::collection::vec(segment, 0..6).prop_map(|s| s.join("."))
}

/// A structurally valid token around arbitrary JSON-ish header and payload.
fn json_token() -> impl Strategy<Value = String> {
    let json = prop_oneof![
        Just(r#"{"alg":"ES256","kid":"k"}"#.to_owned()),
        r#"\{"alg":"[A-Za-z0-9]{0,6}"(,"[a-z]{1,4}":[0-9tfn\[\]\{\}"a-z,:]{0,12})?\}"#,
        ".{0,40}",
    ];
    (json.clone(), json, any::<Vec<u8>>()).prop_map(|(h, p, s)| {
        format!(
            "{}.{}.{}",
            base64url::encode(h.as_bytes()),
            base64url::encode(p.as_bytes()),
            base64url::encode(&s)
        )
    })
}

proptest! {
    #![proptest_config(config())]

    /// The variable-time decoder gives base64ct's strict verdict on every
    /// input: same bytes, or both refuse.
    #[test]
    fn base64url_decode_agrees_with_base64ct(
        input in prop_oneof![
            "[A-Za-z0-9_=+/ -]{0,64}",
            any::<Vec<u8>>().prop_map(|b| base64url::encode(&b)),
            any::<String>(),
        ]
    ) {
        use base64ct::{Base64UrlUnpadded, Encoding};
        prop_assert_eq!(
            base64url::decode(&input).ok(),
            Base64UrlUnpadded::decode_vec(&input).ok()
        );
    }

    #[test]
    fn parse_never_panics(token in prop_oneof![token_like(), json_token(), any::<String>()]) {
        let _ = Jws::parse(&token);
        let _ = Jwt::parse(&token);
    }

    #[test]
    fn verify_never_panics(token in prop_oneof![token_like(), json_token()]) {
        let signer = Es256Signer::generate();
        let keys = KeySet::from_keys([signer.verifying_key("k")]);
        if let Ok(jws) = Jws::parse(&token) {
            for key in keys.keys() {
                let _ = jws.verify(key, &[Algorithm::Es256, Algorithm::Rs256]);
            }
            let _ = keys.select(jws.header().kid(), Algorithm::Es256);
        }
    }

    #[test]
    fn key_sets_never_panic(doc in ".{0,200}") {
        let _ = KeySet::from_slice(doc.as_bytes());
    }
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary DER, and DER-shaped bytes after a SEQUENCE tag, never make
    /// the SPKI reader panic.
    #[test]
    fn spki_der_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = jose_core::VerifyingKey::from_spki_der(&bytes);
        let mut sequence = vec![0x30, 0x82, 0x01, 0x22];
        sequence.extend_from_slice(&bytes);
        let _ = jose_core::VerifyingKey::from_spki_der(&sequence);
    }

    /// Arbitrary text, and PEM armour around arbitrary base64, never make
    /// the PEM reader panic.
    #[test]
    fn pem_never_panics(text in ".{0,200}", body in any::<Vec<u8>>()) {
        let _ = jose_core::VerifyingKey::from_pem(&text);
        let armoured = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
            base64url::encode(&body).replace('-', "+").replace('_', "/")
        );
        let _ = jose_core::VerifyingKey::from_pem(&armoured);
    }

    /// An HS256 token with arbitrary signature bytes never verifies with a
    /// secret, and never panics.
    #[test]
    fn hmac_verification_never_panics(signature in any::<Vec<u8>>(), secret in any::<Vec<u8>>()) {
        let token = format!(
            "{}.{}.{}",
            base64url::encode(br#"{"alg":"HS256"}"#),
            base64url::encode(b"{}"),
            base64url::encode(&signature)
        );
        let jwt = Jwt::parse(&token).unwrap();
        prop_assert!(jwt.verify_hmac(&secret, &[Algorithm::Hs256]).is_err());
    }
}
