//! Certificate-bound tokens (RFC 8705): `cnf.x5t#S256` is checked against
//! the client certificate passed in, or, with a trusted proxy, the RFC 9440
//! `Client-Cert` header. Over real TLS: auth0-api-axum's tests.

use auth0_api::{ApiClient, AuthError, Claims, ClientCertificate};
use base64ct::{Base64, Encoding};
use dev_issuer::dpop::ProofKey;
use http::HeaderMap;

use crate::support::{Env, Headers, URL, assert_refused, proof};

/// Two certificates' DER stand-ins: only their bytes' hash matters here.
const RIGHT_DER: &[u8] = b"\x30\x03\x02\x01\x01";
const WRONG_DER: &[u8] = b"\x30\x03\x02\x01\x02";

fn right() -> ClientCertificate {
    ClientCertificate::from_der(RIGHT_DER)
}

fn wrong() -> ClientCertificate {
    ClientCertificate::from_der(WRONG_DER)
}

fn bound_to(env: &Env, thumbprint: &str) -> String {
    env.issuer
        .token()
        .sub("auth0|user")
        .cnf_x5t_s256(thumbprint)
        .sign()
        .unwrap()
}

fn bearer_headers(token: &str) -> HeaderMap {
    Headers::default()
        .authorization(&format!("Bearer {token}"))
        .0
}

fn with_client_cert(mut headers: HeaderMap, value: &str) -> HeaderMap {
    headers.append("client-cert", value.parse().unwrap());
    headers
}

fn client_cert_value(der: &[u8]) -> String {
    format!(":{}:", Base64::encode_string(der))
}

async fn verify(
    client: &ApiClient,
    headers: &HeaderMap,
    certificate: Option<&ClientCertificate>,
) -> Result<Claims, AuthError> {
    client
        .verify_request_with_certificate(headers, "GET", URL, certificate)
        .await
}

fn assert_certificate_refused(result: Result<Claims, AuthError>, description: &str) {
    let error = result.unwrap_err();
    assert_eq!(
        (error.status_code(), error.error_code()),
        (401, "invalid_token"),
        "{error:?}"
    );
    let challenge = error.www_authenticate_header().unwrap();
    assert!(challenge.contains(description), "{challenge}");
}

const NONE: &str = "certificate-bound token: no client certificate was presented";
const OTHER: &str =
    "certificate-bound token: the client certificate is not the one in cnf.x5t#S256";

#[tokio::test]
async fn a_certificate_bound_token_is_accepted_with_its_certificate_only() {
    let env = Env::start().await;
    let client = env.client();
    let token = bound_to(&env, &right().thumbprint());
    let headers = bearer_headers(&token);
    let claims = verify(&client, &headers, Some(&right())).await.unwrap();
    assert_eq!(claims.sub(), Some("auth0|user"));
    // The same token, now remembered by the token cache, with another
    // certificate and with none: the binding is checked on every request.
    assert_certificate_refused(verify(&client, &headers, Some(&wrong())).await, OTHER);
    assert_certificate_refused(verify(&client, &headers, None).await, NONE);
    let error = client
        .verify_request(&headers, "GET", URL)
        .await
        .unwrap_err();
    assert_refused(
        &error,
        401,
        "invalid_token",
        &format!(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{NONE}\", \
             DPoP algs=\"ES256\""
        ),
    );
}

#[tokio::test]
async fn a_certificate_bound_token_is_checked_with_dpop_disabled() {
    let env = Env::start().await;
    let client = ApiClient::new(env.options().dpop_enabled(false)).unwrap();
    let token = bound_to(&env, &right().thumbprint());
    let headers = bearer_headers(&token);
    verify(&client, &headers, Some(&right())).await.unwrap();
    assert_certificate_refused(verify(&client, &headers, Some(&wrong())).await, OTHER);
    assert_certificate_refused(verify(&client, &headers, None).await, NONE);
}

