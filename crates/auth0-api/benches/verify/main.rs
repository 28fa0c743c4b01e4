//! Request verification against its floor: ring's own verification of the
//! very signatures the SDK checks, measured in the same run.
//!
//! Everything runs against `dev-issuer` on loopback, on a manual clock
//! shared by the issuer and the clients, with every client option at its
//! default (the DPoP replay cache on). The groups:
//!
//! - `verify`: the floors (`floor_rsa`, `floor_rsa_bound`: ring RSA-2048
//!   PKCS#1 on the Bearer and on the DPoP-bound token; `floor_p256`: ring
//!   P-256 on distinct DPoP proofs), then the SDK on tokens it has never
//!   seen (`verify_access_token`, `verify_request_bearer`,
//!   `verify_request_dpop` with a proof never used before per iteration,
//!   made outside the measurement; `verify_request_bearer_uncached`, the
//!   same on a client with the cache off). The verified-token cache is on, but
//!   these clients take [`FirstTime`] tokens in turn, more than their
//!   cache holds, so every call verifies, stores and evicts (checked: no
//!   hit). Blocks of SDK calls alternate with blocks of their floor on the
//!   same tokens and proofs, timed apart, so that the SDK / floor ratio is
//!   also known over the same moments;
//! - `repeat`: the same token sent again, answered by the verified-token
//!   cache (default options): `bearer` paired against the RSA floor,
//!   `dpop` (a fresh proof each time) paired against the P-256 floor alone;
//! - `refuse`: the cost of refusing garbage ([`refuse`]);
//! - `threads`: `floor_rsa_{1,2}` (the machine's own scaling),
//!   `bearer_first_{1,2}` (first-time tokens, as in `verify`),
//!   `bearer_{1,2}` and `dpop_{1,2}` (repeated tokens, cache hits; DPoP
//!   with fresh proofs): the same number of verifications on one or two
//!   OS threads sharing one `ApiClient`, as wall time per verification;
//! - `cold_start`: `1_request` and `1000_requests`, a new `ApiClient`
//!   answering Bearer requests released together on an empty cache, over
//!   real HTTP, timed from release to the last answer; every run must fetch
//!   the discovery document once and the JWKS once;
//! - `parts`: the pieces of both pipelines alone, on the same token and
//!   proof, to see where the time above the floor goes;
//! - `hit_ratio`: the verified-token cache's hits and misses under a
//!   realistic mix of users ([`mix`]), a number more than a time.
//!
//! `cargo bench -p auth0-api --bench verify` runs them; `-- --test` runs
//! each once (CI). `cargo xtask bench` runs them and prints a summary; for
//! it, the fetch counts and paired timings are written as JSON to the file
//! named by `AUTH0_API_BENCH_REPORT`, when set.

// Bench code: a failed unwrap is a failed benchmark, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod first_time;
mod floors;
mod mix;
mod parts;
mod refuse;
mod report;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use auth0_api::{ApiClient, ApiClientOptions, Claims, Clock, ManualClock};
use criterion::{Criterion, SamplingMode};
use dev_issuer::testing::DpopUser;
use dev_issuer::{DevIssuer, Endpoint};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use tokio::runtime::Runtime;

use crate::first_time::{BearerToken, FirstTime};
use crate::floors::{Floors, Proof};
use crate::report::{ColdRun, Counts, Paired, Records};

/// The instant the clock starts at.
pub(crate) const NOW: u64 = 1_700_000_000;

/// The API URL requests are made to.
pub(crate) const URL: &str = "https://api.example.com/orders";

/// Requests released together on a cold client.
const COLD_REQUESTS: usize = 1_000;

/// The clock moves one second per this many proofs, so that old replay
/// cache entries expire as they would under a steady load: about
/// 200 × 330 s = 66,000 entries stay live.
pub(crate) const PROOFS_PER_SECOND: u64 = 200;

/// DPoP users (keys) taking turns: the replay cache bounds what one key may
/// hold, and a steady 200 proofs per second is many clients' traffic, not
/// one's.
pub(crate) const DPOP_USERS: usize = 16;

/// At most this many proofs are made ahead of their verification, so that
/// none is older than the window allows when it is used.
pub(crate) const PROOF_CHUNK: u64 = 1_000;

/// SDK calls per block in the paired measurements: long enough for a
/// steady state, short enough that the SDK and its floor run moments apart.
const PAIR_BLOCK: u64 = 50;

