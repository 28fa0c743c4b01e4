//! `RequireScopes`: a scope guard for services behind `Auth0Middleware`.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage as _};
use auth0_api::Claims;

use crate::rejection::AuthRejection;
use crate::response_future::{ResponseFuture, guarded};

/// An actix-web middleware ([`Transform`]) that lets a request through
/// only if its token has every one of the given scopes.
///
/// It reads the claims [`Auth0Middleware`](crate::Auth0Middleware) put in
/// the request extensions, so it must sit inside that middleware (on a
/// route or resource that the middleware's resource or scope wraps). A
/// token missing a scope gets 403 `insufficient_scope`, with one challenge
/// per scheme whose `scope` parameter lists every required scope once (RFC
/// 6750 section 3.1; and `resource_metadata` when the client advertises
/// it); a request without claims (no `Auth0Middleware` in front) gets 500.
/// With
/// [`ApiClientOptions::permissions_as_scopes`](auth0_api::ApiClientOptions::permissions_as_scopes),
/// `permissions` entries count as scopes.
///
/// In a handler, `claims.require_scopes(&[..])?` does the same for one
/// handler (see [`AuthRejection`]).
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
/// use auth0_api_actix::{Auth0Middleware, RequireScopes};
/// use actix_web::{App, web};
///
/// # async fn list_orders() -> &'static str { "" }
/// # async fn create_order() -> &'static str { "" }
/// # let client = ApiClient::new(ApiClientOptions::new("t.auth0.com", "https://api.example.com"))?;
/// let app = App::new().service(
///     web::resource("/orders")
///         .route(web::get().to(list_orders))
///         .route(web::post().to(create_order).wrap(RequireScopes::new(["write:orders"])))
///         .wrap(Auth0Middleware::new(client, PublicUrl::new("https://api.example.com")?)),
/// );
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
        let claims = claims.ok_or_else(|| {
            AuthRejection::not_configured(
                "the RequireScopes middleware needs Auth0Middleware in front of it",
            )
        })?;
        claims.require_scopes(&self.scopes[..])?;
        Ok(())
    }
}

impl<S, B> Transform<S, ServiceRequest> for RequireScopes
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B, BoxBody>>;
    type Error = Error;
    type Transform = RequireScopesService<S>;
    type InitError = ();
    type Future = Ready<Result<RequireScopesService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireScopesService {
            inner: service,
            guard: self.clone(),
        }))
    }
}

/// The service of [`RequireScopes`].
#[derive(Debug)]
pub struct RequireScopesService<S> {
    inner: S,
    guard: RequireScopes,
}

impl<S> RequireScopesService<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<ServiceRequest> for RequireScopesService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B, BoxBody>>;
    type Error = Error;
    type Future = ResponseFuture<B>;

    forward_ready!(inner);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let verdict = self.guard.check(request.extensions().get::<Claims>());
        guarded(&self.inner, request, verdict)
    }
}
