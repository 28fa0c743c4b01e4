/*!
Protect [axum] routes with Auth0 access tokens: Bearer and DPoP
(RFC 9449), on top of [`auth0_api`].

- [`Auth0Layer`] (a tower [`Layer`](tower::Layer)) verifies every request
  to the routes it wraps with [`ApiClient::verify_request_at`]: the
  request's method and the URL the client called, built once from the
  configured [`PublicUrl`] and the URI the client sent (axum's
  [`OriginalUri`](axum::extract::OriginalUri), so the full path inside a
  nested router), never from the `Host` header. A verified
  request goes on with its [`Claims`] in the request extensions; any other
  is answered right away with the error's status, its `WWW-Authenticate`
  challenges, `DPoP-Nonce` when the client must retry with a nonce, and a
  JSON body `{"error": .., "error_description": ..}` ([`AuthRejection`]).
  A certificate-bound token (RFC 8705) is checked against the
  [`ClientCertificate`] the application's TLS accept loop puts in the
  request extensions ([`RequestVerifier`] shows how).
- [`Authenticated`] hands a handler the claims the layer verified.
  [`Verified`] verifies in the extractor instead, with the
  [`RequestVerifier`] in the router state, for handlers without the layer.
- [`RequireScopes`] guards a route with scopes: 403 `insufficient_scope`
  with the `scope` challenge parameter. In a handler,
  `claims.require_scopes(&[..])?` does the same through [`AuthRejection`].
- [`RequireStepUp`] guards a route with a [`StepUp`] requirement (RFC
  9470: an `acr`, a recent `auth_time`): 401
  `insufficient_user_authentication` with `acr_values`/`max_age`. In a
  handler, `step_up.check(&claims)?`.
- [`resource_metadata_router`] serves the RFC 9728 document of
  [`ApiClientOptions::resource_metadata`] (with CORS and caching headers),
  outside the layer, at the URL every challenge names in
  `resource_metadata`: what an MCP client needs to find the
  authorization server from a 401.

This is a crate of its own, not a feature of `auth0-api`, so that
`auth0-api` stays framework-agnostic: users of other frameworks never
compile axum, and this crate follows axum's releases without touching the
verification code.

# Example

An API with a public and a protected route. The embedded `dev-issuer`
stands in for the Auth0 tenant here, and requests go straight to the
router with tower's `oneshot`; with a tenant, the client is
`ApiClientOptions::new("my-tenant.us.auth0.com", "https://api.example.com")`.

```
# tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
use auth0_api_axum::{Auth0Layer, Authenticated, RequireScopes};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use tower::ServiceExt as _; // oneshot

async fn list_orders(Authenticated(claims): Authenticated) -> String {
    format!("the orders of {}", claims.sub().unwrap_or_default())
}

async fn create_order() -> StatusCode {
    StatusCode::CREATED
}

let issuer = dev_issuer::DevIssuer::start().await?;
let client = ApiClient::new(ApiClientOptions::new(issuer.issuer_url(), issuer.audience()))?;
let public_url = PublicUrl::new("https://api.example.com")?;

let app = Router::new()
    .route(
        "/orders",
        get(list_orders).merge(post(create_order).layer(RequireScopes::new(["write:orders"]))),
    )
    .route_layer(Auth0Layer::new(client, public_url))
    .route("/public", get(|| async { "anyone may read this" }));

// No token: 401, with a challenge for each scheme.
let request = Request::get("/orders").body(Body::empty())?;
let response = app.clone().oneshot(request).await?;
assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
let challenges: Vec<_> = response.headers().get_all("www-authenticate").iter().collect();
assert_eq!(challenges, ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]);

// A Bearer token may read, but without `write:orders` it may not create.
let token = issuer.token().sub("auth0|alice").scope("read:orders").sign()?;
let bearer = format!("Bearer {token}");
let request = Request::get("/orders").header("authorization", &bearer).body(Body::empty())?;
assert_eq!(app.clone().oneshot(request).await?.status(), StatusCode::OK);
let request = Request::post("/orders").header("authorization", &bearer).body(Body::empty())?;
assert_eq!(app.clone().oneshot(request).await?.status(), StatusCode::FORBIDDEN);

// Public routes need nothing.
let request = Request::get("/public").body(Body::empty())?;
assert_eq!(app.oneshot(request).await?.status(), StatusCode::OK);
# Ok::<(), Box<dyn std::error::Error>>(())
# }).map_err(|e| e.to_string())?;
# Ok::<(), Box<dyn std::error::Error>>(())
```

# The example API

`cargo run -p auth0-api-axum --example axum_api` serves `GET /public`,
`GET /orders` (any valid token) and `POST /orders` (scope
`write:orders`) on `http://127.0.0.1:3000`, with an embedded `dev-issuer`
so that no Auth0 tenant is needed. It prints tokens and `curl` commands
for Bearer and DPoP. Set `AUTH0_DOMAIN` and `AUTH0_AUDIENCE` to use a
tenant instead, `PORT` and `PUBLIC_URL` to serve elsewhere.

# Crate features

None. The crate enables axum's `original-uri` feature, so that a layer
inside [`Router::nest`](axum::Router::nest) checks DPoP proofs against the
full path the client called.

# Where next

- [`auth0_api::ApiClientOptions`]: the DPoP mode (allowed, required,
  disabled), server nonces, custom domains, clock leeway.
- [`RequestVerifier`]: how the URL of a request is decided, behind a proxy
  or in a nested router.
- [`AuthRejection`]: the responses, and `?` on an [`AuthError`] in a
  handler.
*/

mod auth0_layer;
pub use auth0_layer::{Auth0Layer, Auth0Service};

mod claims_extractors;
pub use claims_extractors::{Authenticated, Verified};

mod rejection;
pub use rejection::AuthRejection;

mod request_verifier;
pub use request_verifier::RequestVerifier;

mod require_scopes;
pub use require_scopes::{RequireScopes, RequireScopesService};

mod require_step_up;
pub use require_step_up::{RequireStepUp, RequireStepUpService};

mod resource_metadata_router;
pub use resource_metadata_router::resource_metadata_router;

mod response_future;

/// The response future of this crate's services.
pub mod future {
    pub use crate::response_future::ResponseFuture;
}

// ===== Re-exports: the types of auth0-api this crate's API works with =====

pub use auth0_api::{
    ApiClient, ApiClientOptions, AuthError, Claims, ClientCertificate, ProtectedResourceMetadata,
    PublicUrl, StepUp,
};
