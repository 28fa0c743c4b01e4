//! Issue 17: the algorithm allowlist (PS256) and HS256 with an explicit
//! secret, over real HTTP against dev-issuer. Each test breaks one rule.

use auth0_api::{Algorithm, ApiClient, ApiClientOptions, AuthErrorKind, ConfigurationError};
use dev_issuer::testing::ClockedIssuer;
use dev_issuer::{DevIssuer, Endpoint, SigningKey};

use crate::support::Env;

/// A secret of the 32 bytes HS256 needs.
const SECRET: &str = "an-api-signing-secret-of-32-bytes+";

async fn ps256_env() -> Env {
    let (issuer, clock) =
        ClockedIssuer::start_with(DevIssuer::builder().algorithm(Algorithm::Ps256))
            .await
            .unwrap()
            .into_parts();
    Env { issuer, clock }
}

fn client(options: ApiClientOptions) -> ApiClient {
    ApiClient::new(options).unwrap()
}

async fn refused(client: &ApiClient, token: &str) -> String {
    let err = client.verify_access_token(token).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidToken, "{err:?}");
    assert_eq!(err.status_code(), 401);
    err.description().to_owned()
}

fn fetches(env: &Env) -> (usize, usize) {
    (
        env.issuer.request_count(Endpoint::Discovery),
        env.issuer.request_count(Endpoint::Jwks),
    )
}

