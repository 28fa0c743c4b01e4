//! An actix-web API protected by Auth0 access tokens.
//!
//! ```text
//! cargo run -p auth0-api-actix --example actix_api
//! ```
//!
//! | route          | who may call it                              |
//! | -------------- | -------------------------------------------- |
//! | `GET /public`  | anyone                                       |
//! | `GET /orders`  | any valid access token, Bearer or DPoP       |
//! | `POST /orders` | a token with the `write:orders` scope        |
//!
//! By default the API trusts an embedded `dev-issuer`, so it runs without an
//! Auth0 tenant, and prints tokens and `curl` commands to try it with. Set
//! `AUTH0_DOMAIN` and `AUTH0_AUDIENCE` to trust your tenant instead. It
//! listens on `127.0.0.1:$PORT` (default 3000) and expects DPoP proofs for
//! `$PUBLIC_URL` (default `http://127.0.0.1:$PORT`): behind a proxy, that is
//! the URL clients call.
//!
//! The end-to-end test (`tests/integration/example_api.rs`) serves the
//! routes of [`app`] over real HTTP.

use std::env;
use std::error::Error;
use std::net::TcpListener;

use actix_web::{App, HttpResponse, HttpServer, web};
use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
use auth0_api_actix::{Authenticated, RequestVerifier, RequireScopes};
use dev_issuer::DevIssuer;
use dev_issuer::dpop::{ProofBuilder, ProofKey};
use serde_json::json;

/// The API: its routes, and who may call them, for
/// [`App::configure`]. Each server worker builds its own `App` from it;
/// they all share `verifier`, so one key cache and one DPoP replay cache.
pub(crate) fn app(
    verifier: &RequestVerifier,
) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static + use<> {
    let verifier = verifier.clone();
    move |config| {
        config
            .service(
                web::resource("/orders")
                    .route(web::get().to(list_orders))
                    .route(
                        web::post()
                            .to(create_order)
                            .wrap(RequireScopes::new(["write:orders"])),
                    )
                    // Verifies every request to /orders; /public stays public.
                    .wrap(verifier.middleware()),
            )
            .route("/public", web::get().to(public));
    }
}

async fn public() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "message": "anyone may read this" }))
}

async fn list_orders(Authenticated(claims): Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "orders": [{ "id": 1, "item": "coffee" }, { "id": 2, "item": "tea" }],
        "requested_by": claims.sub(),
        "scheme": claims.scheme().map(|scheme| scheme.name()),
    }))
}

async fn create_order(Authenticated(claims): Authenticated) -> HttpResponse {
    HttpResponse::Created().json(json!({ "id": 3, "item": "cake", "created_by": claims.sub() }))
}

// actix-web serves on a tokio runtime too: its workers run on threads of
// their own, and the embedded issuer on this runtime.
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port: u16 = match env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?,
        Err(_) => 3000,
    };
    let listener = TcpListener::bind(("127.0.0.1", port))?;
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
    let verifier = RequestVerifier::new(client, PublicUrl::new(&public_url)?);

    println!("Listening on {local}; DPoP proofs must be for {public_url}.");
    if let Some(issuer) = &dev_issuer {
        print!("{}", dev_banner(issuer, &public_url)?);
    }
    println!("Press Ctrl-C to stop.");

    let routes = app(&verifier);
    // Stops gracefully on Ctrl-C (actix-web listens for it).
    HttpServer::new(move || App::new().configure(routes.clone()))
        .listen(listener)?
        .run()
        .await?;
    Ok(())
}

/// The URLs, tokens from the embedded issuer, and what to do with them.
fn dev_banner(issuer: &DevIssuer, url: &str) -> Result<String, Box<dyn Error>> {
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

    // DPoP: a token bound to a key, and a proof of that key for one request.
    let key = ProofKey::generate()?;
    let bound = issuer
        .token()
        .sub("auth0|alice")
        .cnf_jkt(key.thumbprint())
        .sign()?;
    let proof = ProofBuilder::new(&key)
        .htm("GET")
        .htu(format!("{url}/orders"))
        .access_token(&bound)
        .iat(issuer.now())
        .sign()?;

    Ok(format!(
        "
Tokens come from the embedded dev-issuer at {issuer_url}
(public test keys: never trust its tokens outside development).

Tokens for auth0|alice, valid 24 hours; paste these into your shell:

READ_TOKEN={read}
WRITE_TOKEN={write}
DPOP_TOKEN={bound}
DPOP_PROOF={proof}

Then:

curl -i {url}/public                                                 # 200
curl -i {url}/orders                                                 # 401, two challenges
curl -i -H \"Authorization: Bearer $READ_TOKEN\" {url}/orders           # 200
curl -i -X POST -H \"Authorization: Bearer $READ_TOKEN\" {url}/orders   # 403 insufficient_scope
curl -i -X POST -H \"Authorization: Bearer $WRITE_TOKEN\" {url}/orders  # 201
curl -i -H \"Authorization: DPoP $DPOP_TOKEN\" -H \"DPoP: $DPOP_PROOF\" {url}/orders  # 200, once
curl -i -H \"Authorization: Bearer $DPOP_TOKEN\" {url}/orders           # 401, a bound token needs DPoP

The DPoP proof is for GET {url}/orders only, may be used once, and
expires in five minutes.

",
        issuer_url = issuer.issuer_url(),
    ))
}
