//! The `dev-issuer` binary starts, prints a token, and serves.

use std::process::Stdio;

use http::StatusCode;
use jose_core::KeySet;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::support::{block_on, get};

/// What the binary printed that a user would copy.
#[derive(Debug, Default)]
struct Banner {
    issuer: String,
    token: String,
    curl: String,
    dpop_curl: String,
}

#[test]
fn the_binary_prints_a_working_token_and_serves_discovery() {
    block_on(async {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dev-issuer"))
            .args([
                "--port",
                "0",
                "--sub",
                "auth0|binary-user",
                "--scope",
                "read:x",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();

        // Read until the last line of the banner; block_on bounds the wait.
        let mut banner = Banner::default();
        let mut previous = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("Issuer:") {
                banner.issuer = url.trim().to_owned();
            }
            if previous.starts_with("Access token") {
                banner.token = line.trim().to_owned();
            }
            if line.contains("curl -H \"Authorization: Bearer") {
                banner.curl = line.clone();
            }
            if line.contains("curl -H \"Authorization: DPoP") {
                banner.dpop_curl = line.clone();
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
            previous = line;
        }
        assert!(banner.issuer.starts_with("http://127.0.0.1:"), "{banner:?}");
        assert!(banner.curl.contains(&banner.token), "{banner:?}");
        assert!(banner.dpop_curl.contains("-H \"DPoP: "), "{banner:?}");

        let discovery = get(&format!(
            "{}.well-known/openid-configuration",
            banner.issuer
        ))
        .await;
        assert_eq!(discovery.status, StatusCode::OK);
        let document = discovery.body;
        assert_eq!(document["issuer"], banner.issuer);

        // The printed token verifies against the JWKS the binary serves.
        let jwks = get(document["jwks_uri"].as_str().unwrap()).await;
        let keys = KeySet::from_slice(jwks.body.to_string().as_bytes()).unwrap();
        let jwt = jose_core::Jwt::parse(&banner.token).unwrap();
        let key = keys
            .select(jwt.header().kid(), jose_core::Algorithm::Rs256)
            .unwrap();
        let verified = jwt.verify(key, &[jose_core::Algorithm::Rs256]).unwrap();
        jose_core::Validation::new(banner.issuer.as_str(), dev_issuer::DEFAULT_AUDIENCE)
            .validate(&verified)
            .unwrap();
        assert_eq!(verified.claims()["sub"], "auth0|binary-user");
        assert_eq!(verified.claims()["scope"], "read:x");

        child.kill().await.unwrap();
    });
}

/// Runs the binary with `args` to completion.
async fn run_binary(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dev-issuer"))
        .args(args)
        .output()
        .await
        .unwrap()
}

#[test]
fn the_binary_explains_a_bad_value() {
    block_on(async {
        let output = run_binary(&["--port", "not-a-port"]).await;
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("'--port <PORT>'"), "{stderr}");
        assert!(stderr.contains("not a port number"), "{stderr}");
        assert!(stderr.contains("try '--help'"), "{stderr}");
    });
}

#[test]
fn the_binary_refuses_an_unknown_flag() {
    block_on(async {
        let output = run_binary(&["--port", "0", "--frobnicate"]).await;
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty(), "no server was started");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("error: unexpected argument '--frobnicate' found"),
            "{stderr}"
        );
        assert!(stderr.contains("Usage: dev-issuer "), "{stderr}");
        assert!(stderr.contains("try '--help'"), "{stderr}");
    });
}

#[test]
fn the_binary_prints_help_and_version() {
    block_on(async {
        for flag in ["--help", "-h"] {
            let output = run_binary(&[flag]).await;
            assert!(output.status.success(), "{flag}");
            assert!(output.stderr.is_empty(), "{flag}");
            let help = String::from_utf8_lossy(&output.stdout);
            assert!(help.contains("Usage: dev-issuer [OPTIONS]"), "{help}");
            for option in [
                "--port <PORT>",
                "--host <IP>",
                "--audience <AUD>",
                "--sub <SUB>",
                "--scope <SCOPE>",
                "--api-url <URL>",
                "-V, --version",
            ] {
                assert!(help.contains(option), "{option} missing from {help}");
            }
            assert!(help.contains("[default: 8080]"), "{help}");
            assert!(help.contains("never trust its tokens"), "{help}");
        }

        let output = run_binary(&["--version"]).await;
        assert!(output.status.success());
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            format!("dev-issuer {}", env!("CARGO_PKG_VERSION"))
        );
    });
}
