//! Every check of `verify_access_token`, each broken on its own.

use std::time::Duration;

use auth0_api::{ApiClient, AuthErrorKind};
use dev_issuer::{Endpoint, RotateMode};
use serde_json::json;

use crate::support::{Env, NOW};

async fn refused(env: &Env, client: &ApiClient, token: &str) -> String {
    let err = client.verify_access_token(token).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidToken, "{err:?}");
    assert_eq!(err.status_code(), 401);
    let _ = env;
    err.description().to_owned()
}

#[tokio::test]
async fn a_good_token_verifies() {
    let env = Env::start().await;
    let client = env.client();
    let token = env
        .issuer
        .token()
        .sub("auth0|user")
        .scope("read:orders")
        .sign()
        .unwrap();
    let claims = client.verify_access_token(&token).await.unwrap();
    assert_eq!(claims.sub(), Some("auth0|user"));
    assert_eq!(claims.iss(), Some(env.issuer.issuer_url()));
    assert!(claims.has_scope("read:orders"));
    assert_eq!(claims.scheme(), None);
}

#[tokio::test]
async fn issuer_must_be_present_and_exact() {
    let env = Env::start().await;
    let client = env.client();
    let missing = env.issuer.token().without_claim("iss").sign().unwrap();
    assert!(refused(&env, &client, &missing).await.contains("iss"));
    for wrong in [
        "https://evil.example/",
        "http://127.0.0.1:1/",
        env.issuer.issuer_url().trim_end_matches('/'),
    ] {
        let token = env.issuer.token().issuer(wrong).sign().unwrap();
        let description = refused(&env, &client, &token).await;
        assert!(
            description.contains("not an accepted domain"),
            "{description}"
        );
    }
    // none of those made the client fetch anything
    assert_eq!(env.issuer.request_count(Endpoint::Discovery), 0);
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 0);
}

#[tokio::test]
async fn audience_as_string_or_array() {
    let env = Env::start().await;
    let client = env.client();
    let aud = env.issuer.audience().to_owned();
    let as_array = env
        .issuer
        .token()
        .audiences([aud.as_str(), "https://other.example"])
        .sign()
        .unwrap();
    client.verify_access_token(&as_array).await.unwrap();
    for token in [
        env.issuer
            .token()
            .audience("https://other.example")
            .sign()
            .unwrap(),
        env.issuer
            .token()
            .audiences(["https://a.example", "https://b.example"])
            .sign()
            .unwrap(),
        env.issuer.token().without_claim("aud").sign().unwrap(),
    ] {
        refused(&env, &client, &token).await;
    }
}

#[tokio::test]
async fn expiry_issued_at_and_not_before() {
    let env = Env::start().await;
    let client = env.client();
    let now = i64::try_from(NOW).unwrap();
    let expired = env.issuer.token().expired().sign().unwrap();
    assert!(refused(&env, &client, &expired).await.contains("expired"));
    let no_exp = env.issuer.token().without_claim("exp").sign().unwrap();
    refused(&env, &client, &no_exp).await;
    let no_iat = env.issuer.token().without_claim("iat").sign().unwrap();
    refused(&env, &client, &no_iat).await;
    let future_nbf = env.issuer.token().nbf(now + 60).sign().unwrap();
    assert!(
        refused(&env, &client, &future_nbf)
            .await
            .contains("not valid before")
    );
    let string_exp = env
        .issuer
        .token()
        .claim("exp", json!((now + 600).to_string()))
        .sign()
        .unwrap();
    refused(&env, &client, &string_exp).await;
}

#[tokio::test]
async fn clock_leeway_is_honoured() {
    let env = Env::start().await;
    let now = i64::try_from(NOW).unwrap();
    let just_expired = env.issuer.token().exp(now - 5).sign().unwrap();
    let strict = env.client();
    refused(&env, &strict, &just_expired).await;
    let lenient = ApiClient::new(env.options().clock_leeway(Duration::from_secs(10))).unwrap();
    lenient.verify_access_token(&just_expired).await.unwrap();
    let long_expired = env.issuer.token().exp(now - 10).sign().unwrap();
    refused(&env, &lenient, &long_expired).await;
}

