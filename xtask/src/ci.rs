//! `cargo xtask ci`: every check the project must pass, in order (after
//! installing the MCP example's Node client when it is missing).

use std::path::Path;
use std::process::Command;

/// One step of the pipeline: a name for the log and the cargo arguments.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step {
        name: "format",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "tests",
        args: &[
            "nextest",
            "run",
            "--workspace",
            "--no-fail-fast",
            "--status-level",
            "fail",
            "--final-status-level",
            "slow",
        ],
        env: &[],
    },
    Step {
        name: "doc tests",
        args: &["test", "--workspace", "--doc", "--quiet"],
        env: &[],
    },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps", "--quiet"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

/// Used when cargo-nextest is not installed.
const PLAIN_TESTS: Step = Step {
    name: "tests",
    args: &["test", "--workspace", "--all-targets", "--quiet"],
    env: &[],
};

/// Crates users may depend on alone, and what must never be in their tree.
const LEAN_CRATES: &[&str] = &["jose-core", "dpop"];
const FORBIDDEN_IN_LEAN: &[&str] = &["tokio", "reqwest", "hyper", "openssl-sys", "aws-lc-sys"];

/// What no crate of the workspace may pull in, with any feature, even for
/// tests: the only crypto library is ring (DESIGN.md).
const FORBIDDEN_ANYWHERE: &[&str] = &["openssl", "openssl-sys", "aws-lc-rs", "aws-lc-sys"];

/// The names `cargo tree` prints with `args`, one per line.
fn tree_names(cargo: &str, args: &[&str]) -> Result<Vec<String>, String> {
    let output = Command::new(cargo)
        .args(["tree", "--quiet", "--prefix", "none"])
        .args(args)
        .output()
        .map_err(|e| format!("could not run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo tree {} failed", args.join(" ")));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect())
}

/// Checks that `jose-core` and `dpop` pull in no async runtime, HTTP stack
/// or second crypto library (DESIGN.md: users may depend on them alone),
/// and that nothing in the workspace pulls in OpenSSL or aws-lc.
fn check_lean_dependencies(cargo: &str) -> Result<(), String> {
    for krate in LEAN_CRATES {
        let names = tree_names(cargo, &["-p", krate, "-e", "normal"])?;
        let found = forbidden(&names, FORBIDDEN_IN_LEAN);
        if !found.is_empty() {
            return Err(format!("{krate} depends on {}", found.join(", ")));
        }
        println!("    {krate}: no {}", FORBIDDEN_IN_LEAN.join(", no "));
    }
    let names = tree_names(
        cargo,
        &["--workspace", "--all-features", "-e", "normal,build,dev"],
    )?;
    let found = forbidden(&names, FORBIDDEN_ANYWHERE);
    if !found.is_empty() {
        return Err(format!("the workspace depends on {}", found.join(", ")));
    }
    println!("    workspace: no {}", FORBIDDEN_ANYWHERE.join(", no "));
    Ok(())
}

/// The entries of `names` on the `forbidden` list, each once.
fn forbidden<'a>(names: &'a [String], forbidden: &[&str]) -> Vec<&'a str> {
    let mut found: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| forbidden.contains(name))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// The workspace's crates that may be published: those whose manifest does
/// not say `publish = false`, read from `cargo metadata`.
fn publishable_crates(metadata: &str) -> Result<Vec<String>, String> {
    let metadata: serde_json::Value =
        serde_json::from_str(metadata).map_err(|e| format!("cargo metadata: {e}"))?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata has no packages")?;
    Ok(packages
        .iter()
        // `publish` is null when publishing is allowed anywhere, a list of
        // registries otherwise: empty for `publish = false`.
        .filter(|p| !p["publish"].as_array().is_some_and(Vec::is_empty))
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect())
}

