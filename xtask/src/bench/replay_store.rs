//! The summary of `fleet-tests`' `replay_store` benchmarks: DPoP
//! verification with the replay cache in Redis against the in-memory one,
//! and the in-memory cache's bytes per entry.

use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;

use super::{Mean, duration, read_mean, read_report};

pub(super) const PACKAGE: &str = "fleet-tests";
pub(super) const BENCH: &str = "replay_store";
pub(super) const REPORT_FILE: &str = "fleet-tests-replay-store-report.json";

/// Issue 12: with 64 requests in flight, the Redis cache keeps at least
/// this share of the in-memory cache's throughput.
const THROUGHPUT_TARGET: f64 = 0.8;

/// Issue 12: the default cache holds 2,000 new proofs per second over the
/// 330 s window in no more than this.
const MEMORY_TARGET_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// (what, in-memory benchmark, Redis benchmark)
const PAIRS: &[(&str, &str, &str)] = &[
    (
        "latency, 1 request at a time",
        "replay_store/latency_memory",
        "replay_store/latency_redis",
    ),
    (
        "throughput, 64 in flight",
        "replay_store/throughput_memory_64",
        "replay_store/throughput_redis_64",
    ),
];

pub(super) fn print_summary(
    criterion_dir: &Path,
    started: SystemTime,
    report_path: &Path,
) -> Result<(), String> {
    let report = read_report(report_path)?;
    let paired = report.as_ref().and_then(paired_ratio);
    println!();
    println!("DPoP verify_request: replay cache in Redis against in memory (per verification)");
    println!(
        "{:<30} {:>11} {:>11} {:>14} {:>14} {:>8} {:>8}  result",
        "", "memory", "Redis", "memory /s", "Redis /s", "ratio", "paired"
    );
    for (label, memory_id, redis_id) in PAIRS {
        let (Some(memory), Some(redis)) = (
            read_mean(criterion_dir, memory_id, started)?,
            read_mean(criterion_dir, redis_id, started)?,
        ) else {
            println!("{label:<30} not run");
            continue;
        };
        let throughput = memory_id.contains("throughput");
        let row_paired = if throughput { paired } else { None };
        println!("{}", pair_row(label, memory, redis, row_paired, throughput));
    }
    println!(
        "  ratio: Redis / in-memory throughput from separate benchmarks; paired: blocks of \
         1,000 requests with each cache, alternating, each timed alone (judged)"
    );
    match &report {
        Some(report) => println!("{}", memory_row(&report["memory"])),
        None => println!("in-memory replay cache: no report written"),
    }
    Ok(())
}

/// Redis throughput / in-memory throughput over the same moments.
fn paired_ratio(report: &Value) -> Option<f64> {
    let paired = report.get("paired_throughput")?;
    let redis = paired["redis_ns"].as_f64()?;
    let memory = paired["memory_ns"].as_f64()?;
    (redis > 0.0).then(|| memory / redis)
}

/// One row: both means, as rates, and Redis / memory throughput; when
/// `judged`, the paired ratio (or, without one, the separate one) against
/// the target.
fn pair_row(label: &str, memory: Mean, redis: Mean, paired: Option<f64>, judged: bool) -> String {
    // Throughput ratio: (1 / redis) / (1 / memory).
    let ratio = memory.ns / redis.ns;
    let result = match (judged, paired.unwrap_or(ratio) >= THROUGHPUT_TARGET) {
        (false, _) => "-".to_owned(),
        (true, true) => format!("pass (target {THROUGHPUT_TARGET}x)"),
        (true, false) => format!("MISS (target {THROUGHPUT_TARGET}x)"),
    };
    format!(
        "{label:<30} {:>11} {:>11} {:>14.0} {:>14.0} {:>7.3}x {:>8}  {result}",
        duration(memory.ns),
        duration(redis.ns),
        1e9 / memory.ns,
        1e9 / redis.ns,
        ratio,
        paired.map_or_else(|| "-".to_owned(), |p| format!("{p:.3}x")),
    )
}

fn memory_row(memory: &Value) -> String {
    let (Some(entries), Some(bytes), Some(per_entry)) = (
        memory["entries"].as_u64(),
        memory["bytes"].as_f64(),
        memory["bytes_per_entry"].as_f64(),
    ) else {
        return "in-memory replay cache: the report has no memory figure".to_owned();
    };
    let result = if bytes <= MEMORY_TARGET_BYTES {
        "pass"
    } else {
        "MISS"
    };
    format!(
        "in-memory replay cache: {entries} live entries (2,000 proofs/s x 330 s) in {:.1} MiB, \
         {per_entry:.1} bytes per entry; target 64 MiB: {result}",
        bytes / (1024.0 * 1024.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mean(ns: f64) -> Mean {
        Mean {
            ns,
            lower: ns,
            upper: ns,
        }
    }

    #[test]
    fn throughput_is_judged_against_the_target() {
        let row = pair_row("t", mean(100.0), mean(120.0), None, true);
        assert!(row.contains("0.833x") && row.contains("pass"), "{row}");
        let row = pair_row("t", mean(100.0), mean(130.0), None, true);
        assert!(row.contains("0.769x") && row.contains("MISS"), "{row}");
        let row = pair_row("t", mean(100.0), mean(500.0), None, false);
        assert!(!row.contains("MISS") && !row.contains("pass"), "{row}");
    }

    #[test]
    fn the_paired_ratio_is_judged_when_there_is_one() {
        let row = pair_row("t", mean(100.0), mean(130.0), Some(0.85), true);
        assert!(
            row.contains("0.769x") && row.contains("0.850x") && row.contains("pass"),
            "{row}"
        );
        let row = pair_row("t", mean(100.0), mean(100.0), Some(0.7), true);
        assert!(row.contains("MISS"), "{row}");
        let report = json!({"paired_throughput": {"redis_ns": 200.0, "memory_ns": 170.0}});
        assert_eq!(paired_ratio(&report), Some(0.85));
        assert_eq!(paired_ratio(&json!({})), None);
    }

    #[test]
    fn memory_is_judged_against_64_mib() {
        let row =
            memory_row(&json!({"entries": 660_000, "bytes": 30_000_000, "bytes_per_entry": 45.5}));
        assert!(
            row.contains("28.6 MiB") && row.contains("45.5 bytes") && row.contains("pass"),
            "{row}"
        );
        let row =
            memory_row(&json!({"entries": 660_000, "bytes": 70_000_000, "bytes_per_entry": 106.1}));
        assert!(row.contains("MISS"), "{row}");
        assert!(memory_row(&json!({})).contains("no memory figure"));
    }
}
