//! `ToolPolicy`: who may call which tool, checked at HTTP level.
//!
//! An MCP client learns that it needs more from an HTTP answer: 403
//! `insufficient_scope` with the `scope` it lacks (RFC 6750 section 3.1,
//! MCP authorization "scope challenge handling"). A refusal from inside a
//! tool is a JSON-RPC error in a 200 response, which no client turns into a
//! new authorization. So the policy reads the JSON-RPC body of each POST
//! before rmcp does: for `tools/call` of a guarded tool it checks the
//! verified claims and answers the challenge itself. The same holds for a
//! tool that needs a recent login: 401 `insufficient_user_authentication`
//! with `max_age` (RFC 9470).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use auth0_api::{AuthError, Claims, StepUp};
use auth0_api_axum::AuthRejection;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, StatusCode};
use serde_json::{Value, json};

/// The tool any verified token may call.
pub(crate) const WHOAMI: &str = "whoami";
/// The tool that needs [`READ_MESSAGES_SCOPE`].
pub(crate) const READ_MESSAGES: &str = "read_messages";
/// The scope `read_messages` needs.
pub(crate) const READ_MESSAGES_SCOPE: &str = "read:messages";
/// The tool that needs a recent login.
pub(crate) const DELETE_MESSAGES: &str = "delete_messages";
/// How recent a login `delete_messages` needs.
pub(crate) const DELETE_MESSAGES_MAX_AGE: Duration = Duration::from_secs(300);

/// The largest JSON-RPC body the policy reads, and so the largest the MCP
/// endpoint accepts (64 KiB: tool calls of this server are a few hundred
/// bytes; rmcp's own default is 4 MiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What each tool needs beyond a verified token, checked on every
/// `tools/call` before the call reaches the MCP server.
///
/// Tools not named here need only a verified token (the auth layer in front
/// has checked it). A call of a guarded tool without what it needs is
/// refused with the [`AuthError`](auth0_api::AuthError)'s status and
/// challenge: 401 `insufficient_user_authentication` with `max_age` and/or
/// `acr_values` for a [`StepUp`] the token does not meet (checked first:
/// who the user is comes before what they may do), else 403
/// `insufficient_scope` naming every required scope.
///
/// ```
/// use std::time::Duration;
///
/// use auth0_api::StepUp;
/// use mcp_example::ToolPolicy;
///
/// let policy = ToolPolicy::new()
///     .require_scopes("read_messages", ["read:messages"])
///     .require_step_up("delete_messages", StepUp::new().max_age(Duration::from_secs(300)));
/// assert_eq!(policy.scopes_for("read_messages"), ["read:messages"]);
/// assert!(policy.scopes_for("whoami").is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ToolPolicy {
    tools: Arc<HashMap<String, Requirement>>,
}

/// What one tool needs.
#[derive(Debug, Clone, Default)]
struct Requirement {
    scopes: Vec<String>,
    step_up: Vec<StepUp>,
}

impl ToolPolicy {
    /// A policy that guards no tool.
    pub fn new() -> Self {
        Self::default()
    }

    /// The policy of [`MessagesServer`](crate::MessagesServer):
    /// `read_messages` needs `read:messages`, `delete_messages` a login at
    /// most five minutes old.
    pub fn messages() -> Self {
        Self::new()
            .require_scopes(READ_MESSAGES, [READ_MESSAGES_SCOPE])
            .require_step_up(
                DELETE_MESSAGES,
                StepUp::new().max_age(DELETE_MESSAGES_MAX_AGE),
            )
    }

    /// Requires the user's authentication to meet `step_up` to call `tool`
    /// (as well as any requirement added already).
    #[must_use]
    pub fn require_step_up(mut self, tool: &str, step_up: StepUp) -> Self {
        let tools = Arc::make_mut(&mut self.tools);
        tools
            .entry(tool.to_owned())
            .or_default()
            .step_up
            .push(step_up);
        self
    }

