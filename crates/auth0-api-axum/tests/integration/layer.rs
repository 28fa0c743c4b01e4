//! `Auth0Layer` and `RequireScopes` on routers (and a bare tower service)
//! driven without a socket: where the claims go, which URL is checked, and
//! what a refusal looks like.

use std::convert::Infallible;

use auth0_api::Claims;
use auth0_api_axum::{Auth0Layer, AuthRejection, RequireScopes};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use dev_issuer::dpop::ProofKey;
use serde_json::json;
use tower::{Layer as _, ServiceExt as _};

use crate::support::{Env, PUBLIC_URL, oneshot, proof, request, within};

async fn sub(Extension(claims): Extension<Claims>) -> String {
    claims.sub().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn verified_claims_reach_the_handler_in_the_extensions() {
    within(async {
        let env = Env::start().await;
        // `Router::layer` covers the routes and the fallback alike.
        let app = Router::new()
            .route("/me", get(sub))
            .layer(env.verifier(PUBLIC_URL).layer());
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let reply = oneshot(&app, request("GET", "/me", &[("authorization", &bearer)])).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!("auth0|alice"));
        let reply = oneshot(&app, request("GET", "/nowhere", &[])).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn route_layer_leaves_unmatched_paths_and_later_routes_alone() {
    within(async {
        let env = Env::start().await;
        let app = Router::new()
            .route("/me", get(sub))
            .route_layer(env.verifier(PUBLIC_URL).layer())
            .route("/health", get(|| async { "ok" }));
        assert_eq!(
            oneshot(&app, request("GET", "/me", &[])).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            oneshot(&app, request("GET", "/health", &[])).await.status,
            StatusCode::OK
        );
        assert_eq!(
            oneshot(&app, request("GET", "/nowhere", &[])).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn the_public_url_is_checked_never_the_host_header() {
    within(async {
        let env = Env::start().await;
        let app = Router::new()
            .route("/orders", get(sub))
            .route_layer(env.verifier(PUBLIC_URL).layer());
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let host = ("host", "evil.example");

        // A proof for the public URL passes whatever Host says...
        let good = proof(&key, "GET", "https://api.example.com/orders", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", &good), host];
        let reply = oneshot(&app, request("GET", "/orders?page=2", &headers)).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");

        // ...and a proof for the URL Host (or a forwarded header) names fails.
        let forged = proof(&key, "GET", "https://evil.example/orders", &token);
        let headers = [
            ("authorization", dpop.as_str()),
            ("dpop", &forged),
            host,
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "https"),
        ];
        let reply = oneshot(&app, request("GET", "/orders", &headers)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.error(), "invalid_dpop_proof");
        assert!(
            reply.body["error_description"]
                .as_str()
                .unwrap()
                .ends_with("does not match the request URL \"https://api.example.com/orders\""),
            "{reply:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_nested_router_checks_the_path_the_client_called() {
    within(async {
        let env = Env::start().await;
        let orders = Router::new()
            .route("/orders", get(sub))
            .route_layer(env.verifier(PUBLIC_URL).layer());
        let app = Router::new().nest("/api", orders);
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let good = proof(&key, "GET", "https://api.example.com/api/orders", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", good.as_str())];
        let reply = oneshot(&app, request("GET", "/api/orders", &headers)).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    })
    .await;
}

#[tokio::test]
async fn a_bare_tower_service_gets_the_rejection_in_the_response_extensions() {
    within(async {
        let env = Env::start().await;
        let inner = tower::service_fn(|_request: Request<Body>| async {
            Ok::<_, Infallible>(Response::new(Body::from("reached")))
        });
        let service = Auth0Layer::from_verifier(env.verifier(PUBLIC_URL)).layer(inner);
        let response = service
            .clone()
            .oneshot(request(
                "GET",
                "/orders",
                &[("authorization", "Bearer x.y.z")],
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let rejection = response.extensions().get::<AuthRejection>().unwrap();
        assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            rejection.auth_error().unwrap().error_code(),
            "invalid_token"
        );

        let bearer = format!("Bearer {}", env.token(""));
        let response = service
            .oneshot(request("GET", "/orders", &[("authorization", &bearer)]))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn require_scopes_names_every_required_scope() {
    within(async {
        let env = Env::start().await;
        let app = Router::new()
            .route(
                "/reports",
                get(sub).layer(RequireScopes::new(["read:reports", "export:reports"])),
            )
            .route_layer(env.verifier(PUBLIC_URL).layer());
        let partial = format!("Bearer {}", env.token("read:reports"));
        let reply = oneshot(
            &app,
            request("GET", "/reports", &[("authorization", &partial)]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.error(), "insufficient_scope");
        assert!(
            reply.challenges()[0].ends_with(", scope=\"read:reports export:reports\""),
            "{reply:?}"
        );

        let full = format!("Bearer {}", env.token("export:reports read:reports"));
        let reply = oneshot(
            &app,
            request("GET", "/reports", &[("authorization", &full)]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn require_scopes_without_the_auth0_layer_refuses_with_500() {
    within(async {
        let env = Env::start().await;
        // Wrongly wired: the guard is not behind Auth0Layer.
        let app = Router::new().route(
            "/reports",
            get(sub).layer(RequireScopes::new(["read:reports"])),
        );
        let bearer = format!("Bearer {}", env.token("read:reports"));
        let reply = oneshot(
            &app,
            request("GET", "/reports", &[("authorization", &bearer)]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.error(), "server_error");
        assert!(reply.challenges().is_empty());
    })
    .await;
}
