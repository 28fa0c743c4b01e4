//! The authorization code grant: the token an MCP client gets, step-up
//! claims, DPoP, and each way a redemption fails.

use std::time::Duration;

use dev_issuer::dpop::ProofKey;
use dev_issuer::testing::ClockedIssuer;
use dev_issuer::{DEFAULT_SUBJECT, DevIssuer, RegisteredClient, User};
use http::StatusCode;
use serde_json::{Map, Value, json};

use crate::oauth_flow::{
    Authorize, Pkce, REDIRECT, RESOURCE, redeem, refresh, register, register_public, tokens,
};
use crate::support::{NOW, TokenRequest, block_on, shared, verify, verify_for};

const NOW_S: i64 = NOW as i64;

async fn claims_for(issuer: &DevIssuer, body: &Value, audience: &str) -> Map<String, Value> {
    verify_for(issuer, body["access_token"].as_str().unwrap(), audience)
        .await
        .unwrap()
}

#[test]
fn the_mcp_flow_yields_a_token_for_the_resource() {
    let issuer = shared();
    block_on(async {
        let (client_id, body) = tokens(issuer, &[("scope", "read:tools")]).await;
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 86_400);
        assert_eq!(body["scope"], "read:tools");
        assert_eq!(body["refresh_token"].as_str().unwrap().len(), 43);

        let claims = claims_for(issuer, &body, RESOURCE).await;
        assert_eq!(
            claims["aud"], RESOURCE,
            "Auth0's resource parameter profile"
        );
        assert_eq!(claims["sub"], DEFAULT_SUBJECT);
        assert_eq!(claims["scope"], "read:tools");
        assert_eq!(claims["azp"], client_id.as_str());
        assert_eq!(claims["client_id"], client_id.as_str());
        assert_eq!(claims["auth_time"], NOW);
        assert_eq!(claims["iat"], NOW);
        assert!(claims.get("acr").is_none());
        assert!(claims.get("cnf").is_none());

        // The code and the verifier are kept out of Debug output.
        let recorded = issuer.token_requests();
        let debug = format!("{recorded:?}");
        assert!(!debug.contains(&Pkce::new().verifier));
    });
}

#[test]
fn without_a_resource_the_token_is_for_the_default_audience() {
    let issuer = shared();
    block_on(async {
        let client_id = register_public(issuer).await;
        let pkce = Pkce::new();
        let code = Authorize::new(&client_id, &pkce)
            .without("resource")
            .code(issuer)
            .await;
        let reply = redeem(&client_id, &code, &pkce);
        let reply = TokenRequest {
            fields: reply
                .fields
                .into_iter()
                .filter(|(n, _)| *n != "resource")
                .collect(),
            ..TokenRequest::default()
        }
        .send(issuer)
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        let claims = verify(issuer, reply.body["access_token"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(claims["aud"], issuer.audience());
        assert!(reply.body.get("scope").is_none());
    });
}

#[test]
fn users_acr_and_max_age_for_step_up() {
    block_on(async {
        let mut builder = DevIssuer::builder();
        builder.user(User::new("auth0|alice")).user(
            User::new("auth0|bob")
                .acr("urn:acme:pwd")
                .authenticated_at(NOW_S - 3_600),
        );
        let fixture = ClockedIssuer::start_with(&builder).await.unwrap();
        let issuer = fixture.issuer();
        let claims = |extra: &'static [(&'static str, &'static str)]| async move {
            let (_, body) = tokens(issuer, extra).await;
            claims_for(issuer, &body, RESOURCE).await
        };

        let alice = claims(&[]).await;
        assert_eq!(alice["sub"], "auth0|alice", "the first user is the default");
        assert_eq!(alice["auth_time"], NOW);

        let bob = claims(&[("login_hint", "auth0|bob")]).await;
        assert_eq!(bob["sub"], "auth0|bob");
        assert_eq!(bob["acr"], "urn:acme:pwd");
        assert_eq!(bob["auth_time"], NOW_S - 3_600);

        let mfa = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
        let stepped = claims(&[
            ("login_hint", "auth0|bob"),
            (
                "acr_values",
                "http://schemas.openid.net/pape/policies/2007/06/multi-factor urn:other",
            ),
        ])
        .await;
        assert_eq!(stepped["acr"], mfa, "the first requested value");

        let recent = claims(&[("login_hint", "auth0|bob"), ("max_age", "60")]).await;
        assert_eq!(
            recent["auth_time"], NOW,
            "older than max_age: signs in again"
        );
        let lenient = claims(&[("login_hint", "auth0|bob"), ("max_age", "7200")]).await;
        assert_eq!(lenient["auth_time"], NOW_S - 3_600);
        let forced = claims(&[("login_hint", "auth0|bob"), ("prompt", "login")]).await;
        assert_eq!(forced["auth_time"], NOW);
    });
}

#[test]
fn dpop_binds_the_access_token_and_the_public_clients_refresh_token() {
    let issuer = shared();
    block_on(async {
        let client_id = register_public(issuer).await;
        let pkce = Pkce::new();
        let code = Authorize::new(&client_id, &pkce).code(issuer).await;
        let key = ProofKey::generate().unwrap();
        let reply = redeem(&client_id, &code, &pkce)
            .header("dpop", issuer.token_request_proof(&key).unwrap())
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.body["token_type"], "DPoP");
        let claims = claims_for(issuer, &reply.body, RESOURCE).await;
        assert_eq!(claims["cnf"], json!({"jkt": key.thumbprint()}));

        let refresh_token = reply.body["refresh_token"].as_str().unwrap();
        let unbound = refresh(&client_id, refresh_token).send(issuer).await;
        assert_eq!(unbound.error(), "invalid_grant");
        let other_key = ProofKey::generate().unwrap();
        let wrong_key = refresh(&client_id, refresh_token)
            .header("dpop", issuer.token_request_proof(&other_key).unwrap())
            .send(issuer)
            .await;
        assert_eq!(wrong_key.error(), "invalid_grant");
        let same_key = refresh(&client_id, refresh_token)
            .header("dpop", issuer.token_request_proof(&key).unwrap())
            .send(issuer)
            .await;
        assert_eq!(same_key.status, StatusCode::OK, "{:?}", same_key.body);
        assert_eq!(same_key.body["token_type"], "DPoP");
    });
}

