//! `Auth0Layer` and its service: verify every request before the handler.

use std::task::{Context, Poll};

use auth0_api::{ApiClient, PublicUrl};
use axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service};

use crate::rejection::AuthRejection;
use crate::request_verifier::RequestVerifier;
use crate::response_future::ResponseFuture;

/// A tower [`Layer`] that verifies every request before it reaches the
/// routes it wraps.
///
/// A verified request goes on with its [`Claims`](auth0_api::Claims) in the
/// request extensions, where the [`Authenticated`](crate::Authenticated)
/// extractor (or `Extension<Claims>`) and [`RequireScopes`](crate::RequireScopes)
/// find them. Any other request is answered at once with an
/// [`AuthRejection`]: the error's status, its `WWW-Authenticate` challenges,
/// `DPoP-Nonce` when needed and a JSON body; the routes never see it.
///
/// Add it with [`Router::route_layer`](axum::Router::route_layer), after
/// the routes it protects: routes added later stay public, and requests
/// that match no route still get 404 rather than 401. (With
/// [`Router::layer`](axum::Router::layer) it also covers the fallback.)
/// CORS preflight requests carry no token: put a CORS layer outside this
/// one.
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
/// use auth0_api_axum::{Auth0Layer, Authenticated};
/// use axum::{Router, routing::get};
///
/// async fn orders(Authenticated(claims): Authenticated) -> String {
///     format!("orders of {}", claims.sub().unwrap_or_default())
/// }
///
/// let client = ApiClient::new(ApiClientOptions::new(
///     "my-tenant.us.auth0.com",
///     "https://api.example.com",
/// ))?;
/// let app: Router = Router::new()
///     .route("/orders", get(orders))
///     .route_layer(Auth0Layer::new(client, PublicUrl::new("https://api.example.com")?))
///     .route("/health", get(|| async { "ok" })); // not covered
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Auth0Layer {
    verifier: RequestVerifier,
}

impl Auth0Layer {
    /// Verifies requests with `client`, as calls to `public_url`.
    pub fn new(client: ApiClient, public_url: PublicUrl) -> Self {
        Self::from_verifier(RequestVerifier::new(client, public_url))
    }

    /// Verifies requests with `verifier` (see also
    /// [`RequestVerifier::layer`]).
    pub fn from_verifier(verifier: RequestVerifier) -> Self {
        Self { verifier }
    }

    /// The verifier requests are checked with.
    pub fn verifier(&self) -> &RequestVerifier {
        &self.verifier
    }
}

impl<S> Layer<S> for Auth0Layer {
    type Service = Auth0Service<S>;

    fn layer(&self, inner: S) -> Auth0Service<S> {
        Auth0Service {
            inner,
            verifier: self.verifier.clone(),
        }
    }
}

/// The service of [`Auth0Layer`]: verifies the request, then calls the
/// inner service with the claims in the request extensions, or answers
/// with the [`AuthRejection`].
#[derive(Debug, Clone)]
pub struct Auth0Service<S> {
    inner: S,
    verifier: RequestVerifier,
}

impl<S> Auth0Service<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Gives up the wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for Auth0Service<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service polled ready is the one to call; keep a fresh clone
        // in its place for the next request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();
        ResponseFuture::new(async move {
            let (mut parts, body) = request.into_parts();
            match verifier.verify(&parts).await {
                Ok(claims) => {
                    parts.extensions.insert(claims);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(error) => Ok(AuthRejection::from(error).into_response()),
            }
        })
    }
}