/// One issuer on a manual clock, and the tokens every benchmark uses.
pub(crate) struct Bench {
    // Declared first so that the server stops before the runtime does.
    pub(crate) issuer: DevIssuer,
    pub(crate) clock: Arc<ManualClock>,
    /// An access token for Bearer.
    pub(crate) token: String,
    /// An access token bound to the first user's key, for DPoP.
    pub(crate) bound_token: String,
    /// Keys with their bound tokens, which sign DPoP proofs in turn.
    pub(crate) users: Vec<DpopUser>,
    /// Proofs made so far, which drives the clock.
    pub(crate) proofs_made: AtomicUsize,
    /// Run with `--test` (each benchmark once, as CI does): the costly
    /// set-ups are made smaller.
    pub(crate) test_mode: bool,
    pub(crate) rt: Runtime,
}

impl Bench {
    pub(crate) fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let clock = Arc::new(ManualClock::at_unix_seconds(NOW));
        let issuer = rt.block_on(async {
            DevIssuer::builder()
                .clock(clock.clone())
                .start()
                .await
                .unwrap()
        });
        let token = issuer.token().sub("auth0|bench").sign().unwrap();
        let users: Vec<DpopUser> = (0..DPOP_USERS)
            .map(|_| DpopUser::new(&issuer, "auth0|bench"))
            .collect();
        let bound_token = users[0].token().to_owned();
        Self {
            issuer,
            clock,
            token,
            bound_token,
            users,
            proofs_made: AtomicUsize::new(0),
            test_mode: std::env::args().any(|arg| arg == "--test"),
            rt,
        }
    }

    /// A new client on the shared clock, with every option at its default.
    pub(crate) fn client(&self) -> ApiClient {
        ApiClient::new(self.options()).unwrap()
    }

    /// Every option at its default, on the shared clock.
    pub(crate) fn options(&self) -> ApiClientOptions {
        ApiClientOptions::new(self.issuer.issuer_url(), self.issuer.audience())
            .clock(self.clock.clone())
    }

    /// A new client whose discovery and JWKS cache is filled; the issuer's
    /// counters then start from zero, so that they show any later fetch.
    /// Each group gets its own, so that the clock, which DPoP benchmarks
    /// move, stays well within the cache's 600 s lifetime.
    pub(crate) fn warm_client(&self) -> ApiClient {
        self.warm(self.client())
    }

    /// As [`Bench::warm_client`], for a client made with other options.
    pub(crate) fn warm(&self, client: ApiClient) -> ApiClient {
        self.rt
            .block_on(client.verify_access_token(&self.token))
            .unwrap();
        self.issuer.reset_counters();
        client
    }

    /// What the issuer served since the last reset.
    pub(crate) fn fetches(&self) -> Counts {
        (
            self.issuer.request_count(Endpoint::Discovery),
            self.issuer.request_count(Endpoint::Jwks),
        )
    }

    pub(crate) fn bearer_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {}", self.token)).unwrap(),
        );
        headers
    }

    /// The headers of a DPoP request with a proof never used before, made
    /// now on the shared clock.
    pub(crate) fn dpop_headers(&self) -> HeaderMap {
        self.dpop_request().0
    }

    /// As [`Bench::dpop_headers`], with the user whose key signed it.
    pub(crate) fn dpop_request(&self) -> (HeaderMap, &DpopUser) {
        let made = self.next_proof();
        let user = &self.users[made % self.users.len()];
        let now = u64::try_from(self.clock.unix_seconds()).unwrap();
        (user.get_headers(URL, now), user)
    }

    /// Counts a proof about to be made, moving the clock one second per
    /// [`PROOFS_PER_SECOND`]; returns how many were made before.
    pub(crate) fn next_proof(&self) -> usize {
        let made = self.proofs_made.fetch_add(1, Ordering::Relaxed);
        if made > 0 && (made as u64).is_multiple_of(PROOFS_PER_SECOND) {
            self.clock.advance(Duration::from_secs(1));
        }
        made
    }
}

