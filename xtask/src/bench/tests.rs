use std::time::Duration;

use serde_json::json;

use super::*;

#[test]
fn durations_take_the_largest_unit_that_keeps_them_at_least_one() {
    assert_eq!(duration(0.0), "0.0 ns");
    assert_eq!(duration(999.94), "999.9 ns");
    assert_eq!(duration(1_000.0), "1.00 µs");
    assert_eq!(duration(12_345.0), "12.35 µs");
    assert_eq!(duration(1_500_000.0), "1.500 ms");
    assert_eq!(duration(2e9), "2.000 s");
    assert_eq!(duration(-1_500.0), "-1.50 µs");
}

#[test]
fn ranges_collapse_when_min_equals_max() {
    assert_eq!(range(&json!({"min": 1, "max": 1})), "1");
    assert_eq!(range(&json!({"min": 1, "max": 3})), "1..3");
    assert_eq!(range(&json!({"min": 1})), "?");
    assert_eq!(range(&json!({"min": -1, "max": 1})), "?");
    assert_eq!(range(&Value::Null), "?");
}

#[test]
fn paired_ratios_need_both_sums_and_a_positive_floor() {
    let report = json!({"paired": {
        "verify/verify_request_dpop": {"sdk_ns": 1150.0, "floor_ns": 1000.0},
        "verify/verify_access_token": {"sdk_ns": 1.0, "floor_ns": 0.0},
        "verify/verify_request_bearer": {"sdk_ns": 1.0},
    }});
    let ratio = paired_ratio(Some(&report), "verify/verify_request_dpop").unwrap();
    assert!((ratio - 1.15).abs() < 1e-12, "{ratio}");
    assert_eq!(
        paired_ratio(Some(&report), "verify/verify_access_token"),
        None
    );
    assert_eq!(
        paired_ratio(Some(&report), "verify/verify_request_bearer"),
        None
    );
    assert_eq!(paired_ratio(Some(&report), "verify/other"), None);
    assert_eq!(paired_ratio(Some(&json!({})), "verify/other"), None);
    assert_eq!(paired_ratio(None, "verify/verify_request_dpop"), None);
}

#[test]
fn the_targets_are_those_of_issue_15() {
    let target = |sdk: &str| RATIOS.iter().find(|r| r.sdk == sdk).unwrap().target;
    assert_eq!(target("verify/verify_access_token"), 1.10);
    assert_eq!(target("verify/verify_request_bearer"), 1.10);
    assert_eq!(target("verify/verify_request_dpop"), 1.15);
    assert_eq!(target("repeat/bearer"), 0.10);
    assert_eq!(target("repeat/dpop"), 1.15);
    let floors = |sdk: &str| RATIOS.iter().find(|r| r.sdk == sdk).unwrap().floors;
    // A repeated DPoP token still pays for its proof, and only for it.
    assert_eq!(floors("repeat/dpop"), ["verify/floor_p256"]);
    assert_eq!(floors("repeat/bearer"), ["verify/floor_rsa"]);
    let bad_htu = REFUSALS.iter().find(|(id, ..)| *id == "refuse/bad_htu");
    assert_eq!(bad_htu.and_then(|(.., t)| *t), Some(5_000.0));
    assert_eq!(MIN_SPEEDUP, 1.5);
}

#[test]
fn hit_ratios_count_every_lookup() {
    assert_eq!(hit_ratio(0, 0), None);
    assert_eq!(hit_ratio(190_000, 10_000), Some(0.95));
    assert_eq!(hit_ratio(0, 7), Some(0.0));
    assert_eq!(hit_ratio(7, 0), Some(1.0));
}

#[test]
fn verdicts_pass_or_miss() {
    assert_eq!(verdict(true), "pass");
    assert_eq!(verdict(false), "MISS");
}

