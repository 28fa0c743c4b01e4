//! What is accepted from a discovery document and a JWKS.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use dev_issuer::{DevIssuer, Endpoint};
use jose_core::{Algorithm, KeyError};
use oidc_discovery::DocumentError;
use serde_json::{Value, json};

use crate::support::{self, Server, block_on, clock, verify};

#[test]
fn the_discovery_document_is_read_from_the_well_known_url() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        assert!(issuer.issuer_url().ends_with('/'), "Auth0-style issuer");
        let discovery = support::discovery(&clock()).build().unwrap();
        let document = discovery.document(issuer.issuer_url()).await.unwrap();
        assert_eq!(document.issuer(), issuer.issuer_url());
        assert_eq!(document.jwks_uri().as_str(), issuer.jwks_uri());
        assert_eq!(
            document.token_endpoint().map(url::Url::as_str),
            Some(issuer.token_endpoint())
        );
        assert_eq!(
            document.get("dpop_signing_alg_values_supported"),
            Some(&json!(["ES256"]))
        );
        assert_eq!(
            oidc_discovery::well_known_url(issuer.issuer_url())
                .unwrap()
                .as_str(),
            issuer.discovery_url()
        );
    });
}

#[test]
fn a_document_for_another_issuer_is_refused() {
    block_on(async {
        let impostor = "https://tenant.auth0.com/";
        let issuer = DevIssuer::builder()
            .discovery_member("issuer", impostor.into())
            .start()
            .await
            .unwrap();
        let discovery = support::discovery(&clock()).build().unwrap();
        let error = discovery.document(issuer.issuer_url()).await.unwrap_err();
        let Some(DocumentError::IssuerMismatch {
            url,
            expected,
            found,
        }) = error.document_error()
        else {
            panic!("expected an issuer mismatch, got {error:?}");
        };
        assert_eq!(url.as_str(), issuer.discovery_url());
        assert_eq!(expected, issuer.issuer_url());
        assert_eq!(found, impostor);
        assert_eq!(
            issuer.request_count(Endpoint::Jwks),
            0,
            "keys never fetched"
        );

        // A token naming the impostor's kid gets no key either.
        let token = issuer.token().sign().unwrap();
        assert!(
            verify(&discovery, issuer.issuer_url(), &token)
                .await
                .is_err()
        );
        assert_eq!(issuer.request_count(Endpoint::Jwks), 0);
    });
}

#[test]
fn a_document_without_jwks_uri_is_refused() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .discovery_member("jwks_uri", Value::Null)
            .start()
            .await
            .unwrap();
        let discovery = support::discovery(&clock()).build().unwrap();
        let error = discovery.document(issuer.issuer_url()).await.unwrap_err();
        assert!(
            matches!(
                error.document_error(),
                Some(DocumentError::MissingMember {
                    member: "jwks_uri",
                    ..
                })
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "the discovery document at {} has no \"jwks_uri\"",
                issuer.discovery_url()
            )
        );
    });
}

#[test]
fn an_unsupported_key_type_beside_a_good_key_leaves_the_good_one_working() {
    block_on(async {
        let issuer_keys = DevIssuer::start().await.unwrap();
        // The issuer's own JWKS with an Ed25519 key (not supported) and a
        // symmetric key (never acceptable) in front of the good one.
        let mut jwks = issuer_keys.jwks();
        let keys = jwks["keys"].as_array_mut().unwrap();
        keys.insert(
            0,
            json!({"kty": "OKP", "crv": "Ed25519", "kid": "okp-1",
                   "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}),
        );
        keys.insert(1, json!({"kty": "oct", "kid": "oct-1", "k": "c2VjcmV0"}));
        let served = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/jwks.json",
            get({
                let served = served.clone();
                move || async move {
                    served.fetch_add(1, Ordering::SeqCst);
                    axum::Json(jwks)
                }
            }),
        );
        let server = Server::start(|_| router).await;
        let issuer = DevIssuer::builder()
            .discovery_member("jwks_uri", server.url_of("/jwks.json").into())
            .start()
            .await
            .unwrap();
        let discovery = support::discovery(&clock()).build().unwrap();

        let keys = discovery
            .key_set(&url::Url::parse(&server.url_of("/jwks.json")).unwrap())
            .await
            .unwrap();
        assert_eq!(keys.keys().len(), 1);
        assert_eq!(keys.rejected().len(), 2);

        // Tokens of the issuer whose keys are served verify.
        let issuer_keys_token = issuer_keys.token().sign().unwrap();
        let jwt = jose_core::Jwt::parse(&issuer_keys_token).unwrap();
        let key = discovery
            .key_for(issuer.issuer_url(), jwt.header().kid(), Algorithm::Rs256)
            .await
            .unwrap();
        jwt.verify(&key, &[Algorithm::Rs256]).unwrap();

        // A token naming the unsupported key gets the real reason, and no
        // refetch: the kid is known, just unusable.
        let error = discovery
            .key_for(issuer.issuer_url(), Some("okp-1"), Algorithm::Rs256)
            .await
            .unwrap_err();
        assert!(
            matches!(error.key_error(), Some(KeyError::UnsupportedKeyType { kty }) if kty == "OKP"),
            "{error:?}"
        );
        let error = discovery
            .key_for(issuer.issuer_url(), Some("oct-1"), Algorithm::Rs256)
            .await
            .unwrap_err();
        assert!(error.key_error().is_some(), "{error:?}");
        assert_eq!(served.load(Ordering::SeqCst), 1);
    });
}
