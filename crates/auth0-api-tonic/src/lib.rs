/*!
Protect [tonic] (gRPC) services with Auth0 access tokens: Bearer and DPoP
(RFC 9449), on top of [`auth0_api`].

- [`Auth0Layer`] (a tower [`Layer`](tower::Layer) for
  `tonic::transport::Server::builder().layer(..)`) verifies every call with
  [`ApiClient::verify_request_at`]. A verified call goes on with its
  [`Claims`] in the request extensions, where a handler reads them with
  [`claims`](claims())`(&request)?`. Any other is answered at once with a
  gRPC status; the service never sees it. Or wrap one service only:
  `add_service(layer.layer(service))` ([`Auth0Service`] keeps the wrapped
  service's name).
- [`Auth0Layer::require_scopes`] guards a method by its full path
  (`/package.Service/Method`): a token without the scopes gets
  `PERMISSION_DENIED` with an `insufficient_scope` challenge. A method no
  rule names needs a valid token only.
- [`into_status`] turns an [`AuthError`] into that [`tonic::Status`]:
  `UNAUTHENTICATED` (401), `PERMISSION_DENIED` (403), `INVALID_ARGUMENT`
  (400), `RESOURCE_EXHAUSTED` (429), `UNAVAILABLE` (503), `INTERNAL` (500);
  the description as the message; `www-authenticate` (one entry per
  challenge), `dpop-nonce` and `retry-after` as metadata, from
  [`AuthError::response_headers`], the headers every integration of
  `auth0-api` sends. In a handler,
  `claims.require_scopes(&[..]).map_err(into_status)?`.
- DPoP over gRPC: a call is an HTTP/2 `POST` to `/package.Service/Method`,
  so a proof names `htm` `POST` and, as `htu`, the method's URL under the
  configured [`PublicUrl`]: `https://grpc.example.com/orders.v1.Orders/ListOrders`.

This is a crate of its own, not a feature of `auth0-api`, so that
`auth0-api` stays framework-agnostic and this crate follows tonic's
releases without touching the verification code.

# Example

```
# tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
use auth0_api_tonic::{ApiClient, ApiClientOptions, Auth0Layer, PublicUrl, claims};
use tonic::{Request, Response, Status};

// A handler of the service (a method of the trait tonic-build generates).
async fn list_orders(request: Request<()>) -> Result<Response<String>, Status> {
    let claims = claims(&request)?;
    Ok(Response::new(format!("the orders of {}", claims.sub().unwrap_or_default())))
}

let client = ApiClient::new(ApiClientOptions::new(
    "my-tenant.us.auth0.com",
    "https://api.example.com",
))?;
let layer = Auth0Layer::new(client, PublicUrl::new("https://grpc.example.com")?)
    .require_scopes("/orders.v1.Orders/CreateOrder", ["write:orders"])?;
// tonic::transport::Server::builder()
//     .layer(layer)
//     .add_service(OrdersServer::new(orders))
//     .serve(addr)
//     .await?;

// Without the layer in front, a handler finds no claims: INTERNAL.
let status = list_orders(Request::new(())).await.unwrap_err();
assert_eq!(status.code(), tonic::Code::Internal);
# drop(layer);
# Ok::<(), Box<dyn std::error::Error>>(())
# }).map_err(|e| e.to_string())?;
# Ok::<(), Box<dyn std::error::Error>>(())
```

The README's example runs the layer against the embedded `dev-issuer`,
and `cargo run -p auth0-api-tonic --example grpc_orders` serves a whole
service (messages and glue written by hand: no `protoc`), tested end to
end with a tonic client.

# Crate features

None. tonic is a dependency without default features: the layer is
generic over request and response bodies, so the application chooses
tonic's transport, router, codegen and TLS features.

# Where next

- [`auth0_api::ApiClientOptions`]: the DPoP mode (allowed, required,
  disabled), server nonces, custom domains, clock leeway.
- [`PublicUrl`]: the URL DPoP proofs name, behind a proxy.
*/

mod auth0_layer;
pub use auth0_layer::{Auth0Layer, Auth0Service};

mod claims;
pub use claims::claims;

mod method_path;
pub use method_path::InvalidMethodPath;

mod response_future;

mod status;
pub use status::into_status;

/// The response future of this crate's service.
pub mod future {
    pub use crate::response_future::ResponseFuture;
}

// ===== Re-exports: the types of auth0-api this crate's API works with =====

pub use auth0_api::{ApiClient, ApiClientOptions, AuthError, Claims, ClientCertificate, PublicUrl};

// The README's example is compiled with the crate's doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
