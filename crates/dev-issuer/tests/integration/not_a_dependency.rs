//! `dev-issuer` is a dev-dependency of the SDK's crates, never a normal or
//! build dependency: its test keys must not ship in anything.

use std::process::Command;

use serde_json::Value;

#[test]
fn no_workspace_crate_depends_on_dev_issuer_outside_its_tests() {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    assert!(packages.iter().any(|p| p["name"] == "jose-core"));

    for package in packages {
        let name = package["name"].as_str().unwrap();
        let uses = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["name"] == "dev-issuer");
        for dependency in uses {
            assert_eq!(
                dependency["kind"], "dev",
                "{name} depends on dev-issuer outside [dev-dependencies]"
            );
        }
        if name == "dev-issuer" {
            assert_eq!(package["publish"], serde_json::json!([]), "publish = false");
        }
    }
}
