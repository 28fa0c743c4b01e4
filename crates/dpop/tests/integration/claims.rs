//! Checks 3, 8, 11, 12 and 13 on the claims: `jti`, `htm`, `iat`, `ath`
//! and the key thumbprint, each broken alone.

use std::time::Duration;

use dpop::{Error, Request, access_token_hash};
use serde_json::json;

use crate::support::{Env, NOW, URL};

// ----- jti -----

#[test]
fn jti_missing_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.remove("jti");
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(err, Error::MissingClaim { claim: "jti" }),
        "{err:?}"
    );
}

#[test]
fn jti_empty_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("jti".into(), "".into());
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(matches!(err, Error::EmptyJti), "{err:?}");
}

#[test]
fn jti_not_a_string_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("jti".into(), json!(12345));
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(err, Error::InvalidClaim { claim: "jti", .. }),
        "{err:?}"
    );
}

#[test]
fn jti_over_the_cap_is_rejected_and_at_the_cap_accepted() {
    let env = Env::new();
    let at_cap = env.proof_with_claims(|c| {
        c.insert("jti".into(), "j".repeat(256).into());
    });
    env.verify(&at_cap).unwrap();
    let over = env.proof_with_claims(|c| {
        c.insert("jti".into(), "j".repeat(257).into());
    });
    let err = env.verify(&over).unwrap_err();
    assert!(
        matches!(err, Error::JtiTooLong { len: 257, max: 256 }),
        "{err:?}"
    );
}

// ----- htm -----

#[test]
fn htm_post_for_a_get_request_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("htm".into(), "POST".into());
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(&err, Error::MethodMismatch { expected, found } if expected == "GET" && found == "POST"),
        "{err:?}"
    );
}

#[test]
fn htm_is_case_sensitive() {
    // RFC 9110 section 9.1; the Auth0 SDKs would accept this proof.
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("htm".into(), "get".into());
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(matches!(err, Error::MethodMismatch { .. }), "{err:?}");
}

#[test]
fn htm_missing_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.remove("htm");
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(err, Error::MissingClaim { claim: "htm" }),
        "{err:?}"
    );
}

#[test]
fn htm_matching_another_method_passes() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("htm".into(), "DELETE".into());
    });
    let proofs = [proof.as_str()];
    env.verify_request(&Request::new(&proofs, "DELETE", URL))
        .unwrap();
}

// ----- iat: [now - offset - leeway, now + leeway], defaults 300 s and 30 s -----

fn verify_at_iat(iat: serde_json::Value) -> Result<dpop::VerifiedProof, Error> {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("iat".into(), iat);
    });
    env.verify(&proof)
}

#[test]
fn iat_an_hour_ahead_is_rejected() {
    let err = verify_at_iat(json!(NOW + 3600)).unwrap_err();
    assert!(
        matches!(err, Error::IatInFuture { iat, now: NOW, leeway: 30 } if iat == NOW + 3600),
        "{err:?}"
    );
}

