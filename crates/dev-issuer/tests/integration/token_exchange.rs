//! RFC 8693 token exchange: on-behalf-of and a custom profile, successes
//! and each error.

use dev_issuer::urn::{GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_REFRESH_TOKEN};
use dev_issuer::{ClientAuthMethod, DevIssuer};
use http::StatusCode;
use serde_json::json;

use crate::support::{
    API_CLIENT, DOWNSTREAM, LEGACY_SUB, LEGACY_TOKEN, LEGACY_TYPE, TokenRequest, block_on,
    exchange, recorded_with, shared, verify_for,
};

#[test]
fn on_behalf_of_keeps_the_user_and_names_the_client_as_actor() {
    let issuer = shared();
    block_on(async {
        let subject = issuer
            .token()
            .sub("auth0|user-1")
            .scope("read:calendar")
            .sign()
            .unwrap();
        let reply = exchange(&subject, TOKEN_TYPE_ACCESS_TOKEN)
            .field("audience", DOWNSTREAM)
            .field("scope", "read:events")
            .field("requested_token_type", TOKEN_TYPE_ACCESS_TOKEN)
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        let body = reply.body;
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["issued_token_type"], TOKEN_TYPE_ACCESS_TOKEN);
        assert_eq!(body["scope"], "read:events");

        let claims = verify_for(issuer, body["access_token"].as_str().unwrap(), DOWNSTREAM)
            .await
            .unwrap();
        assert_eq!(claims["sub"], "auth0|user-1");
        assert_eq!(claims["aud"], DOWNSTREAM);
        assert_eq!(claims["scope"], "read:events");
        assert_eq!(claims["azp"], API_CLIENT.0);
        assert_eq!(claims["act"], json!({ "sub": API_CLIENT.0 }));

        // Exactly the fields the client sent, authenticated by Basic only.
        let recorded = recorded_with(issuer, "subject_token", &subject);
        assert_eq!(recorded.len(), 1);
        let request = &recorded[0];
        assert_eq!(
            request.field_names(),
            [
                "grant_type",
                "subject_token",
                "subject_token_type",
                "audience",
                "scope",
                "requested_token_type"
            ]
        );
        assert_eq!(request.grant_type(), Some(GRANT_TOKEN_EXCHANGE));
        assert_eq!(request.client_id(), Some(API_CLIENT.0));
        assert_eq!(request.auth_method(), ClientAuthMethod::Basic);
        assert!(!request.secret_in_body());
    });
}

#[test]
fn on_behalf_of_nests_an_existing_actor_and_accepts_several_audiences() {
    let issuer = shared();
    block_on(async {
        let subject = issuer
            .token()
            .sub("auth0|user-2")
            .actor("front-end")
            .sign()
            .unwrap();
        let reply = exchange(&subject, TOKEN_TYPE_ACCESS_TOKEN)
            .field("audience", DOWNSTREAM)
            .field("audience", "https://second.example")
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let token = reply.body["access_token"].as_str().unwrap().to_owned();
        let claims = verify_for(issuer, &token, "https://second.example")
            .await
            .unwrap();
        assert_eq!(claims["aud"], json!([DOWNSTREAM, "https://second.example"]));
        assert_eq!(
            claims["act"],
            json!({ "sub": API_CLIENT.0, "act": { "sub": "front-end" } })
        );
        assert!(claims.get("scope").is_none());
    });
}

#[test]
fn on_behalf_of_refuses_tokens_this_issuer_did_not_mint_validly() {
    let issuer = shared();
    block_on(async {
        let forged = issuer.token().signed_with_wrong_key().sign().unwrap();
        let expired = issuer.token().expired().sign().unwrap();
        let unknown_kid = issuer.token().signed_with_unknown_key().sign().unwrap();
        let foreign = issuer
            .token()
            .issuer("https://other.example/")
            .sign()
            .unwrap();
        let no_sub = issuer.token().without_claim("sub").sign().unwrap();
        for (token, why) in [
            (forged.as_str(), "a forged signature"),
            (expired.as_str(), "an expired token"),
            (unknown_kid.as_str(), "an unknown key"),
            (foreign.as_str(), "another issuer"),
            (no_sub.as_str(), "no sub"),
            ("not-a-jwt", "not a JWT at all"),
        ] {
            let reply = exchange(token, TOKEN_TYPE_ACCESS_TOKEN).send(issuer).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
            assert_eq!(reply.error(), "invalid_grant", "{why}");
        }
    });
}

#[test]
fn a_custom_profile_maps_its_subject_tokens() {
    let issuer = shared();
    block_on(async {
        let reply = exchange(LEGACY_TOKEN, LEGACY_TYPE)
            .field("audience", DOWNSTREAM)
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let token = reply.body["access_token"].as_str().unwrap().to_owned();
        let claims = verify_for(issuer, &token, DOWNSTREAM).await.unwrap();
        assert_eq!(claims["sub"], LEGACY_SUB);
        assert_eq!(claims["https://acme.example/tier"], "gold");
        assert!(claims.get("act").is_none());

        let refused = exchange("some-other-session", LEGACY_TYPE)
            .send(issuer)
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.error(), "invalid_grant");

        let off_target = exchange(LEGACY_TOKEN, LEGACY_TYPE)
            .field("audience", "https://not-allowed.example")
            .send(issuer)
            .await;
        assert_eq!(off_target.status, StatusCode::BAD_REQUEST);
        assert_eq!(off_target.error(), "invalid_target");
    });
}

#[test]
fn malformed_exchanges_are_invalid_requests() {
    let issuer = shared();
    block_on(async {
        let subject = issuer.token().sign().unwrap();
        let base = || TokenRequest::basic(API_CLIENT).field("grant_type", GRANT_TOKEN_EXCHANGE);
        let cases = [
            (
                base().field("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN),
                "no subject_token",
            ),
            (
                base().field("subject_token", &subject),
                "no subject_token_type",
            ),
            (
                exchange(&subject, TOKEN_TYPE_REFRESH_TOKEN),
                "a subject_token_type without a profile",
            ),
            (
                exchange(&subject, TOKEN_TYPE_ACCESS_TOKEN)
                    .field("requested_token_type", TOKEN_TYPE_REFRESH_TOKEN),
                "an unsupported requested_token_type",
            ),
            (
                exchange(&subject, TOKEN_TYPE_ACCESS_TOKEN)
                    .field("actor_token", &subject)
                    .field("actor_token_type", TOKEN_TYPE_ACCESS_TOKEN),
                "an actor token",
            ),
            (
                exchange(&subject, TOKEN_TYPE_ACCESS_TOKEN).field("subject_token", &subject),
                "subject_token repeated",
            ),
        ];
        for (request, why) in cases {
            let reply = request.send(issuer).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
            assert_eq!(reply.error(), "invalid_request", "{why}");
        }
    });
}

#[test]
fn an_issuer_without_profiles_refuses_every_exchange() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let subject = issuer.token().sign().unwrap();
        let reply = TokenRequest::basic(crate::support::default_client())
            .field("grant_type", GRANT_TOKEN_EXCHANGE)
            .field("subject_token", &subject)
            .field("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN)
            .send(&issuer)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.error(), "invalid_request");
    });
}
