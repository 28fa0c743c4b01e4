//! The future the middleware services return.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use http::Request;
use tower::Service;

use crate::rejection::AuthRejection;

/// The response future of [`Auth0Service`](crate::Auth0Service),
/// [`RequireScopesService`](crate::RequireScopesService) and
/// [`RequireStepUpService`](crate::RequireStepUpService): the inner
/// service's response, or the rejection.
pub struct ResponseFuture<E> {
    // Boxed: verification is an `async fn`, whose future has no name.
    inner: Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>,
}

impl<E> ResponseFuture<E> {
    pub(crate) fn new(future: impl Future<Output = Result<Response, E>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(future),
        }
    }
}

/// What a guard (scopes, step-up) does with its verdict: call `inner`, or
/// answer with the rejection without calling it.
pub(crate) fn guarded<S, B>(
    inner: &mut S,
    request: Request<B>,
    verdict: Result<(), AuthRejection>,
) -> ResponseFuture<S::Error>
where
    S: Service<Request<B>, Response = Response>,
    S::Future: Send + 'static,
{
    match verdict {
        Ok(()) => ResponseFuture::new(inner.call(request)),
        Err(rejection) => {
            let response = rejection.into_response();
            ResponseFuture::new(async move { Ok(response) })
        }
    }
}

impl<E> Future for ResponseFuture<E> {
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<E> fmt::Debug for ResponseFuture<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
