//! DPoP verification with the replay cache in Redis against the in-memory
//! one: latency of one request at a time, and throughput with 64 requests
//! in flight. Also the in-memory cache's bytes per entry.
//!
//! Both clients verify the same kind of request (a fresh proof by one of
//! 16 users, on a warm key cache) against `dev-issuer`, on one manual
//! clock that moves one second per 200 proofs, so that replay entries
//! expire as under a steady load. The Redis one talks to a `redis-server`
//! the benchmark starts on loopback.
//!
//! The throughput of the Redis cache is also measured paired: blocks of
//! requests verified with it alternate with blocks verified in memory,
//! each timed alone, and the report holds both totals.
//!
//! `cargo bench -p fleet-tests --bench replay_store` runs them; `-- --test`
//! runs each once (CI). `cargo xtask bench` runs them after `auth0-api`'s
//! and prints the Redis / memory ratios and the memory figure, which this
//! benchmark writes as JSON to the file named by `AUTH0_API_BENCH_REPORT`.

// Bench code: a failed unwrap is a failed benchmark, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use auth0_api::dpop::{InMemoryReplayCache, ReplayCache};
use auth0_api::{ApiClient, ApiClientOptions, Clock, ManualClock};
use auth0_api_redis::Redis;
use criterion::{Criterion, SamplingMode};
use dev_issuer::testing::DpopUser;
use dev_issuer::{DevIssuer, RedisServer};
use http::HeaderMap;
use serde_json::json;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

const NOW: u64 = 1_700_000_000;
const URL: &str = "https://api.example.com/orders";
const USERS: usize = 16;
const PROOFS_PER_SECOND: usize = 200;
/// Requests in flight in the throughput benchmarks.
const IN_FLIGHT: usize = 64;
/// Entries for the memory figure: 2,000 new proofs per second over the
/// default 330 s window.
const MEMORY_ENTRIES: u64 = 2_000 * 330;
const REPORT_ENV: &str = "AUTH0_API_BENCH_REPORT";

struct Bench {
    // Declared first so that the servers stop before the runtime does.
    _issuer: DevIssuer,
    _redis: RedisServer,
    clock: Arc<ManualClock>,
    users: Vec<DpopUser>,
    made: AtomicUsize,
    memory: ApiClient,
    redis: ApiClient,
    rt: Runtime,
}

impl Bench {
    fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let clock = Arc::new(ManualClock::at_unix_seconds(NOW));
        let redis_server = RedisServer::start().unwrap();
        let (issuer, redis) = rt.block_on(async {
            let issuer = DevIssuer::builder()
                .clock(clock.clone())
                .start()
                .await
                .unwrap();
            let redis = Redis::builder(redis_server.url())
                .namespace("bench")
                .clock(clock.clone() as Arc<dyn Clock>)
                .connect()
                .await
                .unwrap();
            (issuer, redis)
        });
        let options = || {
            ApiClientOptions::new(issuer.issuer_url(), issuer.audience())
                .clock(clock.clone() as Arc<dyn Clock>)
        };
        let memory = ApiClient::new(options()).unwrap();
        let replay = redis.replay_cache().build();
        let redis = ApiClient::new(options().dpop_replay_cache(Arc::new(replay))).unwrap();
        let users = (0..USERS)
            .map(|_| DpopUser::new(&issuer, "auth0|bench"))
            .collect();
        let bench = Self {
            _issuer: issuer,
            _redis: redis_server,
            clock,
            users,
            made: AtomicUsize::new(0),
            memory,
            redis,
            rt,
        };
        bench.warm_up();
        bench
    }

    /// Fills both key caches, and lets the Redis store's new generation
    /// age past the proof `iat` leeway (a new store refuses proofs that
    /// could predate it).
    fn warm_up(&self) {
        for client in [&self.memory, &self.redis] {
            let headers = self.request();
            let _ = self
                .rt
                .block_on(client.verify_request(&headers, "GET", URL));
        }
        self.clock.advance(Duration::from_secs(31));
        for client in [&self.memory, &self.redis] {
            let headers = self.request();
            self.rt
                .block_on(client.verify_request(&headers, "GET", URL))
                .unwrap();
        }
    }

    /// A DPoP request with a proof never used before, by the next user.
    fn request(&self) -> HeaderMap {
        let made = self.made.fetch_add(1, Ordering::Relaxed);
        if made > 0 && made.is_multiple_of(PROOFS_PER_SECOND) {
            self.clock.advance(Duration::from_secs(1));
        }
        let now = u64::try_from(self.clock.unix_seconds()).unwrap();
        self.users[made % USERS].get_headers(URL, now)
    }

    fn requests(&self, n: u64) -> Vec<HeaderMap> {
        (0..n).map(|_| self.request()).collect()
    }

    /// `n` new requests verified by `client`, `IN_FLIGHT` at a time; the
    /// wall time of the verifications alone.
    fn concurrently(&self, client: &ApiClient, n: u64) -> Duration {
        let requests = self.requests(n);
        self.rt.block_on(verify_concurrently(client, requests))
    }
}

