//! Client authentication at the token endpoint: HTTP Basic, the body, and
//! every way to get it wrong.

use base64ct::{Base64, Encoding};
use dev_issuer::{ClientAuthMethod, DevIssuer, RegisteredClient};
use http::StatusCode;

use crate::support::{
    TokenRequest, block_on, client_credentials, default_client, recorded_with, shared,
};

#[test]
fn failed_authentication_is_401_with_a_basic_challenge() {
    let issuer = shared();
    block_on(async {
        let cases = [
            (
                TokenRequest::basic(("dev-client", "wrong-secret")),
                "a wrong secret",
            ),
            (TokenRequest::basic(("nobody", "x")), "an unknown client"),
            (TokenRequest::default(), "no credentials at all"),
            (
                TokenRequest::default().header("authorization", "Bearer abc"),
                "another scheme",
            ),
            (
                TokenRequest::default().header("authorization", "Basic !!not base64!!"),
                "malformed Basic credentials",
            ),
            (
                TokenRequest::default().header(
                    "authorization",
                    format!("Basic {}", Base64::encode_string(b"no-colon")),
                ),
                "Basic credentials without a colon",
            ),
        ];
        for (request, why) in cases {
            let reply = request
                .field("grant_type", "client_credentials")
                .send(issuer)
                .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{why}");
            assert_eq!(reply.error(), "invalid_client", "{why}");
            assert_eq!(
                reply.headers["www-authenticate"], "Basic realm=\"dev-issuer\"",
                "{why}"
            );
        }
    });
}

#[test]
fn mixing_methods_or_disagreeing_ids_is_an_invalid_request() {
    let issuer = shared();
    block_on(async {
        let (id, secret) = default_client();
        let both = client_credentials()
            .field("client_secret", secret)
            .send(issuer)
            .await;
        assert_eq!(both.status, StatusCode::BAD_REQUEST);
        assert_eq!(both.error(), "invalid_request");

        let other_id = client_credentials()
            .field("client_id", "someone-else")
            .send(issuer)
            .await;
        assert_eq!(other_id.status, StatusCode::BAD_REQUEST);
        assert_eq!(other_id.error(), "invalid_request");

        let same_id = client_credentials()
            .field("client_id", id)
            .send(issuer)
            .await;
        assert_eq!(
            same_id.status,
            StatusCode::OK,
            "a matching client_id is fine"
        );

        let secret_only = TokenRequest::default()
            .field("grant_type", "client_credentials")
            .field("client_secret", secret)
            .send(issuer)
            .await;
        assert_eq!(secret_only.status, StatusCode::BAD_REQUEST);
        assert_eq!(secret_only.error(), "invalid_request");

        let two_headers = client_credentials()
            .header("authorization", "Basic Zm9vOmJhcg==")
            .send(issuer)
            .await;
        assert_eq!(two_headers.status, StatusCode::BAD_REQUEST);
        assert_eq!(two_headers.error(), "invalid_request");
    });
}

#[test]
fn client_secret_post_works_and_is_recorded_as_such() {
    let issuer = shared();
    block_on(async {
        let (id, secret) = default_client();
        let marker = "https://secret-post.example";
        let reply = TokenRequest::default()
            .field("grant_type", "client_credentials")
            .field("client_id", id)
            .field("client_secret", secret)
            .field("audience", marker)
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let recorded = recorded_with(issuer, "audience", marker);
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].auth_method(), ClientAuthMethod::Post);
        assert!(recorded[0].secret_in_body());
        assert_eq!(recorded[0].client_id(), Some(id));
        assert_eq!(recorded[0].field("client_secret"), Some(secret));
        assert!(!format!("{:?}", recorded[0]).contains(secret));
    });
}

#[test]
fn failed_requests_are_recorded_with_the_claimed_client() {
    let issuer = shared();
    block_on(async {
        let marker = "https://failed-auth.example";
        TokenRequest::basic(("dev-client", "wrong"))
            .field("grant_type", "client_credentials")
            .field("audience", marker)
            .send(issuer)
            .await;
        let recorded = recorded_with(issuer, "audience", marker);
        assert_eq!(recorded.len(), 1);
        let request = &recorded[0];
        assert_eq!(request.claimed_client_id(), Some("dev-client"));
        assert_eq!(request.client_id(), None);
        assert_eq!(request.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(request.error(), Some("invalid_client"));
    });
}

#[test]
fn basic_only_issuers_refuse_the_body_method_and_accept_encoded_credentials() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .without_default_client()
            .client(RegisteredClient::new("svc:a", "p@ss word+1"))
            .allow_client_secret_post(false)
            .start()
            .await
            .unwrap();
        let post = TokenRequest::default()
            .field("grant_type", "client_credentials")
            .field("client_id", "svc:a")
            .field("client_secret", "p@ss word+1")
            .send(&issuer)
            .await;
        assert_eq!(post.status, StatusCode::UNAUTHORIZED);
        assert_eq!(post.error(), "invalid_client");

        // RFC 6749 section 2.3.1: id and secret form-encoded before base64.
        let encoded = TokenRequest::basic(("svc%3Aa", "p%40ss+word%2B1"))
            .field("grant_type", "client_credentials")
            .send(&issuer)
            .await;
        assert_eq!(encoded.status, StatusCode::OK);

        let default_gone = client_credentials().send(&issuer).await;
        assert_eq!(default_gone.status, StatusCode::UNAUTHORIZED);
    });
}
