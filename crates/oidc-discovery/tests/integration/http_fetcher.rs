//! The default fetcher against misbehaving servers: hangs, huge and broken
//! bodies, dropped connections, redirects, and URLs it must not fetch.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use dev_issuer::{DevIssuer, Endpoint, Fault};
use http::{HeaderMap, StatusCode};
use oidc_discovery::{DocumentError, Error, FetchError, Fetcher};
use url::Url;

use crate::support::{self, Server, block_on, clock, fetcher};

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// Runs `document()` for `issuer` and returns the error with how long it
/// took.
async fn document_error(timeout: Duration, issuer: &DevIssuer) -> (Error, Duration) {
    let discovery = support::discovery(&clock())
        .fetcher(fetcher(timeout))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = discovery.document(issuer.issuer_url()).await.unwrap_err();
    (error, started.elapsed())
}

#[test]
fn a_server_that_never_answers_times_out_within_the_configured_timeout() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(Endpoint::Discovery, Fault::hang());
        let timeout = Duration::from_millis(300);
        let (error, elapsed) = document_error(timeout, &issuer).await;
        let Some(FetchError::Timeout { url, after }) = error.fetch_error() else {
            panic!("expected a timeout, got {error:?}");
        };
        assert_eq!(url.as_str(), issuer.discovery_url());
        assert_eq!(*after, timeout);
        assert!(error.is_retryable());
        assert!(elapsed >= timeout, "{elapsed:?}");
        assert!(elapsed < timeout + Duration::from_secs(1), "{elapsed:?}");
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
    });
}

#[test]
fn a_50_mb_body_is_refused_without_being_read() {
    block_on(async {
        const FIFTY_MB: u64 = 50_000_000;
        let issuer = DevIssuer::start().await.unwrap();

        // Declared: refused from Content-Length, before the body is read.
        issuer.set_fault(Endpoint::Discovery, Fault::oversized_body(FIFTY_MB));
        let (error, elapsed) = document_error(Duration::from_secs(5), &issuer).await;
        let Some(FetchError::TooLarge {
            limit, declared, ..
        }) = error.fetch_error()
        else {
            panic!("expected too large, got {error:?}");
        };
        assert_eq!((*limit, *declared), (1_048_576, Some(FIFTY_MB)));
        assert!(!error.is_retryable());
        assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");

        // Chunked, no length: refused once the bytes read pass the cap.
        issuer.set_fault(Endpoint::Discovery, Fault::oversized_chunked_body(FIFTY_MB));
        let (error, elapsed) = document_error(Duration::from_secs(5), &issuer).await;
        assert!(
            matches!(
                error.fetch_error(),
                Some(FetchError::TooLarge {
                    declared: None,
                    limit: 1_048_576,
                    ..
                })
            ),
            "{error:?}"
        );
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    });
}

#[test]
fn a_smaller_cap_is_enforced_on_real_documents() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let tiny = oidc_discovery::HttpFetcher::builder()
            .max_body_size(64)
            .proxy_from_env(false)
            .build()
            .unwrap();
        let error = tiny.fetch(&url(issuer.jwks_uri())).await.unwrap_err();
        assert!(
            matches!(error, FetchError::TooLarge { limit: 64, .. }),
            "{error:?}"
        );
    });
}

#[test]
fn garbage_instead_of_json_is_a_document_error() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let clock = clock();
        let discovery = support::discovery(&clock).build().unwrap();

        issuer.set_fault(Endpoint::Discovery, Fault::garbage_body().times(1));
        let error = discovery.document(issuer.issuer_url()).await.unwrap_err();
        let Some(DocumentError::NotJson { url: failed, .. }) = error.document_error() else {
            panic!("expected not JSON, got {error:?}");
        };
        assert_eq!(failed.as_str(), issuer.discovery_url());

        issuer.set_fault(Endpoint::Jwks, Fault::garbage_body().times(1));
        let error = discovery
            .key_set(&url(issuer.jwks_uri()))
            .await
            .unwrap_err();
        assert!(
            matches!(error.document_error(), Some(DocumentError::NotJson { .. })),
            "{error:?}"
        );
        assert!(!error.is_retryable());

        // The failures are remembered for the back-off (5 s), not fetched
        // again; nothing bad is cached beyond it: both load once the server
        // behaves.
        let again = discovery.document(issuer.issuer_url()).await.unwrap_err();
        assert!(again.document_error().is_some(), "{again:?}");
        assert_eq!(issuer.request_count(Endpoint::Discovery), 1);
        clock.advance(Duration::from_secs(5));
        let document = discovery.document(issuer.issuer_url()).await.unwrap();
        let keys = discovery.key_set(document.jwks_uri()).await.unwrap();
        assert_eq!(keys.keys().len(), 1);
        assert_eq!(issuer.request_count(Endpoint::Discovery), 2);
        assert_eq!(issuer.request_count(Endpoint::Jwks), 2);
    });
}

#[test]
fn closed_connections_and_error_statuses_name_the_url() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let fetcher = fetcher(Duration::from_secs(2));
        let jwks = url(issuer.jwks_uri());

        issuer.set_fault(Endpoint::Jwks, Fault::close_connection().times(1));
        let error = fetcher.fetch(&jwks).await.unwrap_err();
        assert!(
            matches!(
                error,
                FetchError::Transport { .. } | FetchError::Connect { .. }
            ),
            "{error:?}"
        );
        assert!(error.is_retryable());
        assert_eq!(error.url(), &jwks);

        issuer.set_fault(
            Endpoint::Jwks,
            Fault::status(StatusCode::NOT_FOUND).times(1),
        );
        let error = fetcher.fetch(&jwks).await.unwrap_err();
        assert!(
            matches!(error, FetchError::Status { status, .. } if status == StatusCode::NOT_FOUND)
        );
        assert!(!error.is_retryable());
        assert_eq!(error.to_string(), format!("{jwks} answered 404 Not Found"));

        let response = fetcher.fetch(&jwks).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.max_age(), Some(Duration::from_secs(600)));
        assert_eq!(issuer.request_count(Endpoint::Jwks), 3);
    });
}