#[test]
fn confidential_clients_authenticate_to_redeem() {
    let issuer = shared();
    block_on(async {
        let reply = register(issuer, &json!({"redirect_uris": [REDIRECT]})).await;
        let id = reply.body["client_id"].as_str().unwrap();
        let secret = reply.body["client_secret"].as_str().unwrap();
        let pkce = Pkce::new();

        let code = Authorize::new(id, &pkce).code(issuer).await;
        let public = redeem(id, &code, &pkce).send(issuer).await;
        assert_eq!(public.status, StatusCode::UNAUTHORIZED);
        assert_eq!(public.error(), "invalid_client");

        let code = Authorize::new(id, &pkce).code(issuer).await;
        let mut basic = redeem(id, &code, &pkce);
        basic.basic = Some((id, secret));
        let reply = basic.send(issuer).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert!(
            reply.body.get("refresh_token").is_none(),
            "not registered for refresh_token"
        );
    });
}

#[test]
fn a_configured_client_can_use_the_flow() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .client(RegisteredClient::new("web", "web-secret").redirect_uri(REDIRECT))
            .start()
            .await
            .unwrap();
        let pkce = Pkce::new();
        let code = Authorize::new("web", &pkce).code(&issuer).await;
        let mut request = redeem("web", &code, &pkce);
        request.basic = Some(("web", "web-secret"));
        let reply = request.send(&issuer).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert!(
            reply.body["refresh_token"].is_string(),
            "every grant is allowed"
        );
    });
}

