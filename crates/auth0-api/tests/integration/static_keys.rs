//! Issue 17: static keys (a JWKS or PEM keys plus the issuer), with no
//! discovery and no network, over real HTTP against dev-issuer (whose
//! request counters prove nothing was fetched).

use std::sync::Arc;

use auth0_api::{
    ApiClient, ApiClientOptions, AuthErrorKind, ConfigurationError, DomainsResolver, KeySet,
    ResolverContext,
};
use dev_issuer::{Endpoint, SigningKey};

use crate::signing_algorithms::rsa_public_pem;
use crate::support::Env;

fn assert_nothing_fetched(env: &Env) {
    assert_eq!(env.issuer.request_count(Endpoint::Discovery), 0);
    assert_eq!(env.issuer.request_count(Endpoint::Jwks), 0);
}

#[tokio::test]
async fn a_static_jwks_verifies_with_zero_fetches() {
    let env = Env::start().await;
    let api = ApiClient::new(env.options().jwks_json(env.issuer.jwks().to_string())).unwrap();
    let claims = api.verify_access_token(&env.token()).await.unwrap();
    assert_eq!(claims.sub(), Some("auth0|user"));
    // A forged signature is still refused, and still nothing is fetched.
    let forged = env.issuer.token().signed_with_wrong_key().sign().unwrap();
    let err = api.verify_access_token(&forged).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidToken);
    // Warm-up has nothing to load.
    api.warm_up().await.unwrap();
    assert_nothing_fetched(&env);
}

#[tokio::test]
async fn a_static_pem_key_verifies_with_zero_fetches() {
    let env = Env::start().await;
    let key = SigningKey::bundled_test_rsa(0).unwrap();
    let api = ApiClient::new(
        env.options()
            .pem_public_key(env.issuer.current_kid(), rsa_public_pem(&key)),
    )
    .unwrap();
    api.verify_access_token(&env.token()).await.unwrap();
    // A token naming another kid finds no key (and fetches none).
    let other = env.issuer.token().kid("another-kid").sign().unwrap();
    let err = api.verify_access_token(&other).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidToken);
    assert_nothing_fetched(&env);
}

#[tokio::test]
async fn a_static_key_set_verifies_with_zero_fetches() {
    let env = Env::start().await;
    let api = ApiClient::new(env.options().static_keys(env.issuer.key_set())).unwrap();
    api.verify_access_token(&env.token()).await.unwrap();
    assert_nothing_fetched(&env);
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let env = Env::start().await;
    let other = Env::start().await;
    let api = ApiClient::new(env.options().jwks_json(env.issuer.jwks().to_string())).unwrap();
    // Same bundled key 0 signs both issuers' tokens: only `iss` differs.
    let token = other
        .issuer
        .token()
        .kid(env.issuer.current_kid())
        .sign()
        .unwrap();
    let err = api.verify_access_token(&token).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidToken);
    assert!(
        err.description().contains("not an accepted domain"),
        "{err:?}"
    );
    assert_nothing_fetched(&env);
    assert_nothing_fetched(&other);
}

#[derive(Debug)]
struct Tenant;

#[async_trait::async_trait]
impl DomainsResolver for Tenant {
    async fn allowed_domains(
        &self,
        _: &ResolverContext<'_>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(vec!["tenant.auth0.com".to_owned()])
    }
}

#[test]
fn unusable_static_keys_are_named_at_construction() {
    let options = || ApiClientOptions::new("tenant.auth0.com", "https://api.example.com");
    for options in [
        options().jwks_json("not json"),
        options().jwks_json(r#"{"keys":[]}"#),
        options().jwks_json(r#"{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}"#),
        options().pem_public_key(
            "k",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        ),
        options().pem_public_key(
            "k",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        ),
        options().static_keys(KeySet::default()),
    ] {
        assert!(
            matches!(
                ApiClient::new(options),
                Err(ConfigurationError::InvalidStaticKeys { .. })
            ),
            "static keys accepted"
        );
    }
    let key = SigningKey::bundled_test_rsa(0).unwrap();
    let twice = options()
        .pem_public_key("k", rsa_public_pem(&key))
        .pem_public_key("k", rsa_public_pem(&key));
    assert!(matches!(
        ApiClient::new(twice),
        Err(ConfigurationError::InvalidStaticKeys { .. })
    ));
    let resolver = ApiClientOptions::for_audience("https://api.example.com")
        .domains_resolver(Arc::new(Tenant))
        .pem_public_key("k", rsa_public_pem(&key));
    assert!(matches!(
        ApiClient::new(resolver),
        Err(ConfigurationError::StaticKeysWithResolver)
    ));
}

/// The SubjectPublicKeyInfo `PUBLIC KEY` PEM (what `openssl rsa -pubout`
/// writes) of an RSA key, built from its PKCS#1 DER.
fn spki_pem(key: &SigningKey) -> String {
    fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = contents.len();
        match len {
            0..=0x7f => out.push(len as u8),
            0x80..=0xff => out.extend([0x81, len as u8]),
            _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
        out.extend_from_slice(contents);
        out
    }
    let rsa_encryption = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bits = vec![0];
    bits.extend(key.public_key_bytes());
    let mut spki = tlv(0x30, &rsa_encryption);
    spki.extend(tlv(0x03, &bits));
    let der = tlv(0x30, &spki);
    format!(
        "-----BEGIN PUBLIC KEY-----\r\n{}\r\n-----END PUBLIC KEY-----\r\n",
        crate::signing_algorithms::base64(&der)
    )
}

#[tokio::test]
async fn a_static_spki_pem_key_verifies_with_zero_fetches() {
    let env = Env::start().await;
    let key = SigningKey::bundled_test_rsa(0).unwrap();
    let api = ApiClient::new(
        env.options()
            .pem_public_key(env.issuer.current_kid(), spki_pem(&key)),
    )
    .unwrap();
    api.verify_access_token(&env.token()).await.unwrap();
    assert_nothing_fetched(&env);
}
