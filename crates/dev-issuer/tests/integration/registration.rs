//! RFC 7591 dynamic client registration at `/oidc/register`: what an MCP
//! client sends, the defaults, and every refusal.

use base64ct::{Base64, Encoding};
use dev_issuer::DevIssuer;
use http::StatusCode;
use serde_json::{Value, json};

use crate::oauth_flow::{REDIRECT, mcp_registration, register};
use crate::support::{NOW, TokenRequest, block_on, http, send, shared, verify};

#[test]
fn registers_a_public_client_as_the_mcp_sdk_does() {
    let issuer = shared();
    block_on(async {
        let mut body = mcp_registration();
        body["scope"] = json!("read:tools");
        body["unknown_member"] = json!({"ignored": true});
        let reply = register(issuer, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let registered = &reply.body;
        let client_id = registered["client_id"].as_str().unwrap();
        assert!(client_id.len() >= 16);
        assert_eq!(registered["client_id_issued_at"], NOW);
        assert!(registered.get("client_secret").is_none());
        assert_eq!(registered["token_endpoint_auth_method"], "none");
        assert_eq!(registered["redirect_uris"], json!([REDIRECT]));
        assert_eq!(
            registered["grant_types"],
            json!(["authorization_code", "refresh_token"])
        );
        assert_eq!(registered["response_types"], json!(["code"]));
        assert_eq!(registered["client_name"], "MCP test client");
        assert_eq!(registered["scope"], "read:tools");
        assert!(registered.get("unknown_member").is_none());

        let client = issuer.client(client_id).unwrap();
        assert!(client.is_public());
        assert_eq!(client.redirect_uris(), [REDIRECT]);

        let other = register(issuer, &mcp_registration()).await;
        assert_ne!(other.body["client_id"], registered["client_id"]);
    });
}

#[test]
fn confidential_clients_get_a_secret_that_authenticates() {
    let issuer = shared();
    block_on(async {
        // RFC 7591 defaults: client_secret_basic, authorization_code, code.
        let reply = register(
            issuer,
            &json!({"redirect_uris": ["https://app.example/cb"]}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        assert_eq!(
            reply.body["token_endpoint_auth_method"],
            "client_secret_basic"
        );
        assert_eq!(reply.body["grant_types"], json!(["authorization_code"]));
        assert_eq!(reply.body["response_types"], json!(["code"]));
        assert_eq!(reply.body["client_secret_expires_at"], 0);
        assert!(reply.body["client_secret"].as_str().unwrap().len() >= 32);

        // A machine client registered for client_credentials gets tokens.
        let reply = register(
            issuer,
            &json!({
                "grant_types": ["client_credentials"],
                "token_endpoint_auth_method": "client_secret_post",
            }),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        assert_eq!(reply.body["response_types"], json!([]));
        assert_eq!(reply.body["redirect_uris"], json!([]));
        let id = reply.body["client_id"].as_str().unwrap();
        let secret = reply.body["client_secret"].as_str().unwrap();
        let token = TokenRequest::default()
            .field("grant_type", "client_credentials")
            .field("client_id", id)
            .field("client_secret", secret)
            .send(issuer)
            .await;
        assert_eq!(token.status, StatusCode::OK, "{:?}", token.body);
        let claims = verify(issuer, token.body["access_token"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(claims["sub"], format!("{id}@clients"));

        // It registered for nothing else.
        let code = TokenRequest::basic((id, secret))
            .field("grant_type", "authorization_code")
            .field("code", "x")
            .field("code_verifier", "y")
            .send(issuer)
            .await;
        assert_eq!(code.error(), "unauthorized_client");
    });
}

#[test]
fn invalid_redirect_uris_are_refused() {
    let issuer = shared();
    block_on(async {
        let cases = [
            json!({"client_name": "no redirect_uris"}),
            json!({"redirect_uris": []}),
            json!({"redirect_uris": "https://app.example/cb"}),
            json!({"redirect_uris": [7]}),
            json!({"redirect_uris": ["http://app.example/cb"]}),
            json!({"redirect_uris": ["http://192.168.1.2/cb"]}),
            json!({"redirect_uris": ["https://app.example/cb#fragment"]}),
            json!({"redirect_uris": ["/relative/cb"]}),
            json!({"redirect_uris": ["javascript:alert(1)"]}),
            json!({"redirect_uris": ["https://app.example/cb", "ftp://127.0.0.1/cb"]}),
        ];
        for case in cases {
            let reply = register(issuer, &case).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}");
            assert_eq!(reply.error(), "invalid_redirect_uri", "{case}");
            assert!(!reply.description().is_empty());
        }
        for good in [
            "http://localhost:8080/cb",
            "http://[::1]:9/cb",
            "https://a.example/cb?x=1",
        ] {
            let reply = register(issuer, &json!({"redirect_uris": [good]})).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{good}");
        }
    });
}

#[test]
fn invalid_client_metadata_is_refused() {
    let issuer = shared();
    block_on(async {
        let redirect = json!([REDIRECT]);
        let cases = [
            json!(["not", "an", "object"]),
            json!({"redirect_uris": redirect, "token_endpoint_auth_method": "private_key_jwt"}),
            json!({"redirect_uris": redirect, "token_endpoint_auth_method": 1}),
            json!({"redirect_uris": redirect, "grant_types": ["implicit"]}),
            json!({"redirect_uris": redirect, "grant_types": ["password"]}),
            json!({"redirect_uris": redirect, "response_types": ["token"]}),
            json!({"redirect_uris": redirect, "response_types": ["code", "id_token"]}),
            json!({"redirect_uris": redirect, "grant_types": ["refresh_token"], "response_types": ["code"]}),
            json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}),
            json!({"redirect_uris": redirect, "client_name": "x".repeat(5000)}),
            json!({"redirect_uris": redirect, "client_name": {"en": "x"}}),
            json!({"redirect_uris": redirect, "contacts": "me@example.com"}),
        ];
        for case in cases {
            let reply = register(issuer, &case).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}");
            assert_eq!(reply.error(), "invalid_client_metadata", "{case}");
        }

        let raw = |content_type: &'static str, body: &'static str| {
            http()
                .post(issuer.registration_endpoint())
                .header("content-type", content_type)
                .body(body)
        };
        for request in [
            raw("application/json", "{not json"),
            raw("application/json", ""),
            raw("application/x-www-form-urlencoded", "redirect_uris=x"),
            raw(
                "text/plain",
                r#"{"redirect_uris": ["http://127.0.0.1/cb"]}"#,
            ),
            http().post(issuer.registration_endpoint()).body("{}"),
        ] {
            let reply = send(request).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert_eq!(reply.error(), "invalid_client_metadata");
        }
    });
}

#[test]
fn hostile_bodies_get_errors_not_panics() {
    let issuer = shared();
    block_on(async {
        let huge = format!(r#"{{"client_name": "{}"}}"#, "x".repeat(100 * 1024));
        let reply = send(
            http()
                .post(issuer.registration_endpoint())
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(reply.error(), "invalid_client_metadata");

        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let binary = Base64::encode_string(&[0xff; 64]);
        for body in [deep, "\u{0}".to_owned(), binary, "1e999999".to_owned()] {
            let reply = send(
                http()
                    .post(issuer.registration_endpoint())
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert_eq!(reply.error(), "invalid_client_metadata");
        }
        // The issuer still answers.
        let reply = register(issuer, &mcp_registration()).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    });
}

#[test]
fn registrations_are_bounded() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let client = http();
        let body = json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"});
        let post = || {
            client
                .post(issuer.registration_endpoint())
                .header("content-type", "application/json")
                .body(body.to_string())
        };
        for _ in 0..1_000 {
            assert_eq!(send(post()).await.status, StatusCode::CREATED);
        }
        let refused = send(post()).await;
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.error(), "temporarily_unavailable");
        assert!(
            refused.description().contains("1000"),
            "{}",
            refused.description()
        );
        assert_eq!(refused.body.get("client_id"), None::<&Value>);
    });
}
