//! The example's `orders.v1.Orders` service (see `orders.proto`), its
//! client, and who may call what.
//!
//! What `tonic-build` would generate from `orders.proto` is written here by
//! hand, in its smallest form, so that building needs no `protoc`: the
//! messages derive [`prost::Message`], the server routes each method's
//! path to tonic's generic [`Grpc::unary`] with the prost codec, and the
//! client calls [`tonic::client::Grpc::unary`] with the method's path.
//! With `tonic-build`, only [`auth_layer`] and the handlers remain.
//!
//! The end-to-end test (`tests/integration/example_service.rs`) serves this
//! service with [`serve`] and calls it with [`OrdersClient`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use auth0_api::{ApiClient, PublicUrl};
use auth0_api_tonic::{Auth0Layer, InvalidMethodPath, claims};
use http::uri::PathAndQuery;
use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// The service's full name: `package.Service`.
pub(crate) const SERVICE: &str = "orders.v1.Orders";
/// The path of `ListOrders`: `/package.Service/Method`.
pub(crate) const LIST_ORDERS: &str = "/orders.v1.Orders/ListOrders";
/// The path of `CreateOrder`.
pub(crate) const CREATE_ORDER: &str = "/orders.v1.Orders/CreateOrder";

// ===== Who may call what =====

/// The layer in front of the service: every method needs a valid token,
/// Bearer or DPoP, and `CreateOrder` the `write:orders` scope too.
pub(crate) fn auth_layer(
    client: ApiClient,
    public_url: PublicUrl,
) -> Result<Auth0Layer, InvalidMethodPath> {
    Auth0Layer::new(client, public_url).require_scopes(CREATE_ORDER, ["write:orders"])
}

/// Serves the service behind `layer` on `listener` until `shutdown`.
pub(crate) async fn serve(
    listener: TcpListener,
    layer: Auth0Layer,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    Server::builder()
        .layer(layer)
        .add_service(OrdersServer)
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await
}

// ===== The handlers =====

async fn list_orders(
    request: Request<ListOrdersRequest>,
) -> Result<Response<ListOrdersResponse>, Status> {
    // Verified by the layer: the handler only reads them.
    let claims = claims(&request)?;
    let order = |id, item: &str| Order {
        id,
        item: item.to_owned(),
        created_by: "auth0|bob".to_owned(),
    };
    Ok(Response::new(ListOrdersResponse {
        orders: vec![order(1, "coffee"), order(2, "tea")],
        requested_by: claims.sub().unwrap_or_default().to_owned(),
        scheme: claims
            .scheme()
            .map(|scheme| scheme.name().to_owned())
            .unwrap_or_default(),
    }))
}

async fn create_order(request: Request<CreateOrderRequest>) -> Result<Response<Order>, Status> {
    // The layer has checked `write:orders` already.
    let created_by = claims(&request)?.sub().unwrap_or_default().to_owned();
    Ok(Response::new(Order {
        id: 3,
        item: request.into_inner().item,
        created_by,
    }))
}

// ===== The messages (what prost-build would generate) =====

/// The request of `ListOrders`: empty.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ListOrdersRequest {}

/// The response of `ListOrders`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ListOrdersResponse {
    /// The orders.
    #[prost(message, repeated, tag = "1")]
    pub(crate) orders: Vec<Order>,
    /// The `sub` of the token that asked.
    #[prost(string, tag = "2")]
    pub(crate) requested_by: String,
    /// `Bearer` or `DPoP`.
    #[prost(string, tag = "3")]
    pub(crate) scheme: String,
}

/// The request of `CreateOrder`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct CreateOrderRequest {
    /// What to order.
    #[prost(string, tag = "1")]
    pub(crate) item: String,
}

/// An order.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Order {
    /// Its number.
    #[prost(uint64, tag = "1")]
    pub(crate) id: u64,
    /// What was ordered.
    #[prost(string, tag = "2")]
    pub(crate) item: String,
    /// The `sub` of the token that created it.
    #[prost(string, tag = "3")]
    pub(crate) created_by: String,
}

// ===== The server glue (what tonic-build would generate) =====

/// The service, as tonic's server takes it: a tower service of HTTP/2
/// requests, routed by path to the handlers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OrdersServer;

impl NamedService for OrdersServer {
    const NAME: &'static str = SERVICE;
}

impl tower::Service<http::Request<Body>> for OrdersServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(async move {
            Ok(match request.uri().path() {
                LIST_ORDERS => {
                    let mut grpc = Grpc::new(ProstCodec::default());
                    grpc.unary(Handler(list_orders), request).await
                }
                CREATE_ORDER => {
                    let mut grpc = Grpc::new(ProstCodec::default());
                    grpc.unary(Handler(create_order), request).await
                }
                _ => Status::unimplemented("no such method").into_http(),
            })
        })
    }
}

/// A handler `async fn` as the unary service tonic's [`Grpc::unary`] calls.
struct Handler<F>(F);

impl<F, Fut, Req, Res> UnaryService<Req> for Handler<F>
where
    F: FnMut(Request<Req>) -> Fut,
    Fut: Future<Output = Result<Response<Res>, Status>>,
{
    type Response = Res;
    type Future = Fut;

    fn call(&mut self, request: Request<Req>) -> Fut {
        (self.0)(request)
    }
}

// ===== The client glue (what tonic-build would generate) =====

/// A client of the service over an HTTP/2 channel.
#[derive(Debug, Clone)]
pub(crate) struct OrdersClient {
    grpc: tonic::client::Grpc<Channel>,
}

impl OrdersClient {
    /// A client of the server at `url` (`http://127.0.0.1:50051`).
    pub(crate) async fn connect(url: String) -> Result<Self, tonic::transport::Error> {
        let channel = Endpoint::from_shared(url)?.connect().await?;
        Ok(Self {
            grpc: tonic::client::Grpc::new(channel),
        })
    }

    /// Calls `ListOrders`.
    pub(crate) async fn list_orders(
        &mut self,
        request: Request<ListOrdersRequest>,
    ) -> Result<Response<ListOrdersResponse>, Status> {
        self.unary(request, LIST_ORDERS).await
    }

    /// Calls `CreateOrder`.
    pub(crate) async fn create_order(
        &mut self,
        request: Request<CreateOrderRequest>,
    ) -> Result<Response<Order>, Status> {
        self.unary(request, CREATE_ORDER).await
    }

    async fn unary<Req, Res>(
        &mut self,
        request: Request<Req>,
        path: &'static str,
    ) -> Result<Response<Res>, Status>
    where
        Req: prost::Message + Send + Sync + 'static,
        Res: prost::Message + Default + Send + Sync + 'static,
    {
        self.grpc
            .ready()
            .await
            .map_err(|e| Status::unavailable(format!("the channel is not ready: {e}")))?;
        let codec = ProstCodec::default();
        self.grpc
            .unary(request, PathAndQuery::from_static(path), codec)
            .await
    }
}
