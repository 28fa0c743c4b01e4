//! DPoP at the token endpoint, and the client helpers checked with the
//! `dpop` crate's verifier.

use std::sync::Arc;

use dev_issuer::dpop::{ProofBuilder, ProofKey};
use dev_issuer::urn::TOKEN_TYPE_ACCESS_TOKEN;
use dev_issuer::{DevIssuer, ExchangeProfile};
use dpop::{InMemoryReplayCache, Request, Verifier};
use http::StatusCode;
use serde_json::json;

use crate::support::{
    NOW, TokenRequest, block_on, client_credentials, exchange, recorded_with, shared, verify,
};

#[test]
fn a_proof_on_the_token_request_binds_the_token_to_its_key() {
    let issuer = shared();
    block_on(async {
        let key = ProofKey::generate().unwrap();
        let proof = issuer.token_request_proof(&key).unwrap();
        let marker = "https://dpop-bound.example";
        let reply = client_credentials()
            .field("audience", marker)
            .header("dpop", proof)
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        let body = reply.body;
        assert_eq!(body["token_type"], "DPoP");
        let token = body["access_token"].as_str().unwrap().to_owned();
        let claims = crate::support::verify_for(issuer, &token, marker)
            .await
            .unwrap();
        assert_eq!(claims["cnf"], json!({ "jkt": key.thumbprint() }));
        assert!(recorded_with(issuer, "audience", marker)[0].has_dpop_proof());

        // The client then presents token and a fresh proof to an API, which
        // checks them with the dpop crate.
        let api_url = "https://api.example.com/messages";
        let api_proof = ProofBuilder::new(&key)
            .htm("GET")
            .htu(api_url)
            .access_token(&token)
            .iat(issuer.now())
            .sign()
            .unwrap();
        let verifier = Verifier::builder().clock(issuer.clock()).build();
        let headers = [api_proof.as_str()];
        let jkt = claims["cnf"]["jkt"].as_str().unwrap();
        let request = Request::new(&headers, "GET", api_url)
            .access_token(&token)
            .expected_jkt(jkt);
        let verified = verifier.verify(&request).await.unwrap();
        assert_eq!(verified.jkt(), key.thumbprint());
        assert_eq!(verified.iat(), NOW as i64);
    });
}

