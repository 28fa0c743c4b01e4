//! The example service end to end: served over HTTP/2 on loopback, called
//! with a tonic client carrying dev-issuer tokens and DPoP proofs.

use tonic::Code;

use crate::orders::{CREATE_ORDER, CreateOrderRequest, LIST_ORDERS, ListOrdersRequest};
use crate::support::{Api, Env, challenges, proof, request, within};

fn create(item: &str) -> CreateOrderRequest {
    CreateOrderRequest {
        item: item.to_owned(),
    }
}

#[tokio::test]
async fn a_bearer_token_lists_orders() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        let bearer = format!("Bearer {}", env.token("read:orders"));
        let reply = api
            .client()
            .await
            .list_orders(request(ListOrdersRequest {}, &[("authorization", &bearer)]))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reply.orders.len(), 2);
        assert_eq!(reply.requested_by, "auth0|alice");
        assert_eq!(reply.scheme, "Bearer");
    })
    .await;
}

#[tokio::test]
async fn a_dpop_token_with_a_proof_for_post_and_the_method_url_lists_orders_once() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        let user = env.dpop_user();
        // Every gRPC call is a POST to /package.Service/Method.
        let proof = proof(
            user.key(),
            "POST",
            &api.method_url(LIST_ORDERS),
            user.token(),
        );
        let authorization = format!("DPoP {}", user.token());
        let metadata = [("authorization", authorization.as_str()), ("dpop", &proof)];
        let mut client = api.client().await;

        let reply = client
            .list_orders(request(ListOrdersRequest {}, &metadata))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reply.requested_by, "auth0|alice");
        assert_eq!(reply.scheme, "DPoP");

        // The same proof again is a replay.
        let status = client
            .list_orders(request(ListOrdersRequest {}, &metadata))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
        assert!(challenges(&status)[1].starts_with("DPoP error=\"invalid_dpop_proof\""));
    })
    .await;
}

#[tokio::test]
async fn a_call_without_a_token_is_unauthenticated_with_a_challenge_per_scheme() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        let mut client = api.client().await;
        let statuses = [
            client
                .list_orders(request(ListOrdersRequest {}, &[]))
                .await
                .unwrap_err(),
            client
                .create_order(request(create("cake"), &[]))
                .await
                .unwrap_err(),
        ];
        for status in statuses {
            assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
            assert_eq!(
                challenges(&status),
                ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]
            );
            assert!(status.metadata().get("dpop-nonce").is_none());
            assert!(!status.message().is_empty());
        }
    })
    .await;
}

#[tokio::test]
async fn a_token_without_the_scope_may_not_create_orders_and_one_with_it_may() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        let mut client = api.client().await;

        let reader = format!("Bearer {}", env.token("read:orders"));
        let status = client
            .create_order(request(create("cake"), &[("authorization", &reader)]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
        // The challenge of the scheme used says what is missing.
        let challenges = challenges(&status);
        assert_eq!(challenges.len(), 2, "{challenges:?}");
        assert!(
            challenges[0].starts_with("Bearer realm=\"api\", error=\"insufficient_scope\""),
            "{challenges:?}"
        );
        assert!(
            challenges[0].contains("scope=\"write:orders\""),
            "{challenges:?}"
        );
        assert_eq!(challenges[1], "DPoP algs=\"ES256\"");
        assert!(status.message().contains("write:orders"), "{status:?}");

        let writer = format!("Bearer {}", env.token("read:orders write:orders"));
        let order = client
            .create_order(request(create("cake"), &[("authorization", &writer)]))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(order.item, "cake");
        assert_eq!(order.created_by, "auth0|alice");
    })
    .await;
}

#[tokio::test]
async fn a_dpop_proof_for_another_method_or_http_method_is_refused() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve(env.options()).await;
        let user = env.dpop_user();
        let authorization = format!("DPoP {}", user.token());
        let mut client = api.client().await;
        let proofs = [
            // Made for CreateOrder, sent to ListOrders.
            proof(
                user.key(),
                "POST",
                &api.method_url(CREATE_ORDER),
                user.token(),
            ),
            // Made for a GET.
            proof(
                user.key(),
                "GET",
                &api.method_url(LIST_ORDERS),
                user.token(),
            ),
        ];
        for proof in proofs {
            let metadata = [("authorization", authorization.as_str()), ("dpop", &proof)];
            let status = client
                .list_orders(request(ListOrdersRequest {}, &metadata))
                .await
                .unwrap_err();
            assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
            let challenges = challenges(&status);
            assert!(
                challenges[1].starts_with("DPoP error=\"invalid_dpop_proof\""),
                "{challenges:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn dpop_proofs_name_the_public_url_not_the_address_called() {
    within(async {
        let env = Env::start().await;
        let api = Api::serve_at(env.options(), Some("https://grpc.example.com")).await;
        let user = env.dpop_user();
        let authorization = format!("DPoP {}", user.token());
        let mut client = api.client().await;

        let wrong = proof(
            user.key(),
            "POST",
            &api.loopback_url(LIST_ORDERS),
            user.token(),
        );
        let metadata = [("authorization", authorization.as_str()), ("dpop", &wrong)];
        let status = client
            .list_orders(request(ListOrdersRequest {}, &metadata))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");

        let url = "https://grpc.example.com/orders.v1.Orders/ListOrders";
        assert_eq!(api.method_url(LIST_ORDERS), url);
        let right = proof(user.key(), "POST", url, user.token());
        let metadata = [("authorization", authorization.as_str()), ("dpop", &right)];
        let reply = client
            .list_orders(request(ListOrdersRequest {}, &metadata))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reply.scheme, "DPoP");
    })
    .await;
}
