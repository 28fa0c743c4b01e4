//! The future the middleware services return.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpResponse};

use crate::rejection::AuthRejection;

/// What the services of this crate answer: the inner service's response
/// (left), or a rejection's (right).
type Answer<B> = Result<ServiceResponse<EitherBody<B, BoxBody>>, Error>;

/// The response future of [`Auth0Service`](crate::Auth0Service),
/// [`RequireScopesService`](crate::RequireScopesService) and
/// [`RequireStepUpService`](crate::RequireStepUpService): the inner
/// service's response, or the rejection.
pub struct ResponseFuture<B> {
    // Boxed: verification is an `async fn`, whose future has no name. Not
    // `Send`: actix-web runs each request on one worker thread, and its
    // requests are not `Send`.
    inner: Pin<Box<dyn Future<Output = Answer<B>>>>,
}

impl<B> ResponseFuture<B> {
    pub(crate) fn new(future: impl Future<Output = Answer<B>> + 'static) -> Self {
        Self {
            inner: Box::pin(future),
        }
    }
}

/// The response to `request` when `rejection` refuses it. The response
/// carries the rejection as its error, for outer middleware to log.
pub(crate) fn refused<B>(
    request: ServiceRequest,
    rejection: AuthRejection,
) -> ServiceResponse<EitherBody<B, BoxBody>> {
    // `ServiceResponse::new`, not `ServiceRequest::into_response`, which
    // would convert the response and drop the error it carries.
    let (request, _payload) = request.into_parts();
    ServiceResponse::new(request, HttpResponse::from_error(rejection)).map_into_right_body()
}

/// What a guard (scopes, step-up) does with its verdict: call `inner`, or
/// answer with the rejection without calling it.
pub(crate) fn guarded<S, B>(
    inner: &S,
    request: ServiceRequest,
    verdict: Result<(), AuthRejection>,
) -> ResponseFuture<B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: 'static,
{
    match verdict {
        Ok(()) => {
            let call = inner.call(request);
            ResponseFuture::new(async move { call.await.map(ServiceResponse::map_into_left_body) })
        }
        Err(rejection) => {
            let response = refused(request, rejection);
            ResponseFuture::new(async move { Ok(response) })
        }
    }
}

impl<B> Future for ResponseFuture<B> {
    type Output = Answer<B>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<B> fmt::Debug for ResponseFuture<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
