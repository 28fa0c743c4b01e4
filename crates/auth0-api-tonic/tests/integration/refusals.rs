//! How each kind of refusal reaches a gRPC client: its code, its message
//! and its metadata.

use std::sync::Arc;

use auth0_api::dpop::NonceSource;
use dev_issuer::{Endpoint, Fault};
use http::StatusCode;
use http::uri::PathAndQuery;
use tonic::Code;
use tonic::transport;
use tonic_prost::ProstCodec;

use crate::orders::{LIST_ORDERS, ListOrdersRequest, ListOrdersResponse};
use crate::support::{Api, Env, challenges, proof, proof_with_nonce, request, within};

#[tokio::test]
async fn a_required_nonce_is_sent_in_dpop_nonce_metadata_and_then_accepted() {
    within(async {
        let env = Env::start().await;
        let nonces = Arc::new(
            NonceSource::builder()
                .clock(env.clock.clone())
                .build()
                .unwrap(),
        );
        let api = Api::serve(env.options().dpop_nonces(nonces)).await;
        let user = env.dpop_user();
        let authorization = format!("DPoP {}", user.token());
        let url = api.method_url(LIST_ORDERS);
        let mut client = api.client().await;

        let first = proof(user.key(), "POST", &url, user.token());
        let metadata = [("authorization", authorization.as_str()), ("dpop", &first)];
        let status = client
            .list_orders(request(ListOrdersRequest {}, &metadata))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
        assert!(challenges(&status)[1].starts_with("DPoP error=\"use_dpop_nonce\""));
        let nonce = status
            .metadata()
            .get("dpop-nonce")
            .unwrap()
            .to_str()
            .unwrap();

        let second = proof_with_nonce(user.key(), "POST", &url, user.token(), nonce);
        let metadata = [("authorization", authorization.as_str()), ("dpop", &second)];
        let reply = client
            .list_orders(request(ListOrdersRequest {}, &metadata))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reply.scheme, "DPoP");
    })
    .await;
}

#[tokio::test]
async fn an_invalid_token_is_unauthenticated_with_invalid_token() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        let status = api
            .client()
            .await
            .list_orders(request(
                ListOrdersRequest {},
                &[("authorization", "Bearer not.a.token")],
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
        let challenges = challenges(&status);
        assert!(
            challenges[0].starts_with("Bearer realm=\"api\", error=\"invalid_token\""),
            "{challenges:?}"
        );
        // The message is the description the challenge carries.
        assert!(challenges[0].contains(status.message()), "{status:?}");
    })
    .await;
}

#[tokio::test]
async fn a_malformed_request_is_invalid_argument() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        // A DPoP proof with the Bearer scheme: 400 invalid_request.
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let metadata = [("authorization", bearer.as_str()), ("dpop", "x.y.z")];
        let status = api
            .client()
            .await
            .list_orders(request(ListOrdersRequest {}, &metadata))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        assert!(
            challenges(&status)
                .iter()
                .any(|c| c.contains("error=\"invalid_request\"")),
            "{status:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_issuer_is_unavailable_without_a_challenge() {
    within(async {
        let env = Env::start().await;
        // Discovery fails: the token may be fine, the keys cannot be had.
        env.issuer.set_fault(
            Endpoint::Discovery,
            Fault::status(StatusCode::SERVICE_UNAVAILABLE),
        );
        let api = Api::serve(env.options()).await;
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let status = api
            .client()
            .await
            .list_orders(request(ListOrdersRequest {}, &[("authorization", &bearer)]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
        assert!(challenges(&status).is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_unknown_method_needs_a_token_too() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        let channel = transport::Endpoint::from_shared(api.loopback_url(""))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut grpc = tonic::client::Grpc::new(channel);
        let path = PathAndQuery::from_static("/orders.v1.Orders/DeleteOrder");
        let bearer = format!("Bearer {}", env.token("read:orders"));
        for (metadata, code) in [
            (vec![], Code::Unauthenticated),
            (
                vec![("authorization", bearer.as_str())],
                Code::Unimplemented,
            ),
        ] {
            grpc.ready().await.unwrap();
            let codec = ProstCodec::<ListOrdersRequest, ListOrdersResponse>::default();
            let status = grpc
                .unary(
                    request(ListOrdersRequest {}, &metadata),
                    path.clone(),
                    codec,
                )
                .await
                .unwrap_err();
            assert_eq!(status.code(), code, "{status:?}");
        }
    })
    .await;
}
