//! `Authenticated` and `Verified`, and `?` on an `AuthError` in a handler.

use actix_web::test::init_service;
use actix_web::{App, web};
use auth0_api_actix::{AuthRejection, Authenticated, Verified};
use dev_issuer::dpop::ProofKey;
use http::StatusCode;
use serde_json::json;

use crate::support::{Env, PUBLIC_URL, call, proof, request, within};

async fn authenticated(Authenticated(claims): Authenticated) -> String {
    claims.sub().unwrap_or_default().to_owned()
}

async fn verified(Verified(claims): Verified) -> String {
    format!("hello {}", claims.sub().unwrap_or_default())
}

#[tokio::test]
async fn authenticated_without_the_middleware_refuses_with_500() {
    within(async {
        let env = Env::start().await;
        // Wrongly wired: the route is not behind Auth0Middleware. A token
        // does not help: nothing verified it.
        let app = init_service(App::new().route("/me", web::get().to(authenticated))).await;
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let headers = [("authorization", bearer.as_str())];
        let reply = call(&app, request("GET", "/me", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            reply.body,
            json!({
                "error": "server_error",
                "error_description": "authentication is not configured for this route",
            })
        );
        assert!(reply.challenges().is_empty());
    })
    .await;
}

#[tokio::test]
async fn verified_verifies_with_the_verifier_in_the_app_data() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new()
                .app_data(web::Data::new(env.verifier(PUBLIC_URL)))
                .route("/me", web::get().to(verified)),
        )
        .await;
        let reply = call(&app, request("GET", "/me", &[]).to_request()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            reply.challenges(),
            ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]
        );

        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let good = proof(&key, "GET", "https://api.example.com/me", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", good.as_str())];
        let reply = call(&app, request("GET", "/me", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body, json!("hello auth0|alice"));
    })
    .await;
}

#[tokio::test]
async fn verified_without_a_verifier_refuses_with_500() {
    within(async {
        let env = Env::start().await;
        let app = init_service(App::new().route("/me", web::get().to(verified))).await;
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let headers = [("authorization", bearer.as_str())];
        let reply = call(&app, request("GET", "/me", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.error(), "server_error");
    })
    .await;
}

#[tokio::test]
async fn verified_behind_the_middleware_does_not_verify_twice() {
    within(async {
        let env = Env::start().await;
        let verifier = env.verifier(PUBLIC_URL);
        let app = init_service(
            App::new()
                .app_data(web::Data::new(verifier.clone()))
                .route("/me", web::get().to(verified))
                .wrap(verifier.middleware()),
        )
        .await;
        // A second verification would see this proof replayed and refuse it.
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let good = proof(&key, "GET", "https://api.example.com/me", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", good.as_str())];
        let reply = call(&app, request("GET", "/me", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body, json!("hello auth0|alice"));
    })
    .await;
}

async fn delete_order(Authenticated(claims): Authenticated) -> Result<&'static str, AuthRejection> {
    claims.require_scopes(&["delete:orders"])?;
    Ok("deleted")
}

#[tokio::test]
async fn a_handler_requires_scopes_with_the_question_mark() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new()
                .route("/orders/1", web::delete().to(delete_order))
                .wrap(env.verifier(PUBLIC_URL).middleware()),
        )
        .await;
        let reader = format!("Bearer {}", env.token("read:orders"));
        let headers = [("authorization", reader.as_str())];
        let reply = call(&app, request("DELETE", "/orders/1", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.error(), "insufficient_scope");
        assert!(reply.challenges()[0].ends_with(", scope=\"delete:orders\""));

        let deleter = format!("Bearer {}", env.token("delete:orders"));
        let headers = [("authorization", deleter.as_str())];
        let reply = call(&app, request("DELETE", "/orders/1", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!("deleted"));
    })
    .await;
}
