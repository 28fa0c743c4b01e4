//! The application's own mistakes: 500 `server_error`, no challenge.

use auth0_api::AuthErrorKind;
use dev_issuer::dpop::ProofKey;

use crate::support::{Env, Headers, URL, proof};

#[tokio::test]
async fn a_relative_request_url_is_the_callers_mistake() {
    let env = Env::start().await;
    let client = env.client();
    let key = ProofKey::generate().unwrap();
    let bound = env.bound_token(&key);
    let headers = Headers::default()
        .authorization(&format!("DPoP {bound}"))
        .dpop(&proof(&key, "GET", URL, &bound));
    let error = client
        .verify_request(&headers.0, "GET", "/orders")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), AuthErrorKind::Misuse, "{error:?}");
    assert_eq!(
        (error.status_code(), error.error_code()),
        (500, "server_error")
    );
    assert!(error.www_authenticate().is_empty(), "{error:?}");
    assert!(error.www_authenticate_header().is_none());
    assert!(
        !error.response_headers().contains_key("www-authenticate"),
        "{error:?}"
    );
    // The same request with the URL the client called passes.
    client.verify_request(&headers.0, "GET", URL).await.unwrap();
}
