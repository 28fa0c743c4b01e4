//! `cargo xtask ci`: every check the project must pass, in order.

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

/// Checks that `jose-core` and `dpop` pull in no async runtime, HTTP stack
/// or second crypto library (DESIGN.md: users may depend on them alone).
fn check_lean_dependencies(cargo: &str) -> Result<(), String> {
    for krate in LEAN_CRATES {
        let output = Command::new(cargo)
            .args([
                "tree", "--quiet", "-p", krate, "-e", "normal", "--prefix", "none",
            ])
            .output()
            .map_err(|e| format!("could not run cargo tree: {e}"))?;
        if !output.status.success() {
            return Err(format!("cargo tree -p {krate} failed"));
        }
        let tree = String::from_utf8_lossy(&output.stdout);
        let found: Vec<&str> = tree
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .filter(|name| FORBIDDEN_IN_LEAN.contains(name))
            .collect();
        if !found.is_empty() {
            return Err(format!("{krate} depends on {}", found.join(", ")));
        }
        println!("    {krate}: no {}", FORBIDDEN_IN_LEAN.join(", no "));
    }
    Ok(())
}

/// Runs every step, printing each one, and stops at the first failure.
pub(crate) fn run() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
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
    println!("==> ci: all {} steps passed", STEPS.len() + 1);
    Ok(())
}
