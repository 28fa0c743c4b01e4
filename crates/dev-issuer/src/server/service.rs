//! The service each connection is served with: counting and faults first,
//! then the router.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State as Shared};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::service::TowerToHyperService;

use super::oversized_body::OversizedBody;
use super::{authorize, metadata, registration};
use crate::endpoint::Endpoint;
use crate::fault::FaultAction;
use crate::state::State;
use crate::token_endpoint;

/// What a fault answers with instead of JSON.
const GARBAGE: &str = "<html><body>502 Bad Gateway</body></html>\n{\"keys\": [{\"kty\":";

/// The hyper service of one issuer; cheap to clone per connection.
#[derive(Clone)]
pub(super) struct IssuerService {
    state: Arc<State>,
    router: TowerToHyperService<Router>,
}

impl IssuerService {
    pub(super) fn new(state: Arc<State>) -> Self {
        let router = Router::new()
            .route(Endpoint::Discovery.path(), get(metadata::discovery))
            .route(Endpoint::Jwks.path(), get(metadata::jwks))
            .route(Endpoint::Token.path(), post(token))
            .route(
                Endpoint::AuthorizationServerMetadata.path(),
                get(metadata::authorization_server),
            )
            .route(Endpoint::Authorize.path(), get(authorize::authorize))
            .route(
                Endpoint::Registration.path(),
                post(registration::register).layer(DefaultBodyLimit::max(registration::BODY_MAX)),
            )
            .fallback(not_found)
            .with_state(state.clone());
        Self {
            state,
            router: TowerToHyperService::new(router),
        }
    }

    async fn serve(self, request: Request<Incoming>) -> Result<Response, ConnectionClosed> {
        if let Some(endpoint) = Endpoint::from_path(request.uri().path()) {
            self.state.count_request(endpoint);
            if let Some(fault) = self.state.take_fault(endpoint) {
                if let Some(delay) = fault.delay() {
                    tokio::time::sleep(delay).await;
                }
                match fault.action() {
                    FaultAction::Normal => {}
                    FaultAction::Status(status) => return Ok(status.into_response()),
                    FaultAction::Garbage => return Ok(json_typed(Body::from(GARBAGE))),
                    FaultAction::Json { status, body } => {
                        let mut response = json_typed(Body::from(body.clone()));
                        *response.status_mut() = *status;
                        return Ok(response);
                    }
                    FaultAction::Oversized { len, declared } => {
                        return Ok(json_typed(Body::new(OversizedBody::new(*len, *declared))));
                    }
                    FaultAction::Close => return Err(ConnectionClosed),
                    FaultAction::Hang => match std::future::pending::<Infallible>().await {},
                }
            }
        }
        match hyper::service::Service::call(&self.router, request).await {
            Ok(response) => Ok(response),
            Err(never) => match never {},
        }
    }
}

impl fmt::Debug for IssuerService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerService")
            .field("issuer", &self.state.issuer_url())
            .finish_non_exhaustive()
    }
}

impl hyper::service::Service<Request<Incoming>> for IssuerService {
    type Response = Response;
    type Error = ConnectionClosed;
    type Future = Pin<Box<dyn Future<Output = Result<Response, ConnectionClosed>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        Box::pin(self.clone().serve(request))
    }
}

/// Returned to hyper to make it close the connection without answering.
#[derive(Debug)]
pub(super) struct ConnectionClosed;

impl fmt::Display for ConnectionClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed by an injected fault")
    }
}

impl std::error::Error for ConnectionClosed {}

fn json_typed(body: Body) -> Response {
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

async fn token(Shared(state): Shared<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    token_endpoint::handle(&state, &headers, &body).await
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}
