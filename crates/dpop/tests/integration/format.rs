//! Check 2: the proof is a well-formed compact JWS (strictness comes from
//! jose-core; these show it is applied to proofs).

use dpop::Error;
use jose_core::base64url;
use serde_json::json;

use crate::support::Env;

fn assert_malformed(result: Result<dpop::VerifiedProof, Error>) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Malformed(_)), "{err:?}");
    assert_eq!(err.error_code(), "invalid_dpop_proof");
}

#[test]
fn wrong_segment_counts_are_malformed() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let (input, _) = proof.rsplit_once('.').unwrap();
    assert_malformed(env.verify(input));
    assert_malformed(env.verify(&format!("{proof}.x.y")));
    assert_malformed(env.verify(""));
}

#[test]
fn non_canonical_base64url_is_malformed() {
    let env = Env::new();
    let proof = env.proof(|_| {}, |_| {});
    let (header, rest) = proof.split_once('.').unwrap();
    // the same header bytes with padding, which a lenient decoder accepts
    let padding = match header.len() % 4 {
        0 => "==".to_owned(), // no padding is due: any is wrong
        n => "=".repeat(4 - n),
    };
    let padded = format!("{header}{padding}.{rest}");
    assert_malformed(env.verify(&padded));
}

#[test]
fn header_with_duplicate_members_is_malformed() {
    let env = Env::new();
    let jwk = env.key.public_jwk().to_value();
    let header = format!(r#"{{"typ":"dpop+jwt","alg":"ES256","alg":"none","jwk":{jwk}}}"#);
    let claims = serde_json::Value::Object(env.claims()).to_string();
    let proof = env
        .key
        .dangerous()
        .sign_bytes(header.as_bytes(), claims.as_bytes())
        .unwrap();
    assert_malformed(env.verify(&proof));
}

#[test]
fn payload_that_is_not_a_json_object_is_malformed() {
    let env = Env::new();
    let header = serde_json::Value::Object(env.header());
    for payload in [json!(["jti", "htm"]), json!("claims"), json!(null)] {
        let proof = env.key.dangerous().sign_json(&header, &payload).unwrap();
        assert_malformed(env.verify(&proof));
    }
    let proof = env
        .key
        .dangerous()
        .sign_bytes(header.to_string().as_bytes(), b"{not json")
        .unwrap();
    assert_malformed(env.verify(&proof));
}

#[test]
fn crit_header_is_malformed() {
    let env = Env::new();
    let proof = env.proof_with_header(|h| {
        h.insert("crit".into(), json!(["exp"]));
    });
    assert_malformed(env.verify(&proof));
}

#[test]
fn header_without_alg_is_malformed() {
    let env = Env::new();
    let proof = env.proof_with_header(|h| {
        h.remove("alg");
    });
    assert_malformed(env.verify(&proof));
}

#[test]
fn signing_input_in_non_canonical_base64url_is_malformed() {
    let env = Env::new();
    let header = base64url::encode(
        serde_json::Value::Object(env.header())
            .to_string()
            .as_bytes(),
    );
    let claims = base64url::encode(
        serde_json::Value::Object(env.claims())
            .to_string()
            .as_bytes(),
    );
    // a space inside the payload segment, signed as is
    let proof = env
        .key
        .dangerous()
        .sign_input(&format!("{header}.{} {}", &claims[..4], &claims[4..]))
        .unwrap();
    assert_malformed(env.verify(&proof));
}
