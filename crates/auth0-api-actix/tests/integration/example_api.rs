//! The example API end to end: its routes served by actix-web over real HTTP on
//! loopback, called with tokens and proofs from the dev issuer.

use std::sync::Arc;

use auth0_api::ApiClientOptions;
use auth0_api::dpop::NonceSource;
use dev_issuer::dpop::ProofKey;
use http::StatusCode;
use serde_json::json;

use crate::example_app;
use crate::support::{Env, Server, http, proof, proof_with_nonce, send, verifier, within};

/// The example's router, verifying with `options`, on a free port.
async fn serve(options: ApiClientOptions) -> Server {
    Server::start(|url| example_app::app(&verifier(options, url))).await
}

#[tokio::test]
async fn the_public_route_needs_no_token() {
    within(async {
        let env = Env::start().await;
        let api = serve(env.options()).await;
        let reply = send(http().get(api.url_of("/public"))).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!({"message": "anyone may read this"}));
    })
    .await;
}

#[tokio::test]
async fn no_token_gets_401_with_a_challenge_per_scheme() {
    within(async {
        let env = Env::start().await;
        let api = serve(env.options()).await;
        for method in ["GET", "POST"] {
            let request = http().request(method.parse().unwrap(), api.url_of("/orders"));
            let reply = send(request).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method}");
            assert_eq!(
                reply.challenges(),
                ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""],
                "{method}"
            );
            // RFC 6750 3.1: no error information without credentials.
            assert_eq!(reply.body, json!({}), "{method}");
            assert_eq!(reply.headers["content-type"], "application/json");
            assert!(reply.headers.get("dpop-nonce").is_none());
        }
    })
    .await;
}

#[tokio::test]
async fn a_bearer_token_reads_orders() {
    within(async {
        let env = Env::start().await;
        let api = serve(env.options()).await;
        let token = env.token("read:orders");
        let reply = send(http().get(api.url_of("/orders")).bearer_auth(&token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body["requested_by"], "auth0|alice");
        assert_eq!(reply.body["scheme"], "Bearer");
        assert_eq!(reply.body["orders"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_dpop_token_with_its_proof_reads_orders_once() {
    within(async {
        let env = Env::start().await;
        let api = serve(env.options()).await;
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        // The proof names the method and the exact public URL.
        let url = api.url_of("/orders");
        let proof = proof(&key, "GET", &url, &token);
        let request = || {
            http()
                .get(&url)
                .header("authorization", format!("DPoP {token}"))
                .header("dpop", &proof)
        };
        let reply = send(request()).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body["requested_by"], "auth0|alice");
        assert_eq!(reply.body["scheme"], "DPoP");

        // The same proof again is a replay.
        let replay = send(request()).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
        assert_eq!(replay.error(), "invalid_dpop_proof");
        assert_eq!(
            replay.challenges(),
            [
                "Bearer realm=\"api\"",
                "DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP proof has already \
                 been used\", algs=\"ES256\"",
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_proof_for_another_method_or_url_is_refused() {
    within(async {
        let env = Env::start().await;
        let api = serve(env.options()).await;
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let url = api.url_of("/orders");
        // The same server by another name: the URL must be the public one.
        let by_name = url.replace("127.0.0.1", "localhost");
        for (method, htu) in [("POST", url.as_str()), ("GET", by_name.as_str())] {
            let reply = send(
                http()
                    .get(&url)
                    .header("authorization", format!("DPoP {token}"))
                    .header("dpop", proof(&key, method, htu, &token)),
            )
            .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {htu}");
            assert_eq!(reply.error(), "invalid_dpop_proof", "{method} {htu}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_dpop_bound_token_presented_as_bearer_is_invalid_token() {
    within(async {
        let env = Env::start().await;
        let api = serve(env.options()).await;
        let key = ProofKey::generate().unwrap();
        let reply = send(
            http()
                .get(api.url_of("/orders"))
                .bearer_auth(env.bound_token(&key)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        let description = "a DPoP-bound token requires the DPoP authorization scheme";
        assert_eq!(
            reply.body,
            json!({"error": "invalid_token", "error_description": description})
        );
        assert_eq!(
            reply.challenges(),
            [
                format!(
                    "Bearer realm=\"api\", error=\"invalid_token\", \
                     error_description=\"{description}\""
                ),
                "DPoP algs=\"ES256\"".to_owned(),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn creating_an_order_needs_the_write_scope() {
    within(async {
        let env = Env::start().await;
        let api = serve(env.options()).await;
        let url = api.url_of("/orders");

        let reply = send(http().post(&url).bearer_auth(env.token("read:orders"))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.error(), "insufficient_scope");
        assert_eq!(
            reply.challenges(),
            [
                "Bearer realm=\"api\", error=\"insufficient_scope\", \
                 error_description=\"missing required scope 'write:orders'\", \
                 scope=\"write:orders\"",
                "DPoP algs=\"ES256\"",
            ]
        );

        let writer = env.token("read:orders write:orders");
        let reply = send(http().post(&url).bearer_auth(writer)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        assert_eq!(reply.body["created_by"], "auth0|alice");
    })
    .await;
}

#[tokio::test]
async fn a_required_nonce_is_sent_in_dpop_nonce_and_then_accepted() {
    within(async {
        let env = Env::start().await;
        let nonces = Arc::new(
            NonceSource::builder()
                .clock(env.clock.clone())
                .build()
                .unwrap(),
        );
        let api = serve(env.options().dpop_nonces(nonces)).await;
        let key = ProofKey::generate().unwrap();
        let token = env.bound_token(&key);
        let url = api.url_of("/orders");

        let reply = send(
            http()
                .get(&url)
                .header("authorization", format!("DPoP {token}"))
                .header("dpop", proof(&key, "GET", &url, &token)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.error(), "use_dpop_nonce");
        assert!(reply.challenges()[1].starts_with("DPoP error=\"use_dpop_nonce\""));
        let nonce = reply.headers["dpop-nonce"].to_str().unwrap().to_owned();

        let reply = send(
            http()
                .get(&url)
                .header("authorization", format!("DPoP {token}"))
                .header("dpop", proof_with_nonce(&key, "GET", &url, &token, &nonce)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    })
    .await;
}