/// Standard base64 with padding, for PEM text in tests.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The PKCS#1 `RSA PUBLIC KEY` PEM text of an issuer key.
pub(crate) fn rsa_public_pem(key: &SigningKey) -> String {
    let body = base64(&key.public_key_bytes());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

fn current_key(env: &Env) -> SigningKey {
    // Both issuers' first key is bundled test key 0.
    SigningKey::bundled_test_rsa(0)
        .unwrap()
        .with_kid(env.issuer.current_kid())
}

// ===== PS256 =====

#[tokio::test]
async fn ps256_is_refused_by_default_before_any_fetch() {
    let env = ps256_env().await;
    let token = env.token();
    let description = refused(&env.client(), &token).await;
    assert!(
        description.contains("PS256") && description.contains("not allowed"),
        "{description}"
    );
    assert_eq!(fetches(&env), (0, 0));
}

#[tokio::test]
async fn ps256_is_accepted_when_allowed() {
    let env = ps256_env().await;
    let api = client(
        env.options()
            .algorithms([Algorithm::Rs256, Algorithm::Ps256]),
    );
    let token = env.token();
    let claims = api.verify_access_token(&token).await.unwrap();
    assert_eq!(claims.sub(), Some("auth0|user"));
    // Remembered: the second time is a cache hit, still accepted.
    api.verify_access_token(&token).await.unwrap();
    assert_eq!(api.token_cache_stats().hits, 1);
}

#[tokio::test]
async fn a_ps256_only_allowlist_refuses_rs256() {
    let env = Env::start().await;
    let api = client(env.options().algorithms([Algorithm::Ps256]));
    let description = refused(&api, &env.token()).await;
    assert!(description.contains("RS256"), "{description}");
    assert_eq!(fetches(&env), (0, 0));
}

#[tokio::test]
async fn a_key_published_for_rs256_never_verifies_ps256() {
    // Signed PS256 with the key the JWKS publishes as "alg": "RS256".
    let env = Env::start().await;
    let api = client(
        env.options()
            .algorithms([Algorithm::Rs256, Algorithm::Ps256]),
    );
    let token = env.issuer.token().sub("auth0|user").ps256().sign().unwrap();
    let description = refused(&api, &token).await;
    assert!(description.contains("RS256"), "{description}");
}

#[tokio::test]
async fn a_key_published_for_ps256_never_verifies_rs256() {
    // The PS256 issuer's JWKS (the key with "alg": "PS256") as static
    // keys; an RS256 token, validly signed by that very RSA key.
    let ps256 = ps256_env().await;
    let env = Env::start().await;
    let jwks = ps256.issuer.jwks();
    assert_eq!(jwks["keys"][0]["alg"], "PS256");
    let token = env
        .issuer
        .token()
        .sub("auth0|user")
        .kid(ps256.issuer.current_kid())
        .sign()
        .unwrap();
    let allowed = [Algorithm::Rs256, Algorithm::Ps256];
    let api = client(
        env.options()
            .algorithms(allowed)
            .jwks_json(jwks.to_string()),
    );
    let description = refused(&api, &token).await;
    assert!(description.contains("PS256"), "{description}");
    // Control: the same key without its "alg" verifies the token.
    let mut unrestricted = jwks.clone();
    unrestricted["keys"][0]
        .as_object_mut()
        .unwrap()
        .remove("alg");
    let api = client(
        env.options()
            .algorithms(allowed)
            .jwks_json(unrestricted.to_string()),
    );
    api.verify_access_token(&token).await.unwrap();
}

// ===== HS256 =====

#[tokio::test]
async fn hs256_with_the_configured_secret_is_accepted() {
    let env = Env::start().await;
    let api = client(env.options().hs256_secret(SECRET));
    let token = env
        .issuer
        .token()
        .sub("auth0|user")
        .hs256_with_secret(SECRET)
        .sign()
        .unwrap();
    api.verify_access_token(&token).await.unwrap();
    api.verify_access_token(&token).await.unwrap();
    assert_eq!(api.token_cache_stats().hits, 1);
    // Verified with the secret: nothing was fetched.
    assert_eq!(fetches(&env), (0, 0));
}

#[tokio::test]
async fn hs256_is_refused_without_a_secret() {
    let env = Env::start().await;
    let token = env.issuer.token().hs256_with_secret(SECRET).sign().unwrap();
    let description = refused(&env.client(), &token).await;
    assert!(description.contains("HS256"), "{description}");
    assert_eq!(fetches(&env), (0, 0));
}

#[tokio::test]
async fn hs256_with_another_secret_is_refused() {
    let env = Env::start().await;
    let api = client(env.options().hs256_secret(SECRET));
    let token = env
        .issuer
        .token()
        .hs256_with_secret("another-secret-of-at-least-32-bytes")
        .sign()
        .unwrap();
    let description = refused(&api, &token).await;
    assert!(description.contains("signature"), "{description}");
}

#[tokio::test]
async fn the_secret_makes_hs256_the_apis_algorithm() {
    // With a secret and the default allowlist, RS256 is no longer accepted.
    let env = Env::start().await;
    let api = client(env.options().hs256_secret(SECRET));
    let description = refused(&api, &env.token()).await;
    assert!(description.contains("RS256"), "{description}");
    // Listing both keeps RS256, verified with the published key.
    let api = client(
        env.options()
            .hs256_secret(SECRET)
            .algorithms([Algorithm::Rs256, Algorithm::Hs256]),
    );
    api.verify_access_token(&env.token()).await.unwrap();
}

#[tokio::test]
async fn an_rs256_header_is_never_verified_with_the_secret() {
    // alg RS256, the current kid, and an HMAC of the configured secret.
    let env = Env::start().await;
    let api = client(
        env.options()
            .hs256_secret(SECRET)
            .algorithms([Algorithm::Rs256, Algorithm::Hs256]),
    );
    let token = env
        .issuer
        .token()
        .kid(env.issuer.current_kid())
        .hs256_with_secret(SECRET)
        .header("alg", "RS256")
        .sign()
        .unwrap();
    refused(&api, &token).await;
}

/// The key-confusion attack: HS256 "signed" with the issuer's RSA public
/// key (its modulus bytes, its PKCS#1 DER, its PEM text) is refused with no
/// secret, with another secret, and with HS256 allowed.
#[tokio::test]
async fn a_public_key_as_hmac_secret_is_refused_in_every_mode() {
    let env = Env::start().await;
    let key = current_key(&env);
    let jwk = key.public_jwk().to_value();
    let modulus = jose_core::base64url::decode(jwk["n"].as_str().unwrap()).unwrap();
    let pem = rsa_public_pem(&key);
    let attacks = [
        env.issuer.token().hs256_with_public_key().sign().unwrap(),
        env.issuer
            .token()
            .hs256_with_secret(&modulus)
            .sign()
            .unwrap(),
        env.issuer
            .token()
            .hs256_with_secret(pem.as_bytes())
            .sign()
            .unwrap(),
        env.issuer
            .token()
            .kid(env.issuer.current_kid())
            .hs256_with_secret(&modulus)
            .sign()
            .unwrap(),
    ];
    let modes = [
        ("no secret", env.options()),
        ("another secret", env.options().hs256_secret(SECRET)),
        (
            "HS256 and RS256 allowed",
            env.options()
                .hs256_secret(SECRET)
                .algorithms([Algorithm::Rs256, Algorithm::Hs256]),
        ),
    ];
    for (mode, options) in modes {
        let api = client(options);
        for token in &attacks {
            let err = api.verify_access_token(token).await.unwrap_err();
            assert_eq!(err.kind(), AuthErrorKind::InvalidToken, "{mode}: {err:?}");
        }
    }
    // The attack never made us fetch a key to use as a secret.
    assert_eq!(fetches(&env), (0, 0));
}

#[test]
fn hs256_misconfigurations_are_named() {
    let options = || ApiClientOptions::new("tenant.auth0.com", "https://api.example.com");
    assert!(matches!(
        ApiClient::new(options().hs256_secret("31-bytes-is-one-byte-too-short!")),
        Err(ConfigurationError::Hs256SecretTooShort { len: 31 })
    ));
    assert!(matches!(
        ApiClient::new(options().algorithms([Algorithm::Hs256])),
        Err(ConfigurationError::Hs256WithoutSecret)
    ));
    assert!(matches!(
        ApiClient::new(
            options()
                .hs256_secret(SECRET)
                .algorithms([Algorithm::Rs256])
        ),
        Err(ConfigurationError::Hs256SecretUnused)
    ));
    assert!(matches!(
        ApiClient::new(options().algorithms([])),
        Err(ConfigurationError::NoAlgorithms)
    ));
    // The secret is in no Debug output and no error.
    let debug = format!("{:?}", options().hs256_secret(SECRET));
    assert!(!debug.contains(SECRET), "{debug}");
    let short = "s".repeat(20);
    let err = ApiClient::new(options().hs256_secret(short.as_str())).unwrap_err();
    assert!(!err.to_string().contains(&short), "{err}");
}
