//! `RequireStepUp`: a step-up guard (RFC 9470) for routes behind
//! `Auth0Layer`.

use std::sync::Arc;
use std::task::{Context, Poll};

use auth0_api::{Claims, StepUp};
use axum::response::Response;
use http::Request;
use tower::{Layer, Service};

use crate::rejection::AuthRejection;
use crate::response_future::{ResponseFuture, guarded};

/// A tower [`Layer`] that lets a request through only if the user's
/// authentication meets a [`StepUp`] requirement: an accepted `acr`, a
/// recent enough `auth_time`.
///
/// Like [`RequireScopes`](crate::RequireScopes) it reads the claims
/// [`Auth0Layer`](crate::Auth0Layer) put in the request extensions, so it
/// sits inside that layer. A token that falls short gets 401
/// `insufficient_user_authentication` with `acr_values` and/or `max_age`
/// in the challenge (and `resource_metadata` when the client advertises
/// it); a request without claims gets 500. "Now" is the clock of the
/// [`ApiClient`](auth0_api::ApiClient) that verified the token.
///
/// For a decision inside a handler (one MCP tool of several on one route,
/// say), call [`StepUp::check`] on the claims instead.
///
/// ```
/// use std::time::Duration;
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl, StepUp};
/// use auth0_api_axum::{Auth0Layer, RequireStepUp};
/// use axum::{Router, routing::{get, post}};
///
/// # async fn list_orders() {}
/// # async fn refund() {}
/// # let client = ApiClient::new(ApiClientOptions::new("t.auth0.com", "https://api.example.com"))?;
/// let recent_login = StepUp::new().max_age(Duration::from_secs(300));
/// let app: Router = Router::new()
///     .route("/orders", get(list_orders))
///     .route("/refunds", post(refund).layer(RequireStepUp::new(recent_login)))
///     .route_layer(Auth0Layer::new(client, PublicUrl::new("https://api.example.com")?));
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
        let claims =
            claims.ok_or_else(|| AuthRejection::not_authenticated("the RequireStepUp layer"))?;
        self.step_up.check(claims)?;
        Ok(())
    }
}

impl<S> Layer<S> for RequireStepUp {
    type Service = RequireStepUpService<S>;

    fn layer(&self, inner: S) -> RequireStepUpService<S> {
        RequireStepUpService {
            inner,
            guard: self.clone(),
        }
    }
}

/// The service of [`RequireStepUp`].
#[derive(Debug, Clone)]
pub struct RequireStepUpService<S> {
    inner: S,
    guard: RequireStepUp,
}

impl<S> RequireStepUpService<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Gives up the wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for RequireStepUpService<S>
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