    /// Requires every one of `scopes` to call `tool` (added to any scopes
    /// required already).
    #[must_use]
    pub fn require_scopes<I, S>(mut self, tool: &str, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let tools = Arc::make_mut(&mut self.tools);
        let requirement = tools.entry(tool.to_owned()).or_default();
        requirement
            .scopes
            .extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The scopes `tool` needs (none for a tool the policy does not name).
    pub fn scopes_for(&self, tool: &str) -> Vec<&str> {
        self.tools
            .get(tool)
            .map(|requirement| requirement.scopes.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every scope some tool needs, each once, sorted: the resource
    /// metadata's `scopes_supported`, for a server whose 401 challenges
    /// name the scope to start with (an MCP client otherwise asks for all
    /// of `scopes_supported` up front; see the crate's README).
    pub fn all_scopes(&self) -> Vec<&str> {
        let mut scopes: Vec<&str> = self
            .tools
            .values()
            .flat_map(|requirement| requirement.scopes.iter().map(String::as_str))
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
    }

    /// Checks the claims against what each called tool needs.
    fn check(&self, claims: &Claims, called: &[String]) -> Result<(), AuthError> {
        for requirement in called.iter().filter_map(|tool| self.tools.get(tool)) {
            for step_up in &requirement.step_up {
                step_up.check(claims)?;
            }
        }
        // One challenge naming every scope the calls need (the issue's
        // "insufficient_scope names every missing scope in one challenge").
        let mut scopes: Vec<&str> = called
            .iter()
            .flat_map(|tool| self.scopes_for(tool))
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        claims.require_scopes(&scopes)
    }
}

/// The axum middleware of a [`ToolPolicy`] (`from_fn_with_state`). It must
/// run inside the auth layer, which puts the verified [`Claims`] in the
/// request.
pub(crate) async fn enforce(
    State(policy): State<ToolPolicy>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST || policy.tools.is_empty() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // Bounded: the body is read whole before rmcp sees it, so no more than
    // MAX_BODY_BYTES is ever held for one request.
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large();
    };
    let Some(called) = called_tools(&bytes) else {
        // Not JSON: rmcp would refuse it too. Refused here, so that nothing
        // the policy cannot read reaches a tool.
        return parse_error();
    };
    if called.iter().any(|tool| policy.tools.contains_key(tool)) {
        let Some(claims) = parts.extensions.get::<Claims>() else {
            return not_authenticated();
        };
        if let Err(error) = policy.check(claims, &called) {
            return AuthRejection::from(error).into_response();
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The names of the tools a JSON-RPC message (or batch) calls; `None` when
/// the body is not JSON.
///
/// A `tools/call` whose `name` is not a string is not counted: rmcp refuses
/// it before any tool runs.
fn called_tools(body: &Bytes) -> Option<Vec<String>> {
    // Parsed into a Value, as rmcp's types read the same bytes: for a
    // duplicated member both keep the last one or refuse, so the policy
    // and rmcp never see different tool names.
    let message: Value = serde_json::from_slice(body).ok()?;
    let messages = match &message {
        Value::Array(batch) => batch.iter().collect(),
        single => vec![single],
    };
    Some(
        messages
            .into_iter()
            .filter(|message| message.get("method").and_then(Value::as_str) == Some("tools/call"))
            .filter_map(|message| message.get("params")?.get("name")?.as_str())
            .map(str::to_owned)
            .collect(),
    )
}

/// 413, for a body over [`MAX_BODY_BYTES`] (or one that broke off).
fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body must be at most {MAX_BODY_BYTES} bytes"),
    )
        .into_response()
}

/// 400 with a JSON-RPC parse error (code -32700), as rmcp answers.
fn parse_error() -> Response {
    let body = json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": "Parse error: the body is not JSON" },
    });
    let mut response = (StatusCode::BAD_REQUEST, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// 500: the policy runs outside the auth layer, a bug in the application,
/// refused rather than let through.
fn not_authenticated() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "authentication is not configured for this route",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn called(body: &str) -> Option<Vec<String>> {
        called_tools(&Bytes::from(body.to_owned()))
    }

    #[test]
    fn the_called_tools_are_read_from_tools_call_messages_only() {
        let call =
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_messages"}}"#;
        assert_eq!(called(call).unwrap(), ["read_messages"]);
        let list =
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"name":"read_messages"}}"#;
        assert_eq!(called(list).unwrap(), Vec::<String>::new());
        // Every message of a batch counts.
        let batch = format!(r#"[{list}, {call}, {call}]"#);
        assert_eq!(called(&batch).unwrap(), ["read_messages", "read_messages"]);
        // A name that is not a string calls nothing: rmcp refuses it.
        let odd = r#"{"method":"tools/call","params":{"name":["read_messages"]}}"#;
        assert_eq!(called(odd).unwrap(), Vec::<String>::new());
        // A duplicated member: the last one, as rmcp's Value-based reading
        // has it (or rmcp refuses the message).
        let twice = r#"{"method":"tools/list","method":"tools/call","params":{"name":"whoami","name":"read_messages"}}"#;
        assert_eq!(called(twice).unwrap(), ["read_messages"]);
        assert_eq!(called("not json"), None);
        assert_eq!(called(""), None);
    }

    #[test]
    fn the_policy_names_each_scope_once() {
        let policy = ToolPolicy::new()
            .require_scopes("a", ["x", "y"])
            .require_scopes("b", ["y"])
            .require_scopes("a", ["z"]);
        assert_eq!(policy.scopes_for("a"), ["x", "y", "z"]);
        assert_eq!(policy.all_scopes(), ["x", "y", "z"]);
        assert!(policy.scopes_for("c").is_empty());
        assert_eq!(ToolPolicy::messages().all_scopes(), [READ_MESSAGES_SCOPE]);
    }
}
