//! The five-minute tour: `cargo run --example quickstart`.
//!
//! Starts the embedded `dev-issuer` (a real authorization server on
//! 127.0.0.1, no Auth0 tenant needed), builds an `ApiClient` against it, and
//! verifies requests the way an API handler would: a Bearer request, a DPoP
//! request, and three requests that are refused, with the status and
//! `WWW-Authenticate` challenges an API would answer with.

use std::error::Error;

use auth0_api::dpop::{ProofBuilder, ProofKey};
use auth0_api::{ApiClient, ApiClientOptions, AuthError};
use dev_issuer::DevIssuer;
use http::HeaderMap;
use http::header::AUTHORIZATION;

const URL: &str = "https://api.example.com/orders";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let issuer = DevIssuer::start().await?;
    println!("Embedded issuer at {}\n", issuer.issuer_url());

    // Built once at start-up and shared by every handler.
    let api = ApiClient::new(ApiClientOptions::new(
        issuer.issuer_url(),
        issuer.audience(),
    ))?;

    // 1. A Bearer request.
    let token = issuer
        .token()
        .sub("auth0|alice")
        .scope("read:orders")
        .sign()?;
    let bearer = request_headers(&[("authorization", format!("Bearer {token}"))])?;
    let claims = api.verify_request(&bearer, "GET", URL).await?;
    println!(
        "accepted  GET {URL} with Bearer: sub={}, scope={}",
        claims.sub().unwrap_or("?"),
        claims.scope().unwrap_or("")
    );

    // 2. A DPoP request: a token bound to the client's key, and a proof
    //    signed with that key for this method, URL and token.
    let key = ProofKey::generate()?;
    let bound = issuer
        .token()
        .sub("auth0|bob")
        .cnf_jkt(key.thumbprint())
        .sign()?;
    let proof = ProofBuilder::new(&key)
        .htm("GET")
        .htu(URL)
        .access_token(&bound)
        .iat(issuer.now())
        .sign()?;
    let dpop = request_headers(&[("authorization", format!("DPoP {bound}")), ("dpop", proof)])?;
    let claims = api.verify_request(&dpop, "GET", URL).await?;
    println!(
        "accepted  GET {URL} with DPoP:   sub={}, bound to key {}",
        claims.sub().unwrap_or("?"),
        claims.cnf_jkt().unwrap_or("?")
    );

    // 3. Refused requests, and what the API answers.
    println!();
    let no_credentials = api.verify_request(&HeaderMap::new(), "GET", URL).await;
    show("no Authorization header", no_credentials)?;

    let expired = issuer.token().sub("auth0|alice").expired().sign()?;
    let expired = request_headers(&[("authorization", format!("Bearer {expired}"))])?;
    show(
        "an expired token",
        api.verify_request(&expired, "GET", URL).await,
    )?;

    let stolen = request_headers(&[("authorization", format!("Bearer {bound}"))])?;
    show(
        "a DPoP-bound token replayed as Bearer",
        api.verify_request(&stolen, "GET", URL).await,
    )?;
    Ok(())
}

fn request_headers(fields: &[(&'static str, String)]) -> Result<HeaderMap, Box<dyn Error>> {
    let mut headers = HeaderMap::new();
    for (name, value) in fields {
        let name = if *name == "authorization" {
            AUTHORIZATION
        } else {
            http::HeaderName::from_static(name)
        };
        headers.append(name, value.parse()?);
    }
    Ok(headers)
}

fn show<T>(what: &str, result: Result<T, AuthError>) -> Result<(), Box<dyn Error>> {
    let Err(error) = result else {
        return Err(format!("{what} was accepted").into());
    };
    println!("refused   {what}: {}", error.status_code());
    for challenge in error.www_authenticate() {
        println!("          WWW-Authenticate: {challenge}");
    }
    Ok(())
}
