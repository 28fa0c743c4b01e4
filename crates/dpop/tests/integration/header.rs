//! Checks 3 to 5 and 7: `typ`, `alg` and `jwk`, each broken alone in an
//! otherwise valid, correctly signed proof.

use dpop::Error;
use jose_core::{Algorithm, HeaderError, KeyError};
use serde_json::{Value, json};

use crate::support::Env;

/// RFC 7638 section 3.1's 2048-bit RSA modulus: a well-formed RSA key.
const RSA_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

// ----- typ -----

#[test]
fn typ_missing_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_header(|h| {
        h.remove("typ");
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(matches!(err, Error::InvalidType { typ: None }), "{err:?}");
}

#[test]
fn typ_jwt_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_header(|h| {
        h.insert("typ".into(), "jwt".into());
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidType { typ: Some(t) } if t == "jwt"),
        "{err:?}"
    );
}

#[test]
fn typ_is_compared_exactly() {
    let env = Env::new();
    for typ in ["DPOP+JWT", "application/dpop+jwt", "at+jwt", "dpop+jwt "] {
        let proof = env.proof_with_header(|h| {
            h.insert("typ".into(), typ.into());
        });
        let err = env.verify(&proof).unwrap_err();
        assert!(matches!(err, Error::InvalidType { .. }), "{typ}: {err:?}");
    }
}

