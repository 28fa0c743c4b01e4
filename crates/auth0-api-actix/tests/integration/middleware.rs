//! `Auth0Middleware`, `RequireScopes` and `RequireStepUp` on apps driven
//! without a socket: where the claims go, which URL is checked, and what a
//! refusal looks like.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use actix_web::dev::Service as _;
use actix_web::test::init_service;
use actix_web::web::{self, ReqData};
use actix_web::{App, HttpResponse};
use auth0_api::{Claims, StepUp};
use auth0_api_actix::{AuthRejection, RequireScopes, RequireStepUp};
use dev_issuer::dpop::ProofKey;
use http::StatusCode;
use serde_json::json;

use crate::support::{Env, PUBLIC_URL, call, proof, request, within};

async fn sub(claims: ReqData<Claims>) -> String {
    claims.sub().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn verified_claims_reach_the_handler_in_the_extensions() {
    within(async {
        let env = Env::start().await;
        // `App::wrap` covers the resources and the default service alike.
        let app = init_service(
            App::new()
                .route("/me", web::get().to(sub))
                .wrap(env.verifier(PUBLIC_URL).middleware()),
        )
        .await;
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let reply = call(
            &app,
            request("GET", "/me", &[("authorization", &bearer)]).to_request(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!("auth0|alice"));
        let reply = call(&app, request("GET", "/nowhere", &[]).to_request()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_wrapped_resource_leaves_unmatched_paths_and_other_resources_alone() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new()
                .service(
                    web::resource("/me")
                        .route(web::get().to(sub))
                        .wrap(env.verifier(PUBLIC_URL).middleware()),
                )
                .route("/health", web::get().to(|| async { "ok" })),
        )
        .await;
        for (path, status) in [
            ("/me", StatusCode::UNAUTHORIZED),
            ("/health", StatusCode::OK),
            ("/nowhere", StatusCode::NOT_FOUND),
        ] {
            let reply = call(&app, request("GET", path, &[]).to_request()).await;
            assert_eq!(reply.status, status, "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_public_url_is_checked_never_the_host_header() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new().service(
                web::resource("/orders")
                    .route(web::get().to(sub))
                    .wrap(env.verifier(PUBLIC_URL).middleware()),
            ),
        )
        .await;
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let host = ("host", "evil.example");

        // A proof for the public URL passes whatever Host says...
        let good = proof(&key, "GET", "https://api.example.com/orders", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", &good), host];
        let reply = call(
            &app,
            request("GET", "/orders?page=2", &headers).to_request(),
        )
        .await;
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
        let reply = call(&app, request("GET", "/orders", &headers).to_request()).await;
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
async fn a_scope_checks_the_path_the_client_called() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new().service(
                web::scope("/api")
                    .route("/orders", web::get().to(sub))
                    .wrap(env.verifier(PUBLIC_URL).middleware()),
            ),
        )
        .await;
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let good = proof(&key, "GET", "https://api.example.com/api/orders", &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", good.as_str())];
        let reply = call(&app, request("GET", "/api/orders", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    })
    .await;
}

#[tokio::test]
async fn a_second_dpop_header_is_seen_and_refused() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new()
                .route("/orders", web::get().to(sub))
                .wrap(env.verifier(PUBLIC_URL).middleware()),
        )
        .await;
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        let url = "https://api.example.com/orders";
        let one = proof(&key, "GET", url, &token);
        let two = proof(&key, "GET", url, &token);
        let headers = [
            ("authorization", dpop.as_str()),
            ("dpop", &one),
            ("dpop", &two),
        ];
        let reply = call(&app, request("GET", "/orders", &headers).to_request()).await;
        // Both headers reach the core, which allows exactly one.
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "invalid_dpop_proof");
        assert_eq!(
            reply.description(),
            "request has 2 DPoP headers, exactly one is allowed"
        );
    })
    .await;
}

