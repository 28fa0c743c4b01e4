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

const ADMIN: &str = "https://api.example.com/admin";

#[tokio::test]
async fn a_path_with_dot_segments_is_refused_before_the_proof_is_checked() {
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let token = env.bound_token(&key);
    // A proof for `/admin`, sent on a route matched as `/orders/{id}/admin`.
    let admin_proof = proof(&key, "GET", ADMIN, &token);
    let headers = crate::support::Headers::default()
        .authorization(&format!("DPoP {token}"))
        .dpop(&admin_proof);
    for url in [
        "https://api.example.com/orders/../admin",
        "https://api.example.com/orders/%2e%2e/admin",
        "https://api.example.com/orders/%2E%2E/admin",
        "https://api.example.com/orders/.%2e/admin",
        "https://api.example.com/./admin",
        "https://api.example.com/%2E/admin",
    ] {
        let error = client
            .verify_request(&headers.0, "GET", url)
            .await
            .unwrap_err();
        assert_invalid_request(&error);
        assert_eq!(error.description(), "the request path has a dot segment");
    }
    // Refused before the proof was looked at: it was not recorded as used,
    // and still passes on the URL it names.
    client
        .verify_request(&headers.0, "GET", ADMIN)
        .await
        .unwrap();
}

#[tokio::test]
async fn dot_segments_in_the_request_line_are_refused_through_parts() {
    let env = Env::start().await;
    let client = env.client();
    let public = PublicUrl::new("https://api.example.com").unwrap();
    let key = ProofKey::generate().unwrap();
    let token = env.bound_token(&key);
    let admin_proof = proof(&key, "GET", ADMIN, &token);
    for target in ["/orders/../admin", "/orders/%2e%2e/admin", "/./admin"] {
        let parts = request("GET", target, &token, &admin_proof, &[]);
        assert_invalid_request(&verify(&client, &parts, &public).await.unwrap_err());
    }
    // A bad proof changes nothing: the path is refused first.
    let parts = request("GET", "/orders/%2E%2E/admin", &token, "not.a.proof", &[]);
    assert_invalid_request(&verify(&client, &parts, &public).await.unwrap_err());
    // An ordinary path still works.
    let orders_proof = proof(
        &key,
        "GET",
        "https://api.example.com/orders/7/admin",
        &token,
    );
    let parts = request("GET", "/orders/7/admin", &token, &orders_proof, &[]);
    let claims = verify(&client, &parts, &public).await.unwrap();
    assert_eq!(claims.sub(), Some("auth0|user"));
}

#[tokio::test]
async fn bearer_requests_with_dot_segments_are_refused_too() {
    let env = Env::start().await;
    let client = env.client();
    let headers =
        crate::support::Headers::default().authorization(&format!("Bearer {}", env.token()));
    let error = client
        .verify_request(
            &headers.0,
            "GET",
            "https://api.example.com/orders/%2e%2e/admin",
        )
        .await
        .unwrap_err();
    assert_eq!(
        (error.status_code(), error.error_code()),
        (400, "invalid_request")
    );
    assert_eq!(
        error.www_authenticate_header().as_deref(),
        Some(
            "Bearer realm=\"api\", error=\"invalid_request\", error_description=\"the request \
             path has a dot segment\", DPoP algs=\"ES256\""
        )
    );
    client
        .verify_request(&headers.0, "GET", "https://api.example.com/orders/7/admin")
        .await
        .unwrap();
}
