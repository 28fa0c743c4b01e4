//! A gRPC service protected by Auth0 access tokens.
//!
//! ```text
//! cargo run -p auth0-api-tonic --example grpc_orders
//! ```
//!
//! | method                          | who may call it                        |
//! | ------------------------------- | -------------------------------------- |
//! | `orders.v1.Orders/ListOrders`   | any valid access token, Bearer or DPoP |
//! | `orders.v1.Orders/CreateOrder`  | a token with the `write:orders` scope  |
//!
//! By default the service trusts an embedded `dev-issuer`, so it runs
//! without an Auth0 tenant, and prints tokens and `grpcurl` commands to try
//! it with (`orders.proto` describes the service). Set `AUTH0_DOMAIN` and
//! `AUTH0_AUDIENCE` to trust your tenant instead. It listens on
//! `127.0.0.1:$PORT` (default 50051) and expects DPoP proofs for the
//! methods' URLs under `$PUBLIC_URL` (default `http://127.0.0.1:$PORT`):
//! behind a proxy, that is the URL clients call.
//!
//! The end-to-end test (`tests/integration/example_service.rs`) serves the
//! same service ([`orders::serve`]) and calls it with a tonic client.

mod orders;

use std::env;
use std::error::Error;

use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
use dev_issuer::DevIssuer;
use dev_issuer::dpop::{ProofBuilder, ProofKey};
use tokio::net::TcpListener;
use tonic::Request;
use tonic::metadata::{Ascii, MetadataValue};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port: u16 = match env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?,
        Err(_) => 50051,
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let local = listener.local_addr()?;
    let public_url = match env::var("PUBLIC_URL") {
        Ok(url) => url.trim_end_matches('/').to_owned(),
        Err(_) => format!("http://{local}"),
    };

    // Your tenant, or the embedded issuer standing in for one. It must live
    // as long as the server: dropping it stops it.
    let (options, dev_issuer) = match (env::var("AUTH0_DOMAIN"), env::var("AUTH0_AUDIENCE")) {
        (Ok(domain), Ok(audience)) => {
            println!("Verifying tokens of {domain} for the audience {audience}.");
            (ApiClientOptions::new(domain, audience), None)
        }
        _ => {
            let issuer = DevIssuer::start().await?;
            let options = ApiClientOptions::new(issuer.issuer_url(), issuer.audience());
            (options, Some(issuer))
        }
    };
    let client = ApiClient::new(options)?;
    let layer = orders::auth_layer(client, PublicUrl::new(&public_url)?)?;

    println!(
        "Listening on {local}; DPoP proofs must be for {public_url}/<package.Service>/<Method>."
    );
    if let Some(issuer) = &dev_issuer {
        print!("{}", dev_banner(issuer, &local.to_string(), &public_url)?);
    }
    let server = tokio::spawn(orders::serve(listener, layer, ctrl_c()));
    if let Some(issuer) = &dev_issuer {
        self_check(issuer, &format!("http://{local}")).await?;
    }
    println!("Press Ctrl-C to stop.");
    server.await??;
    Ok(())
}

/// Calls the service once with tonic's client, the way a Rust client
/// sends a token: as `authorization` metadata.
async fn self_check(issuer: &DevIssuer, url: &str) -> Result<(), Box<dyn Error>> {
    let token = issuer
        .token()
        .sub("auth0|alice")
        .scope("read:orders")
        .sign()?;
    let authorization: MetadataValue<Ascii> = format!("Bearer {token}").parse()?;
    let mut client = orders::OrdersClient::connect(url.to_owned()).await?;

    let mut request = Request::new(orders::ListOrdersRequest {});
    request
        .metadata_mut()
        .insert("authorization", authorization.clone());
    let orders = client.list_orders(request).await?.into_inner().orders;
    println!(
        "Self-check: ListOrders with READ_TOKEN: {} orders.",
        orders.len()
    );

    let mut request = Request::new(orders::CreateOrderRequest {
        item: "cake".to_owned(),
    });
    request
        .metadata_mut()
        .insert("authorization", authorization);
    match client.create_order(request).await {
        Ok(_) => return Err("CreateOrder without write:orders was let through".into()),
        Err(status) => println!(
            "Self-check: CreateOrder with READ_TOKEN: {:?}, {}.",
            status.code(),
            status.message()
        ),
    }
    Ok(())
}

/// Tokens from the embedded issuer, and `grpcurl` commands to use them.
fn dev_banner(issuer: &DevIssuer, addr: &str, url: &str) -> Result<String, Box<dyn Error>> {
    let read = issuer
        .token()
        .sub("auth0|alice")
        .scope("read:orders")
        .sign()?;
    let write = issuer
        .token()
        .sub("auth0|alice")
        .scope("read:orders write:orders")
        .sign()?;

    // DPoP: a token bound to a key, and a proof of that key for one call:
    // `POST` (every gRPC call is one) to the method's URL.
    let key = ProofKey::generate()?;
    let bound = issuer
        .token()
        .sub("auth0|alice")
        .cnf_jkt(key.thumbprint())
        .sign()?;
    let proof = ProofBuilder::new(&key)
        .htm("POST")
        .htu(format!("{url}{}", orders::LIST_ORDERS))
        .access_token(&bound)
        .iat(issuer.now())
        .sign()?;

    let grpcurl = "grpcurl -plaintext -import-path crates/auth0-api-tonic/examples/grpc_orders \
                   -proto orders.proto";
    let list = "orders.v1.Orders/ListOrders";
    let create = "orders.v1.Orders/CreateOrder";
    Ok(format!(
        "
Tokens come from the embedded dev-issuer at {issuer_url}
(public test keys: never trust its tokens outside development).

Tokens for auth0|alice, valid 24 hours; paste these into your shell:

READ_TOKEN={read}
WRITE_TOKEN={write}
DPOP_TOKEN={bound}
DPOP_PROOF={proof}

Then, from the workspace root:

{grpcurl} {addr} {list}
    # Unauthenticated, www-authenticate in the trailers
{grpcurl} -H \"authorization: Bearer $READ_TOKEN\" {addr} {list}
{grpcurl} -H \"authorization: Bearer $READ_TOKEN\" -d '{{\"item\":\"cake\"}}' {addr} {create}
    # PermissionDenied: insufficient_scope
{grpcurl} -H \"authorization: Bearer $WRITE_TOKEN\" -d '{{\"item\":\"cake\"}}' {addr} {create}
{grpcurl} -H \"authorization: DPoP $DPOP_TOKEN\" -H \"dpop: $DPOP_PROOF\" {addr} {list}
    # once: a proof is single-use

",
        issuer_url = issuer.issuer_url(),
    ))
}

/// Completes on Ctrl-C, or never if the handler cannot be installed.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