fn verify(c: &mut Criterion, bench: &Bench, records: &Records) {
    let mut group = c.benchmark_group("verify");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(50);

    let floors = &Floors::new(bench);
    group.bench_function("floor_rsa", |b| b.iter(|| floors.rsa(&floors.token)));
    group.bench_function("floor_rsa_bound", |b| {
        b.iter(|| floors.rsa(&floors.bound_token));
    });
    group.bench_function("floor_p256", |b| {
        let mut proofs = floors.proofs.iter().cycle();
        b.iter(|| floors.p256(proofs.next().unwrap()));
    });

    // The SDK benchmarks alternate blocks of SDK calls with blocks of
    // their floor, each block timed alone: criterion gets the SDK's time,
    // the records get both, so the ratio also comes from the same moments
    // (this machine's speed drifts by several percent over a minute), while
    // each block still runs in a steady state of its own.
    //
    // Every call gets a token this client has not verified before, or has
    // forgotten since: see `FirstTime`.
    let first = &FirstTime::new(bench);
    let client = &bench.warm(first.client(bench));
    group.bench_function("verify_access_token", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let run = paired_first(iters, floors, first, async |token| {
                client
                    .verify_access_token(black_box(&token.token))
                    .await
                    .unwrap()
            })
            .await;
            records.pair("verify/verify_access_token", run);
            run.sdk
        });
    });

    group.bench_function("verify_request_bearer", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let run = paired_first(iters, floors, first, async |token| {
                client
                    .verify_request(black_box(&token.headers), "GET", URL)
                    .await
                    .unwrap()
            })
            .await;
            records.pair("verify/verify_request_bearer", run);
            run.sdk
        });
    });

    // The same new tokens on a client with the cache off
    // (`token_cache_entries(0)`): the difference with the row above is what
    // the cache costs a token it has not seen (a SHA-256 of the token, the
    // entry stored, an older one evicted).
    let uncached = &bench.warm(ApiClient::new(bench.options().token_cache_entries(0)).unwrap());
    group.bench_function("verify_request_bearer_uncached", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let run = paired_first(iters, floors, first, async |token| {
                uncached
                    .verify_request(black_box(&token.headers), "GET", URL)
                    .await
                    .unwrap()
            })
            .await;
            records.pair("verify/verify_request_bearer_uncached", run);
            run.sdk
        });
    });

    // Each iteration needs a proof never seen before: they are made per
    // block outside the measurement (blocks of a bounded size, so that no
    // proof waits long enough to leave its window), each for a bound token
    // the client has not verified before.
    group.bench_function("verify_request_dpop", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let mut run = Paired::default();
            for block in split_blocks(iters, PAIR_BLOCK) {
                let (requests, signed): (Vec<HeaderMap>, Vec<_>) =
                    (0..block).map(|_| first.dpop_request(bench)).unzip();
                // The floor verifies the very tokens and proofs the SDK is
                // given.
                let proofs: Vec<Proof> = requests
                    .iter()
                    .map(|headers| Proof::of(headers["dpop"].to_str().unwrap()))
                    .collect();
                let start = Instant::now();
                for headers in &requests {
                    let claims = client
                        .verify_request(black_box(headers), "GET", URL)
                        .await
                        .unwrap();
                    drop(black_box(claims));
                }
                run.sdk += start.elapsed();
                run.floor += floors.dpop_first(&signed, &proofs);
            }
            run.iterations = iters;
            records.pair("verify/verify_request_dpop", run);
            run.sdk
        });
    });
    group.finish();
    first.assert_no_hit(client, "verify");
    records.warm_done("verify", bench.fetches());
}

/// The verified-token cache answering: the same token again.
fn repeat(c: &mut Criterion, bench: &Bench, records: &Records) {
    let mut group = c.benchmark_group("repeat");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(50);
    let floors = &Floors::new(bench);
    // Default options: the cache on. The warm-up verified `bench.token`;
    // one request per DPoP user verifies its bound token.
    let client = &bench.warm_client();
    bench.rt.block_on(async {
        for _ in &bench.users {
            client
                .verify_request(&bench.dpop_headers(), "GET", URL)
                .await
                .unwrap();
        }
    });
    let primed = client.token_cache_stats().misses;

    let headers = &bench.bearer_headers();
    group.bench_function("bearer", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let run = paired_bearer(iters, floors, async || {
                client
                    .verify_request(black_box(headers), "GET", URL)
                    .await
                    .unwrap()
            })
            .await;
            records.pair("repeat/bearer", run);
            run.sdk
        });
    });

    // A fresh proof each time, for a token already verified: the floor is
    // ring's P-256 verification of the same proofs, no RSA.
    group.bench_function("dpop", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let mut run = Paired::default();
            for block in split_blocks(iters, PAIR_BLOCK) {
                let requests: Vec<HeaderMap> = (0..block).map(|_| bench.dpop_headers()).collect();
                let proofs: Vec<Proof> = requests
                    .iter()
                    .map(|headers| Proof::of(headers["dpop"].to_str().unwrap()))
                    .collect();
                let start = Instant::now();
                for headers in &requests {
                    let claims = client
                        .verify_request(black_box(headers), "GET", URL)
                        .await
                        .unwrap();
                    drop(black_box(claims));
                }
                run.sdk += start.elapsed();
                run.floor += floors.p256_all(&proofs);
            }
            run.iterations = iters;
            records.pair("repeat/dpop", run);
            run.sdk
        });
    });
    group.finish();
    let stats = client.token_cache_stats();
    assert_eq!(
        stats.misses, primed,
        "a repeated token was verified again: {stats:?}"
    );
    records.warm_done("repeat", bench.fetches());
}

