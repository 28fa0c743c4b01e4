//! Tokens bound by a confirmation method (`cnf`, RFC 7800) this API does
//! not support are refused, never accepted as if they were unbound.

use auth0_api::ApiClient;
use dev_issuer::dpop::ProofKey;
use serde_json::{Value, json};

use crate::support::{Env, Headers, URL, assert_refused, proof};

/// An RFC 8705 certificate thumbprint (base64url of 32 bytes).
const X5T_S256: &str = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";

fn token_with_cnf(env: &Env, cnf: Value) -> String {
    env.issuer
        .token()
        .sub("auth0|user")
        .claim("cnf", cnf)
        .sign()
        .unwrap()
}

async fn bearer(
    client: &ApiClient,
    token: &str,
) -> Result<auth0_api::Claims, auth0_api::AuthError> {
    let headers = Headers::default().authorization(&format!("Bearer {token}"));
    client.verify_request(&headers.0, "GET", URL).await
}

#[tokio::test]
async fn a_certificate_bound_token_without_a_certificate_is_invalid_token() {
    let env = Env::start().await;
    let client = env.client();
    let token = token_with_cnf(&env, json!({ "x5t#S256": X5T_S256 }));
    let error = bearer(&client, &token).await.unwrap_err();
    assert_refused(
        &error,
        401,
        "invalid_token",
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"certificate-bound \
         token: no client certificate was presented\", DPoP algs=\"ES256\"",
    );
    // Not the token's signature or claims: only its binding.
    client.verify_access_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_certificate_bound_token_is_refused_with_dpop_disabled_too() {
    let env = Env::start().await;
    let client = ApiClient::new(env.options().dpop_enabled(false)).unwrap();
    let token = token_with_cnf(&env, json!({ "x5t#S256": X5T_S256 }));
    let error = bearer(&client, &token).await.unwrap_err();
    assert_eq!(
        (error.status_code(), error.error_code()),
        (401, "invalid_token")
    );
}

#[tokio::test]
async fn malformed_or_unknown_cnf_members_are_invalid_token() {
    let env = Env::start().await;
    let client = env.client();
    for cnf in [
        json!({ "jkt": 42 }),
        json!({ "jkt": null }),
        json!({ "x5t#S256": 42 }),
        json!({ "jwk": { "kty": "EC" } }),
        json!({}),
        json!("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"),
    ] {
        let token = token_with_cnf(&env, cnf.clone());
        let error = bearer(&client, &token).await.unwrap_err();
        assert_eq!(
            (error.status_code(), error.error_code()),
            (401, "invalid_token"),
            "{cnf}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_dpop_binding_with_another_method_beside_it_is_invalid_token() {
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let token = token_with_cnf(
        &env,
        json!({ "jkt": key.thumbprint(), "x5t#S256": X5T_S256 }),
    );
    let headers = Headers::default()
        .authorization(&format!("DPoP {token}"))
        .dpop(&proof(&key, "GET", URL, &token));
    let error = client
        .verify_request(&headers.0, "GET", URL)
        .await
        .unwrap_err();
    assert_eq!(
        (error.status_code(), error.error_code()),
        (401, "invalid_token"),
        "{error:?}"
    );
    // Both bindings are checked: without the certificate, the valid
    // proof is not enough. A token bound by `jkt` alone, with the same
    // proof key, passes.
    let bound = env.bound_token(&key);
    let headers = Headers::default()
        .authorization(&format!("DPoP {bound}"))
        .dpop(&proof(&key, "GET", URL, &bound));
    client.verify_request(&headers.0, "GET", URL).await.unwrap();
}
