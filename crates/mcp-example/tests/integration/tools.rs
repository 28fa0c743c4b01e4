//! The tools and their policy, over the router: who may call what, and the
//! HTTP answers a refused call gets.

use http::StatusCode;
use mcp_example::{MAX_BODY_BYTES, MCP_PATH};
use serde_json::json;

use std::time::Duration;

use dev_issuer::testing::NOW;

use crate::support::{Env, block_on, call, request, tool_output};

#[test]
fn a_request_without_a_token_is_401() {
    block_on(async {
        let env = Env::start().await;
        let reply = env.post(None, &request(1, "tools/list", json!({}))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        let metadata = env.metadata_url();
        assert_eq!(
            reply.challenges(),
            [
                format!("Bearer realm=\"api\", resource_metadata=\"{metadata}\""),
                format!("DPoP algs=\"ES256\", resource_metadata=\"{metadata}\""),
            ]
        );
    });
}

#[test]
fn tools_list_names_the_three_tools() {
    block_on(async {
        let env = Env::start().await;
        let token = env.token("");
        let reply = env
            .post(Some(&token), &request(1, "tools/list", json!({})))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let mut names: Vec<&str> = reply.body["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tool| tool["name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["delete_messages", "read_messages", "whoami"]);
    });
}

#[test]
fn any_token_may_call_whoami() {
    block_on(async {
        let env = Env::start().await;
        let token = env.token("openid");
        let reply = env.post(Some(&token), &call(7, "whoami")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["id"], 7);
        assert_eq!(
            tool_output(&reply),
            json!({ "sub": "auth0|alice", "scope": "openid" })
        );
    });
}

#[test]
fn read_messages_without_its_scope_is_403_insufficient_scope() {
    block_on(async {
        let env = Env::start().await;
        let token = env.token("openid");
        let reply = env.post(Some(&token), &call(1, "read_messages")).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert_eq!(reply.error(), "insufficient_scope");
        let challenge = reply.challenges()[0];
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(
            challenge.contains("error=\"insufficient_scope\""),
            "{challenge}"
        );
        assert!(challenge.contains("scope=\"read:messages\""), "{challenge}");
    });
}

#[test]
fn read_messages_with_its_scope_answers() {
    block_on(async {
        let env = Env::start().await;
        let token = env.token("openid read:messages");
        let reply = env.post(Some(&token), &call(1, "read_messages")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(tool_output(&reply)[0]["from"], "alice");
    });
}

#[test]
fn a_guarded_tool_hidden_in_a_batch_is_refused() {
    block_on(async {
        let env = Env::start().await;
        let token = env.token("openid");
        let batch = json!([call(1, "whoami"), call(2, "read_messages")]);
        let reply = env.post(Some(&token), &batch).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert_eq!(reply.error(), "insufficient_scope");
    });
}

#[test]
fn a_body_the_policy_cannot_read_never_reaches_a_tool() {
    block_on(async {
        let env = Env::start().await;
        let token = env.token("openid");

        let reply = env.post_bytes(Some(&token), b"{\"method\":".to_vec()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.body["error"]["code"], -32700);

        let mut padded = call(1, "read_messages").to_string().into_bytes();
        padded.resize(MAX_BODY_BYTES + 1, b' ');
        let reply = env.post_bytes(Some(&token), padded).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    });
}

#[test]
fn delete_messages_needs_a_login_at_most_five_minutes_old() {
    block_on(async {
        let env = Env::start().await;
        let login = |auth_time: u64| {
            env.issuer
                .token()
                .sub("auth0|alice")
                .audience(&env.mcp_url)
                .claim("auth_time", auth_time)
                .sign()
                .unwrap()
        };
        let metadata = env.metadata_url();

        // Signed in an hour ago: 401 insufficient_user_authentication.
        let reply = env
            .post(Some(&login(NOW - 3600)), &call(1, "delete_messages"))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        assert_eq!(reply.error(), "insufficient_user_authentication");
        assert_eq!(
            reply.challenges(),
            [
                format!(
                    "Bearer realm=\"api\", error=\"insufficient_user_authentication\", \
                     error_description=\"the user authenticated 3600 s ago, more than 300 s\", \
                     max_age=\"300\", resource_metadata=\"{metadata}\""
                ),
                format!("DPoP algs=\"ES256\", resource_metadata=\"{metadata}\""),
            ]
        );
        // No auth_time at all: the same.
        let reply = env
            .post(Some(&env.token("")), &call(2, "delete_messages"))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        assert_eq!(reply.error(), "insufficient_user_authentication");

        // Just signed in: deleted. Five minutes on, still; a second more, no.
        let fresh = login(NOW);
        let reply = env.post(Some(&fresh), &call(3, "delete_messages")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            tool_output(&reply),
            json!({ "deleted": 2, "by": "auth0|alice" })
        );
        env.clock.advance(Duration::from_secs(300));
        let reply = env.post(Some(&fresh), &call(4, "delete_messages")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        env.clock.advance(Duration::from_secs(1));
        let reply = env.post(Some(&fresh), &call(5, "delete_messages")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);

        // Other tools do not ask how recent the login was.
        let reply = env.post(Some(&login(NOW - 3600)), &call(6, "whoami")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    });
}

#[test]
fn the_metadata_document_names_the_resource_and_the_issuer() {
    block_on(async {
        let env = Env::start().await;
        let path = env
            .metadata_url()
            .replace(env.mcp_url.trim_end_matches(MCP_PATH), "");
        let reply = env.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["resource"], env.mcp_url.as_str());
        assert_eq!(
            reply.body["authorization_servers"],
            json!([env.issuer.issuer_url()])
        );
        assert_eq!(reply.body["bearer_methods_supported"], json!(["header"]));
    });
}

#[test]
fn a_duplicated_member_never_lets_a_guarded_tool_through() {
    block_on(async {
        let env = Env::start().await;
        let token = env.token("openid");
        // The policy reads the last `name` (whoami) and lets the call
        // through: rmcp must then run whoami, or refuse (rmcp 3.11
        // refuses: -32601), never the guarded tool named first.
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call",
            "params":{"name":"read_messages","name":"whoami","arguments":{}}}"#;
        let reply = env.post_bytes(Some(&token), body.as_bytes().to_vec()).await;
        assert!(reply.body.get("result").is_none(), "{}", reply.body);
        assert!(!reply.body.to_string().contains("lunch at noon"));
        // The same with `method`: a guarded call disguised as tools/list.
        let body = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","method":"tools/list",
            "params":{"name":"read_messages","arguments":{}}}"#;
        let reply = env.post_bytes(Some(&token), body.as_bytes().to_vec()).await;
        assert!(reply.body.get("result").is_none(), "{}", reply.body);
        assert!(!reply.body.to_string().contains("lunch at noon"));
    });
}