/// `iters` Bearer verifications by `verify` of one token, in blocks, each
/// block followed by the floor of as many Bearer requests, timed apart.
async fn paired_bearer(iters: u64, floors: &Floors, verify: impl AsyncFn() -> Claims) -> Paired {
    let mut run = Paired::default();
    for block in split_blocks(iters, PAIR_BLOCK) {
        let start = Instant::now();
        for _ in 0..block {
            drop(black_box(verify().await));
        }
        run.sdk += start.elapsed();
        run.floor += floors.bearer(block);
    }
    run.iterations = iters;
    run
}

/// As [`paired_bearer`], each call on the next first-time token, and the
/// floor on the same tokens.
async fn paired_first(
    iters: u64,
    floors: &Floors,
    first: &FirstTime,
    verify: impl AsyncFn(&BearerToken) -> Claims,
) -> Paired {
    let mut run = Paired::default();
    for block in split_blocks(iters, PAIR_BLOCK) {
        let tokens = first.bearer_tokens(block);
        let start = Instant::now();
        for token in &tokens {
            drop(black_box(verify(token).await));
        }
        run.sdk += start.elapsed();
        run.floor += floors.rsa_all(tokens.iter().map(|token| &token.signed));
    }
    run.iterations = iters;
    run
}

/// Runs `work` on each batch, each on its own OS thread, all started
/// together, and returns the wall time until the last one is done.
fn on_threads<T: Sync>(batches: &[Vec<T>], work: impl Fn(&[T]) + Sync) -> Duration {
    let work = &work;
    let start = Instant::now();
    std::thread::scope(|scope| {
        for batch in batches {
            scope.spawn(move || work(batch));
        }
    });
    start.elapsed()
}

/// Verifies every request of `batch` in turn with `client`.
fn verify_all(bench: &Bench, client: &ApiClient, batch: &[&HeaderMap]) {
    bench.rt.handle().block_on(async {
        for headers in batch {
            let claims = client.verify_request(headers, "GET", URL).await.unwrap();
            drop(black_box(claims));
        }
    });
}

/// `total` in blocks of `size`, the last one shorter.
fn split_blocks(total: u64, size: u64) -> impl Iterator<Item = u64> {
    (0..total.div_ceil(size)).map(move |i| size.min(total - i * size))
}

/// `total` split as evenly as possible into `parts`.
fn split(total: u64, parts: u64) -> impl Iterator<Item = usize> {
    (0..parts).map(move |i| usize::try_from(total / parts + u64::from(i < total % parts)).unwrap())
}

