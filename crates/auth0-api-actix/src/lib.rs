/*!
Protect [actix-web](actix_web) services with Auth0 access tokens: Bearer
and DPoP (RFC 9449), on top of [`auth0_api`].

- [`Auth0Middleware`] (an actix-web [`Transform`](actix_web::dev::Transform))
  verifies every request to the resources or scopes it wraps with
  [`ApiClient::verify_request_at`]: the request's method and the URL the
  client called, built once from the configured [`PublicUrl`] and the
  request path, never from the `Host` header. A verified request goes on
  with its [`Claims`] in the request extensions; any other is answered
  right away with the error's status, its `WWW-Authenticate` challenges,
  `DPoP-Nonce` when the client must retry with a nonce, and a JSON body
  `{"error": .., "error_description": ..}` ([`AuthRejection`]).
- [`Authenticated`] hands a handler the claims the middleware verified.
  [`Verified`] verifies in the extractor instead, with the
  [`RequestVerifier`] in the app data, for handlers without the middleware.
- [`RequireScopes`] guards a route or resource with scopes: 403
  `insufficient_scope` with the `scope` challenge parameter. In a handler,
  `claims.require_scopes(&[..])?` does the same through [`AuthRejection`].
- [`RequireStepUp`] guards a route or resource with a [`StepUp`]
  requirement (RFC 9470: an `acr`, a recent `auth_time`): 401
  `insufficient_user_authentication` with `acr_values`/`max_age`. In a
  handler, `step_up.check(&claims)?`.
- [`resource_metadata_routes`] serves the RFC 9728 document of
  [`ApiClientOptions::resource_metadata`] (with CORS and caching headers),
  outside the middleware, at the URL every challenge names in
  `resource_metadata`: what an MCP client needs to find the authorization
  server from a 401.

Every refusal is an [`auth0_api::ErrorResponse`], the parts the axum and
tonic integrations build theirs from too: the rules of what a refusal says
live in `auth0-api`. actix-web 4 is built on `http` 0.2 and `auth0-api` on
`http` 1, so the request's headers and path are copied across once per
request, every value of every header kept.

This is a crate of its own, not a feature of `auth0-api`, so that
`auth0-api` stays framework-agnostic and this crate follows actix-web's
releases without touching the verification code.

# Example

An API with a public and a protected resource. The embedded `dev-issuer`
stands in for the Auth0 tenant here, and requests go straight to the app
with `actix_web::test`; with a tenant, the client is
`ApiClientOptions::new("my-tenant.us.auth0.com", "https://api.example.com")`.

```
# tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, test, web};
use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
use auth0_api_actix::{Auth0Middleware, Authenticated, RequireScopes};

async fn list_orders(Authenticated(claims): Authenticated) -> String {
    format!("the orders of {}", claims.sub().unwrap_or_default())
}

async fn create_order() -> HttpResponse {
    HttpResponse::Created().finish()
}

let issuer = dev_issuer::DevIssuer::start().await?;
let client = ApiClient::new(ApiClientOptions::new(issuer.issuer_url(), issuer.audience()))?;
let public_url = PublicUrl::new("https://api.example.com")?;

let app = test::init_service(
    App::new()
        .service(
            web::resource("/orders")
                .route(web::get().to(list_orders))
                .route(web::post().to(create_order).wrap(RequireScopes::new(["write:orders"])))
                .wrap(Auth0Middleware::new(client, public_url)),
        )
        .route("/public", web::get().to(|| async { "anyone may read this" })),
)
.await;

// No token: 401, with a challenge for each scheme.
let request = test::TestRequest::get().uri("/orders").to_request();
let response = test::call_service(&app, request).await;
assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
let challenges: Vec<_> = response.headers().get_all("www-authenticate").collect();
assert_eq!(challenges, ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]);

// A Bearer token may read, but without `write:orders` it may not create.
let token = issuer.token().sub("auth0|alice").scope("read:orders").sign()?;
let bearer = ("authorization", format!("Bearer {token}"));
let request = test::TestRequest::get().uri("/orders").insert_header(bearer.clone());
let response = test::call_service(&app, request.to_request()).await;
assert_eq!(response.status(), StatusCode::OK);
let request = test::TestRequest::post().uri("/orders").insert_header(bearer);
let response = test::call_service(&app, request.to_request()).await;
assert_eq!(response.status(), StatusCode::FORBIDDEN);

// Public resources need nothing.
let request = test::TestRequest::get().uri("/public").to_request();
assert_eq!(test::call_service(&app, request).await.status(), StatusCode::OK);
# Ok::<(), Box<dyn std::error::Error>>(())
# }).map_err(|e| e.to_string())?;
# Ok::<(), Box<dyn std::error::Error>>(())
```

# Serving

Build the [`RequestVerifier`] (or the middleware) once, outside
[`HttpServer::new`](actix_web::HttpServer::new), and clone it into the
app factory: every worker then shares one key cache and one DPoP replay
cache. A DPoP proof accepted by one worker is refused by the others.

```no_run
use actix_web::{App, HttpServer, web};
use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
use auth0_api_actix::{Authenticated, RequestVerifier};

async fn me(Authenticated(claims): Authenticated) -> String {
    claims.sub().unwrap_or_default().to_owned()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ApiClient::new(ApiClientOptions::new(
        "my-tenant.us.auth0.com",
        "https://api.example.com",
    ))?;
    let verifier = RequestVerifier::new(client, PublicUrl::new("https://api.example.com")?);
    HttpServer::new(move || {
        App::new().service(
            web::resource("/me")
                .route(web::get().to(me))
                .wrap(verifier.middleware()),
        )
    })
    .bind(("127.0.0.1", 8080))?
    .run()
    .await?;
    Ok(())
}
```

# The example API

`cargo run -p auth0-api-actix --example actix_api` serves `GET /public`,
`GET /orders` (any valid token) and `POST /orders` (scope
`write:orders`) on `http://127.0.0.1:3000`, with an embedded `dev-issuer`
so that no Auth0 tenant is needed. It prints tokens and `curl` commands
for Bearer and DPoP. Set `AUTH0_DOMAIN` and `AUTH0_AUDIENCE` to use a
tenant instead, `PORT` and `PUBLIC_URL` to serve elsewhere.

# Crate features

None. actix-web is used without its default features (and never with its
TLS ones): the application that serves chooses those, in its own
dependency on actix-web, which Cargo merges with this one.

# Where next

- [`auth0_api::ApiClientOptions`]: the DPoP mode (allowed, required,
  disabled), server nonces, custom domains, clock leeway.
- [`RequestVerifier`]: how the URL of a request is decided, behind a proxy
  or in a scope.
- [`AuthRejection`]: the responses, and `?` on an [`AuthError`] in a
  handler.
*/

mod auth0_middleware;
pub use auth0_middleware::{Auth0Middleware, Auth0Service};

mod claims_extractors;
pub use claims_extractors::{Authenticated, Verified};

mod http_compat;

mod rejection;
pub use rejection::AuthRejection;

mod request_verifier;
pub use request_verifier::RequestVerifier;

mod require_scopes;
pub use require_scopes::{RequireScopes, RequireScopesService};

mod require_step_up;
pub use require_step_up::{RequireStepUp, RequireStepUpService};

mod resource_metadata_routes;
pub use resource_metadata_routes::resource_metadata_routes;

mod response_future;

// The README's example is compiled with the crate's doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

/// The response future of this crate's services.
pub mod future {
    pub use crate::response_future::ResponseFuture;
}

// ===== Re-exports: the types of auth0-api this crate's API works with =====

pub use auth0_api::{
    ApiClient, ApiClientOptions, AuthError, Claims, ProtectedResourceMetadata, PublicUrl, StepUp,
};