/// Verifies every request, at most `IN_FLIGHT` at a time, and returns the
/// wall time.
async fn verify_concurrently(client: &ApiClient, requests: Vec<HeaderMap>) -> Duration {
    let queue = Arc::new(Mutex::new(requests));
    let start = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (client, queue) = (client.clone(), queue.clone());
        workers.spawn(async move {
            loop {
                let Some(headers) = queue.lock().unwrap().pop() else {
                    break;
                };
                drop(black_box(
                    client.verify_request(&headers, "GET", URL).await.unwrap(),
                ));
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    start.elapsed()
}

fn replay_store(c: &mut Criterion, bench: &Bench, paired: &Mutex<Paired>) {
    let mut group = c.benchmark_group("replay_store");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
        .sampling_mode(SamplingMode::Flat);
    for (name, client) in [("memory", &bench.memory), ("redis", &bench.redis)] {
        group.bench_function(format!("latency_{name}"), |b| {
            b.to_async(&bench.rt).iter_custom(|iters| async move {
                let mut elapsed = Duration::ZERO;
                for chunk in chunks(iters) {
                    let requests = bench.requests(chunk);
                    let start = Instant::now();
                    for headers in &requests {
                        drop(black_box(
                            client.verify_request(headers, "GET", URL).await.unwrap(),
                        ));
                    }
                    elapsed += start.elapsed();
                }
                elapsed
            });
        });
    }
    group.bench_function(format!("throughput_memory_{IN_FLIGHT}"), |b| {
        b.iter_custom(|iters| {
            chunks(iters)
                .map(|chunk| bench.concurrently(&bench.memory, chunk))
                .sum()
        });
    });
    // Blocks with the Redis cache alternate with blocks with the in-memory
    // one, each timed alone: criterion gets Redis's time, the report both,
    // so that the ratio comes from the same moments (this machine's speed
    // drifts by more than the difference being measured).
    group.bench_function(format!("throughput_redis_{IN_FLIGHT}"), |b| {
        b.iter_custom(|iters| {
            let mut run = Paired::default();
            for chunk in chunks(iters) {
                run.redis += bench.concurrently(&bench.redis, chunk);
                run.memory += bench.concurrently(&bench.memory, chunk);
                run.verifications += chunk;
            }
            paired.lock().unwrap().add(run);
            run.redis
        });
    });
    group.finish();
}

/// Paired totals of the throughput benchmarks.
#[derive(Default, Clone, Copy)]
struct Paired {
    redis: Duration,
    memory: Duration,
    verifications: u64,
}

impl Paired {
    fn add(&mut self, run: Self) {
        self.redis += run.redis;
        self.memory += run.memory;
        self.verifications += run.verifications;
    }
}

/// Iterations in chunks of proofs made just before they are used, so that
/// none leaves its `iat` window while it waits.
fn chunks(iters: u64) -> impl Iterator<Item = u64> {
    const CHUNK: u64 = 1_000;
    (0..iters.div_ceil(CHUNK)).map(move |i| CHUNK.min(iters - i * CHUNK))
}

/// The in-memory cache holding 2,000 new proofs per second over the
/// default window: its bytes per entry, as the report's memory figure.
fn memory_per_entry() -> serde_json::Value {
    let clock = Arc::new(ManualClock::at_unix_seconds(NOW));
    let cache = InMemoryReplayCache::builder().clock(clock.clone()).build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        for i in 0..MEMORY_ENTRIES {
            if i > 0 && i.is_multiple_of(2_000) {
                clock.advance(Duration::from_secs(1));
            }
            let now = clock.unix_seconds() as u64;
            // 2,000 proofs a second from 1,000 clients.
            let jkt = format!("key-{}", i % 1_000);
            cache
                .check_and_store(&jkt, &format!("jti-{i}"), now + 330)
                .await
                .unwrap();
        }
    });
    let bytes = cache.memory_usage();
    json!({
        "entries": cache.len(),
        "bytes": bytes,
        "bytes_per_entry": bytes as f64 / cache.len() as f64,
    })
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let bench = Bench::start();
    let paired = Mutex::new(Paired::default());
    replay_store(&mut criterion, &bench, &paired);
    let paired = paired.into_inner().unwrap();
    let memory = memory_per_entry();
    println!("in-memory replay cache at 2,000 proofs/s over 330 s: {memory}");
    if let Some(path) = std::env::var_os(REPORT_ENV) {
        let report = json!({
            "memory": memory,
            "paired_throughput": {
                "redis_ns": paired.redis.as_nanos() as f64,
                "memory_ns": paired.memory.as_nanos() as f64,
                "verifications": paired.verifications,
            },
        });
        std::fs::write(path, report.to_string()).unwrap();
    }
    criterion.final_summary();
}
