//! The example MCP server: `cargo run -p mcp-example --example mcp_server`.
//!
//! Serves [`MessagesServer`](mcp_example::MessagesServer) at
//! `$PUBLIC_URL/mcp` (streamable HTTP), listening on `127.0.0.1:$PORT`
//! (default 3000; `PUBLIC_URL` defaults to `http://127.0.0.1:$PORT`).
//!
//! By default it trusts an embedded `dev-issuer`, so that an MCP client can
//! run the whole OAuth flow locally: registration, authorization code with
//! PKCE, tokens. Set `AUTH0_DOMAIN` to trust your tenant instead, with
//! `AUTH0_AUDIENCE` the API identifier (default: the MCP URL, as Auth0's
//! resource parameter profile expects).

use std::env;
use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use auth0_api::{ApiClient, ApiClientOptions, ProtectedResourceMetadata, PublicUrl};
use auth0_api_axum::RequestVerifier;
use dev_issuer::{DevIssuer, User};
use mcp_example::{MCP_PATH, ToolPolicy, router};
use tokio::net::TcpListener;

/// The user the embedded issuer signs in.
const USER: &str = "auth0|alice";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port: u16 = match env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?,
        Err(_) => 3000,
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let local = listener.local_addr()?;
    let public_url = match env::var("PUBLIC_URL") {
        Ok(url) => url.trim_end_matches('/').to_owned(),
        Err(_) => format!("http://{local}"),
    };
    let mcp_url = format!("{public_url}{MCP_PATH}");
    let public_host = public_url
        .parse::<http::Uri>()?
        .authority()
        .map(|authority| authority.as_str().to_owned())
        .ok_or_else(|| format!("PUBLIC_URL={public_url:?} has no host"))?;

    // Your tenant, or the embedded issuer standing in for one. It must live
    // as long as the server: dropping it stops it.
    let (options, dev_issuer) = match env::var("AUTH0_DOMAIN") {
        Ok(domain) => {
            let audience = env::var("AUTH0_AUDIENCE").unwrap_or_else(|_| mcp_url.clone());
            println!("Verifying tokens of {domain} for the audience {audience}.");
            (ApiClientOptions::new(domain, audience), None)
        }
        Err(_) => {
            // The user /authorize approves as signed in an hour ago, so
            // that delete_messages asks for a fresh login (step-up).
            let an_hour_ago = unix_now()? - 3600;
            let issuer = DevIssuer::builder()
                .user(User::new(USER).authenticated_at(an_hour_ago))
                .start()
                .await?;
            let options = ApiClientOptions::new(issuer.issuer_url(), mcp_url.clone());
            (options, Some(issuer))
        }
    };
    // The MCP endpoint is the protected resource: every challenge names its
    // RFC 9728 document, which names the issuer. No `scopes_supported`: a
    // client that finds none asks for no scope up front, and learns each
    // tool's scope from its 403 (least privilege).
    let options = options.resource_metadata(
        ProtectedResourceMetadata::new(&mcp_url).resource_name("mcp-example messages"),
    );
    let verifier = RequestVerifier::new(ApiClient::new(options)?, PublicUrl::new(&public_url)?);
    let app = router(&verifier, ToolPolicy::messages(), [public_host]);

    println!("MCP server (streamable HTTP) at {mcp_url}");
    if let Some(issuer) = &dev_issuer {
        print!("{}", dev_banner(issuer, &mcp_url));
    }
    println!("Press Ctrl-C to stop.");
    axum::serve(listener, app)
        .with_graceful_shutdown(ctrl_c())
        .await?;
    Ok(())
}

/// Where the issuer is, and how to point an MCP client at the server.
fn dev_banner(issuer: &DevIssuer, mcp_url: &str) -> String {
    format!(
        "
Tokens come from the embedded dev-issuer at {issuer_url}
(public test keys: never trust its tokens outside development).

Point an MCP client at {mcp_url}, for example the MCP Inspector:

    npx @modelcontextprotocol/inspector

then choose the transport \"Streamable HTTP\", enter the URL above and
connect. The client receives 401, finds the issuer through
{metadata_url},
registers itself, and is signed in as {USER} without a login page. Call whoami; read_messages asks for the read:messages scope
(403, then a new authorization); delete_messages asks for a login at most
five minutes old (401 insufficient_user_authentication with max_age: a
client that follows RFC 9470 signs in again with max_age=300; {USER}
last signed in an hour ago).

Or drive the official TypeScript SDK client through the whole flow:

    npm ci --prefix crates/mcp-example/client
    node crates/mcp-example/client/client.mjs {mcp_url}

",
        issuer_url = issuer.issuer_url(),
        metadata_url = ProtectedResourceMetadata::new(mcp_url)
            .well_known_url()
            .unwrap_or_default(),
    )
}

/// Seconds since the Unix epoch.
fn unix_now() -> Result<i64, Box<dyn Error>> {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    Ok(i64::try_from(seconds)?)
}

/// Resolves on Ctrl-C; never, if the signal cannot be listened for.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
