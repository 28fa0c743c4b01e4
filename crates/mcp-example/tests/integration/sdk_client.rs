//! The official MCP TypeScript SDK client (`client/client.mjs` on
//! `@modelcontextprotocol/sdk`) through the whole OAuth flow against the
//! example server and dev-issuer, over real HTTP on loopback.
//!
//! The script prints one JSON line per step; every step is checked here.
//! It needs Node and `npm ci --prefix crates/mcp-example/client`: without
//! them this test fails, saying so, rather than passing unseen.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use dev_issuer::testing::{NOW, TEST_TIMEOUT};
use dev_issuer::{ClientAuthMethod, DevIssuer, User};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use tokio::process::Command;

use crate::support::{Env, block_on};

/// The user dev-issuer approves as: signed in an hour before the test's
/// instant, so `delete_messages` (a login at most 300 s old) asks for a
/// fresh one.
const USER: &str = "auth0|alice";

/// The script's directory.
fn client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("client")
}

/// Fails the test, saying what to run, when the SDK is not installed.
fn require_installed_sdk() {
    let sdk = client_dir().join("node_modules/@modelcontextprotocol/sdk/package.json");
    assert!(
        sdk.is_file(),
        "the MCP TypeScript SDK is not installed ({} is missing): run \
         `npm ci --prefix crates/mcp-example/client` from the workspace root (needs Node 20 \
         and npm)",
        sdk.display()
    );
}

