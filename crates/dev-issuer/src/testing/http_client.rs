//! The HTTP client of every test, and a whole-response read.

use std::sync::Arc;

use super::{Reply, TEST_TIMEOUT, within};

/// A client for loopback tests: no proxy from the environment, every
/// request bounded by [`TEST_TIMEOUT`], and redirects returned rather than
/// followed (a redirect is an answer a test asserts on).
///
/// Its TLS configuration is built on ring without installing a
/// process-wide provider, so a test binary need not pick one; it trusts no
/// certificate, since tests speak plain HTTP on 127.0.0.1.
///
/// # Panics
///
/// When the client cannot be built.
#[expect(clippy::expect_used, reason = "without a client no HTTP test can run")]
pub fn http() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
        .timeout(TEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client for the tests")
}

/// Sends `request` and reads the whole reply, both bounded by
/// [`TEST_TIMEOUT`].
///
/// # Panics
///
/// When the request cannot be sent or its body read.
#[expect(
    clippy::expect_used,
    reason = "a request a test cannot complete fails the test"
)]
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = within(request.send()).await.expect("a response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = within(response.bytes()).await.expect("a response body");
    Reply::new(status, headers, &body)
}

/// `GET url` with [`http()`], read whole.
///
/// # Panics
///
/// As [`send`].
pub async fn get(url: &str) -> Reply {
    send(http().get(url)).await
}
