//! `Auth0Middleware` and its service: verify every request before the
//! handler.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage as _};
use auth0_api::{ApiClient, PublicUrl};

use crate::request_verifier::RequestVerifier;
use crate::response_future::{ResponseFuture, refused};

/// An actix-web middleware ([`Transform`]) that verifies every request
/// before it reaches the services it wraps.
///
/// A verified request goes on with its [`Claims`](auth0_api::Claims) in
/// the request extensions, where the [`Authenticated`](crate::Authenticated)
/// extractor (or `ReqData<Claims>`) and
/// [`RequireScopes`](crate::RequireScopes) find them. Any other request is
/// answered at once with an [`AuthRejection`](crate::AuthRejection): the
/// error's status, its `WWW-Authenticate` challenges, `DPoP-Nonce` when
/// needed and a JSON body; the handlers never see it.
///
/// Wrap the resources or scopes it protects
/// ([`Resource::wrap`](actix_web::Resource::wrap),
/// [`Scope::wrap`](actix_web::Scope::wrap)): services outside stay public,
/// and requests that match no resource still get 404 rather than 401.
/// (With [`App::wrap`](actix_web::App::wrap) it also covers the default
/// service.) CORS preflight requests carry no token: put a CORS middleware
/// outside this one.
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
/// use auth0_api_actix::{Auth0Middleware, Authenticated};
/// use actix_web::{App, web};
///
/// async fn orders(Authenticated(claims): Authenticated) -> String {
///     format!("orders of {}", claims.sub().unwrap_or_default())
/// }
///
/// let client = ApiClient::new(ApiClientOptions::new(
///     "my-tenant.us.auth0.com",
///     "https://api.example.com",
/// ))?;
/// let auth = Auth0Middleware::new(client, PublicUrl::new("https://api.example.com")?);
/// let app = App::new()
///     .service(web::resource("/orders").route(web::get().to(orders)).wrap(auth))
///     .route("/health", web::get().to(|| async { "ok" })); // not covered
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Auth0Middleware {
    verifier: RequestVerifier,
}

impl Auth0Middleware {
    /// Verifies requests with `client`, as calls to `public_url`.
    pub fn new(client: ApiClient, public_url: PublicUrl) -> Self {
        Self::from_verifier(RequestVerifier::new(client, public_url))
    }

    /// Verifies requests with `verifier` (see also
    /// [`RequestVerifier::middleware`]).
    pub fn from_verifier(verifier: RequestVerifier) -> Self {
        Self { verifier }
    }

    /// The verifier requests are checked with.
    pub fn verifier(&self) -> &RequestVerifier {
        &self.verifier
    }
}

impl<S, B> Transform<S, ServiceRequest> for Auth0Middleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B, BoxBody>>;
    type Error = Error;
    type Transform = Auth0Service<S>;
    type InitError = ();
    type Future = Ready<Result<Auth0Service<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(Auth0Service {
            inner: Rc::new(service),
            verifier: self.verifier.clone(),
        }))
    }
}

/// The service of [`Auth0Middleware`]: verifies the request, then calls
/// the inner service with the claims in the request extensions, or answers
/// with the [`AuthRejection`](crate::AuthRejection).
#[derive(Debug)]
pub struct Auth0Service<S> {
    // Shared with the futures of the requests in flight, which call it
    // once verification is done.
    inner: Rc<S>,
    verifier: RequestVerifier,
}

impl<S> Auth0Service<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<ServiceRequest> for Auth0Service<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B, BoxBody>>;
    type Error = Error;
    type Future = ResponseFuture<B>;

    forward_ready!(inner);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let inner = Rc::clone(&self.inner);
        let verifier = self.verifier.clone();
        ResponseFuture::new(async move {
            match verifier.verify(request.request()).await {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    let response = inner.call(request).await?;
                    Ok(response.map_into_left_body())
                }
                Err(rejection) => Ok(refused(request, rejection)),
            }
        })
    }
}