/// Packages every publishable crate (`cargo package`, which orders them by
/// their dependencies and resolves the workspace's unpublished ones
/// locally), without building the packages again (`--no-verify`: the
/// steps above built and tested the same sources). A warning fails the
/// step: it means a manifest a registry would take with missing metadata.
fn check_packaging(cargo: &str) -> Result<(), String> {
    let metadata = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !metadata.status.success() {
        return Err("cargo metadata failed".to_owned());
    }
    let crates = publishable_crates(&String::from_utf8_lossy(&metadata.stdout))?;
    let mut package = Command::new(cargo);
    // `--allow-dirty`: the check is about what a registry would receive,
    // and must run on a working tree with uncommitted changes too.
    package.args(["package", "--no-verify", "--allow-dirty", "--quiet"]);
    for krate in &crates {
        package.args(["-p", krate]);
    }
    let output = package
        .output()
        .map_err(|e| format!("could not run cargo package: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("cargo package failed:\n{stderr}"));
    }
    if let Some(warning) = stderr.lines().find(|l| l.starts_with("warning")) {
        return Err(format!("cargo package warned: {warning}\n{stderr}"));
    }
    println!("    packaged {}", crates.join(", "));
    Ok(())
}

/// The MCP example's Node client (relative to the workspace root), which
/// its end-to-end test runs with the official MCP TypeScript SDK.
const NODE_CLIENT: &str = "crates/mcp-example/client";
/// A file only a completed install leaves, relative to [`NODE_CLIENT`].
const NODE_CLIENT_INSTALLED: &str = "node_modules/@modelcontextprotocol/sdk/package.json";

/// Installs the Node client's locked dependencies (`npm ci`) unless they
/// are installed: the end-to-end test fails without them (by design: it
/// must not pass unseen), and `cargo xtask ci` should pass on a fresh
/// checkout with Node 20 installed. The lockfile decides the versions.
fn ensure_node_client(npm: &str, root: &Path) -> Result<(), String> {
    let client = root.join(NODE_CLIENT);
    if client.join(NODE_CLIENT_INSTALLED).is_file() {
        println!("    {NODE_CLIENT}: installed");
        return Ok(());
    }
    let status = Command::new(npm)
        .arg("ci")
        .arg("--prefix")
        .arg(&client)
        .args(["--no-audit", "--no-fund"])
        .status()
        .map_err(|e| {
            format!(
                "could not run npm ({e}): the MCP example's end-to-end test needs Node 20 and \
                 npm; install them, or run `npm ci --prefix {NODE_CLIENT}` yourself"
            )
        })?;
    if !status.success() {
        return Err(format!("npm ci --prefix {NODE_CLIENT} failed ({status})"));
    }
    Ok(())
}

/// Runs every step, printing each one, and stops at the first failure.
pub(crate) fn run() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // xtask lives in the workspace root's `xtask/`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask is not inside a workspace")?;
    println!("==> node client: npm ci --prefix {NODE_CLIENT}, unless installed");
    let npm = std::env::var("NPM").unwrap_or_else(|_| "npm".to_owned());
    ensure_node_client(&npm, root)?;
    let nextest = Command::new(&cargo)
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let steps = STEPS.iter().map(|step| {
        if step.name == "tests" && !nextest {
            &PLAIN_TESTS
        } else {
            step
        }
    });
    for (index, step) in steps.enumerate() {
        println!(
            "==> [{}/{}] {}: cargo {}",
            index + 1,
            STEPS.len(),
            step.name,
            step.args.join(" ")
        );
        let status = Command::new(&cargo)
            .args(step.args)
            .envs(step.env.iter().copied())
            .status()
            .map_err(|e| format!("could not start cargo for step `{}`: {e}", step.name))?;
        if !status.success() {
            return Err(format!("step `{}` failed ({status})", step.name));
        }
    }
    println!("==> dependencies: cargo tree of {}", LEAN_CRATES.join(", "));
    check_lean_dependencies(&cargo)?;
    println!("==> packaging: cargo package of every publishable crate");
    check_packaging(&cargo)?;
    println!("==> ci: all {} steps passed", STEPS.len() + 2);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_crates_not_marked_publish_false_are_packaged() {
        let metadata = r#"{"packages": [
            {"name": "jose-core", "publish": null},
            {"name": "dev-issuer", "publish": []},
            {"name": "internal", "publish": ["company-registry"]}
        ]}"#;
        assert_eq!(
            publishable_crates(metadata).unwrap(),
            ["jose-core", "internal"]
        );
        assert!(publishable_crates("not json").is_err());
        assert!(publishable_crates("{}").is_err());
    }

    #[test]
    fn the_plain_tests_step_replaces_the_nextest_step_by_name() {
        // `run` swaps in PLAIN_TESTS by matching the step's name.
        assert_eq!(PLAIN_TESTS.name, "tests");
        assert_eq!(STEPS.iter().filter(|s| s.name == "tests").count(), 1);
        let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }

    #[test]
    fn the_steps_check_and_deny_rather_than_fix_or_warn() {
        let step = |name: &str| STEPS.iter().find(|s| s.name == name).unwrap();
        assert_eq!(step("format").args, ["fmt", "--all", "--", "--check"]);
        assert!(step("clippy").args.ends_with(&["--", "-D", "warnings"]));
        assert!(step("clippy").args.contains(&"--all-targets"));
        assert!(step("doc tests").args.contains(&"--doc"));
        assert_eq!(step("docs").env, [("RUSTDOCFLAGS", "-D warnings")]);
        for step in STEPS.iter().chain([&PLAIN_TESTS]) {
            if step.name != "format" {
                assert!(step.args.contains(&"--workspace"), "{}", step.name);
            }
        }
    }

    /// A directory of this test process under the system temp dir,
    /// removed when dropped.
    #[cfg(unix)]
    struct TempDir(std::path::PathBuf);

    #[cfg(unix)]
    impl TempDir {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!("xtask-ci-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }

    #[cfg(unix)]
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// An executable shell script `name` in `dir`, with `body` after the
    /// `#!/bin/sh` line; returns its path.
    #[cfg(unix)]
    fn script(dir: &TempDir, name: &str, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.0.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// A stand-in for cargo: prints `jose_core` for `cargo tree` of
    /// jose-core and `dpop` for dpop, given the exact arguments the check
    /// passes, and fails on anything else.
    #[cfg(unix)]
    fn fake_cargo(dir: &TempDir, name: &str, jose_core: &str, dpop: &str) -> String {
        fake_cargo_with(dir, name, jose_core, dpop, "ring v0.17.14\n")
    }

    fn fake_cargo_with(
        dir: &TempDir,
        name: &str,
        jose_core: &str,
        dpop: &str,
        workspace: &str,
    ) -> String {
        let body = format!(
            "case \"$*\" in\n\
             'tree --quiet --prefix none -p jose-core -e normal') printf '%s' '{jose_core}' ;;\n\
             'tree --quiet --prefix none -p dpop -e normal') printf '%s' '{dpop}' ;;\n\
             'tree --quiet --prefix none --workspace --all-features -e normal,build,dev') \
             printf '%s' '{workspace}' ;;\n\
             *) echo \"unexpected arguments: $*\" >&2; exit 3 ;;\n\
             esac\n"
        );
        script(dir, name, &body)
    }

    // One test for every fake cargo: a script written while another
    // thread of this binary forks could fail to start ("text file busy").
    #[cfg(unix)]
    #[test]
    fn the_lean_check_reads_the_first_word_of_each_line_of_cargo_tree() {
        let dir = TempDir::new("lean");
        let clean = "jose-core v0.1.0 (/w/crates/jose-core)\nring v0.17.14\nserde_json v1.0.140\n";

        let cargo = fake_cargo(&dir, "clean", clean, "dpop v0.1.0 (/w/crates/dpop)\n");
        assert_eq!(check_lean_dependencies(&cargo), Ok(()));

        // Whole names only: tokio-util or a path mentioning tokio is not tokio.
        let near = "dpop v0.1.0 (/w/tokio/dpop)\ntokio-util v0.7.15\nmy-reqwest v1.0.0\n";
        let cargo = fake_cargo(&dir, "near", clean, near);
        assert_eq!(check_lean_dependencies(&cargo), Ok(()));

        let heavy = "dpop v0.1.0 (/w/crates/dpop)\ntokio v1.45.0\nring v0.17.14\nhyper v1.6.0\n";
        let cargo = fake_cargo(&dir, "heavy", clean, heavy);
        assert_eq!(
            check_lean_dependencies(&cargo),
            Err("dpop depends on hyper, tokio".to_owned())
        );

        // jose-core is checked first, and the first offender stops the check.
        let cargo = fake_cargo(&dir, "both", "reqwest v0.13.5\n", heavy);
        assert_eq!(
            check_lean_dependencies(&cargo),
            Err("jose-core depends on reqwest".to_owned())
        );

        let failing = script(&dir, "failing", "exit 101\n");
        assert_eq!(
            check_lean_dependencies(&failing),
            Err("cargo tree -p jose-core -e normal failed".to_owned())
        );

        let missing = dir.0.join("no-such-cargo");
        let error = check_lean_dependencies(missing.to_str().unwrap()).unwrap_err();
        assert!(error.starts_with("could not run cargo tree: "), "{error}");
    }

    #[test]
    fn no_crate_of_the_workspace_may_pull_in_openssl_or_aws_lc() {
        let dir = TempDir::new("anywhere");
        let lean = "jose-core v0.1.0\nring v0.17.14\n";
        // openssl-probe only finds certificate directories: not OpenSSL.
        let fine = "auth0-api v0.1.0\nopenssl-probe v0.1.6\nring v0.17.14\n";
        let cargo = fake_cargo_with(&dir, "fine", lean, lean, fine);
        assert_eq!(check_lean_dependencies(&cargo), Ok(()));

        let tls = "redis v1.8.0\naws-lc-rs v1.13.0\naws-lc-sys v0.29.0\naws-lc-rs v1.13.0\n";
        let cargo = fake_cargo_with(&dir, "tls", lean, lean, tls);
        assert_eq!(
            check_lean_dependencies(&cargo),
            Err("the workspace depends on aws-lc-rs, aws-lc-sys".to_owned())
        );
    }

    // One test for every fake npm, as for the fake cargos above.
    #[cfg(unix)]
    #[test]
    fn the_node_client_is_installed_with_npm_ci_only_when_missing() {
        let dir = TempDir::new("npm");
        let root = dir.0.join("root");
        let client = root.join(NODE_CLIENT);
        std::fs::create_dir_all(&client).unwrap();
        let calls = dir.0.join("calls");
        // Records its arguments, then installs as `npm ci` would.
        let body = format!(
            "echo \"$*\" >> '{calls}'\n\
             mkdir -p \"$3/node_modules/@modelcontextprotocol/sdk\"\n\
             touch \"$3/{NODE_CLIENT_INSTALLED}\"\n",
            calls = calls.display()
        );
        let npm = script(&dir, "npm", &body);

        assert_eq!(ensure_node_client(&npm, &root), Ok(()));
        let called = std::fs::read_to_string(&calls).unwrap();
        assert_eq!(
            called,
            format!("ci --prefix {} --no-audit --no-fund\n", client.display())
        );
        // Installed: npm is not run again.
        assert_eq!(ensure_node_client(&npm, &root), Ok(()));
        assert_eq!(std::fs::read_to_string(&calls).unwrap(), called);

        let fresh = dir.0.join("fresh");
        std::fs::create_dir_all(fresh.join(NODE_CLIENT)).unwrap();
        let failing = script(&dir, "failing-npm", "exit 1\n");
        let error = ensure_node_client(&failing, &fresh).unwrap_err();
        assert!(
            error.starts_with("npm ci --prefix crates/mcp-example/client failed"),
            "{error}"
        );

        let missing = dir.0.join("no-such-npm");
        let error = ensure_node_client(missing.to_str().unwrap(), &fresh).unwrap_err();
        assert!(error.starts_with("could not run npm ("), "{error}");
        assert!(
            error.contains("npm ci --prefix crates/mcp-example/client"),
            "{error}"
        );
    }
}
