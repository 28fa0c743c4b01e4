//! Discovery and JWKS over HTTP.

use dev_issuer::{DEFAULT_CACHE_CONTROL, DevIssuer, SigningKey};
use http::StatusCode;
use jose_core::{Algorithm, KeySet};
use serde_json::{Value, json};

use crate::support::{block_on, get, http, shared};

#[test]
fn discovery_names_the_issuer_and_its_endpoints() {
    let issuer = shared();
    block_on(async {
        let reply = get(issuer.discovery_url()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers["content-type"], "application/json");
        assert_eq!(reply.headers["cache-control"], DEFAULT_CACHE_CONTROL);
        let document = reply.body;

        let port = issuer.local_addr().port();
        assert_eq!(document["issuer"], format!("http://127.0.0.1:{port}/"));
        assert_eq!(document["issuer"], issuer.issuer_url());
        assert_eq!(
            document["jwks_uri"],
            format!("http://127.0.0.1:{port}/.well-known/jwks.json")
        );
        assert_eq!(
            document["token_endpoint"],
            format!("http://127.0.0.1:{port}/oauth/token")
        );
        assert_eq!(
            document["dpop_signing_alg_values_supported"],
            json!(["ES256"])
        );
        assert_eq!(
            document["grant_types_supported"],
            json!([
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:token-exchange",
                "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token",
                "authorization_code",
                "refresh_token"
            ])
        );
        assert_eq!(
            document["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "client_secret_post", "none"])
        );
    });
}

#[test]
fn jwks_publishes_the_current_public_key_only() {
    let issuer = shared();
    block_on(async {
        let reply = get(issuer.jwks_uri()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers["cache-control"], DEFAULT_CACHE_CONTROL);
        let jwks = &reply.body;
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        let key = &keys[0];
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["alg"], "RS256");
        assert_eq!(key["kid"], issuer.current_kid());
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(
                key.get(private).is_none(),
                "{private} must not be published"
            );
        }
        let set = KeySet::from_slice(reply.body.to_string().as_bytes()).unwrap();
        assert!(set.rejected().is_empty());
        let usable = set
            .select(Some(&issuer.current_kid()), Algorithm::Rs256)
            .unwrap();
        assert_eq!(usable.to_jwk().to_value()["n"], key["n"]);
    });
}

#[test]
fn cache_control_and_discovery_members_are_configurable() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .cache_control(Some("public, max-age=5"))
            .discovery_member("issuer", Value::from("https://someone-else.example/"))
            .discovery_member("token_endpoint", Value::Null)
            .discovery_member("end_session_endpoint", Value::from("https://x/logout"))
            .allow_client_secret_post(false)
            .start()
            .await
            .unwrap();
        let reply = get(issuer.discovery_url()).await;
        assert_eq!(reply.headers["cache-control"], "public, max-age=5");
        let document = reply.body;
        assert_eq!(document["issuer"], "https://someone-else.example/");
        assert!(document.get("token_endpoint").is_none());
        assert_eq!(document["end_session_endpoint"], "https://x/logout");
        assert_eq!(
            document["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "none"])
        );
        let jwks = get(issuer.jwks_uri()).await;
        assert_eq!(jwks.headers["cache-control"], "public, max-age=5");

        let silent = DevIssuer::builder()
            .cache_control(None)
            .start()
            .await
            .unwrap();
        let reply = get(silent.jwks_uri()).await;
        assert!(reply.headers.get("cache-control").is_none());
    });
}

#[test]
fn es256_issuers_publish_p256_keys() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .algorithm(Algorithm::Es256)
            .start()
            .await
            .unwrap();
        let jwks = get(issuer.jwks_uri()).await.body;
        let key = &jwks["keys"][0];
        assert_eq!(key["kty"], "EC");
        assert_eq!(key["crv"], "P-256");
        assert_eq!(key["alg"], "ES256");
        assert!(key.get("d").is_none());

        let own = SigningKey::bundled_test_rsa(2).unwrap().with_kid("my-kid");
        let issuer = DevIssuer::builder().signing_key(own).start().await.unwrap();
        assert_eq!(issuer.current_kid(), "my-kid");
        let jwks = get(issuer.jwks_uri()).await.body;
        assert_eq!(jwks["keys"][0]["kid"], "my-kid");
    });
}

#[test]
fn wrong_methods_and_unknown_paths_are_refused() {
    let issuer = shared();
    block_on(async {
        let post = http().post(issuer.discovery_url()).send().await.unwrap();
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        let get_token = http().get(issuer.token_endpoint()).send().await.unwrap();
        assert_eq!(get_token.status(), StatusCode::METHOD_NOT_ALLOWED);
        let missing = get(&format!("{}nope", issuer.issuer_url())).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    });
}