#[test]
fn every_benchmark_the_summary_compares_is_one_it_reads() {
    let known = |id: &str| BENCHMARKS.iter().any(|(b, _)| *b == id);
    for ratio in RATIOS {
        assert!(known(ratio.sdk), "{}", ratio.sdk);
        assert!(ratio.floors.iter().all(|f| known(f)), "{:?}", ratio.floors);
        assert!(ratio.target > 0.0, "{}", ratio.label);
    }
    for (id, _, target) in REFUSALS {
        assert!(known(id), "{id}");
        assert!(target.is_none_or(|t| t > 0.0), "{id}");
    }
    assert!(MIXES.first().is_some_and(|(id, _)| known(id)));
    for (label, one, two) in SCALING {
        assert!(known(one) && known(two), "{label}");
    }
    assert!(SCALING.iter().any(|(_, one, _)| *one == SCALING_CONTROL));
    assert!(COLD_STARTS.iter().all(|(id, _)| known(id)));
    assert!(known(WARM_RATE));
}

/// A directory of this test process under the system temp dir,
/// removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("xtask-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    /// Writes `text` as the estimates of benchmark `id`.
    fn estimates(&self, id: &str, text: &str) {
        let dir = self.0.join(id).join("new");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("estimates.json"), text).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ESTIMATES: &str = r#"{"mean": {"point_estimate": 1500.5,
    "confidence_interval": {"lower_bound": 1400.0, "upper_bound": 1600.25}},
    "median": {"point_estimate": 1.0}}"#;

#[test]
fn read_mean_reads_this_runs_estimates() {
    let dir = TempDir::new("fresh");
    dir.estimates("verify/floor_rsa", ESTIMATES);
    let mean = read_mean(&dir.0, "verify/floor_rsa", SystemTime::UNIX_EPOCH)
        .unwrap()
        .unwrap();
    assert_eq!((mean.ns, mean.lower, mean.upper), (1500.5, 1400.0, 1600.25));
}

#[test]
fn read_mean_skips_missing_and_stale_estimates() {
    let dir = TempDir::new("stale");
    let missing = read_mean(&dir.0, "verify/floor_rsa", SystemTime::UNIX_EPOCH);
    assert!(matches!(missing, Ok(None)), "{missing:?}");
    // Written before this run started: a previous run's, for a
    // benchmark this run filtered out.
    dir.estimates("verify/floor_rsa", ESTIMATES);
    let started = SystemTime::now() + Duration::from_secs(3600);
    let stale = read_mean(&dir.0, "verify/floor_rsa", started);
    assert!(matches!(stale, Ok(None)), "{stale:?}");
}

#[test]
fn read_mean_refuses_estimates_it_cannot_read() {
    let dir = TempDir::new("broken");
    dir.estimates("verify/floor_rsa", "{not json");
    let error = read_mean(&dir.0, "verify/floor_rsa", SystemTime::UNIX_EPOCH).unwrap_err();
    assert!(error.contains("estimates.json is not JSON"), "{error}");

    dir.estimates(
        "verify/floor_p256",
        r#"{"mean": {"point_estimate": 1.0, "confidence_interval": {"lower_bound": 1.0}}}"#,
    );
    let error = read_mean(&dir.0, "verify/floor_p256", SystemTime::UNIX_EPOCH).unwrap_err();
    assert!(
        error.ends_with("estimates.json has no mean estimate"),
        "{error}"
    );
}

#[test]
fn read_report_is_none_when_absent_and_an_error_when_not_json() {
    let dir = TempDir::new("report");
    let path = dir.0.join(REPORT_FILE);
    assert_eq!(read_report(&path), Ok(None));
    std::fs::write(&path, r#"{"paired": {}}"#).unwrap();
    assert_eq!(read_report(&path), Ok(Some(json!({"paired": {}}))));
    std::fs::write(&path, "[1,").unwrap();
    let error = read_report(&path).unwrap_err();
    assert!(
        error.contains(&format!("{REPORT_FILE} is not JSON: ")),
        "{error}"
    );
}
