//! RFC 8414 metadata beside OpenID discovery: one document, both paths.

use dev_issuer::DevIssuer;
use http::StatusCode;
use serde_json::{Value, json};

use crate::support::{block_on, get, shared};

#[test]
fn both_documents_name_the_interactive_endpoints() {
    let issuer = shared();
    block_on(async {
        let reply = get(issuer.authorization_server_metadata_url()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            issuer
                .authorization_server_metadata_url()
                .ends_with("/.well-known/oauth-authorization-server")
        );
        let document = reply.body;
        assert_eq!(document, get(issuer.discovery_url()).await.body);

        let port = issuer.local_addr().port();
        assert_eq!(document["issuer"], issuer.issuer_url());
        assert_eq!(
            document["authorization_endpoint"],
            format!("http://127.0.0.1:{port}/authorize")
        );
        assert_eq!(
            document["authorization_endpoint"],
            issuer.authorization_endpoint()
        );
        assert_eq!(
            document["registration_endpoint"],
            format!("http://127.0.0.1:{port}/oidc/register")
        );
        assert_eq!(
            document["registration_endpoint"],
            issuer.registration_endpoint()
        );
        assert_eq!(document["token_endpoint"], issuer.token_endpoint());
        assert_eq!(document["jwks_uri"], issuer.jwks_uri());
        assert_eq!(document["response_types_supported"], json!(["code"]));
        assert_eq!(document["response_modes_supported"], json!(["query"]));
        assert_eq!(
            document["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert_eq!(
            document["dpop_signing_alg_values_supported"],
            json!(["ES256"])
        );
        assert_eq!(
            document["authorization_response_iss_parameter_supported"],
            true
        );
        let grants = document["grant_types_supported"].as_array().unwrap();
        for grant in ["authorization_code", "refresh_token", "client_credentials"] {
            assert!(grants.contains(&Value::from(grant)), "{grant}");
        }
        assert_eq!(
            document["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "client_secret_post", "none"])
        );
    });
}

#[test]
fn configured_members_change_both_documents() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .discovery_member("scopes_supported", json!(["read:tools", "write:tools"]))
            .discovery_member("response_modes_supported", Value::Null)
            .start()
            .await
            .unwrap();
        for url in [
            issuer.discovery_url(),
            issuer.authorization_server_metadata_url(),
        ] {
            let document = get(url).await.body;
            assert_eq!(
                document["scopes_supported"],
                json!(["read:tools", "write:tools"])
            );
            assert!(document.get("response_modes_supported").is_none());
        }
    });
}