#[test]
fn token_exchanges_are_bound_too_but_upstream_tokens_are_not() {
    let issuer = shared();
    block_on(async {
        let key = ProofKey::generate().unwrap();
        let subject = issuer.token().sub("auth0|user-1").sign().unwrap();
        let reply = exchange(&subject, TOKEN_TYPE_ACCESS_TOKEN)
            .header("dpop", issuer.token_request_proof(&key).unwrap())
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["token_type"], "DPoP");
        let claims = verify(issuer, reply.body["access_token"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(claims["cnf"]["jkt"], key.thumbprint());

        let reply = TokenRequest::basic(crate::support::API_CLIENT)
            .field("grant_type", dev_issuer::urn::GRANT_FEDERATED_CONNECTION)
            .field("subject_token", &subject)
            .field("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN)
            .field(
                "requested_token_type",
                dev_issuer::urn::TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN,
            )
            .field("connection", "github")
            .header("dpop", issuer.token_request_proof(&key).unwrap())
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["token_type"], "Bearer");
    });
}

#[test]
fn bad_proofs_are_invalid_dpop_proof() {
    let issuer = shared();
    block_on(async {
        let key = ProofKey::generate().unwrap();
        let endpoint = issuer.token_endpoint();
        let now = issuer.now();
        let sign = |htm: &str, htu: &str, iat: i64| {
            ProofBuilder::new(&key)
                .htm(htm)
                .htu(htu)
                .iat(iat)
                .sign()
                .unwrap()
        };
        let localhost = endpoint.replace("127.0.0.1", "localhost");
        let mut header = key.dangerous().standard_header();
        header.insert("typ".into(), "jwt".into());
        let wrong_typ = key
            .dangerous()
            .sign_json(
                &serde_json::Value::Object(header),
                &json!({ "jti": "j-typ", "htm": "POST", "htu": endpoint, "iat": now }),
            )
            .unwrap();
        let replayed = sign("POST", endpoint, now);
        let first = client_credentials()
            .header("dpop", replayed.clone())
            .send(issuer)
            .await;
        assert_eq!(first.status, StatusCode::OK);

        let cases = [
            (vec![sign("GET", endpoint, now)], "the wrong method"),
            (vec![sign("POST", &localhost, now)], "the wrong URL"),
            (vec![sign("POST", endpoint, now - 1_000)], "an old iat"),
            (vec![sign("POST", endpoint, now + 1_000)], "a future iat"),
            (vec![wrong_typ], "typ jwt"),
            (vec![replayed], "a replayed proof"),
            (
                vec![sign("POST", endpoint, now), sign("POST", endpoint, now)],
                "two DPoP headers",
            ),
            (vec!["not.a.proof".to_owned()], "garbage"),
        ];
        for (proofs, why) in cases {
            let mut request = client_credentials();
            for proof in proofs {
                request = request.header("dpop", proof);
            }
            let reply = request.send(issuer).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
            assert_eq!(reply.error(), "invalid_dpop_proof", "{why}");
        }
    });
}

#[test]
fn a_nonce_issuer_asks_for_its_nonce_then_accepts_it() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .require_dpop_nonce(true)
            .exchange_profile(ExchangeProfile::on_behalf_of())
            .start()
            .await
            .unwrap();
        let key = ProofKey::generate().unwrap();
        let first = client_credentials()
            .header("dpop", issuer.token_request_proof(&key).unwrap())
            .send(&issuer)
            .await;
        assert_eq!(first.status, StatusCode::BAD_REQUEST);
        assert_eq!(first.error(), "use_dpop_nonce");
        let nonce = first.headers["dpop-nonce"].to_str().unwrap().to_owned();

        let proof = ProofBuilder::new(&key)
            .htm("POST")
            .htu(issuer.token_endpoint())
            .nonce(&nonce)
            .sign()
            .unwrap();
        let second = client_credentials()
            .header("dpop", proof)
            .send(&issuer)
            .await;
        assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
        assert_eq!(second.body["token_type"], "DPoP");
        assert!(second.headers.contains_key("dpop-nonce"));

        // Without a proof there is nothing to bind, and no nonce to ask for.
        let bearer = client_credentials().send(&issuer).await;
        assert_eq!(bearer.status, StatusCode::OK);
        assert_eq!(bearer.body["token_type"], "Bearer");
    });
}

#[test]
fn minted_bound_tokens_and_helper_proofs_pass_the_dpop_verifier() {
    let issuer = shared();
    block_on(async {
        let key = ProofKey::generate().unwrap();
        let token = issuer.token().cnf_jkt(key.thumbprint()).sign().unwrap();
        let claims = verify(issuer, &token).await.unwrap();
        let url = "http://localhost:3000/api/private";
        let cache = InMemoryReplayCache::builder().clock(issuer.clock()).build();
        let verifier = Verifier::builder()
            .clock(issuer.clock())
            .replay_cache(Arc::new(cache))
            .build();
        let proof = ProofBuilder::new(&key)
            .htm("GET")
            .htu(url)
            .access_token(&token)
            .iat(issuer.now())
            .sign()
            .unwrap();
        let headers = [proof.as_str()];
        let request = Request::new(&headers, "GET", url)
            .access_token(&token)
            .expected_jkt(claims["cnf"]["jkt"].as_str().unwrap());
        verifier.verify(&request).await.unwrap();
        assert!(verifier.verify(&request).await.is_err(), "replay refused");

        // A proof by another key does not match the token's cnf.jkt.
        let other = ProofKey::generate().unwrap();
        let proof = ProofBuilder::new(&other)
            .htm("GET")
            .htu(url)
            .access_token(&token)
            .iat(issuer.now())
            .sign()
            .unwrap();
        let headers = [proof.as_str()];
        let request = Request::new(&headers, "GET", url)
            .access_token(&token)
            .expected_jkt(claims["cnf"]["jkt"].as_str().unwrap());
        assert!(matches!(
            verifier.verify(&request).await,
            Err(dpop::Error::ThumbprintMismatch { .. })
        ));
    });
}
