//! `RequireStepUp`: a step-up guard (RFC 9470) for services behind
//! `Auth0Middleware`.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage as _};
use auth0_api::{Claims, StepUp};

use crate::rejection::AuthRejection;
use crate::response_future::{ResponseFuture, guarded};

/// An actix-web middleware ([`Transform`]) that lets a request through
/// only if the user's authentication meets a [`StepUp`] requirement: an
/// accepted `acr`, a recent enough `auth_time`.
///
/// Like [`RequireScopes`](crate::RequireScopes) it reads the claims
/// [`Auth0Middleware`](crate::Auth0Middleware) put in the request
/// extensions, so it sits inside that middleware. A token that falls short
/// gets 401 `insufficient_user_authentication` with `acr_values` and/or
/// `max_age` in the challenge (and `resource_metadata` when the client
/// advertises it); a request without claims gets 500. "Now" is the clock
/// of the [`ApiClient`](auth0_api::ApiClient) that verified the token.
///
/// For a decision inside a handler, call [`StepUp::check`] on the claims
/// instead.
///
/// ```
/// use std::time::Duration;
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl, StepUp};
/// use auth0_api_actix::{Auth0Middleware, RequireStepUp};
/// use actix_web::{App, web};
///
/// # async fn list_orders() -> &'static str { "" }
/// # async fn refund() -> &'static str { "" }
/// # let client = ApiClient::new(ApiClientOptions::new("t.auth0.com", "https://api.example.com"))?;
/// let recent_login = StepUp::new().max_age(Duration::from_secs(300));
/// let app = App::new().service(
///     web::scope("")
///         .route("/orders", web::get().to(list_orders))
///         .route("/refunds", web::post().to(refund).wrap(RequireStepUp::new(recent_login)))
///         .wrap(Auth0Middleware::new(client, PublicUrl::new("https://api.example.com")?)),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequireStepUp {
    step_up: Arc<StepUp>,
}

impl RequireStepUp {
    /// Requires `step_up` of every request.
    pub fn new(step_up: StepUp) -> Self {
        Self {
            step_up: Arc::new(step_up),
        }
    }

    /// The requirement.
    pub fn step_up(&self) -> &StepUp {
        &self.step_up
    }

    /// Checks `claims`, if there are any.
    fn check(&self, claims: Option<&Claims>) -> Result<(), AuthRejection> {
        let claims = claims.ok_or_else(|| {
            AuthRejection::not_configured(
                "the RequireStepUp middleware needs Auth0Middleware in front of it",
            )
        })?;
        self.step_up.check(claims)?;
        Ok(())
    }
}

impl<S, B> Transform<S, ServiceRequest> for RequireStepUp
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B, BoxBody>>;
    type Error = Error;
    type Transform = RequireStepUpService<S>;
    type InitError = ();
    type Future = Ready<Result<RequireStepUpService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireStepUpService {
            inner: service,
            guard: self.clone(),
        }))
    }
}

/// The service of [`RequireStepUp`].
#[derive(Debug)]
pub struct RequireStepUpService<S> {
    inner: S,
    guard: RequireStepUp,
}

impl<S> RequireStepUpService<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<ServiceRequest> for RequireStepUpService<S>
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
