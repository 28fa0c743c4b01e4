//! Errors never carry the proof or the access token, and map to the codes
//! and statuses the umbrella crate answers with.

use dpop::{Error, Request};

use crate::support::{Env, URL};

const TOKEN: &str = "secret-access-token-value";

/// Every rejection reachable with one proof, as Display and Debug text.
fn rejection_texts(env: &Env) -> Vec<(String, String)> {
    let proofs = [
        env.proof_with_header(|h| {
            h.remove("typ");
        }),
        env.proof_with_header(|h| {
            h.insert("alg".into(), "HS256".into());
        }),
        env.proof_with_claims(|c| {
            c.insert("htm".into(), "POST".into());
        }),
        env.proof_with_claims(|c| {
            c.insert("htu".into(), "https://other.example/".into());
        }),
        env.proof_with_claims(|c| {
            c.insert("ath".into(), "wrong".into());
        }),
        env.proof(|_| {}, |_| {}).replace('.', ""),
    ];
    proofs
        .iter()
        .map(|proof| {
            let headers = [proof.as_str()];
            let err = env
                .verify_request(&Request::new(&headers, "GET", URL).access_token(TOKEN))
                .unwrap_err();
            (err.to_string(), format!("{err:?}"))
        })
        .collect()
}

#[test]
fn errors_never_contain_the_access_token_or_the_proof() {
    let env = Env::new();
    let header_segment = env.proof(|_| {}, |_| {});
    let header_segment = header_segment.split('.').next().unwrap();
    for (display, debug) in rejection_texts(&env) {
        for text in [&display, &debug] {
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains(header_segment), "{text}");
        }
        assert!(
            !display.contains('\n') && !display.ends_with('.'),
            "{display}"
        );
    }
}

#[test]
fn errors_bound_attacker_chosen_text() {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("htm".into(), "X".repeat(5_000).into());
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(matches!(err, Error::MethodMismatch { .. }));
    assert!(err.to_string().len() < 300, "{}", err.to_string().len());
}

#[test]
fn every_proof_rejection_is_invalid_dpop_proof_with_401() {
    let env = Env::new();
    let proof = env.proof_with_header(|h| {
        h.remove("jwk");
    });
    let err = env.verify(&proof).unwrap_err();
    assert_eq!(err.error_code(), "invalid_dpop_proof");
    assert_eq!(err.status_code(), 401);
    assert!(err.is_proof_error());
    assert!(!err.is_retryable());
    assert_eq!(err.fresh_nonce(), None);
}
