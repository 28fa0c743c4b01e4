//! The URL a DPoP proof is checked against: forwarded headers that are not
//! exactly `host[:port]` and request paths with dot segments are refused
//! with 400 `invalid_request` before any proof check.

use auth0_api::{ApiClient, AuthError, AuthErrorKind, Claims, PublicUrl};
use dev_issuer::dpop::ProofKey;
use http::request::Parts;

use crate::support::{Env, proof};

/// A request as the server sees it: `method` and `target` from the request
/// line, the credentials, and any extra header fields.
fn request(method: &str, target: &str, token: &str, proof: &str, extra: &[(&str, &str)]) -> Parts {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof);
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap().into_parts().0
}

async fn verify(
    client: &ApiClient,
    parts: &Parts,
    public: &PublicUrl,
) -> Result<Claims, AuthError> {
    client.verify_request_parts(parts, public).await
}

fn assert_invalid_request(error: &AuthError) {
    assert_eq!(error.kind(), AuthErrorKind::InvalidRequest, "{error:?}");
    assert_eq!(
        (error.status_code(), error.error_code()),
        (400, "invalid_request")
    );
    let challenges = error.www_authenticate();
    assert!(
        challenges[1].starts_with("DPoP error=\"invalid_request\""),
        "{challenges:?}"
    );
}

#[tokio::test]
async fn a_forwarded_host_with_a_query_cannot_move_a_proof_to_another_path() {
    let env = Env::start().await;
    let client = env.client();
    let public = PublicUrl::new("http://127.0.0.1:8080")
        .unwrap()
        .trust_forwarded_headers(true);
    let key = ProofKey::generate().unwrap();
    let token = env.bound_token(&key);
    // A proof for the API's root, replayed against a dangerous route.
    let root_proof = proof(&key, "POST", "https://api.example.com/", &token);
    let parts = request(
        "POST",
        "/admin/delete-everything",
        &token,
        &root_proof,
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "api.example.com?"),
        ],
    );
    let error = verify(&client, &parts, &public).await.unwrap_err();
    assert_invalid_request(&error);
    for host in [
        "api.example.com#",
        "api.example.com/",
        "u@api.example.com",
        "api%2Eexample.com",
    ] {
        let parts = request(
            "POST",
            "/admin/delete-everything",
            &token,
            &root_proof,
            &[("x-forwarded-proto", "https"), ("x-forwarded-host", host)],
        );
        assert_invalid_request(&verify(&client, &parts, &public).await.unwrap_err());
    }
    let parts = request(
        "POST",
        "/admin/delete-everything",
        &token,
        &root_proof,
        &[
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-host", "api.example.com"),
        ],
    );
    assert_invalid_request(&verify(&client, &parts, &public).await.unwrap_err());
}

#[tokio::test]
async fn a_well_formed_forwarded_host_is_the_url_the_proof_names() {
    let env = Env::start().await;
    let client = env.client();
    let public = PublicUrl::new("http://127.0.0.1:8080")
        .unwrap()
        .trust_forwarded_headers(true);
    let key = ProofKey::generate().unwrap();
    let token = env.bound_token(&key);
    let parts = request(
        "POST",
        "/orders?page=2",
        &token,
        &proof(&key, "POST", "https://api.example.com/orders", &token),
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "api.example.com"),
        ],
    );
    let claims = verify(&client, &parts, &public).await.unwrap();
    assert_eq!(claims.sub(), Some("auth0|user"));
}