#[tokio::test]
async fn required_claims() {
    let env = Env::start().await;
    let client = env.client();
    let token = env.issuer.token().claim("org_id", "org_1").sign().unwrap();
    client
        .verify_access_token_with(&token, &["org_id"])
        .await
        .unwrap();
    let err = client
        .verify_access_token_with(&token, &["org_id", "tenant"])
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), "invalid_token");
    assert!(err.description().contains("tenant"));
}

#[tokio::test]
async fn forged_and_unknown_keys() {
    let env = Env::start().await;
    let client = env.client();
    for token in [
        env.issuer.token().signed_with_wrong_key().sign().unwrap(),
        env.issuer.token().tampered().sign().unwrap(),
        env.issuer.token().signed_with_unknown_key().sign().unwrap(),
        env.issuer.token().without_kid().sign().unwrap(),
    ] {
        refused(&env, &client, &token).await;
    }
}

#[tokio::test]
async fn a_rotated_key_is_accepted_on_its_first_request() {
    let env = Env::start().await;
    let client = env.client();
    client.verify_access_token(&env.token()).await.unwrap();
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 1);
    env.issuer.rotate_keys(RotateMode::DropOld).unwrap();
    let rotated = env.token();
    client.verify_access_token(&rotated).await.unwrap();
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 2);
}

#[tokio::test]
async fn hs256_and_none_never_reach_the_network() {
    let env = Env::start().await;
    let client = env.client();
    for token in [
        env.issuer.token().hs256_with_public_key().sign().unwrap(),
        env.issuer.token().alg_none().sign().unwrap(),
    ] {
        let description = refused(&env, &client, &token).await;
        // HS256 is a known algorithm, off the default allowlist; none is not
        // an algorithm at all.
        assert!(
            description.contains("not supported") || description.contains("not allowed"),
            "{description}"
        );
    }
    assert_eq!(env.issuer.request_count(Endpoint::Discovery), 0);
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 0);
}

#[tokio::test]
async fn a_dpop_proof_is_never_an_access_token() {
    let env = Env::start().await;
    let client = env.client();
    for typ in ["dpop+jwt", "JWS", "id_token"] {
        let token = env.issuer.token().typ(typ).sign().unwrap();
        refused(&env, &client, &token).await;
    }
    for typ in ["JWT", "at+jwt", "application/at+JWT"] {
        let token = env.issuer.token().typ(typ).sign().unwrap();
        client.verify_access_token(&token).await.unwrap();
    }
}

#[tokio::test]
async fn an_unreachable_issuer_is_a_503_not_a_bad_token() {
    let env = Env::start().await;
    let client = env.client();
    env.issuer.set_fault(
        Endpoint::Discovery,
        dev_issuer::Fault::status(http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    let err = client.verify_access_token(&env.token()).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::Unavailable);
    assert_eq!(err.status_code(), 503);
    assert!(err.www_authenticate().is_empty());
}

#[tokio::test]
async fn claims_that_break_a_rule_are_refused_before_any_key_is_fetched() {
    let env = Env::start().await;
    let client = env.client();
    for (token, why) in [
        (env.issuer.token().expired().sign().unwrap(), "expired"),
        (
            env.issuer
                .token()
                .audience("https://other.example")
                .sign()
                .unwrap(),
            "aud",
        ),
        // A forged signature too: the claims answer first.
        (
            env.issuer.token().expired().tampered().sign().unwrap(),
            "expired",
        ),
    ] {
        let error = client.verify_access_token(&token).await.unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::InvalidToken, "{error:?}");
        assert!(error.description().contains(why), "{why}: {error:?}");
    }
    // The issuer is known from configuration; its keys were never needed.
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 0);
}
