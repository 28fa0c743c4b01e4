//! What an MCP client meets over real HTTP: a 401 naming the metadata URL,
//! the RFC 9728 document there (CORS, caching), and the scope and step-up
//! guards' exact challenges.

use std::time::Duration;

use actix_web::web;
use auth0_api::{ApiClient, ApiClientOptions, ProtectedResourceMetadata, PublicUrl, StepUp};
use auth0_api_actix::{
    Auth0Middleware, Authenticated, RequireScopes, RequireStepUp, resource_metadata_routes,
};
use dev_issuer::testing::NOW;
use serde_json::json;

use crate::support::{Env, Server, http, send};

const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

async fn whoami(Authenticated(claims): Authenticated) -> String {
    claims.sub().unwrap_or_default().to_owned()
}

/// An MCP-shaped app: `/mcp` behind the middleware (with a scope-guarded
/// and a step-up-guarded route beside it), the metadata outside it.
fn app(
    options: ApiClientOptions,
    public_url: PublicUrl,
) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static + use<> {
    let client = ApiClient::new(options).unwrap();
    let metadata = resource_metadata_routes(client.resource_metadata().unwrap());
    let auth = Auth0Middleware::new(client, public_url);
    move |config| {
        let step_up = StepUp::new()
            .acr_values(["urn:mfa"])
            .max_age(Duration::from_secs(300));
        config
            .service(
                web::scope("/mcp")
                    .route("", web::get().to(whoami))
                    .route(
                        "/admin",
                        web::get().to(whoami).wrap(RequireScopes::new([
                            "tools:read",
                            "tools:admin",
                            "tools:read",
                        ])),
                    )
                    .route(
                        "/payments",
                        web::get().to(whoami).wrap(RequireStepUp::new(step_up)),
                    )
                    .wrap(auth.clone()),
            )
            .configure(metadata.clone());
    }
}

/// The app at `url`, advertising the resource `url/mcp`.
fn mcp_app(
    env: &Env,
    url: &str,
) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static + use<> {
    let options = env
        .options()
        .resource_metadata(
            ProtectedResourceMetadata::new(format!("{url}/mcp"))
                .scopes_supported(["tools:read", "tools:admin"])
                .resource_name("Test MCP"),
        )
        .permissions_as_scopes(true);
    app(options, PublicUrl::new(url).unwrap())
}

#[tokio::test]
async fn a_401_names_the_document_an_mcp_client_then_fetches() {
    let env = Env::start().await;
    let server = Server::start(|url| mcp_app(&env, url)).await;
    let metadata_url = server.url_of(&format!("{WELL_KNOWN}/mcp"));

    let reply = send(http().get(server.url_of("/mcp"))).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.challenges(),
        [
            format!("Bearer realm=\"api\", resource_metadata=\"{metadata_url}\""),
            format!("DPoP algs=\"ES256\", resource_metadata=\"{metadata_url}\""),
        ]
    );
    assert_eq!(
        reply.header("access-control-expose-headers"),
        Some("WWW-Authenticate, DPoP-Nonce")
    );

    // The path-inserted form and the root both answer, without a token.
    for url in [metadata_url.clone(), server.url_of(WELL_KNOWN)] {
        let reply = send(http().get(&url)).await;
        assert_eq!(reply.status, 200, "{url}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.header("cache-control"), Some("public, max-age=3600"));
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            reply.body,
            json!({
                "resource": server.url_of("/mcp"),
                "authorization_servers": [env.issuer.issuer_url()],
                "scopes_supported": ["tools:read", "tools:admin"],
                "bearer_methods_supported": ["header"],
                "dpop_signing_alg_values_supported": ["ES256"],
                "resource_name": "Test MCP",
            }),
            "{url}"
        );
    }

    // The CORS preflight a browser sends before the MCP SDK's fetch.
    let reply = send(
        http()
            .request("OPTIONS".parse().unwrap(), &metadata_url)
            .header("origin", "https://inspector.example")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "mcp-protocol-version"),
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET, OPTIONS")
    );
    assert_eq!(reply.header("access-control-allow-headers"), Some("*"));
    assert_eq!(reply.header("access-control-max-age"), Some("86400"));

    // With the token, the call goes through.
    let token = env.token("tools:read");
    let reply = send(http().get(server.url_of("/mcp")).bearer_auth(&token)).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body.as_str()),
        (200, Some("auth0|alice"))
    );
}

#[tokio::test]
async fn guards_answer_with_every_scope_and_the_step_up_requirement() {
    let env = Env::start().await;
    let server = Server::start(|url| mcp_app(&env, url)).await;
    let metadata = server.url_of(&format!("{WELL_KNOWN}/mcp"));
    let dpop = format!("DPoP algs=\"ES256\", resource_metadata=\"{metadata}\"");

    let reply = send(
        http()
            .get(server.url_of("/mcp/admin"))
            .bearer_auth(env.token("openid")),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.challenges(),
        [
            format!(
                "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"missing \
                 required scopes 'tools:read', 'tools:admin'\", scope=\"tools:read tools:admin\", \
                 resource_metadata=\"{metadata}\""
            ),
            dpop.clone(),
        ]
    );
    assert_eq!(reply.error(), "insufficient_scope");

    // The RBAC permissions count as scopes in this app.
    let token = env
        .issuer
        .token()
        .sub("auth0|alice")
        .permissions(["tools:read", "tools:admin"])
        .sign()
        .unwrap();
    let reply = send(http().get(server.url_of("/mcp/admin")).bearer_auth(&token)).await;
    assert_eq!(reply.status, 200);

    let step_up = |acr: &str, auth_time: u64| {
        env.issuer
            .token()
            .sub("auth0|alice")
            .claim("acr", acr)
            .claim("auth_time", auth_time)
            .expires_in(Duration::from_secs(3600))
            .sign()
            .unwrap()
    };
    for (token, description) in [
        (env.token(""), "the token has no acr"),
        (
            step_up("urn:pwd", NOW),
            "acr 'urn:pwd' is not an accepted authentication context",
        ),
        (
            step_up("urn:mfa", NOW - 301),
            "the user authenticated 301 s ago, more than 300 s",
        ),
    ] {
        let reply = send(
            http()
                .get(server.url_of("/mcp/payments"))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(reply.status, 401, "{description}");
        assert_eq!(
            reply.challenges(),
            [
                format!(
                    "Bearer realm=\"api\", error=\"insufficient_user_authentication\", \
                     error_description=\"{description}\", acr_values=\"urn:mfa\", \
                     max_age=\"300\", resource_metadata=\"{metadata}\""
                ),
                dpop.clone(),
            ]
        );
    }
    let recent = step_up("urn:mfa", NOW - 300);
    let reply = send(
        http()
            .get(server.url_of("/mcp/payments"))
            .bearer_auth(&recent),
    )
    .await;
    assert_eq!(reply.status, 200);
    // Later on the API's clock, the same token is too old.
    env.clock.advance(Duration::from_secs(1));
    let reply = send(
        http()
            .get(server.url_of("/mcp/payments"))
            .bearer_auth(&recent),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error(), "insufficient_user_authentication");
}
