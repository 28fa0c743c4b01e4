//! One test per known attack on JWT verifiers, each breaking exactly one rule.

use jose_core::{
    Algorithm, ClaimsError, Error, FormatError, HeaderError, Jws, Jwt, KeyError, KeySet, Limits,
    ManualClock, SignatureError, Validation, VerifyingKey, base64url,
};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::support::{Es256Signer, segment, signing_input};

const NOW: u64 = 1_700_000_000;

fn claims() -> Value {
    json!({"iss": "https://issuer/", "aud": "api", "sub": "u", "iat": NOW, "exp": NOW + 600})
}

fn header(kid: &str) -> Value {
    json!({"alg": "ES256", "kid": kid, "typ": "at+jwt"})
}

fn validation() -> Validation {
    let mut v = Validation::new("https://issuer/", "api");
    v.clock(Arc::new(ManualClock::at_unix_seconds(NOW)));
    v
}

/// The full pipeline a resource server runs.
fn verify(keys: &KeySet, token: &str) -> Result<(), Error> {
    let jwt = Jwt::parse(token)?;
    let alg = jwt.header().algorithm(&[Algorithm::Es256])?;
    let key = keys.select(jwt.header().kid(), alg)?;
    let verified = jwt.verify(key, &[alg])?;
    validation().validate(&verified)?;
    Ok(())
}

fn setup() -> (Es256Signer, KeySet) {
    let signer = Es256Signer::generate();
    let keys = KeySet::from_keys([signer.verifying_key("k1")]);
    (signer, keys)
}

#[test]
fn control_a_good_token_verifies() {
    let (signer, keys) = setup();
    verify(&keys, &signer.sign(&header("k1"), &claims())).unwrap();
}

#[test]
fn alg_none_in_any_case_is_rejected() {
    let (_, keys) = setup();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let token = format!(
            "{}.",
            signing_input(&json!({"alg": alg, "kid": "k1"}), &claims())
        );
        let err = verify(&keys, &token).unwrap_err();
        assert!(
            matches!(err, Error::Header(HeaderError::UnsupportedAlgorithm { .. })),
            "{alg}: {err:?}"
        );
    }
}

#[test]
fn hs256_signed_with_the_rsa_public_key_is_rejected() {
    // The key-confusion attack: HMAC keyed with the public modulus bytes.
    let n = base64url::decode("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ").unwrap();
    let mut rsa = VerifyingKey::from_rsa_components(&n, &[1, 0, 1]).unwrap();
    rsa.set_kid("rsa");
    let keys = KeySet::from_keys([rsa]);
    let input = signing_input(&json!({"alg": "HS256", "kid": "rsa"}), &claims());
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &n),
        input.as_bytes(),
    );
    let token = format!("{input}.{}", base64url::encode(mac.as_ref()));
    let jwt = Jwt::parse(&token).unwrap();
    assert!(matches!(
        jwt.header()
            .algorithm(&[Algorithm::Rs256, Algorithm::Es256, Algorithm::Ps256]),
        Err(HeaderError::AlgorithmNotAllowed {
            alg: Algorithm::Hs256
        })
    ));
    // even with the key in hand, Jws::verify refuses before touching it
    assert!(matches!(
        jwt.clone().verify(&keys.keys()[0], &[Algorithm::Rs256]),
        Err(Error::Header(HeaderError::AlgorithmNotAllowed { .. }))
    ));
    // and with HS256 allowed, a public key still never verifies HMAC
    assert!(matches!(
        jwt.clone()
            .verify(&keys.keys()[0], &[Algorithm::Rs256, Algorithm::Hs256]),
        Err(Error::Key(KeyError::IncompatibleAlgorithm {
            alg: Algorithm::Hs256
        }))
    ));
    // nor does a secret verify it when HS256 is not allowed
    assert!(matches!(
        jwt.verify_hmac(&n, &[Algorithm::Rs256]),
        Err(Error::Header(HeaderError::AlgorithmNotAllowed { .. }))
    ));
}

#[test]
fn an_asymmetric_token_is_never_checked_against_an_hmac_secret() {
    let (signer, _) = setup();
    let token = signer.sign(&header("k1"), &claims());
    let secret = [7u8; 32];
    assert!(matches!(
        Jwt::parse(&token)
            .unwrap()
            .verify_hmac(&secret, &[Algorithm::Es256, Algorithm::Hs256]),
        Err(Error::Key(KeyError::IncompatibleAlgorithm {
            alg: Algorithm::Es256
        }))
    ));
}