#[tokio::test]
async fn a_dpop_and_certificate_bound_token_needs_both_with_dpop_required() {
    let env = Env::start().await;
    let client = ApiClient::new(env.options().dpop_required(true)).unwrap();
    let key = ProofKey::generate().unwrap();
    let token = env
        .issuer
        .token()
        .sub("auth0|user")
        .cnf_jkt(key.thumbprint())
        .cnf_x5t_s256(right().thumbprint())
        .sign()
        .unwrap();
    let headers = || {
        Headers::default()
            .authorization(&format!("DPoP {token}"))
            .dpop(&proof(&key, "GET", URL, &token))
            .0
    };
    verify(&client, &headers(), Some(&right())).await.unwrap();
    assert_certificate_refused(verify(&client, &headers(), Some(&wrong())).await, OTHER);
    assert_certificate_refused(verify(&client, &headers(), None).await, NONE);
}

#[tokio::test]
async fn a_token_without_cnf_is_unaffected_by_a_certificate() {
    let env = Env::start().await;
    let client = env.client();
    let headers = bearer_headers(&env.token());
    verify(&client, &headers, Some(&wrong())).await.unwrap();
    verify(&client, &headers, None).await.unwrap();
}

#[tokio::test]
async fn a_thumbprint_other_than_unpadded_base64url_of_32_bytes_never_matches() {
    let env = Env::start().await;
    let client = env.client();
    let good = right().thumbprint();
    for thumbprint in [
        format!("{good}="),
        good[..42].to_owned(),
        format!("{good}AA"),
        good.replace('-', "+").replace('_', "/"),
        String::new(),
    ] {
        if thumbprint == good {
            continue;
        }
        let headers = bearer_headers(&bound_to(&env, &thumbprint));
        assert_certificate_refused(verify(&client, &headers, Some(&right())).await, OTHER);
    }
}

#[tokio::test]
async fn a_trusted_client_cert_header_is_the_certificate() {
    let env = Env::start().await;
    let client = ApiClient::new(env.options().trust_client_cert_header(true)).unwrap();
    let token = bound_to(&env, &right().thumbprint());
    let headers = bearer_headers(&token);
    let right_header = with_client_cert(headers.clone(), &client_cert_value(RIGHT_DER));
    client
        .verify_request(&right_header, "GET", URL)
        .await
        .unwrap();
    let wrong_header = with_client_cert(headers.clone(), &client_cert_value(WRONG_DER));
    assert_certificate_refused(
        client.verify_request(&wrong_header, "GET", URL).await,
        OTHER,
    );
    // The TLS peer is the proxy: a certificate passed in is not used.
    assert_certificate_refused(verify(&client, &headers, Some(&right())).await, NONE);
    assert_certificate_refused(verify(&client, &wrong_header, Some(&right())).await, OTHER);
}

#[tokio::test]
async fn an_untrusted_client_cert_header_is_ignored() {
    let env = Env::start().await;
    let client = env.client();
    let token = bound_to(&env, &right().thumbprint());
    let headers = with_client_cert(bearer_headers(&token), &client_cert_value(RIGHT_DER));
    assert_certificate_refused(client.verify_request(&headers, "GET", URL).await, NONE);
    // Malformed, it is not even read.
    let headers = with_client_cert(bearer_headers(&env.token()), "garbage");
    client.verify_request(&headers, "GET", URL).await.unwrap();
}

#[tokio::test]
async fn a_malformed_trusted_client_cert_header_is_invalid_request() {
    let env = Env::start().await;
    let client = ApiClient::new(env.options().trust_client_cert_header(true)).unwrap();
    // A token without `cnf`: the header is refused for itself.
    let token = env.token();
    let encoded = Base64::encode_string(RIGHT_DER);
    let too_long = format!(":{}:", "A".repeat(16 * 1024));
    for value in [
        encoded.clone(),
        format!(":{}:", encoded.trim_end_matches('=')),
        ":MAMCAQ-_:".to_owned(),
        "::".to_owned(),
        too_long,
    ] {
        let headers = with_client_cert(bearer_headers(&token), &value);
        let error = client
            .verify_request(&headers, "GET", URL)
            .await
            .unwrap_err();
        assert_eq!(
            (error.status_code(), error.error_code()),
            (400, "invalid_request"),
            "{value:.40}: {error:?}"
        );
    }
    let value = client_cert_value(RIGHT_DER);
    let twice = with_client_cert(with_client_cert(bearer_headers(&token), &value), &value);
    let error = client.verify_request(&twice, "GET", URL).await.unwrap_err();
    assert_eq!(
        (error.status_code(), error.error_code()),
        (400, "invalid_request")
    );
}
