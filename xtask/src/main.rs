//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask ci`: the whole check (fmt, clippy, tests, docs), stopping at
//!   the first failure.
//! - `cargo xtask conformance --vectors DIR`: the Wycheproof JWS and JWK
//!   suites against `jose-core`.
//! - `cargo xtask bench [--test | CRITERION_ARGS...]`: `auth0-api`'s
//!   verification benchmarks and a summary against the floor (`--test`:
//!   each benchmark once, untimed, as CI runs them).

mod bench;
mod ci;
mod conformance;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <ci | conformance --vectors DIR | bench [--test | CRITERION_ARGS...]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(),
        Some("bench") => bench::run(args.get(1..).unwrap_or_default()),
        Some("conformance") => match args.get(1..) {
            Some([flag, dir]) if flag == "--vectors" => conformance::run(dir.as_ref()),
            _ => Err(USAGE.to_owned()),
        },
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