fn threads(c: &mut Criterion, bench: &Bench, records: &Records) {
    let mut group = c.benchmark_group("threads");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);

    // The control: ring alone scales as well as this machine lets it.
    let floors = &Floors::new(bench);
    for threads in [1, 2] {
        group.bench_function(format!("floor_rsa_{threads}"), |b| {
            b.iter_custom(|iters| {
                let batches: Vec<Vec<()>> = split(iters, threads).map(|n| vec![(); n]).collect();
                on_threads(&batches, |batch| {
                    for () in batch {
                        floors.rsa(&floors.token);
                    }
                })
            });
        });
    }

    // First-time tokens, as in `verify`: RSA-bound, like the control.
    let first = &FirstTime::new(bench);
    let first_client = &bench.warm(first.client(bench));
    for threads in [1, 2] {
        group.bench_function(format!("bearer_first_{threads}"), |b| {
            b.iter_custom(|iters| {
                // Dealt in turn, so that the threads verify neighbouring
                // tokens, never one the other is verifying or just stored.
                let tokens = first.bearer_tokens(iters);
                let threads = usize::try_from(threads).unwrap();
                let batches: Vec<Vec<&HeaderMap>> = (0..threads)
                    .map(|t| {
                        let mine = tokens.iter().skip(t).step_by(threads);
                        mine.map(|token| &token.headers).collect()
                    })
                    .collect();
                on_threads(&batches, |batch| verify_all(bench, first_client, batch))
            });
        });
    }
    first.assert_no_hit(first_client, "threads");

    // Repeated tokens: cache hits (DPoP with a fresh proof each time).
    let client = &bench.warm_client();
    let headers = bench.bearer_headers();
    for threads in [1, 2] {
        group.bench_function(format!("bearer_{threads}"), |b| {
            b.iter_custom(|iters| {
                let batches: Vec<Vec<&HeaderMap>> =
                    split(iters, threads).map(|n| vec![&headers; n]).collect();
                on_threads(&batches, |batch| verify_all(bench, client, batch))
            });
        });
    }

    for threads in [1, 2] {
        group.bench_function(format!("dpop_{threads}"), |b| {
            b.iter_custom(|iters| {
                let mut elapsed = Duration::ZERO;
                let mut done = 0;
                while done < iters {
                    let chunk = PROOF_CHUNK.min(iters - done);
                    let owned: Vec<Vec<HeaderMap>> = split(chunk, threads)
                        .map(|n| (0..n).map(|_| bench.dpop_headers()).collect())
                        .collect();
                    let batches: Vec<Vec<&HeaderMap>> =
                        owned.iter().map(|batch| batch.iter().collect()).collect();
                    elapsed += on_threads(&batches, |batch| verify_all(bench, client, batch));
                    done += chunk;
                }
                elapsed
            });
        });
    }
    group.finish();
    records.warm_done("threads", bench.fetches());
}

fn cold_start(c: &mut Criterion, bench: &Bench, records: &Records) {
    let mut group = c.benchmark_group("cold_start");
    group
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(10);

    let headers = Arc::new(bench.bearer_headers());
    for (id, requests) in [("1_request", 1), ("1000_requests", COLD_REQUESTS)] {
        group.bench_function(id, |b| {
            b.to_async(&bench.rt).iter_custom(|iters| {
                let headers = Arc::clone(&headers);
                async move {
                    let mut elapsed = Duration::ZERO;
                    for _ in 0..iters {
                        let run = cold_run(bench, &headers, id, requests).await;
                        elapsed += run.1;
                        records.cold.lock().unwrap().push(run.0);
                    }
                    elapsed
                }
            });
        });
    }
    group.finish();
}

/// One cold start: a new client, `requests` tasks parked at a gate, then
/// timed from opening the gate until every request is answered. Returns
/// the run, whose fetches must be one discovery document and one JWKS
/// whatever the number of requests, and the time.
async fn cold_run(
    bench: &Bench,
    headers: &Arc<HeaderMap>,
    id: &'static str,
    requests: usize,
) -> (ColdRun, Duration) {
    let client = bench.client();
    bench.issuer.reset_counters();
    let (gate, _) = tokio::sync::watch::channel(false);
    let parked = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..requests)
        .map(|_| {
            let (client, headers, parked) = (client.clone(), Arc::clone(headers), parked.clone());
            let mut gate = gate.subscribe();
            tokio::spawn(async move {
                parked.fetch_add(1, Ordering::SeqCst);
                gate.wait_for(|open| *open).await.unwrap();
                let verified = client.verify_request(&headers, "GET", URL).await;
                (verified, Instant::now())
            })
        })
        .collect();
    while parked.load(Ordering::SeqCst) < requests {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let start = Instant::now();
    gate.send_replace(true);
    let mut first = None::<Instant>;
    for task in tasks {
        let (verified, at) = task.await.unwrap();
        verified.unwrap();
        first = Some(first.map_or(at, |f| f.min(at)));
    }
    let elapsed = start.elapsed();
    let counts = bench.fetches();
    assert_eq!(
        counts,
        (1, 1),
        "a cold start must fetch discovery once and the JWKS once"
    );
    let first_answer = first.map_or(elapsed, |at| at - start);
    let run = ColdRun {
        id,
        requests,
        counts,
        first_answer,
    };
    (run, elapsed)
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let bench = Bench::start();
    let records = Records::default();
    verify(&mut c, &bench, &records);
    repeat(&mut c, &bench, &records);
    refuse::refuse(&mut c, &bench, &records);
    threads(&mut c, &bench, &records);
    cold_start(&mut c, &bench, &records);
    parts::parts(&mut c, &bench);
    mix::hit_ratio(&mut c, &bench, &records);
    c.final_summary();
    report::write_report(&bench, &records);
}