#[test]
fn hs256_needs_a_32_byte_secret_and_the_right_one() {
    let input = signing_input(&json!({"alg": "HS256"}), &claims());
    let sign = |secret: &[u8]| {
        let mac = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret),
            input.as_bytes(),
        );
        format!("{input}.{}", base64url::encode(mac.as_ref()))
    };
    let secret = [9u8; 32];
    let allowed = [Algorithm::Hs256];
    let verified = Jwt::parse(&sign(&secret))
        .unwrap()
        .verify_hmac(&secret, &allowed)
        .unwrap();
    assert_eq!(verified.algorithm(), Algorithm::Hs256);
    // another secret
    assert!(matches!(
        Jwt::parse(&sign(&[8u8; 32]))
            .unwrap()
            .verify_hmac(&secret, &allowed),
        Err(Error::Signature(SignatureError::Invalid))
    ));
    // a short secret is refused even when the tag matches it
    let short = [9u8; 31];
    assert!(matches!(
        Jwt::parse(&sign(&short))
            .unwrap()
            .verify_hmac(&short, &allowed),
        Err(Error::Key(KeyError::HmacSecretTooShort { len: 31 }))
    ));
    // a truncated tag
    let token = sign(&secret);
    let truncated = &token[..token.len() - 3];
    assert!(matches!(
        Jwt::parse(truncated)
            .unwrap()
            .verify_hmac(&secret, &allowed),
        Err(Error::Signature(SignatureError::Length { .. }))
    ));
}

#[test]
fn crit_is_rejected() {
    let (signer, keys) = setup();
    let mut h = header("k1");
    h["crit"] = json!(["exp"]);
    let err = verify(&keys, &signer.sign(&h, &claims())).unwrap_err();
    assert!(matches!(err, Error::Header(HeaderError::Critical)));
}

#[test]
fn b64_false_is_rejected() {
    let (signer, keys) = setup();
    let mut h = header("k1");
    h["b64"] = json!(false);
    let err = verify(&keys, &signer.sign(&h, &claims())).unwrap_err();
    assert!(matches!(err, Error::Header(HeaderError::UnencodedPayload)));
}

#[test]
fn embedded_keys_never_supply_the_verification_key() {
    let (_, keys) = setup();
    let attacker = Es256Signer::generate();
    let attacker_jwk = attacker.verifying_key("k1").to_jwk().to_value();
    for (member, value) in [
        ("jwk", attacker_jwk),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
    ] {
        let mut h = header("k1");
        h[member] = value;
        let err = verify(&keys, &attacker.sign(&h, &claims())).unwrap_err();
        assert!(
            matches!(err, Error::Signature(SignatureError::Invalid)),
            "{member}: {err:?}"
        );
    }
}

#[test]
fn es256_r_and_s_zero_is_rejected() {
    let (_, keys) = setup();
    let token = format!(
        "{}.{}",
        signing_input(&header("k1"), &claims()),
        base64url::encode(&[0u8; 64])
    );
    let err = verify(&keys, &token).unwrap_err();
    assert!(matches!(err, Error::Signature(SignatureError::Invalid)));
}

#[test]
fn es256_der_signature_is_rejected() {
    let (signer, keys) = setup();
    let err = verify(&keys, &signer.sign_der(&header("k1"), &claims())).unwrap_err();
    assert!(matches!(
        err,
        Error::Signature(SignatureError::Length { expected: 64, .. })
    ));
}

#[test]
fn rsa_1024_bit_key_is_rejected() {
    let mut n = vec![0xc5u8; 128];
    n[127] = 0x01;
    assert_eq!(
        VerifyingKey::from_rsa_components(&n, &[1, 0, 1]),
        Err(KeyError::RsaModulusSize { bits: 1024 })
    );
    let jwks =
        json!({"keys": [{"kty": "RSA", "kid": "small", "n": base64url::encode(&n), "e": "AQAB"}]});
    let keys = KeySet::from_slice(jwks.to_string().as_bytes()).unwrap();
    assert!(keys.keys().is_empty());
    assert_eq!(
        keys.select(Some("small"), Algorithm::Rs256),
        Err(KeyError::RsaModulusSize { bits: 1024 })
    );
}

