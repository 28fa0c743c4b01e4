//! A DPoP request's proof is checked while its token is: the answer is
//! still the token's first.

use dev_issuer::dpop::ProofKey;

use crate::support::{Env, Headers, URL, proof};

#[tokio::test]
async fn a_bad_token_is_reported_before_a_bad_proof() {
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let expired = env
        .issuer
        .token()
        .sub("auth0|user")
        .cnf_jkt(key.thumbprint())
        .expired()
        .sign()
        .unwrap();
    // The proof is for another URL: invalid too.
    let wrong_url = proof(&key, "GET", "https://api.example.com/other", &expired);
    let headers = Headers::default()
        .authorization(&format!("DPoP {expired}"))
        .dpop(&wrong_url)
        .0;
    let error = client
        .verify_request(&headers, "GET", URL)
        .await
        .unwrap_err();
    assert_eq!(error.error_code(), "invalid_token", "{error}");
    assert!(error.description().contains("expired"), "{error}");
}

#[tokio::test]
async fn a_forged_token_naming_the_proof_key_is_refused_as_a_token() {
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let bound = env.bound_token(&key);
    // Another signature on the same claims: the key it names is the
    // proof's, and the proof itself is valid.
    let (signed, _) = bound.rsplit_once('.').unwrap();
    let other = env.bound_token(&ProofKey::generate().unwrap());
    let forged = format!("{signed}.{}", other.rsplit_once('.').unwrap().1);
    let headers = Headers::default()
        .authorization(&format!("DPoP {forged}"))
        .dpop(&proof(&key, "GET", URL, &forged))
        .0;
    let error = client
        .verify_request(&headers, "GET", URL)
        .await
        .unwrap_err();
    assert_eq!(error.error_code(), "invalid_token", "{error}");
    assert!(error.description().contains("signature"), "{error}");
}

#[tokio::test]
async fn a_valid_token_and_proof_pass_and_the_proof_once() {
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let bound = env.bound_token(&key);
    let headers = Headers::default()
        .authorization(&format!("DPoP {bound}"))
        .dpop(&proof(&key, "GET", URL, &bound))
        .0;
    let claims = client.verify_request(&headers, "GET", URL).await.unwrap();
    assert_eq!(claims.cnf_jkt(), Some(key.thumbprint().as_str()));
    let again = client
        .verify_request(&headers, "GET", URL)
        .await
        .unwrap_err();
    assert_eq!(again.error_code(), "invalid_dpop_proof");
}