#[test]
fn iat_an_hour_old_is_rejected() {
    let err = verify_at_iat(json!(NOW - 3600)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::IatTooOld {
                now: NOW,
                offset: 300,
                leeway: 30,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn iat_exactly_leeway_ahead_passes() {
    verify_at_iat(json!(NOW + 30)).unwrap();
}

#[test]
fn iat_one_second_past_the_leeway_is_rejected() {
    let err = verify_at_iat(json!(NOW + 31)).unwrap_err();
    assert!(matches!(err, Error::IatInFuture { .. }), "{err:?}");
}

#[test]
fn iat_exactly_offset_old_passes() {
    verify_at_iat(json!(NOW - 300)).unwrap();
}

#[test]
fn iat_offset_plus_leeway_old_passes_and_one_more_second_fails() {
    verify_at_iat(json!(NOW - 330)).unwrap();
    let err = verify_at_iat(json!(NOW - 331)).unwrap_err();
    assert!(matches!(err, Error::IatTooOld { .. }), "{err:?}");
}

#[test]
fn iat_with_a_fraction_counts_whole_seconds() {
    verify_at_iat(json!(NOW as f64 + 30.9)).unwrap();
}

#[test]
fn iat_missing_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.remove("iat");
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(err, Error::MissingClaim { claim: "iat" }),
        "{err:?}"
    );
}

#[test]
fn iat_as_a_string_is_rejected() {
    let err = verify_at_iat(json!(NOW.to_string())).unwrap_err();
    assert!(
        matches!(err, Error::InvalidClaim { claim: "iat", .. }),
        "{err:?}"
    );
}

#[test]
fn configured_window_is_honoured() {
    let env = Env::with(|b| {
        b.iat_leeway(Duration::from_secs(5))
            .iat_offset(Duration::from_secs(60));
    });
    let at = |iat: i64| {
        env.verify(&env.proof_with_claims(|c| {
            c.insert("iat".into(), iat.into());
        }))
    };
    at(NOW + 5).unwrap();
    at(NOW - 65).unwrap();
    assert!(matches!(at(NOW + 6), Err(Error::IatInFuture { .. })));
    assert!(matches!(at(NOW - 66), Err(Error::IatTooOld { .. })));
}

#[test]
fn a_proof_ages_out_as_the_clock_moves() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    env.verify(&proof).unwrap();
    env.clock.advance(Duration::from_secs(331));
    assert!(matches!(env.verify(&proof), Err(Error::IatTooOld { .. })));
}

// ----- ath -----

const TOKEN: &str = "an-access-token";

fn verify_with_token(env: &Env, proof: &str) -> Result<dpop::VerifiedProof, Error> {
    let proofs = [proof];
    env.verify_request(&Request::new(&proofs, "GET", URL).access_token(TOKEN))
}

#[test]
fn ath_matching_the_token_passes() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("ath".into(), access_token_hash(TOKEN).into());
    });
    verify_with_token(&env, &proof).unwrap();
}

#[test]
fn ath_missing_when_a_token_is_presented_is_rejected() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let err = verify_with_token(&env, &proof).unwrap_err();
    assert!(
        matches!(err, Error::MissingClaim { claim: "ath" }),
        "{err:?}"
    );
}

#[test]
fn ath_of_another_token_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("ath".into(), access_token_hash("another-token").into());
    });
    let err = verify_with_token(&env, &proof).unwrap_err();
    assert!(matches!(err, Error::AthMismatch), "{err:?}");
}

#[test]
fn ath_padded_or_in_standard_base64_is_rejected() {
    let env = Env::new();
    let ath = access_token_hash(TOKEN);
    for spelling in [format!("{ath}="), ath.replace('-', "+").replace('_', "/")] {
        if spelling == ath {
            continue; // no '-' or '_' in this hash: nothing to respell
        }
        let proof = env.proof_with_claims(|c| {
            c.insert("ath".into(), spelling.clone().into());
        });
        let err = verify_with_token(&env, &proof).unwrap_err();
        assert!(matches!(err, Error::AthMismatch), "{spelling}: {err:?}");
    }
}

#[test]
fn ath_not_a_string_is_rejected() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("ath".into(), json!(["x"]));
    });
    let err = verify_with_token(&env, &proof).unwrap_err();
    assert!(
        matches!(err, Error::InvalidClaim { claim: "ath", .. }),
        "{err:?}"
    );
}

// ----- jkt -----

#[test]
fn expected_jkt_matching_the_proof_key_passes() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let proofs = [proof.as_str()];
    let jkt = env.key.thumbprint();
    let verified = env
        .verify_request(&Request::new(&proofs, "GET", URL).expected_jkt(&jkt))
        .unwrap();
    assert_eq!(verified.jkt(), jkt);
}

#[test]
fn expected_jkt_of_another_key_is_rejected() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let proofs = [proof.as_str()];
    let other = dpop::ProofKey::generate().unwrap().thumbprint();
    let err = env
        .verify_request(&Request::new(&proofs, "GET", URL).expected_jkt(&other))
        .unwrap_err();
    assert!(
        matches!(&err, Error::ThumbprintMismatch { expected, found } if *expected == other && *found == env.key.thumbprint()),
        "{err:?}"
    );
}