#[tokio::test]
async fn an_outer_middleware_finds_the_rejection_in_the_response() {
    within(async {
        let env = Env::start().await;
        // What an outer logging middleware would see.
        let seen: Rc<RefCell<Vec<String>>> = Rc::default();
        let log = Rc::clone(&seen);
        let app = init_service(
            App::new()
                .route("/orders", web::get().to(sub))
                .wrap(env.verifier(PUBLIC_URL).middleware())
                .wrap_fn(move |request, service| {
                    let response = service.call(request);
                    let log = Rc::clone(&log);
                    async move {
                        let response = response.await?;
                        if let Some(error) = response.response().error() {
                            let rejection = error.as_error::<AuthRejection>().unwrap();
                            let code = rejection.auth_error().unwrap().error_code();
                            log.borrow_mut().push(code.to_owned());
                        }
                        Ok(response)
                    }
                }),
        )
        .await;
        let headers = [("authorization", "Bearer x.y.z")];
        let reply = call(&app, request("GET", "/orders", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(*seen.borrow(), ["invalid_token"]);

        let bearer = format!("Bearer {}", env.token(""));
        let headers = [("authorization", bearer.as_str())];
        let reply = call(&app, request("GET", "/orders", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(seen.borrow().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn require_scopes_names_every_required_scope() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new().service(
                web::resource("/reports")
                    .route(
                        web::get()
                            .to(sub)
                            .wrap(RequireScopes::new(["read:reports", "export:reports"])),
                    )
                    .wrap(env.verifier(PUBLIC_URL).middleware()),
            ),
        )
        .await;
        let partial = format!("Bearer {}", env.token("read:reports"));
        let headers = [("authorization", partial.as_str())];
        let reply = call(&app, request("GET", "/reports", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.error(), "insufficient_scope");
        assert!(
            reply.challenges()[0].ends_with(", scope=\"read:reports export:reports\""),
            "{reply:?}"
        );

        let full = format!("Bearer {}", env.token("export:reports read:reports"));
        let headers = [("authorization", full.as_str())];
        let reply = call(&app, request("GET", "/reports", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn require_scopes_without_the_auth0_middleware_refuses_with_500() {
    within(async {
        let env = Env::start().await;
        // Wrongly wired: the guard is not behind Auth0Middleware.
        let app = init_service(
            App::new().route(
                "/reports",
                web::get()
                    .to(sub)
                    .wrap(RequireScopes::new(["read:reports"])),
            ),
        )
        .await;
        let bearer = format!("Bearer {}", env.token("read:reports"));
        let headers = [("authorization", bearer.as_str())];
        let reply = call(&app, request("GET", "/reports", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.error(), "server_error");
        assert!(reply.challenges().is_empty());
    })
    .await;
}

#[tokio::test]
async fn require_step_up_asks_for_a_recent_login() {
    within(async {
        let env = Env::start().await;
        let recent = StepUp::new().max_age(Duration::from_secs(300));
        let app = init_service(
            App::new().service(
                web::resource("/refunds")
                    .route(
                        web::post()
                            .to(|| async { HttpResponse::Created().finish() })
                            .wrap(RequireStepUp::new(recent)),
                    )
                    .wrap(env.verifier(PUBLIC_URL).middleware()),
            ),
        )
        .await;
        let now = env.issuer.now();
        let sign = |auth_time: i64| {
            env.issuer
                .token()
                .sub("auth0|alice")
                .claim("auth_time", auth_time)
                .sign()
                .unwrap()
        };

        let old = format!("Bearer {}", sign(now - 3600));
        let headers = [("authorization", old.as_str())];
        let reply = call(&app, request("POST", "/refunds", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "insufficient_user_authentication");
        assert!(
            reply.challenges()[0].contains("max_age=\"300\""),
            "{reply:?}"
        );

        let fresh = format!("Bearer {}", sign(now - 60));
        let headers = [("authorization", fresh.as_str())];
        let reply = call(&app, request("POST", "/refunds", &headers).to_request()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    })
    .await;
}

#[tokio::test]
async fn a_path_with_dot_segments_is_refused_before_the_proof() {
    within(async {
        let env = Env::start().await;
        let app = init_service(
            App::new()
                .route("/orders/{tail:.*}", web::get().to(sub))
                .wrap(env.verifier(PUBLIC_URL).middleware()),
        )
        .await;
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let dpop = format!("DPoP {token}");
        // The raw path reaches the core, percent-encoding and all: the
        // proof's URL would resolve `..`, the router does not.
        let url = "https://api.example.com/orders/%2e%2e/admin";
        let good = proof(&key, "GET", url, &token);
        let headers = [("authorization", dpop.as_str()), ("dpop", good.as_str())];
        let reply = call(
            &app,
            request("GET", "/orders/%2e%2e/admin", &headers).to_request(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
        assert_eq!(reply.error(), "invalid_request");
    })
    .await;
}
