//! `RequireScopes`: a scope guard for routes behind `Auth0Layer`.

use std::sync::Arc;
use std::task::{Context, Poll};

use auth0_api::Claims;
use axum::response::Response;
use http::Request;
use tower::{Layer, Service};

use crate::rejection::AuthRejection;
use crate::response_future::{ResponseFuture, guarded};

/// A tower [`Layer`] that lets a request through only if its token has
/// every one of the given scopes.
///
/// It reads the claims [`Auth0Layer`](crate::Auth0Layer) put in the request
/// extensions, so it must sit inside that layer (added to the route, which
/// the router-wide `Auth0Layer` then wraps). A token missing a scope gets
/// 403 `insufficient_scope`, with one challenge per scheme whose `scope`
/// parameter lists every required scope once (RFC 6750 section 3.1; and
/// `resource_metadata` when the client advertises it); a request without
/// claims (no `Auth0Layer` in front) gets 500. With
/// [`ApiClientOptions::permissions_as_scopes`](auth0_api::ApiClientOptions::permissions_as_scopes),
/// `permissions` entries count as scopes.
///
/// In a handler, `claims.require_scopes(&[..])?` does the same for one
/// handler (see [`AuthRejection`]).
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
/// use auth0_api_axum::{Auth0Layer, RequireScopes};
/// use axum::{Router, routing::{get, post}};
///
/// # async fn list_orders() {}
/// # async fn create_order() {}
/// # let client = ApiClient::new(ApiClientOptions::new("t.auth0.com", "https://api.example.com"))?;
/// let app: Router = Router::new()
///     .route(
///         "/orders",
///         get(list_orders)
///             .merge(post(create_order).layer(RequireScopes::new(["write:orders"]))),
///     )
///     .route_layer(Auth0Layer::new(client, PublicUrl::new("https://api.example.com")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequireScopes {
    scopes: Arc<[String]>,
}

impl RequireScopes {
    /// Requires every one of `scopes` (none: any verified request passes).
    pub fn new<I, T>(scopes: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        Self {
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    /// The required scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(String::as_str)
    }

    /// Checks `claims`, if there are any.
    fn check(&self, claims: Option<&Claims>) -> Result<(), AuthRejection> {
        let claims =
            claims.ok_or_else(|| AuthRejection::not_authenticated("the RequireScopes layer"))?;
        claims.require_scopes(&self.scopes[..])?;
        Ok(())
    }
}

impl<S> Layer<S> for RequireScopes {
    type Service = RequireScopesService<S>;

    fn layer(&self, inner: S) -> RequireScopesService<S> {
        RequireScopesService {
            inner,
            guard: self.clone(),
        }
    }
}

/// The service of [`RequireScopes`].
#[derive(Debug, Clone)]
pub struct RequireScopesService<S> {
    inner: S,
    guard: RequireScopes,
}

impl<S> RequireScopesService<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Gives up the wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for RequireScopesService<S>
where
    S: Service<Request<B>, Response = Response>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let verdict = self.guard.check(request.extensions().get::<Claims>());
        guarded(&mut self.inner, request, verdict)
    }
}