#[test]
fn each_bad_redemption_is_refused() {
    let issuer = shared();
    block_on(async {
        let client_id = register_public(issuer).await;
        let other_client = register_public(issuer).await;
        let pkce = Pkce::new();
        let code = || async { Authorize::new(&client_id, &pkce).code(issuer).await };

        let wrong = Pkce::from_verifier(&"w".repeat(43));
        let short = Pkce::from_verifier("too-short");
        let spaced = Pkce::from_verifier(&format!("{} ", "a".repeat(43)));
        for (verifier, what) in [
            (&wrong, "does not match"),
            (&short, "43 to 128"),
            (&spaced, "43 to 128"),
        ] {
            let code = code().await;
            let reply = redeem(&client_id, &code, verifier).send(issuer).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert_eq!(reply.error(), "invalid_grant");
            assert!(
                reply.description().contains(what),
                "{}",
                reply.description()
            );
            // One attempt per code: the right verifier is too late now.
            let retry = redeem(&client_id, &code, &pkce).send(issuer).await;
            assert_eq!(retry.error(), "invalid_grant");
        }

        let c = code().await;
        let reply = redeem(&client_id, &c, &pkce)
            .field("redirect_uri", "http://127.0.0.1:1/other")
            .send(issuer)
            .await;
        // The repeated redirect_uri is itself an invalid request.
        assert_eq!(reply.error(), "invalid_request");
        let mut request = redeem(&client_id, &c, &pkce);
        request.fields.retain(|(n, _)| *n != "redirect_uri");
        request
            .fields
            .push(("redirect_uri", "http://127.0.0.1:33418/callback/"));
        assert_eq!(request.send(issuer).await.error(), "invalid_grant");

        let c = code().await;
        let mut request = redeem(&client_id, &c, &pkce);
        request.fields.retain(|(n, _)| *n != "redirect_uri");
        let reply = request.send(issuer).await;
        assert_eq!(reply.error(), "invalid_grant", "the request named one");

        let c = code().await;
        let reply = redeem(&other_client, &c, &pkce).send(issuer).await;
        assert_eq!(reply.error(), "invalid_grant");
        assert!(reply.description().contains("another client"));

        for resource in [
            "https://other.example/mcp",
            "not a uri",
            "https://mcp.example.com/mcp#x",
        ] {
            let c = code().await;
            let mut request = redeem(&client_id, &c, &pkce);
            request.fields.retain(|(n, _)| *n != "resource");
            request.fields.push(("resource", resource));
            let reply = request.send(issuer).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert_eq!(reply.error(), "invalid_target", "{resource}");
        }

        let c = code().await;
        for missing in ["code", "code_verifier"] {
            let mut request = redeem(&client_id, &c, &pkce);
            request.fields.retain(|(n, _)| *n != missing);
            assert_eq!(
                request.send(issuer).await.error(),
                "invalid_request",
                "{missing}"
            );
        }
        // Neither spent the code.
        assert_eq!(
            redeem(&client_id, &c, &pkce).send(issuer).await.status,
            StatusCode::OK
        );

        let reply = redeem(&client_id, "never-issued", &pkce).send(issuer).await;
        assert_eq!(reply.error(), "invalid_grant");

        let c = code().await;
        let reply = redeem("no-such-client", &c, &pkce).send(issuer).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.error(), "invalid_client");

        let mut request = redeem(&client_id, &c, &pkce);
        request.fields[0] = ("grant_type", "password");
        assert_eq!(request.send(issuer).await.error(), "unsupported_grant_type");
    });
}

#[test]
fn a_reused_code_fails_and_revokes_what_it_issued() {
    let issuer = shared();
    block_on(async {
        let client_id = register_public(issuer).await;
        let pkce = Pkce::new();
        let code = Authorize::new(&client_id, &pkce).code(issuer).await;
        let first = redeem(&client_id, &code, &pkce).send(issuer).await;
        assert_eq!(first.status, StatusCode::OK);
        let second = redeem(&client_id, &code, &pkce).send(issuer).await;
        assert_eq!(second.status, StatusCode::BAD_REQUEST);
        assert_eq!(second.error(), "invalid_grant");
        assert!(second.description().contains("already used"));

        let refresh_token = first.body["refresh_token"].as_str().unwrap();
        let revoked = refresh(&client_id, refresh_token).send(issuer).await;
        assert_eq!(revoked.error(), "invalid_grant");
    });
}

#[test]
fn codes_expire_after_sixty_seconds_of_the_issuer_clock() {
    block_on(async {
        let fixture = ClockedIssuer::start().await.unwrap();
        let issuer = fixture.issuer();
        let client_id = register_public(issuer).await;
        let pkce = Pkce::new();

        let code = Authorize::new(&client_id, &pkce).code(issuer).await;
        fixture.clock().advance(Duration::from_secs(60));
        let in_time = redeem(&client_id, &code, &pkce).send(issuer).await;
        assert_eq!(in_time.status, StatusCode::OK);

        let code = Authorize::new(&client_id, &pkce).code(issuer).await;
        fixture.clock().advance(Duration::from_secs(61));
        let late = redeem(&client_id, &code, &pkce).send(issuer).await;
        assert_eq!(late.status, StatusCode::BAD_REQUEST);
        assert_eq!(late.error(), "invalid_grant");
        assert!(late.description().contains("expired"));
    });
}
