//! The steps of an interactive client's OAuth flow (what the MCP
//! TypeScript SDK does), shared by the registration, authorize,
//! authorization code and refresh token tests.

use std::collections::HashMap;

use base64ct::{Base64UrlUnpadded, Encoding};
use dev_issuer::DevIssuer;
use http::StatusCode;
use ring::digest::{SHA256, digest};
use serde_json::{Value, json};
use url::Url;

use crate::support::{Reply, TokenRequest, http, send};

/// A loopback redirect URI, as a local MCP client registers.
pub const REDIRECT: &str = "http://127.0.0.1:33418/callback";

/// The MCP server the tokens are for (RFC 8707 `resource`).
pub const RESOURCE: &str = "https://mcp.example.com/mcp";

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Self {
        Self::from_verifier(&format!("verifier-{}", "0123456789abcdef".repeat(3)))
    }

    pub fn from_verifier(verifier: &str) -> Self {
        let hash = digest(&SHA256, verifier.as_bytes());
        Self {
            verifier: verifier.to_owned(),
            challenge: Base64UrlUnpadded::encode_string(hash.as_ref()),
        }
    }
}

/// `POST /oidc/register` with a JSON body.
pub async fn register(issuer: &DevIssuer, body: &Value) -> Reply {
    send(
        http()
            .post(issuer.registration_endpoint())
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

/// What the MCP TypeScript SDK registers: a public client with a loopback
/// redirect URI and refresh tokens.
pub fn mcp_registration() -> Value {
    json!({
        "client_name": "MCP test client",
        "redirect_uris": [REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

/// Registers [`mcp_registration`] and returns the client id.
pub async fn register_public(issuer: &DevIssuer) -> String {
    let reply = register(issuer, &mcp_registration()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["client_id"].as_str().unwrap().to_owned()
}

/// A `GET /authorize` request, complete by default: code, the client, the
/// loopback redirect, PKCE S256, a `state` and the [`RESOURCE`].
#[derive(Debug, Clone)]
pub struct Authorize {
    pairs: Vec<(String, String)>,
}

impl Authorize {
    pub fn new(client_id: &str, pkce: &Pkce) -> Self {
        let pairs = [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
            ("state", "af0ifjsldkj"),
            ("resource", RESOURCE),
        ];
        Self {
            pairs: pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// Sets `name` to `value`, replacing any value it had.
    pub fn set(self, name: &str, value: &str) -> Self {
        self.without(name).add(name, value)
    }

    /// Adds `name=value`, keeping any earlier value (a repeat).
    pub fn add(mut self, name: &str, value: &str) -> Self {
        self.pairs.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.pairs.retain(|(n, _)| n != name);
        self
    }

    pub fn url(&self, issuer: &DevIssuer) -> Url {
        let mut url = Url::parse(issuer.authorization_endpoint()).unwrap();
        url.query_pairs_mut().extend_pairs(&self.pairs);
        url
    }

    pub async fn send(&self, issuer: &DevIssuer) -> Reply {
        send(http().get(self.url(issuer))).await
    }

    /// Sends the request and returns the code it was redirected with.
    pub async fn code(&self, issuer: &DevIssuer) -> String {
        let reply = self.send(issuer).await;
        let query = redirected(&reply);
        query
            .get("code")
            .unwrap_or_else(|| panic!("no code in {query:?}"))
            .clone()
    }
}

/// The query of the 302 redirect to [`REDIRECT`] that `reply` is.
pub fn redirected(reply: &Reply) -> HashMap<String, String> {
    assert_eq!(reply.status, StatusCode::FOUND, "{:?}", reply.body);
    let location = Url::parse(reply.header("location").unwrap()).unwrap();
    assert!(
        location.as_str().starts_with(&format!("{REDIRECT}?")),
        "{location}"
    );
    location.query_pairs().into_owned().collect()
}

/// The error `reply` redirected with, after checking the RFC 6749 and
/// RFC 9207 members.
pub fn redirected_error(issuer: &DevIssuer, reply: &Reply) -> String {
    let query = redirected(reply);
    assert!(!query.contains_key("code"));
    assert_eq!(query["state"], "af0ifjsldkj");
    assert_eq!(query["iss"], issuer.issuer_url());
    assert!(!query["error_description"].is_empty());
    query["error"].clone()
}

/// The token request that redeems `code` for a public client.
pub fn redeem<'a>(client_id: &'a str, code: &'a str, pkce: &'a Pkce) -> TokenRequest<'a> {
    TokenRequest::default()
        .field("grant_type", "authorization_code")
        .field("client_id", client_id)
        .field("code", code)
        .field("redirect_uri", REDIRECT)
        .field("code_verifier", &pkce.verifier)
        .field("resource", RESOURCE)
}

/// The token request that refreshes with `refresh_token` for a public
/// client.
pub fn refresh<'a>(client_id: &'a str, refresh_token: &'a str) -> TokenRequest<'a> {
    TokenRequest::default()
        .field("grant_type", "refresh_token")
        .field("client_id", client_id)
        .field("refresh_token", refresh_token)
}

/// A registered public client's whole flow up to its first token
/// response, with `extra` authorize parameters.
pub async fn tokens(issuer: &DevIssuer, extra: &[(&str, &str)]) -> (String, Value) {
    let client_id = register_public(issuer).await;
    let pkce = Pkce::new();
    let mut request = Authorize::new(&client_id, &pkce);
    for (name, value) in extra {
        request = request.set(name, value);
    }
    let code = request.code(issuer).await;
    let reply = redeem(&client_id, &code, &pkce).send(issuer).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    (client_id, reply.body)
}
