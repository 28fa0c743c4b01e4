//! The resource side an MCP client relies on, through a client verifying
//! dev-issuer's tokens: the RFC 9728 document derived from the options,
//! `resource_metadata` in the exact text of every challenge, scopes from
//! `permissions`, and step-up (RFC 9470) on the client's injected clock.

use std::time::Duration;

use auth0_api::{
    ApiClient, ApiClientOptions, ConfigurationError, DpopMode, ProtectedResourceMetadata, StepUp,
};
use dev_issuer::dpop::ProofKey;
use serde_json::json;

use crate::support::{Env, Headers, NOW, URL, assert_refused, dpop_headers};

/// The resource: the API identifier dev-issuer's tokens are for.
const RESOURCE: &str = "https://api.example.com";
const METADATA: &str = "https://api.example.com/.well-known/oauth-protected-resource";

fn advertising(env: &Env, mode: DpopMode) -> ApiClient {
    ApiClient::new(
        env.options()
            .dpop_mode(mode)
            .resource_metadata(ProtectedResourceMetadata::new(RESOURCE)),
    )
    .unwrap()
}

fn bearer(token: &str) -> http::HeaderMap {
    Headers::default()
        .authorization(&format!("Bearer {token}"))
        .0
}

#[tokio::test]
async fn the_document_is_derived_from_the_options() {
    let env = Env::start().await;
    let issuer = env.issuer.issuer_url().to_owned();
    for (mode, dpop) in [
        (DpopMode::Disabled, json!({})),
        (
            DpopMode::Allowed,
            json!({"dpop_signing_alg_values_supported": ["ES256"]}),
        ),
        (
            DpopMode::Required,
            json!({"dpop_signing_alg_values_supported": ["ES256"], "dpop_bound_access_tokens_required": true}),
        ),
    ] {
        let api = ApiClient::new(
            env.options().dpop_mode(mode).resource_metadata(
                ProtectedResourceMetadata::new("http://127.0.0.1:8080/mcp")
                    .scopes_supported(["tools:read", "tools:admin"]),
            ),
        )
        .unwrap();
        let mut expected = json!({
            "resource": "http://127.0.0.1:8080/mcp",
            "authorization_servers": [issuer],
            "scopes_supported": ["tools:read", "tools:admin"],
            "bearer_methods_supported": ["header"],
        });
        for (name, value) in dpop.as_object().unwrap() {
            expected[name] = value.clone();
        }
        assert_eq!(
            api.resource_metadata().unwrap().to_json(),
            expected,
            "{mode:?}"
        );
        assert_eq!(
            api.resource_metadata_url(),
            Some("http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp")
        );
    }
    // Every listed domain is an authorization server.
    let api = ApiClient::new(
        ApiClientOptions::for_audience(RESOURCE)
            .domains(["a.example.com", "https://b.example.com/"])
            .resource_metadata(ProtectedResourceMetadata::new(RESOURCE)),
    )
    .unwrap();
    assert_eq!(
        api.resource_metadata().unwrap().to_json()["authorization_servers"],
        json!(["https://a.example.com/", "https://b.example.com/"])
    );
    // Nothing configured: nothing advertised.
    assert!(env.client().resource_metadata().is_none());
    assert!(env.client().resource_metadata_url().is_none());
}

#[tokio::test]
async fn an_unusable_resource_is_a_configuration_error() {
    let env = Env::start().await;
    for bad in [
        "api.example.com/mcp",
        "http://api.example.com/mcp",
        "https://api.example.com/mcp?x",
    ] {
        let error = ApiClient::new(
            env.options()
                .resource_metadata(ProtectedResourceMetadata::new(bad)),
        )
        .unwrap_err();
        assert!(
            matches!(error, ConfigurationError::InvalidResource { .. }),
            "{bad}: {error}"
        );
    }
}

#[tokio::test]
async fn every_bearer_challenge_names_the_metadata() {
    let env = Env::start().await;
    let api = advertising(&env, DpopMode::Allowed);
    let bearer_tail = format!("resource_metadata=\"{METADATA}\"");
    let dpop = format!("DPoP algs=\"ES256\", {bearer_tail}");

    // 401 without an error.
    let error = api
        .verify_request(&Headers::default().0, "GET", URL)
        .await
        .unwrap_err();
    assert_refused(
        &error,
        401,
        "",
        &format!("Bearer realm=\"api\", {bearer_tail}, {dpop}"),
    );

    // 401 invalid_token.
    let expired = env.issuer.token().expired().sign().unwrap();
    let error = api
        .verify_request(&bearer(&expired), "GET", URL)
        .await
        .unwrap_err();
    assert_refused(
        &error,
        401,
        "invalid_token",
        &format!(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{}\", \
             {bearer_tail}, {dpop}",
            error.description().replace('"', "'")
        ),
    );

    // 403 insufficient_scope, every required scope once.
    let token = env.issuer.token().scope("tools:read").sign().unwrap();
    let claims = api
        .verify_request(&bearer(&token), "GET", URL)
        .await
        .unwrap();
    let error = claims
        .require_scopes(&["tools:read", "tools:admin", "tools:write", "tools:admin"])
        .unwrap_err();
    assert_refused(
        &error,
        403,
        "insufficient_scope",
        &format!(
            "Bearer realm=\"api\", error=\"insufficient_scope\", \
             error_description=\"missing required scopes 'tools:admin', 'tools:write'\", \
             scope=\"tools:read tools:admin tools:write\", {bearer_tail}, {dpop}"
        ),
    );

    // 401 insufficient_user_authentication.
    let token = env
        .issuer
        .token()
        .claim("acr", "urn:pwd")
        .claim("auth_time", NOW)
        .sign()
        .unwrap();
    let claims = api
        .verify_request(&bearer(&token), "GET", URL)
        .await
        .unwrap();
    let error = StepUp::new()
        .acr_values(["urn:mfa"])
        .max_age(Duration::from_secs(600))
        .check(&claims)
        .unwrap_err();
    assert_refused(
        &error,
        401,
        "insufficient_user_authentication",
        &format!(
            "Bearer realm=\"api\", error=\"insufficient_user_authentication\", \
             error_description=\"acr 'urn:pwd' is not an accepted authentication context\", \
             acr_values=\"urn:mfa\", max_age=\"600\", {bearer_tail}, {dpop}"
        ),
    );
}