#[test]
fn http_to_a_non_loopback_host_is_refused_before_any_connection() {
    block_on(async {
        let fetcher = fetcher(Duration::from_secs(2));
        // No network is needed to get this answer: it comes before DNS.
        let error = fetcher
            .fetch(&url("http://example.com/.well-known/jwks.json"))
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::InsecureUrl { .. }), "{error:?}");
        assert!(error.is_refused_before_connecting());

        let discovery = support::discovery(&clock()).build().unwrap();
        let error = discovery.document("http://example.com/").await.unwrap_err();
        assert!(matches!(error, Error::InvalidIssuer { .. }), "{error:?}");

        // A discovery document pointing its keys at such a URL is refused
        // when it is read, and no fetch of the keys is attempted.
        let issuer = DevIssuer::builder()
            .discovery_member("jwks_uri", "http://example.com/jwks.json".into())
            .start()
            .await
            .unwrap();
        let error = discovery.document(issuer.issuer_url()).await.unwrap_err();
        assert!(
            matches!(
                error.document_error(),
                Some(DocumentError::InvalidMember {
                    member: "jwks_uri",
                    ..
                })
            ),
            "{error:?}"
        );
    });
}

#[test]
fn an_ipv4_mapped_loopback_address_is_not_loopback_and_the_server_sees_nothing() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let port = issuer.local_addr().port();
        let mapped = url(&format!(
            "http://[::ffff:127.0.0.1]:{port}/.well-known/jwks.json"
        ));
        let error = fetcher(Duration::from_secs(2))
            .fetch(&mapped)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::InsecureUrl { .. }), "{error:?}");
        assert_eq!(issuer.request_count(Endpoint::Jwks), 0);
    });
}

/// Requests a redirecting router saw, with their credential headers.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, bool)>>>);

impl Seen {
    fn record(&self, path: &str, headers: &HeaderMap) {
        let credentials = ["authorization", "cookie", "proxy-authorization", "referer"]
            .iter()
            .any(|h| headers.contains_key(*h));
        self.0.lock().unwrap().push((path.to_owned(), credentials));
    }

    fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    fn any_credentials(&self) -> bool {
        self.0.lock().unwrap().iter().any(|(_, c)| *c)
    }
}

#[derive(Clone)]
struct Redirects {
    seen: Seen,
    target: String,
}

async fn redirect(path: &str, state: &Redirects, headers: &HeaderMap, to: &str) -> Response {
    state.seen.record(path, headers);
    Redirect::temporary(to).into_response()
}

fn redirect_router(target: String) -> (Router, Seen) {
    let seen = Seen::default();
    let state = Redirects {
        seen: seen.clone(),
        target,
    };
    let router = Router::new()
        .route(
            "/to-issuer",
            get(|State(s): State<Redirects>, h: HeaderMap| async move {
                let to = s.target.clone();
                redirect("/to-issuer", &s, &h, &to).await
            }),
        )
        .route(
            "/loop",
            get(|State(s): State<Redirects>, h: HeaderMap| async move {
                redirect("/loop", &s, &h, "/loop").await
            }),
        )
        .route(
            "/to-insecure",
            get(|State(s): State<Redirects>, h: HeaderMap| async move {
                redirect("/to-insecure", &s, &h, "http://example.com/jwks.json").await
            }),
        )
        .with_state(state);
    (router, seen)
}

#[test]
fn redirects_are_followed_a_few_times_only_and_only_where_allowed() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let (router, seen) = redirect_router(issuer.jwks_uri().to_owned());
        let server = Server::start(|_| router).await;
        let fetcher = fetcher(Duration::from_secs(2));

        // To the issuer's JWKS, on loopback: followed.
        let response = fetcher
            .fetch(&url(&server.url_of("/to-issuer")))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(jose_core::KeySet::from_slice(response.body()).is_ok());
        assert_eq!(issuer.request_count(Endpoint::Jwks), 1);

        // In circles: given up after 3 redirects (4 requests).
        let start = url(&server.url_of("/loop"));
        let error = fetcher.fetch(&start).await.unwrap_err();
        assert!(
            matches!(&error, FetchError::TooManyRedirects { url, max: 3 } if *url == start),
            "{error:?}"
        );
        assert_eq!(seen.paths().iter().filter(|p| *p == "/loop").count(), 4);

        // To plain http on a public host: refused, not connected to.
        let error = fetcher
            .fetch(&url(&server.url_of("/to-insecure")))
            .await
            .unwrap_err();
        let FetchError::RedirectRefused {
            location, reason, ..
        } = &error
        else {
            panic!("expected a refused redirect, got {error:?}");
        };
        assert_eq!(location, "http://example.com/jwks.json");
        assert_eq!(*reason, "http is only allowed for loopback hosts");

        assert!(!seen.any_credentials(), "no credentials, no referer");

        // With redirects off, even the allowed one is refused.
        let strict = oidc_discovery::HttpFetcher::builder()
            .max_redirects(0)
            .proxy_from_env(false)
            .build()
            .unwrap();
        let error = strict
            .fetch(&url(&server.url_of("/to-issuer")))
            .await
            .unwrap_err();
        assert!(
            matches!(error, FetchError::TooManyRedirects { max: 0, .. }),
            "{error:?}"
        );
    });
}