/// Runs `node client.mjs <mcp_url>` and returns its steps, one JSON value
/// per line; the script is killed if it outlives two thirds of
/// [`TEST_TIMEOUT`].
async fn run_client(mcp_url: &str) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg("client.mjs")
        .arg(mcp_url)
        .current_dir(client_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node` (Node 20 is needed): {e}"));
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();
    // Both pipes are read at once: a script filling stderr while stdout
    // alone is read would block until the timeout.
    let read_steps = async {
        let mut steps = Vec::new();
        while let Some(line) = stdout.next_line().await.unwrap() {
            let step: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            steps.push(step);
        }
        steps
    };
    let read_errors = async {
        let mut errors = String::new();
        stderr.read_to_string(&mut errors).await.unwrap();
        errors
    };
    let run = async {
        let (steps, errors) = tokio::join!(read_steps, read_errors);
        (steps, child.wait().await.unwrap(), errors)
    };
    // Within the test's own bound, so that this message is the one seen.
    // On timeout the panic drops `child`, which kills the script.
    let bound = TEST_TIMEOUT * 2 / 3;
    let Ok((steps, status, errors)) = tokio::time::timeout(bound, run).await else {
        panic!("client.mjs did not finish within {bound:?}");
    };
    let printed = steps
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        status.success(),
        "client.mjs failed ({status}):\n{printed}\nstderr:\n{errors}"
    );
    steps
}

#[test]
fn the_official_sdk_client_completes_the_whole_flow() {
    require_installed_sdk();
    block_on(async {
        let mut builder = DevIssuer::builder();
        builder.user(User::new(USER).authenticated_at(NOW as i64 - 3600));
        let env = Env::start_with(&builder).await;
        let steps = run_client(&env.mcp_url).await;
        check_steps(&env, &steps);
        check_token_requests(&env);
    });
}

/// What dev-issuer saw, beside what the script says: three codes redeemed
/// by a public client, each with its PKCE verifier and the resource.
fn check_token_requests(env: &Env) {
    let requests = env.issuer.token_requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    for request in &requests {
        assert_eq!(request.grant_type(), Some("authorization_code"));
        assert_eq!(request.auth_method(), ClientAuthMethod::None);
        assert!(request.field("code_verifier").is_some());
        assert_eq!(request.field("resource"), Some(env.mcp_url.as_str()));
        assert!(!request.has_dpop_proof());
    }
}

/// Checks every step the script printed, in order.
fn check_steps(env: &Env, steps: &[Value]) {
    let printed = steps
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    // The transport's GET for a server-sent event stream (405: the server
    // is stateless) runs beside the requests, at no fixed place.
    let (others, flow): (Vec<&Value>, Vec<&Value>) =
        steps.iter().partition(|step| step["step"] == "http");
    for other in others {
        assert_eq!(
            (&other["method"], &other["status"]),
            (&json!("GET"), &json!(405)),
            "{printed}"
        );
    }
    let names: Vec<&str> = flow
        .iter()
        .map(|step| step["step"].as_str().unwrap())
        .collect();
    // Each authorization discovers again (PRM, AS): the SDK keeps no
    // discovery state unless its provider does, and this one does not.
    let expected = [
        "unauthorized",
        "protected_resource_metadata",
        "authorization_server_metadata",
        "registration",
        "authorize",
        "protected_resource_metadata",
        "authorization_server_metadata",
        "token",
        "initialize",
        "tools/list",
        "tools/call",
        // read_messages: 403, a new authorization with its scope, the call.
        "forbidden",
        "protected_resource_metadata",
        "authorization_server_metadata",
        "authorize",
        "protected_resource_metadata",
        "authorization_server_metadata",
        "token",
        "tools/call",
        // delete_messages: 401 step-up, a fresh login, the call.
        "unauthorized",
        "protected_resource_metadata",
        "authorization_server_metadata",
        "authorize",
        "protected_resource_metadata",
        "authorization_server_metadata",
        "token",
        "tools/call",
        "done",
    ];
    assert_eq!(names, expected, "{printed}");

    let metadata_url = env.metadata_url();
    let issuer = env.issuer.issuer_url();
    let mut flow = flow.into_iter();
    let mut next = || flow.next().unwrap();

    // 1. 401, with the metadata URL in the challenge.
    let unauthorized = next();
    assert_eq!(unauthorized["method"], "initialize");
    assert_eq!(unauthorized["resource_metadata"], metadata_url.as_str());
    assert_eq!(
        unauthorized["www_authenticate"],
        format!(
            "Bearer realm=\"api\", resource_metadata=\"{metadata_url}\", \
             DPoP algs=\"ES256\", resource_metadata=\"{metadata_url}\""
        )
    );
    // 2, 3. The document it names, and the issuer's metadata.
    let check_discovery = |prm: &Value, asm: &Value| {
        assert_eq!(prm["url"], metadata_url.as_str(), "{prm}");
        assert_eq!(prm["status"], 200, "{prm}");
        assert_eq!(prm["document"]["resource"], env.mcp_url.as_str(), "{prm}");
        assert_eq!(
            prm["document"]["authorization_servers"],
            json!([issuer]),
            "{prm}"
        );
        assert_eq!(
            prm["document"]["bearer_methods_supported"],
            json!(["header"]),
            "{prm}"
        );
        assert_eq!(
            asm["url"],
            format!("{issuer}.well-known/oauth-authorization-server"),
            "{asm}"
        );
        assert_eq!(asm["status"], 200, "{asm}");
        assert_eq!(asm["issuer"], issuer, "{asm}");
        assert_eq!(
            asm["registration_endpoint"],
            format!("{issuer}oidc/register"),
            "{asm}"
        );
        assert_eq!(
            asm["code_challenge_methods_supported"],
            json!(["S256"]),
            "{asm}"
        );
    };
    check_discovery(next(), next());
    // 4. Dynamic registration, as a public client.
    let registration = next();
    assert_eq!(registration["status"], 201, "{registration}");
    assert!(!registration["client_id"].as_str().unwrap().is_empty());
    assert_eq!(registration["token_endpoint_auth_method"], "none");
    // 5-7. Authorization with PKCE and the resource, then the token.
    let check_authorization = |authorize: &Value, token: &Value, scope: Value, max_age: Value| {
        assert_eq!(authorize["status"], 302, "{authorize}");
        assert_eq!(authorize["response_type"], "code", "{authorize}");
        assert_eq!(authorize["code_challenge_method"], "S256", "{authorize}");
        assert_eq!(authorize["code_challenge"], true, "{authorize}");
        assert_eq!(authorize["resource"], env.mcp_url.as_str(), "{authorize}");
        assert_eq!(authorize["scope"], scope, "{authorize}");
        assert_eq!(authorize["max_age"], max_age, "{authorize}");
        assert_eq!(authorize["redirected_to"], "http://127.0.0.1:9/callback");
        assert_eq!(authorize["code"], true, "{authorize}");
        assert_eq!(token["status"], 200, "{token}");
        assert_eq!(token["grant_type"], "authorization_code", "{token}");
        assert_eq!(token["resource"], env.mcp_url.as_str(), "{token}");
        assert_eq!(token["code_verifier"], true, "{token}");
        assert_eq!(token["token_type"], "Bearer", "{token}");
        assert_eq!(token["scope"], scope, "{token}");
    };
    let authorize = next();
    check_discovery(next(), next());
    check_authorization(authorize, next(), Value::Null, Value::Null);
    // 8-10. initialize, tools/list, a tool any token may call.
    let initialize = next();
    assert_eq!(initialize["server"], "mcp-example", "{initialize}");
    assert_eq!(initialize["protocol_version"], "2025-11-25", "{initialize}");
    assert_eq!(
        next()["tools"],
        json!(["delete_messages", "read_messages", "whoami"])
    );
    let whoami = next();
    assert_eq!(whoami["tool"], "whoami");
    assert_eq!(whoami["is_error"], false);
    assert_eq!(whoami["output"], json!({ "sub": USER, "scope": "" }));

    // 11. 403 insufficient_scope on the scoped tool, then a new
    // authorization with that scope, and the call succeeds.
    let forbidden = next();
    assert_eq!(forbidden["tool"], "read_messages", "{forbidden}");
    assert_eq!(forbidden["error"], "insufficient_scope", "{forbidden}");
    assert_eq!(forbidden["scope"], "read:messages", "{forbidden}");
    assert_eq!(forbidden["resource_metadata"], metadata_url.as_str());
    check_discovery(next(), next());
    let authorize = next();
    check_discovery(next(), next());
    check_authorization(authorize, next(), json!("read:messages"), Value::Null);
    let messages = next();
    assert_eq!(messages["tool"], "read_messages");
    assert_eq!(messages["is_error"], false);
    assert_eq!(messages["output"][0]["from"], "alice");

    // 12. 401 insufficient_user_authentication on the step-up tool, then a
    // fresh login (max_age) and the call succeeds.
    let step_up = next();
    assert_eq!(step_up["tool"], "delete_messages", "{step_up}");
    assert_eq!(
        step_up["error"], "insufficient_user_authentication",
        "{step_up}"
    );
    assert_eq!(step_up["max_age"], "300", "{step_up}");
    assert_eq!(step_up["resource_metadata"], metadata_url.as_str());
    check_discovery(next(), next());
    let authorize = next();
    check_discovery(next(), next());
    check_authorization(authorize, next(), Value::Null, json!("300"));
    let deleted = next();
    assert_eq!(deleted["tool"], "delete_messages");
    assert_eq!(deleted["is_error"], false);
    assert_eq!(deleted["output"], json!({ "deleted": 2, "by": USER }));

    assert_eq!(next()["step"], "done");
}
