//! The tools and their policy, over the router: who may call what, and the
//! HTTP answers a refused call gets.

use http::StatusCode;
use mcp_example::MAX_BODY_BYTES;
use serde_json::json;

use crate::support::{Env, block_on, call, request, tool_output};

#[test]
fn a_request_without_a_token_is_401() {
    block_on(async {
        let env = Env::start().await;
        let reply = env.post(None, &request(1, "tools/list", json!({}))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(!reply.challenges().is_empty());
        assert!(reply.challenges()[0].starts_with("Bearer "));
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
