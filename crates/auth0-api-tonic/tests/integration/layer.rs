//! The layer in front of a stand-in service, driven without a socket: what
//! reaches the service, and what a refusal looks like on the wire.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use auth0_api::{ApiClient, Claims, ClientCertificate, PublicUrl};
use auth0_api_tonic::Auth0Layer;
use http::StatusCode;
use tonic::body::Body;
use tower::{Layer as _, Service, ServiceExt as _};

use crate::orders::{ListOrdersRequest, OrdersClient, OrdersServer};
use crate::support::{Env, request, within};

const LIST_ORDERS: &str = "/orders.v1.Orders/ListOrders";

/// `layer` in front of a service that counts its calls and answers with
/// the caller's `sub` in a header.
fn service(
    layer: &Auth0Layer,
    calls: &Arc<AtomicUsize>,
) -> impl Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible> + Clone
{
    let calls = calls.clone();
    layer.layer(tower::service_fn(move |call: http::Request<Body>| {
        calls.fetch_add(1, Ordering::SeqCst);
        let sub = call
            .extensions()
            .get::<Claims>()
            .and_then(Claims::sub)
            .unwrap_or("none")
            .to_owned();
        async move {
            let mut response = http::Response::new(Body::default());
            response.headers_mut().insert("x-sub", sub.parse().unwrap());
            Ok(response)
        }
    }))
}

fn call(authorization: Option<&str>) -> http::Request<Body> {
    let mut call = http::Request::post(LIST_ORDERS).header("content-type", "application/grpc");
    if let Some(authorization) = authorization {
        call = call.header("authorization", authorization);
    }
    call.body(Body::default()).unwrap()
}

#[tokio::test]
async fn a_refusal_is_a_trailers_only_response_and_never_reaches_the_service() {
    within(async {
        let env = Env::start().await;
        let layer = Auth0Layer::new(
            ApiClient::new(env.options()).unwrap(),
            PublicUrl::new("https://grpc.example.com").unwrap(),
        );
        let calls = Arc::new(AtomicUsize::new(0));
        let service = service(&layer, &calls);

        for authorization in [None, Some("Bearer not.a.token"), Some("Basic YTpi")] {
            let response = service.clone().oneshot(call(authorization)).await.unwrap();
            // gRPC carries the refusal in grpc-status, over HTTP 200.
            assert_eq!(response.status(), StatusCode::OK, "{authorization:?}");
            assert_eq!(response.headers()["content-type"], "application/grpc");
            assert_eq!(response.headers()["grpc-status"], "16", "{authorization:?}");
            assert!(response.headers().contains_key("www-authenticate"));
            assert!(response.extensions().get::<tonic::Status>().is_some());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        // The message is the description, percent-encoded as gRPC wants.
        let response = service
            .clone()
            .oneshot(call(Some("Bearer not.a.token")))
            .await
            .unwrap();
        let message = response.headers()["grpc-message"].to_str().unwrap();
        assert!(!message.is_empty());
        assert!(message.bytes().all(|b| b.is_ascii_graphic()), "{message}");
    })
    .await;
}

#[tokio::test]
async fn a_verified_call_reaches_the_service_with_its_claims() {
    within(async {
        let env = Env::start().await;
        let layer = Auth0Layer::new(
            ApiClient::new(env.options()).unwrap(),
            PublicUrl::new("https://grpc.example.com").unwrap(),
        );
        let calls = Arc::new(AtomicUsize::new(0));
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let response = service(&layer, &calls)
            .oneshot(call(Some(&bearer)))
            .await
            .unwrap();
        assert!(response.headers().get("grpc-status").is_none());
        assert_eq!(response.headers()["x-sub"], "auth0|alice");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test]
async fn wrapped_around_one_service_the_layer_keeps_its_name_and_protects_it() {
    within(async {
        let env = Env::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let layer = Auth0Layer::new(
            ApiClient::new(env.options()).unwrap(),
            PublicUrl::new(&url).unwrap(),
        );
        // No server-wide layer: the service alone is wrapped, and routed
        // by its own name.
        let server = tonic::transport::Server::builder()
            .add_service(layer.layer(OrdersServer))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener));
        tokio::spawn(server);
        let mut client = OrdersClient::connect(url).await.unwrap();

        let status = client
            .list_orders(request(ListOrdersRequest {}, &[]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated, "{status:?}");
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let reply = client
            .list_orders(request(ListOrdersRequest {}, &[("authorization", &bearer)]))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reply.requested_by, "auth0|alice");
    })
    .await;
}

#[tokio::test]
async fn a_certificate_bound_call_needs_its_certificate_in_the_extensions() {
    within(async {
        let env = Env::start().await;
        let layer = Auth0Layer::new(
            ApiClient::new(env.options()).unwrap(),
            PublicUrl::new("https://grpc.example.com").unwrap(),
        );
        let calls = Arc::new(AtomicUsize::new(0));
        let right = ClientCertificate::from_der(b"\x30\x03\x02\x01\x01");
        let wrong = ClientCertificate::from_der(b"\x30\x03\x02\x01\x02");
        let token = env
            .issuer
            .token()
            .sub("auth0|alice")
            .cnf_x5t_s256(right.thumbprint())
            .sign()
            .unwrap();
        let bearer = format!("Bearer {token}");
        let with = |certificate: Option<&ClientCertificate>| {
            let mut call = call(Some(&bearer));
            if let Some(certificate) = certificate {
                call.extensions_mut().insert(certificate.clone());
            }
            call
        };
        let response = service(&layer, &calls)
            .oneshot(with(Some(&right)))
            .await
            .unwrap();
        assert!(response.headers().get("grpc-status").is_none());
        assert_eq!(response.headers()["x-sub"], "auth0|alice");
        for certificate in [Some(&wrong), None] {
            let response = service(&layer, &calls)
                .oneshot(with(certificate))
                .await
                .unwrap();
            assert_eq!(response.headers()["grpc-status"], "16", "{certificate:?}");
            let challenge = response.headers()["www-authenticate"].to_str().unwrap();
            assert!(challenge.contains("certificate-bound"), "{challenge}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    })
    .await;
}
