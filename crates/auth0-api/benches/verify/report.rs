//! What criterion does not record, kept for `cargo xtask bench`.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Duration;

use auth0_api::TokenCacheStats;
use serde_json::{Value, json};

use crate::Bench;

/// The environment variable naming the JSON file for `cargo xtask bench`.
pub(crate) const REPORT_ENV: &str = "AUTH0_API_BENCH_REPORT";

/// What the issuer served: (discovery documents, JWKS).
pub(crate) type Counts = (usize, usize);

/// One cold start: its benchmark, its number of requests, its fetches, and
/// when its first answer came (the keys were ready by then).
pub(crate) struct ColdRun {
    pub(crate) id: &'static str,
    pub(crate) requests: usize,
    pub(crate) counts: Counts,
    pub(crate) first_answer: Duration,
}

/// An SDK benchmark and its floor, timed over the same iterations: blocks
/// of SDK calls alternate with blocks of floor calls, each timed alone.
#[derive(Default, Clone, Copy)]
pub(crate) struct Paired {
    pub(crate) sdk: Duration,
    pub(crate) floor: Duration,
    pub(crate) iterations: u64,
}

/// One run of a realistic mix ([`crate::mix`]): its cache's counts.
pub(crate) struct MixRun {
    pub(crate) id: &'static str,
    pub(crate) users: usize,
    pub(crate) requests_per_user: usize,
    /// The client's `token_cache_entries`, when not the default.
    pub(crate) cache_entries: Option<usize>,
    pub(crate) stats: TokenCacheStats,
}

/// What criterion does not record, for `cargo xtask bench`.
#[derive(Default)]
pub(crate) struct Records {
    /// The warm clients' fetches, by group.
    pub(crate) warm: Mutex<Vec<(&'static str, Counts)>>,
    pub(crate) cold: Mutex<Vec<ColdRun>>,
    /// Paired totals by SDK benchmark (`group/function`).
    pub(crate) paired: Mutex<Vec<(&'static str, Paired)>>,
    /// The error each refusal benchmark answers with.
    pub(crate) refusals: Mutex<Vec<(&'static str, String)>>,
    pub(crate) mix: Mutex<Vec<MixRun>>,
}

impl Records {
    /// A warm client's group is over: it must not have fetched anything, or
    /// the group timed a refetch (the clock moved past the cache lifetime).
    pub(crate) fn warm_done(&self, group: &'static str, counts: Counts) {
        assert_eq!(
            counts,
            (0, 0),
            "the warm client of group {group} fetched discovery or JWKS during its benchmarks"
        );
        self.warm.lock().unwrap().push((group, counts));
    }

    pub(crate) fn refusal(&self, id: &'static str, error: &str) {
        self.refusals.lock().unwrap().push((id, error.to_owned()));
    }

    /// A mix ran: the same mix must count the same hits every run (one
    /// client, one task, a fixed order).
    pub(crate) fn mix(&self, run: MixRun) {
        let mut runs = self.mix.lock().unwrap();
        if let Some(first) = runs.iter().find(|r| r.id == run.id) {
            assert_eq!(
                (first.stats.hits, first.stats.misses),
                (run.stats.hits, run.stats.misses),
                "mix {} counted other hits and misses than its first run",
                run.id
            );
        }
        runs.push(run);
    }

    pub(crate) fn pair(&self, id: &'static str, run: Paired) {
        let mut paired = self.paired.lock().unwrap();
        match paired.iter_mut().find(|(i, ..)| *i == id) {
            Some((.., total)) => {
                total.sdk += run.sdk;
                total.floor += run.floor;
                total.iterations += run.iterations;
            }
            None => paired.push((id, run)),
        }
    }
}

/// Writes what criterion does not record, for `cargo xtask bench`.
pub(crate) fn write_report(bench: &Bench, records: &Records) {
    let warm: serde_json::Map<String, Value> = records
        .warm
        .lock()
        .unwrap()
        .iter()
        .map(|(group, (discovery, jwks))| {
            (
                (*group).to_owned(),
                json!({ "discovery": discovery, "jwks": jwks }),
            )
        })
        .collect();
    let cold_runs = records.cold.lock().unwrap();
    let mut cold = serde_json::Map::new();
    for ColdRun { id, requests, .. } in cold_runs.iter() {
        if cold.contains_key(*id) {
            continue;
        }
        let runs: Vec<&ColdRun> = cold_runs.iter().filter(|run| run.id == *id).collect();
        let range = |pick: fn(&Counts) -> usize| {
            json!({
                "min": runs.iter().map(|run| pick(&run.counts)).min(),
                "max": runs.iter().map(|run| pick(&run.counts)).max(),
            })
        };
        let first_answers: Duration = runs.iter().map(|run| run.first_answer).sum();
        cold.insert(
            (*id).to_owned(),
            json!({
                "requests": requests,
                "runs": runs.len(),
                "discovery_fetches": range(|c| c.0),
                "jwks_fetches": range(|c| c.1),
                "first_answer_mean_ns": first_answers.as_nanos() / runs.len().max(1) as u128,
            }),
        );
    }
    let paired: serde_json::Map<String, Value> = records
        .paired
        .lock()
        .unwrap()
        .iter()
        .map(|(id, run)| {
            (
                (*id).to_owned(),
                json!({
                    "iterations": run.iterations,
                    "sdk_ns": run.sdk.as_nanos(),
                    "floor_ns": run.floor.as_nanos(),
                }),
            )
        })
        .collect();
    let refusals: serde_json::Map<String, Value> = records
        .refusals
        .lock()
        .unwrap()
        .iter()
        .map(|(id, error)| (format!("refuse/{id}"), json!(error)))
        .collect();
    let mix_runs = records.mix.lock().unwrap();
    let mut mix = serde_json::Map::new();
    for run in mix_runs.iter() {
        let runs = mix_runs.iter().filter(|r| r.id == run.id).count();
        let TokenCacheStats {
            hits,
            misses,
            entries,
            bytes,
            ..
        } = run.stats;
        mix.insert(
            format!("hit_ratio/{}", run.id),
            json!({
                "users": run.users,
                "requests_per_user": run.requests_per_user,
                "cache_entries": run.cache_entries,
                "runs": runs,
                "hits": hits,
                "misses": misses,
                "entries": entries,
                "bytes": bytes,
            }),
        );
    }
    let report = json!({
        "paired": paired,
        "refusals": refusals,
        "hit_ratio": mix,
        "warm_client_fetches": warm,
        "cold_start": cold,
        "dpop_proofs_made": bench.proofs_made.load(Ordering::Relaxed),
    });
    eprintln!("report: {report}");
    if let Some(path) = std::env::var_os(REPORT_ENV).map(PathBuf::from) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    }
}
