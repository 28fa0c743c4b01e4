//! RFC 9449 section 4.3 check 1: exactly one `DPoP` header with one proof;
//! and the size cap, checked before anything is decoded.

use dpop::{Error, Request};

use crate::support::{Env, URL};

#[test]
fn baseline_proof_verifies() {
    let env = Env::new();
    let proof = env.verify(&env.proof(|_| {}, |_| {})).unwrap();
    assert_eq!(proof.jkt(), env.key.thumbprint());
    assert_eq!(proof.htm(), "GET");
    assert_eq!(proof.htu(), URL);
}

#[test]
fn no_header_is_rejected() {
    let env = Env::new();
    let err = env
        .verify_request(&Request::new(&[], "GET", URL))
        .unwrap_err();
    assert!(matches!(err, Error::MissingProof), "{err:?}");
}

#[test]
fn two_headers_are_rejected_even_if_both_are_valid() {
    let env = Env::new();
    let (a, b) = (env.proof(|_| {}, |_| {}), env.proof(|_| {}, |_| {}));
    let proofs = [a.as_str(), b.as_str()];
    let err = env
        .verify_request(&Request::new(&proofs, "GET", URL))
        .unwrap_err();
    assert!(
        matches!(err, Error::MultipleHeaders { count: 2 }),
        "{err:?}"
    );
}

#[test]
fn comma_joined_proofs_are_rejected() {
    let env = Env::new();
    let (a, b) = (env.proof(|_| {}, |_| {}), env.proof(|_| {}, |_| {}));
    for joined in [format!("{a},{b}"), format!("{a}, {b}"), format!("{a},")] {
        let err = env.verify(&joined).unwrap_err();
        assert!(matches!(err, Error::MultipleValues), "{err:?}");
    }
}

#[test]
fn surrounding_whitespace_is_not_part_of_the_value() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    env.verify(&format!(" {proof}\t")).unwrap();
}

#[test]
fn oversized_proof_is_rejected_before_decoding() {
    let env = Env::new();
    // a valid proof padded with a large claim: only the size is wrong
    let proof = env.proof_with_claims(|c| {
        c.insert("pad".into(), "x".repeat(8 * 1024).into());
    });
    let err = env.verify(&proof).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { max: 8192, len } if len == proof.len()),
        "{err:?}"
    );
    // and the same padding under a raised cap passes
    let roomy = Env::with(|b| {
        b.max_proof_len(16 * 1024);
    });
    let proof = roomy.proof_with_claims(|c| {
        c.insert("pad".into(), "x".repeat(8 * 1024).into());
    });
    roomy.verify(&proof).unwrap();
}

#[test]
fn an_unusable_request_url_is_the_callers_error() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let proofs = [proof.as_str()];
    for bad in [
        "/resource",
        "api.example.com/resource",
        "ftp://api.example.com/resource",
    ] {
        let err = env
            .verify_request(&Request::new(&proofs, "GET", bad))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidUrl), "{bad}: {err:?}");
        assert_eq!(err.status_code(), 500);
        assert!(!err.is_proof_error());
    }
}

#[test]
fn a_parsed_request_url_works_too() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let proofs = [proof.as_str()];
    let url = url::Url::parse("https://API.example.com:443/resource?q=1").unwrap();
    env.verify_request(&Request::with_url(&proofs, "GET", &url))
        .unwrap();
}

#[test]
fn a_request_url_error_is_reported_before_any_proof_problem() {
    let env = Env::new();
    let err = env
        .verify_request(&Request::new(&[], "GET", "not a url"))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidUrl), "{err:?}");
}
