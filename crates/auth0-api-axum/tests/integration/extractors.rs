//! `Authenticated` and `Verified`: where each finds its claims, and `?` on
//! a scope check in a handler.

use auth0_api_axum::{AuthRejection, Authenticated, RequestVerifier, Verified};
use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::get;
use dev_issuer::dpop::ProofKey;
use serde_json::json;

use crate::support::{Env, PUBLIC_URL, oneshot, proof, request, within};

async fn authenticated(Authenticated(claims): Authenticated) -> String {
    claims.sub().unwrap_or_default().to_owned()
}

async fn verified(Verified(claims): Verified) -> String {
    claims.sub().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn authenticated_without_the_layer_refuses_with_500() {
    within(async {
        let env = Env::start().await;
        let app = Router::new().route("/me", get(authenticated));
        let bearer = format!("Bearer {}", env.token(""));
        let reply = oneshot(&app, request("GET", "/me", &[("authorization", &bearer)])).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            reply.body,
            json!({
                "error": "server_error",
                "error_description": "authentication is not configured for this route",
            })
        );
    })
    .await;
}

#[tokio::test]
async fn verified_verifies_with_the_verifier_in_the_state() {
    within(async {
        let env = Env::start().await;
        let app = Router::new()
            .route("/me", get(verified))
            .with_state(env.verifier(PUBLIC_URL));
        let reply = oneshot(&app, request("GET", "/me", &[])).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            reply.challenges(),
            ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]
        );

        let bearer = format!("Bearer {}", env.token(""));
        let reply = oneshot(&app, request("GET", "/me", &[("authorization", &bearer)])).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!("auth0|alice"));
    })
    .await;
}

/// An application's own state, holding the verifier among other things.
#[derive(Clone)]
struct AppState {
    verifier: RequestVerifier,
    greeting: &'static str,
}

impl FromRef<AppState> for RequestVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

#[tokio::test]
async fn verified_finds_the_verifier_in_an_application_state() {
    within(async {
        let env = Env::start().await;
        let state = AppState {
            verifier: env.verifier(PUBLIC_URL),
            greeting: "hello",
        };
        let app = Router::new()
            .route(
                "/me",
                get(
                    |axum::extract::State(state): axum::extract::State<AppState>,
                     Verified(claims): Verified| async move {
                        format!("{} {}", state.greeting, claims.sub().unwrap_or_default())
                    },
                ),
            )
            .with_state(state);
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let good = proof(&key, "GET", "https://api.example.com/me", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", good.as_str())];
        let reply = oneshot(&app, request("GET", "/me", &headers)).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body, json!("hello auth0|alice"));
    })
    .await;
}

#[tokio::test]
async fn verified_behind_the_layer_does_not_verify_twice() {
    within(async {
        let env = Env::start().await;
        let verifier = env.verifier(PUBLIC_URL);
        let app = Router::new()
            .route("/me", get(verified))
            .route_layer(verifier.layer())
            .with_state(verifier);
        // A second verification would see this proof replayed and refuse it.
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let good = proof(&key, "GET", "https://api.example.com/me", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", good.as_str())];
        let reply = oneshot(&app, request("GET", "/me", &headers)).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body, json!("auth0|alice"));
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
        let app = Router::new()
            .route("/orders/1", axum::routing::delete(delete_order))
            .route_layer(env.verifier(PUBLIC_URL).layer());
        let reader = format!("Bearer {}", env.token("read:orders"));
        let reply = oneshot(
            &app,
            request("DELETE", "/orders/1", &[("authorization", &reader)]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.error(), "insufficient_scope");
        assert!(reply.challenges()[0].ends_with(", scope=\"delete:orders\""));

        let deleter = format!("Bearer {}", env.token("delete:orders"));
        let reply = oneshot(
            &app,
            request("DELETE", "/orders/1", &[("authorization", &deleter)]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!("deleted"));
    })
    .await;
}
