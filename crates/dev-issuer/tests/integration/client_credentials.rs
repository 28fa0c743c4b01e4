//! The client credentials grant, its successes and each of its errors.

use http::StatusCode;

use crate::support::{
    CC_CLIENT, TokenRequest, block_on, client_credentials, recorded_with, shared, verify,
    verify_for,
};

#[test]
fn issues_an_auth0_shaped_machine_token() {
    let issuer = shared();
    block_on(async {
        let reply = client_credentials().send(issuer).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers["cache-control"], "no-store");
        assert_eq!(reply.headers["pragma"], "no-cache");
        let body = reply.body;
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 86_400);
        assert!(body.get("scope").is_none());
        assert!(body.get("issued_token_type").is_none());

        let claims = verify(issuer, body["access_token"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(claims["sub"], "dev-client@clients");
        assert_eq!(claims["azp"], "dev-client");
        assert_eq!(claims["gty"], "client-credentials");
        assert_eq!(claims["aud"], issuer.audience());
        assert!(claims.get("cnf").is_none());
    });
}

#[test]
fn audience_and_scope_are_honoured() {
    let issuer = shared();
    block_on(async {
        let reply = client_credentials()
            .field("audience", "https://reports.example")
            .field("scope", "read:anything")
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let body = reply.body;
        assert_eq!(body["scope"], "read:anything");
        let claims = verify_for(
            issuer,
            body["access_token"].as_str().unwrap(),
            "https://reports.example",
        )
        .await
        .unwrap();
        assert_eq!(claims["scope"], "read:anything");
    });
}

#[test]
fn a_client_with_scopes_gets_them_and_no_others() {
    let issuer = shared();
    block_on(async {
        let all = TokenRequest::basic(CC_CLIENT)
            .field("grant_type", "client_credentials")
            .send(issuer)
            .await;
        assert_eq!(all.status, StatusCode::OK);
        assert_eq!(all.body["scope"], "read:reports write:reports");

        let some = TokenRequest::basic(CC_CLIENT)
            .field("grant_type", "client_credentials")
            .field("scope", "read:reports")
            .send(issuer)
            .await;
        assert_eq!(some.body["scope"], "read:reports");

        let more = TokenRequest::basic(CC_CLIENT)
            .field("grant_type", "client_credentials")
            .field("scope", "read:reports delete:reports")
            .send(issuer)
            .await;
        assert_eq!(more.status, StatusCode::BAD_REQUEST);
        assert_eq!(more.error(), "invalid_scope");
        assert!(more.headers.get("www-authenticate").is_none());
    });
}

#[test]
fn request_errors_use_the_rfc_6749_codes() {
    let issuer = shared();
    block_on(async {
        let cases = [
            (
                TokenRequest::basic(crate::support::default_client()),
                "invalid_request",
                "no grant_type",
            ),
            (
                TokenRequest::basic(crate::support::default_client())
                    .field("grant_type", "password"),
                "unsupported_grant_type",
                "a grant the issuer does not implement",
            ),
            (
                client_credentials().field("grant_type", "client_credentials"),
                "invalid_request",
                "grant_type repeated",
            ),
            (
                client_credentials().field("scope", "a").field("scope", "b"),
                "invalid_request",
                "scope repeated",
            ),
            (
                TokenRequest::basic(CC_CLIENT)
                    .field("grant_type", dev_issuer::urn::GRANT_TOKEN_EXCHANGE),
                "unauthorized_client",
                "a client not allowed this grant",
            ),
        ];
        for (request, code, why) in cases {
            let reply = request.send(issuer).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
            assert_eq!(reply.error(), code, "{why}");
            let description = reply.body["error_description"].as_str().unwrap().to_owned();
            assert!(!description.is_empty(), "{why}");
        }
    });
}

#[test]
fn a_non_form_body_is_an_invalid_request() {
    let issuer = shared();
    block_on(async {
        let reply = crate::support::http()
            .post(issuer.token_endpoint())
            .basic_auth(
                dev_issuer::DEFAULT_CLIENT_ID,
                Some(dev_issuer::DEFAULT_CLIENT_SECRET),
            )
            .header("content-type", "application/json")
            .body(r#"{"grant_type":"client_credentials","marker":"json-body"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
        let body: serde_json::Value =
            serde_json::from_slice(&reply.bytes().await.unwrap()).unwrap();
        assert_eq!(body["error"], "invalid_request");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("application/x-www-form-urlencoded")
        );
    });
}

#[test]
fn each_request_is_recorded_with_its_outcome() {
    let issuer = shared();
    block_on(async {
        let marker = "https://recorded.example";
        let reply = client_credentials()
            .field("audience", marker)
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let recorded = recorded_with(issuer, "audience", marker);
        assert_eq!(recorded.len(), 1);
        let request = &recorded[0];
        assert_eq!(request.field_names(), ["grant_type", "audience"]);
        assert_eq!(request.grant_type(), Some("client_credentials"));
        assert_eq!(request.client_id(), Some("dev-client"));
        assert_eq!(request.auth_method(), dev_issuer::ClientAuthMethod::Basic);
        assert!(!request.secret_in_body());
        assert!(!request.has_dpop_proof());
        assert_eq!(request.status(), StatusCode::OK);
        assert_eq!(request.error(), None);
    });
}