#[test]
fn padded_or_non_canonical_base64url_is_rejected() {
    let (signer, keys) = setup();
    let token = signer.sign(&header("k1"), &claims());
    let (input, sig) = token.rsplit_once('.').unwrap();
    let std_alphabet = sig.replace('-', "+").replace('_', "/");
    let mut variants = vec![
        format!("{input}.{sig}="),
        format!("{input}.{sig}=="),
        format!("{input} .{sig}"),
    ];
    if std_alphabet != sig {
        variants.push(format!("{input}.{std_alphabet}"));
    }
    // 64 bytes encode to 86 characters, whose last one carries 2 unused
    // bits: setting them gives a second spelling of the same signature
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).unwrap();
    let sloppy = alphabet.chars().nth(index | 0b11).unwrap();
    if sloppy != last {
        variants.push(format!("{input}.{}{sloppy}", &sig[..sig.len() - 1]));
    }
    for token in variants {
        let err = verify(&keys, &token).unwrap_err();
        assert!(
            matches!(err, Error::Format(FormatError::Base64 { .. })),
            "{token}: {err:?}"
        );
    }
}

#[test]
fn duplicate_alg_member_is_rejected() {
    let token = format!(
        "{}.{}.{}",
        segment(r#"{"alg":"ES256","kid":"k1","alg":"none"}"#),
        segment(&claims().to_string()),
        base64url::encode(&[1u8; 64])
    );
    assert!(matches!(
        Jws::parse(&token),
        Err(Error::Format(FormatError::DuplicateMember { .. }))
    ));
    let payload_dup = format!(
        "{}.{}.{}",
        segment(r#"{"alg":"ES256","kid":"k1"}"#),
        segment(r#"{"sub":"a","sub":"admin"}"#),
        base64url::encode(&[1u8; 64])
    );
    assert!(matches!(
        Jwt::parse(&payload_dup),
        Err(Error::Format(FormatError::DuplicateMember { .. }))
    ));
}

#[test]
fn a_one_megabyte_token_is_rejected_before_decoding() {
    let token = "A".repeat(1 << 20);
    assert!(matches!(
        Jws::parse(&token),
        Err(Error::Format(FormatError::TooLarge {
            len: 1_048_576,
            max: 16_384
        }))
    ));
    let mut limits = Limits::new();
    limits.max_token_len(100);
    assert!(matches!(
        Jws::parse_with(&"a.b.c".repeat(30), &limits),
        Err(Error::Format(FormatError::TooLarge { .. }))
    ));
}

#[test]
fn ten_thousand_deep_json_nesting_fails_cleanly() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut limits = Limits::new();
    limits.max_token_len(1 << 20);
    let in_header = format!(
        "{}.{}.{}",
        segment(&format!(r#"{{"alg":"ES256","x":{deep}}}"#)),
        segment("{}"),
        base64url::encode(&[1u8; 64])
    );
    assert!(matches!(
        Jws::parse_with(&in_header, &limits),
        Err(Error::Format(FormatError::Json { .. }))
    ));
    let in_payload = format!(
        "{}.{}.{}",
        segment(r#"{"alg":"ES256"}"#),
        segment(&format!(r#"{{"x":{deep}}}"#)),
        base64url::encode(&[1u8; 64])
    );
    assert!(matches!(
        Jwt::parse_with(&in_payload, &limits),
        Err(Error::Format(FormatError::Json { .. }))
    ));
}

#[test]
fn wrong_typed_exp_and_nbf_are_errors() {
    let (signer, keys) = setup();
    for (claim, value) in [
        ("exp", json!("99999999999")),
        ("exp", json!(null)),
        ("nbf", json!("0")),
        ("nbf", json!({"after": 0})),
    ] {
        let mut c = claims();
        c[claim] = value;
        let err = verify(&keys, &signer.sign(&header("k1"), &c)).unwrap_err();
        assert!(
            matches!(err, Error::Claims(ClaimsError::InvalidType { .. })),
            "{claim}: {err:?}"
        );
    }
}

#[test]
fn jwe_and_wrong_segment_counts_are_named() {
    assert!(matches!(
        Jws::parse("a.b.c.d.e"),
        Err(Error::Format(FormatError::Jwe))
    ));
    for token in ["", "abc", "a.b", "a.b.c.d"] {
        assert!(matches!(
            Jws::parse(token),
            Err(Error::Format(FormatError::SegmentCount { .. }))
        ));
    }
}

#[test]
fn the_token_cannot_choose_the_key_type() {
    // An EC key asked to verify RS256 refuses, whatever the allowlist says.
    let (signer, _) = setup();
    let key = signer.verifying_key("k1");
    let mut h = header("k1");
    h["alg"] = json!("RS256");
    let token = signer.sign(&h, &claims());
    let jws = Jws::parse(&token).unwrap();
    assert!(matches!(
        jws.verify(&key, &[Algorithm::Rs256, Algorithm::Es256]),
        Err(Error::Key(KeyError::IncompatibleAlgorithm { .. }))
    ));
}

#[test]
fn key_metadata_restricts_use() {
    let (signer, _) = setup();
    let token = signer.sign(&header("k1"), &claims());
    let jws = Jws::parse(&token).unwrap();
    for (member, value, expected) in [
        ("use", json!("enc"), "NotForSignatures"),
        ("alg", json!("ES384"), "AlgorithmMismatch"),
        ("key_ops", json!(["sign"]), "VerifyNotPermitted"),
    ] {
        let mut jwk = signer.verifying_key("k1").to_jwk().to_value();
        jwk[member] = value;
        let jwks = json!({ "keys": [jwk] });
        let keys = KeySet::from_slice(jwks.to_string().as_bytes()).unwrap();
        let err = keys.select(Some("k1"), Algorithm::Es256).unwrap_err();
        assert!(
            format!("{err:?}").starts_with(expected),
            "{member}: {err:?}"
        );
        assert!(jws.verify(&keys.keys()[0], &[Algorithm::Es256]).is_err());
    }
}

#[test]
fn unknown_kid_missing_kid_and_duplicate_kid() {
    let (signer, keys) = setup();
    let err = verify(&keys, &signer.sign(&header("other"), &claims())).unwrap_err();
    assert!(matches!(err, Error::Key(KeyError::UnknownKid { .. })));
    let err = verify(&keys, &signer.sign(&json!({"alg": "ES256"}), &claims())).unwrap_err();
    assert!(matches!(err, Error::Key(KeyError::MissingKid)));
    let twice = KeySet::from_keys([signer.verifying_key("k1"), signer.verifying_key("k1")]);
    let err = verify(&twice, &signer.sign(&header("k1"), &claims())).unwrap_err();
    assert!(matches!(err, Error::Key(KeyError::AmbiguousKid { .. })));
}

#[test]
fn a_key_set_survives_keys_it_cannot_use() {
    let (signer, _) = setup();
    let good = signer.verifying_key("k1").to_jwk().to_value();
    let jwks = json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "ed"},
        {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA", "kid": "p384"},
        {"kty": "RSA", "kid": "broken", "n": 7},
        "not even an object",
        good,
    ]});
    let keys = KeySet::from_slice(jwks.to_string().as_bytes()).unwrap();
    assert_eq!(keys.keys().len(), 1);
    assert_eq!(keys.rejected().len(), 5);
    verify(&keys, &signer.sign(&header("k1"), &claims())).unwrap();
    assert!(matches!(
        keys.select(Some("hmac"), Algorithm::Es256),
        Err(KeyError::PrivateKeyMaterial { member: "k" })
    ));
}

#[test]
fn private_members_in_a_jwk_are_refused() {
    let signer = Es256Signer::generate();
    for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
        let mut jwk = signer.verifying_key("k1").to_jwk().to_value();
        jwk[member] = json!("AAAA");
        let jwk = jose_core::Jwk::from_value(&jwk).unwrap();
        assert!(matches!(
            VerifyingKey::from_jwk(&jwk),
            Err(KeyError::PrivateKeyMaterial { .. })
        ));
        // and Debug never prints them
        assert!(!format!("{jwk:?}").contains("AAAA"));
    }
}

#[test]
fn an_rsa_keys_alg_member_limits_it_to_that_algorithm() {
    let n = base64url::decode("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ").unwrap();
    let bare = VerifyingKey::from_rsa_components(&n, &[1, 0, 1]).unwrap();
    // Without `alg`, an RSA key verifies RS256 and PS256, never HS256 or ES256.
    assert!(bare.check_usable_for(Algorithm::Rs256).is_ok());
    assert!(bare.check_usable_for(Algorithm::Ps256).is_ok());
    for alg in [Algorithm::Hs256, Algorithm::Es256] {
        assert!(matches!(
            bare.check_usable_for(alg),
            Err(KeyError::IncompatibleAlgorithm { .. })
        ));
    }
    for (key_alg, refused) in [("RS256", Algorithm::Ps256), ("PS256", Algorithm::Rs256)] {
        let mut jwk = bare.to_jwk();
        jwk.set_alg(key_alg);
        let key = VerifyingKey::from_jwk(&jwk).unwrap();
        assert!(
            key.check_usable_for(Algorithm::from_name(key_alg).unwrap())
                .is_ok()
        );
        assert!(matches!(
            key.check_usable_for(refused),
            Err(KeyError::AlgorithmMismatch { .. })
        ));
    }
    // A P-256 key never verifies HS256 either.
    let (signer, _) = setup();
    assert!(matches!(
        signer
            .verifying_key("k1")
            .check_usable_for(Algorithm::Hs256),
        Err(KeyError::IncompatibleAlgorithm { .. })
    ));
}
