//! The refresh token grant: rotation and reuse detection, narrowing
//! scopes, the same resource, the owning client, expiry, and clients not
//! registered for it.

use std::time::Duration;

use dev_issuer::testing::ClockedIssuer;
use http::StatusCode;
use serde_json::json;

use crate::oauth_flow::{Authorize, Pkce, REDIRECT, RESOURCE, redeem, refresh, register, tokens};
use crate::support::{block_on, shared, verify_for};

#[test]
fn each_refresh_token_works_once_and_brings_its_successor() {
    let issuer = shared();
    block_on(async {
        let (client_id, body) = tokens(issuer, &[("scope", "read:tools write:tools")]).await;
        let first = body["refresh_token"].as_str().unwrap();

        let reply = refresh(&client_id, first).send(issuer).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let second = reply.body["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(second, first);
        assert_eq!(reply.body["scope"], "read:tools write:tools");
        let claims = verify_for(
            issuer,
            reply.body["access_token"].as_str().unwrap(),
            RESOURCE,
        )
        .await
        .unwrap();
        assert_eq!(claims["aud"], RESOURCE);
        assert_eq!(claims["scope"], "read:tools write:tools");
        assert_eq!(claims["azp"], client_id.as_str());

        let third = refresh(&client_id, &second).send(issuer).await;
        assert_eq!(third.status, StatusCode::OK);
        let third = third.body["refresh_token"].as_str().unwrap();

        // A rotated token presented again may have been stolen: refused,
        // and what was issued after it is revoked (RFC 9700 4.14.2).
        let reused = refresh(&client_id, first).send(issuer).await;
        assert_eq!(reused.status, StatusCode::BAD_REQUEST);
        assert_eq!(reused.error(), "invalid_grant");
        assert!(reused.description().contains("already used"));
        let revoked = refresh(&client_id, third).send(issuer).await;
        assert_eq!(revoked.error(), "invalid_grant");
    });
}

#[test]
fn the_scope_may_only_shrink_and_the_resource_must_stay() {
    let issuer = shared();
    block_on(async {
        let (client_id, body) = tokens(issuer, &[("scope", "read:tools write:tools")]).await;
        let token = body["refresh_token"].as_str().unwrap();

        let wider = refresh(&client_id, token)
            .field("scope", "read:tools admin")
            .send(issuer)
            .await;
        assert_eq!(wider.status, StatusCode::BAD_REQUEST);
        assert_eq!(wider.error(), "invalid_scope");
        assert!(wider.description().contains("admin"));

        for resource in ["https://other.example/mcp", "relative"] {
            let moved = refresh(&client_id, token)
                .field("resource", resource)
                .send(issuer)
                .await;
            assert_eq!(moved.error(), "invalid_target", "{resource}");
        }

        // The refused requests left the token valid.
        let narrower = refresh(&client_id, token)
            .field("scope", "read:tools")
            .field("resource", RESOURCE)
            .send(issuer)
            .await;
        assert_eq!(narrower.status, StatusCode::OK, "{:?}", narrower.body);
        assert_eq!(narrower.body["scope"], "read:tools");
        let claims = verify_for(
            issuer,
            narrower.body["access_token"].as_str().unwrap(),
            RESOURCE,
        )
        .await
        .unwrap();
        assert_eq!(claims["scope"], "read:tools");

        // The successor keeps the whole authorized scope.
        let next = narrower.body["refresh_token"].as_str().unwrap();
        let full = refresh(&client_id, next).send(issuer).await;
        assert_eq!(full.body["scope"], "read:tools write:tools");
    });
}

#[test]
fn another_client_cannot_use_it() {
    let issuer = shared();
    block_on(async {
        let (client_id, body) = tokens(issuer, &[]).await;
        let (thief, _) = tokens(issuer, &[]).await;
        let token = body["refresh_token"].as_str().unwrap();
        let stolen = refresh(&thief, token).send(issuer).await;
        assert_eq!(stolen.error(), "invalid_grant");
        let unknown = refresh("no-such-client", token).send(issuer).await;
        assert_eq!(unknown.error(), "invalid_client");
        let missing = refresh(&client_id, "").send(issuer).await;
        assert_eq!(missing.error(), "invalid_request");
        assert_eq!(
            refresh(&client_id, token).send(issuer).await.status,
            StatusCode::OK
        );
    });
}

#[test]
fn clients_not_registered_for_refresh_get_none_and_may_not_refresh() {
    let issuer = shared();
    block_on(async {
        let reply = register(
            issuer,
            &json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}),
        )
        .await;
        let client_id = reply.body["client_id"].as_str().unwrap();
        let pkce = Pkce::new();
        let code = Authorize::new(client_id, &pkce).code(issuer).await;
        let reply = redeem(client_id, &code, &pkce).send(issuer).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.get("refresh_token").is_none());
        let refused = refresh(client_id, "anything").send(issuer).await;
        assert_eq!(refused.error(), "unauthorized_client");
    });
}

#[test]
fn refresh_tokens_expire_by_the_issuer_clock() {
    block_on(async {
        let fixture = ClockedIssuer::start().await.unwrap();
        let issuer = fixture.issuer();
        let (client_id, body) = tokens(issuer, &[]).await;
        let token = body["refresh_token"].as_str().unwrap();
        fixture.clock().advance(Duration::from_secs(31 * 86_400));
        let expired = refresh(&client_id, token).send(issuer).await;
        assert_eq!(expired.error(), "invalid_grant");
        assert!(expired.description().contains("expired"));
    });
}