#[tokio::test]
async fn every_dpop_challenge_names_the_metadata() {
    let env = Env::start().await;
    let api = advertising(&env, DpopMode::Required);
    let tail = format!("algs=\"ES256\", resource_metadata=\"{METADATA}\"");

    let error = api
        .verify_request(&Headers::default().0, "GET", URL)
        .await
        .unwrap_err();
    assert_refused(&error, 401, "", &format!("DPoP {tail}"));

    let key = ProofKey::generate().unwrap();
    let wrong_key = ProofKey::generate().unwrap();
    let token = env.bound_token(&wrong_key);
    let error = api
        .verify_request(&dpop_headers(&key, &token, NOW), "GET", URL)
        .await
        .unwrap_err();
    assert_refused(
        &error,
        401,
        "invalid_token",
        &format!(
            "DPoP error=\"invalid_token\", error_description=\"Invalid DPoP key binding\", {tail}"
        ),
    );

    let token = env
        .issuer
        .token()
        .cnf_jkt(key.thumbprint())
        .scope("tools:read")
        .claim("auth_time", NOW - 900)
        .sign()
        .unwrap();
    let claims = api
        .verify_request(&dpop_headers(&key, &token, NOW), "GET", URL)
        .await
        .unwrap();
    let error = claims.require_scopes(&["tools:admin"]).unwrap_err();
    assert_refused(
        &error,
        403,
        "insufficient_scope",
        &format!(
            "DPoP error=\"insufficient_scope\", error_description=\"missing required scope \
             'tools:admin'\", scope=\"tools:admin\", {tail}"
        ),
    );
    let error = StepUp::new()
        .max_age(Duration::from_secs(300))
        .check(&claims)
        .unwrap_err();
    assert_refused(
        &error,
        401,
        "insufficient_user_authentication",
        &format!(
            "DPoP error=\"insufficient_user_authentication\", error_description=\"the user \
             authenticated 900 s ago, more than 300 s\", max_age=\"300\", {tail}"
        ),
    );
}

#[tokio::test]
async fn step_up_reads_the_clients_clock() {
    let env = Env::start().await;
    let api = env.client();
    let recent = StepUp::new()
        .acr_values(["urn:mfa"])
        .max_age(Duration::from_secs(300));
    let token = env
        .issuer
        .token()
        .claim("acr", "urn:mfa")
        .claim("auth_time", NOW - 100)
        .expires_in(Duration::from_secs(3600))
        .sign()
        .unwrap();
    let claims = api.verify_access_token(&token).await.unwrap();
    recent.check(&claims).unwrap();
    // The same claims, later on the injected clock: too old.
    env.clock.advance(Duration::from_secs(201));
    let error = recent.check(&claims).unwrap_err();
    assert_eq!(
        error.description(),
        "the user authenticated 301 s ago, more than 300 s"
    );
    // Missing and non-numeric auth_time fail whatever the clock.
    for token in [
        env.issuer.token().claim("acr", "urn:mfa").sign().unwrap(),
        env.issuer
            .token()
            .claim("acr", "urn:mfa")
            .claim("auth_time", "recently")
            .sign()
            .unwrap(),
    ] {
        let claims = api.verify_access_token(&token).await.unwrap();
        assert_eq!(
            recent.check(&claims).unwrap_err().description(),
            "the token has no numeric auth_time"
        );
    }
}

#[tokio::test]
async fn permissions_count_as_scopes_only_when_enabled() {
    let env = Env::start().await;
    let token = env
        .issuer
        .token()
        .scope("openid")
        .claim(
            "permissions",
            json!(["tools:admin", 42, null, "tools:read"]),
        )
        .sign()
        .unwrap();
    let off = env.client().verify_access_token(&token).await.unwrap();
    assert_eq!(
        off.require_scopes(&["tools:admin"])
            .unwrap_err()
            .status_code(),
        403
    );
    assert_eq!(off.scopes().collect::<Vec<_>>(), ["openid"]);
    let on = ApiClient::new(env.options().permissions_as_scopes(true))
        .unwrap()
        .verify_access_token(&token)
        .await
        .unwrap();
    on.require_scopes(&["openid", "tools:admin", "tools:read"])
        .unwrap();
    assert_eq!(
        on.scopes().collect::<Vec<_>>(),
        ["openid", "tools:admin", "tools:read"]
    );
}
