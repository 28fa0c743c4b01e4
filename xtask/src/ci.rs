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
    println!("==> ci: all {} steps passed", STEPS.len());
    Ok(())
}