#[test]
fn typ_of_the_wrong_type_is_malformed() {
    let env = Env::new();
    let proof = env.proof_with_header(|h| {
        h.insert("typ".into(), json!(1));
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(matches!(err, Error::Malformed(_)), "{err:?}");
}

// ----- alg -----

fn assert_alg_refused(env: &Env, alg: &str) -> HeaderError {
    let proof = env.proof_with_header(|h| {
        h.insert("alg".into(), alg.into());
    });
    match env.verify(&proof).unwrap_err() {
        Error::AlgorithmNotAllowed(e) => e,
        other => panic!("{alg}: {other:?}"),
    }
}

#[test]
fn rs256_is_not_allowed_by_default() {
    let env = Env::new();
    let err = assert_alg_refused(&env, "RS256");
    assert!(matches!(
        err,
        HeaderError::AlgorithmNotAllowed {
            alg: Algorithm::Rs256
        }
    ));
}

#[test]
fn none_and_hmac_are_never_allowed() {
    let env = Env::with(|b| {
        b.algorithms(&[Algorithm::Es256, Algorithm::Rs256]);
    });
    for alg in ["none", "HS512", "ES384", "EdDSA", "es256"] {
        let err = assert_alg_refused(&env, alg);
        assert!(
            matches!(err, HeaderError::UnsupportedAlgorithm { .. }),
            "{alg}"
        );
    }
    // Names jose-core knows (for access tokens) but no proof may use.
    for alg in ["HS256", "PS256"] {
        let err = assert_alg_refused(&env, alg);
        assert!(
            matches!(err, HeaderError::AlgorithmNotAllowed { .. }),
            "{alg}"
        );
    }
}

#[test]
fn an_empty_allowlist_rejects_every_proof() {
    let env = Env::with(|b| {
        b.algorithms(&[]);
    });
    assert_alg_refused(&env, "ES256");
}

// ----- jwk -----

fn verify_with_jwk(env: &Env, jwk: Option<Value>) -> Error {
    let proof = env.proof_with_header(|h| match jwk {
        Some(jwk) => {
            h.insert("jwk".into(), jwk);
        }
        None => {
            h.remove("jwk");
        }
    });
    env.verify(&proof).unwrap_err()
}

/// The env key's public JWK with one member added.
fn public_jwk_plus(env: &Env, member: &str, value: &str) -> Value {
    let mut jwk = env.key.public_jwk().to_value();
    jwk[member] = value.into();
    jwk
}

#[test]
fn jwk_missing_is_rejected() {
    let env = Env::new();
    let err = verify_with_jwk(&env, None);
    assert!(matches!(err, Error::MissingJwk), "{err:?}");
}

#[test]
fn jwk_as_a_string_is_rejected() {
    let env = Env::new();
    let as_string = env.key.public_jwk().to_value().to_string();
    let err = verify_with_jwk(&env, Some(Value::String(as_string)));
    assert!(
        matches!(
            err,
            Error::InvalidJwk(KeyError::InvalidMember { member: "jwk" })
        ),
        "{err:?}"
    );
}

#[test]
fn jwk_as_an_array_is_rejected() {
    let env = Env::new();
    let err = verify_with_jwk(&env, Some(json!([env.key.public_jwk().to_value()])));
    assert!(matches!(err, Error::InvalidJwk(_)), "{err:?}");
}

#[test]
fn jwk_with_d_is_rejected() {
    let env = Env::new();
    // the right public key, plus a (fake) private scalar
    let jwk = public_jwk_plus(&env, "d", "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE");
    let err = verify_with_jwk(&env, Some(jwk));
    assert!(matches!(err, Error::PrivateJwk { member: "d" }), "{err:?}");
}

#[test]
fn jwk_with_other_private_members_is_rejected() {
    let env = Env::new();
    for member in ["p", "q", "dp", "dq", "qi", "oth", "k"] {
        let jwk = public_jwk_plus(&env, member, "AQAB");
        let err = verify_with_jwk(&env, Some(jwk));
        assert!(
            matches!(err, Error::PrivateJwk { member: m } if m == member),
            "{member}: {err:?}"
        );
    }
}

#[test]
fn jwk_rsa_is_rejected_under_es256() {
    let env = Env::new();
    let err = verify_with_jwk(&env, Some(json!({"kty": "RSA", "n": RSA_N, "e": "AQAB"})));
    assert!(
        matches!(
            err,
            Error::InvalidJwk(KeyError::IncompatibleAlgorithm {
                alg: Algorithm::Es256
            })
        ),
        "{err:?}"
    );
}

#[test]
fn jwk_symmetric_is_rejected() {
    let env = Env::new();
    let err = verify_with_jwk(&env, Some(json!({"kty": "oct", "k": "c2VjcmV0"})));
    assert!(matches!(err, Error::PrivateJwk { member: "k" }), "{err:?}");
}

#[test]
fn jwk_on_another_curve_is_rejected() {
    let env = Env::new();
    let mut jwk = env.key.public_jwk().to_value();
    jwk["crv"] = "P-384".into();
    let err = verify_with_jwk(&env, Some(jwk));
    assert!(
        matches!(err, Error::InvalidJwk(KeyError::UnsupportedCurve { .. })),
        "{err:?}"
    );
}

#[test]
fn jwk_off_the_curve_is_rejected() {
    let env = Env::new();
    let mut jwk = env.key.public_jwk().to_value();
    // a valid x with y flipped in its last bit is not on P-256
    let mut y = jose_core::base64url::decode(jwk["y"].as_str().unwrap()).unwrap();
    y[31] ^= 1;
    jwk["y"] = jose_core::base64url::encode(&y).into();
    let err = verify_with_jwk(&env, Some(jwk));
    assert!(
        matches!(err, Error::InvalidJwk(KeyError::InvalidEcPoint)),
        "{err:?}"
    );
}

#[test]
fn jwk_for_encryption_is_rejected() {
    let env = Env::new();
    let jwk = public_jwk_plus(&env, "use", "enc");
    let err = verify_with_jwk(&env, Some(jwk));
    assert!(
        matches!(err, Error::InvalidJwk(KeyError::NotForSignatures { .. })),
        "{err:?}"
    );
}

#[test]
fn jwk_with_harmless_extra_members_is_accepted() {
    let env = Env::new();
    let mut jwk = public_jwk_plus(&env, "kid", "client-key");
    jwk["alg"] = "ES256".into();
    jwk["use"] = "sig".into();
    let proof = env.proof_with_header(|h| {
        h.insert("jwk".into(), jwk);
    });
    env.verify(&proof).unwrap();
}
