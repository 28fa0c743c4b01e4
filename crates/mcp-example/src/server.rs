//! `MessagesServer`: the MCP server's tools, on rmcp's tool router.

use auth0_api::Claims;
use http::request::Parts;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use serde_json::json;

use crate::policy::{DELETE_MESSAGES, READ_MESSAGES, READ_MESSAGES_SCOPE, WHOAMI};

/// The example MCP server: three tools over a fixed mailbox.
///
/// | tool              | who may call it                                      |
/// | ----------------- | ---------------------------------------------------- |
/// | `whoami`          | any verified token                                   |
/// | `read_messages`   | a token with the `read:messages` scope               |
/// | `delete_messages` | a token from a recent login (step-up, RFC 9470)      |
///
/// The checks that decide who may call a tool run before the request
/// reaches this server, at HTTP level ([`ToolPolicy`](crate::ToolPolicy)),
/// so that a refusal is an HTTP 401 or 403 with a challenge an MCP client
/// acts on. The tools check again, as a backstop should the server ever be
/// mounted without that layer: a refusal here is a JSON-RPC error.
#[derive(Debug, Clone)]
pub struct MessagesServer {
    tool_router: ToolRouter<Self>,
}

impl Default for MessagesServer {
    fn default() -> Self {
        Self::new()
    }
}

#[tool_router]
impl MessagesServer {
    /// A server with the three tools.
    pub fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    /// Who the token was issued for.
    #[tool(
        name = "whoami",
        description = "Who you are: the subject and scopes of your access token."
    )]
    async fn whoami(
        &self,
        Extension(parts): Extension<Parts>,
    ) -> Result<CallToolResult, ErrorData> {
        let claims = claims(&parts, WHOAMI)?;
        let answer = json!({
            "sub": claims.sub(),
            "scope": claims.scope().unwrap_or_default(),
        });
        Ok(CallToolResult::success(vec![ContentBlock::text(
            answer.to_string(),
        )]))
    }

    /// The mailbox, for tokens with `read:messages`.
    #[tool(
        name = "read_messages",
        description = "Reads your messages (needs the read:messages scope)."
    )]
    async fn read_messages(
        &self,
        Extension(parts): Extension<Parts>,
    ) -> Result<CallToolResult, ErrorData> {
        let claims = claims(&parts, READ_MESSAGES)?;
        if !claims.has_scope(READ_MESSAGES_SCOPE) {
            return Err(ErrorData::invalid_request(
                format!("read_messages needs the {READ_MESSAGES_SCOPE} scope"),
                None,
            ));
        }
        let messages = json!([
            { "id": 1, "from": "alice", "text": "lunch at noon?" },
            { "id": 2, "from": "bob", "text": "the build is green" },
        ]);
        Ok(CallToolResult::success(vec![ContentBlock::text(
            messages.to_string(),
        )]))
    }

    /// Deleting needs a recent login; the step-up check is at HTTP level.
    #[tool(
        name = "delete_messages",
        description = "Deletes your messages (needs a recent login: step-up authentication)."
    )]
    async fn delete_messages(
        &self,
        Extension(parts): Extension<Parts>,
    ) -> Result<CallToolResult, ErrorData> {
        let claims = claims(&parts, DELETE_MESSAGES)?;
        let answer = json!({ "deleted": 2, "by": claims.sub() });
        Ok(CallToolResult::success(vec![ContentBlock::text(
            answer.to_string(),
        )]))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for MessagesServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "A mailbox protected by Auth0 access tokens: whoami for anyone, read_messages \
                 with the read:messages scope, delete_messages after a recent login.",
            )
    }
}

/// The claims the auth layer verified, from the HTTP request parts rmcp
/// hands the tool.
fn claims<'a>(parts: &'a Parts, tool: &str) -> Result<&'a Claims, ErrorData> {
    parts.extensions.get::<Claims>().ok_or_else(|| {
        // A server mounted without the auth layer: a bug in the application,
        // never answered with data.
        ErrorData::internal_error(format!("{tool}: no verified claims in the request"), None)
    })
}
