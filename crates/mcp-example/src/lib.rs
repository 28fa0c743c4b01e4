/*!
An MCP server on the official Rust MCP SDK ([`rmcp`]), protected by Auth0
access tokens with [`auth0_api_axum`], and the proof that the official MCP
TypeScript SDK client gets from a 401 to a working tool call on its own.

- [`MessagesServer`]: three tools. `whoami` for any verified token,
  `read_messages` with the `read:messages` scope, `delete_messages` after a
  recent login (step-up, RFC 9470).
- [`ToolPolicy`]: who may call which tool, checked at HTTP level on each
  `tools/call`, so that a refusal is the 401 or 403 challenge an MCP client
  acts on (re-authorizing with the scope it names).
- [`router`]: the MCP endpoint at [`MCP_PATH`] (streamable HTTP,
  stateless) behind the auth layer and the policy.

# The example

`cargo run -p mcp-example --example mcp_server` starts an embedded
`dev-issuer` and the server on `http://127.0.0.1:3000/mcp`, and prints how
to point an MCP client at it. Set `AUTH0_DOMAIN` (and `AUTH0_AUDIENCE`, by
default the MCP URL) to trust a tenant instead, `PORT` and `PUBLIC_URL` to
serve elsewhere. The crate's README says what an MCP client sees, and why
the checks are made where they are.

# The end-to-end test

`tests/integration/` starts dev-issuer and the server on loopback and runs
`client/client.mjs`, a Node script on `@modelcontextprotocol/sdk`, against
them: dynamic registration, authorization code with PKCE and `resource`,
tools, re-authorization after 403 `insufficient_scope`, and a fresh login
after 401 `insufficient_user_authentication`. It needs
`npm ci --prefix crates/mcp-example/client` once (`.ci/run` and
`cargo xtask ci` run it), and fails saying so without it.
*/

mod app;
pub use app::{MCP_PATH, router};

mod policy;
pub use policy::{MAX_BODY_BYTES, ToolPolicy};

mod server;
pub use server::MessagesServer;
