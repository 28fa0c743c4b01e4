//! `RequestVerifier`: an `ApiClient` and the public URL of the API, shared
//! by the middleware and the extractors.

use std::sync::Arc;

use actix_web::HttpRequest;
use auth0_api::{ApiClient, Claims, PublicUrl};

use crate::auth0_middleware::Auth0Middleware;
use crate::http_compat;
use crate::rejection::AuthRejection;

/// Verifies actix-web requests: an [`ApiClient`] paired with the
/// [`PublicUrl`] clients call the API at.
///
/// Cheap to clone (an `Arc` inside) and `Send`: build one at start-up,
/// outside [`HttpServer::new`](actix_web::HttpServer::new), and hand a
/// clone to each worker's [`Auth0Middleware`] (through
/// [`RequestVerifier::middleware`]) or app data, for the
/// [`Verified`](crate::Verified) extractor. The workers then share one
/// key cache and one DPoP replay cache.
///
/// # Which URL is checked
///
/// A DPoP proof names the URL the client called (`htu`). That URL is the
/// configured [`PublicUrl`] followed by the request path, never the `Host`
/// header (unless [`PublicUrl::trust_forwarded_headers`] says so). Inside
/// a [`web::scope`](actix_web::web::scope) the path is still the full one
/// the client sent (actix-web does not strip a scope's prefix from the
/// request URI); so the `PublicUrl` base holds only a prefix removed
/// *before* the request reaches the application, by a proxy. A middleware
/// that rewrites the path, such as
/// [`NormalizePath`](actix_web::middleware::NormalizePath), changes the URL
/// checked when it runs first: proofs are then checked against the
/// rewritten path.
#[derive(Debug, Clone)]
pub struct RequestVerifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: ApiClient,
    public_url: PublicUrl,
}

impl RequestVerifier {
    /// Verifies requests with `client`, as calls to `public_url`.
    pub fn new(client: ApiClient, public_url: PublicUrl) -> Self {
        Self {
            inner: Arc::new(Inner { client, public_url }),
        }
    }

    /// A middleware that verifies every request with this verifier.
    pub fn middleware(&self) -> Auth0Middleware {
        Auth0Middleware::from_verifier(self.clone())
    }

    /// The client requests are verified with.
    pub fn client(&self) -> &ApiClient {
        &self.inner.client
    }

    /// The public URL requests are checked against.
    pub fn public_url(&self) -> &PublicUrl {
        &self.inner.public_url
    }

    /// Verifies a request: its `Authorization` and `DPoP` headers, for its
    /// method and the URL the client called (see
    /// [above](RequestVerifier#which-url-is-checked)).
    ///
    /// The URL is built once, by [`ApiClient::verify_request_at`], from
    /// the [`PublicUrl`] and the request's path. `request` is only read.
    ///
    /// # Errors
    ///
    /// The [`AuthError`](auth0_api::AuthError) of
    /// [`ApiClient::verify_request_at`], as an [`AuthRejection`]: status,
    /// error code and challenges for the response.
    pub async fn verify(&self, request: &HttpRequest) -> Result<Claims, AuthRejection> {
        let uri = http_compat::path(request.uri()).ok_or_else(AuthRejection::invalid_target)?;
        let headers = http_compat::headers(request.headers());
        let claims = self
            .inner
            .client
            .verify_request_at(
                &headers,
                request.method().as_str(),
                &uri,
                &self.inner.public_url,
            )
            .await?;
        Ok(claims)
    }
}
