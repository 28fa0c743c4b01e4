//! Request verification against its floor: ring's own verification of the
//! very signatures the SDK checks, measured in the same run.
//!
//! Everything runs against `dev-issuer` on loopback, on a manual clock
//! shared by the issuer and the clients, with every client option at its
//! default (the DPoP replay cache on). The groups:
//!
//! - `verify`: the floors (`floor_rsa`, `floor_rsa_bound`: ring RSA-2048
//!   PKCS#1 on the Bearer and on the DPoP-bound token; `floor_p256`: ring
//!   P-256 on distinct DPoP proofs), then the SDK on a warm cache
//!   (`verify_access_token`, `verify_request_bearer`, `verify_request_dpop`
//!   with a proof never used before per iteration, made outside the
//!   measurement). Blocks of SDK calls alternate with blocks of their
//!   floor, timed apart, so that the SDK / floor ratio is also known over
//!   the same moments;
//! - `threads`: `floor_rsa_{1,2}` (the machine's own scaling),
//!   `bearer_{1,2}` and `dpop_{1,2}`: the same number of verifications on
//!   one or two OS threads sharing one `ApiClient`, as wall time per
//!   verification;
//! - `cold_start`: `1_request` and `1000_requests`, a new `ApiClient`
//!   answering Bearer requests released together on an empty cache, over
//!   real HTTP, timed from release to the last answer; every run must fetch
//!   the discovery document once and the JWKS once;
//! - `parts`: the pieces of both pipelines alone, on the same token and
//!   proof, to see where the time above the floor goes.
//!
//! `cargo bench -p auth0-api --bench verify` runs them; `-- --test` runs
//! each once (CI). `cargo xtask bench` runs them and prints a summary; for
//! it, the fetch counts and paired timings are written as JSON to the file
//! named by `AUTH0_API_BENCH_REPORT`, when set.

// Bench code: a failed unwrap is a failed benchmark, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use auth0_api::{ApiClient, ApiClientOptions, Claims, Clock, ManualClock};
use criterion::{BatchSize, Criterion, SamplingMode};
use dev_issuer::dpop::{ProofBuilder, ProofKey};
use dev_issuer::{DevIssuer, Endpoint};
use dpop::{InMemoryReplayCache, ReplayCache, Request as DpopRequest, Verifier};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use jose_core::{Algorithm, Jwk, Jws, Jwt, Limits, Validation, VerifyingKey, base64url};
use oidc_discovery::{Discovery, HttpFetcher};
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

/// The instant the clock starts at.
const NOW: u64 = 1_700_000_000;

/// The API URL requests are made to.
const URL: &str = "https://api.example.com/orders";

/// Requests released together on a cold client.
const COLD_REQUESTS: usize = 1_000;

/// How long a replay cache entry lives with the default options: the proof
/// `iat` window (300 s) plus its leeway (30 s).
const PROOF_WINDOW_SECS: u64 = 330;

/// The clock moves one second per this many proofs, so that old replay
/// cache entries expire as they would under a steady load: about
/// 200 × 330 s = 66,000 entries stay live, under the default capacity of
/// 100,000 (which caps a client at about 300 new proofs per second).
const PROOFS_PER_SECOND: u64 = 200;

/// At most this many proofs are made ahead of their verification, so that
/// none is older than the window allows when it is used.
const PROOF_CHUNK: u64 = 1_000;

/// SDK calls per block in the paired measurements: long enough for a
/// steady state, short enough that the SDK and its floor run moments apart.
const PAIR_BLOCK: u64 = 50;

/// The environment variable naming the JSON file for `cargo xtask bench`.
const REPORT_ENV: &str = "AUTH0_API_BENCH_REPORT";

/// One issuer on a manual clock, and the tokens every benchmark uses.
struct Bench {
    // Declared first so that the server stops before the runtime does.
    issuer: DevIssuer,
    clock: Arc<ManualClock>,
    /// An access token for Bearer.
    token: String,
    /// An access token bound to `key`, for DPoP.
    bound_token: String,
    key: ProofKey,
    /// Proofs made so far, which drives the clock.
    proofs_made: AtomicUsize,
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
        let issuer = rt.block_on(async {
            DevIssuer::builder()
                .clock(clock.clone())
                .start()
                .await
                .unwrap()
        });
        let key = ProofKey::generate().unwrap();
        let token = issuer.token().sub("auth0|bench").sign().unwrap();
        let bound_token = issuer
            .token()
            .sub("auth0|bench")
            .cnf_jkt(key.thumbprint())
            .sign()
            .unwrap();
        Self {
            issuer,
            clock,
            token,
            bound_token,
            key,
            proofs_made: AtomicUsize::new(0),
            rt,
        }
    }

    /// A new client on the shared clock, with every option at its default.
    fn client(&self) -> ApiClient {
        ApiClient::new(
            ApiClientOptions::new(self.issuer.issuer_url(), self.issuer.audience())
                .clock(self.clock.clone()),
        )
        .unwrap()
    }

    /// A new client whose discovery and JWKS cache is filled; the issuer's
    /// counters then start from zero, so that they show any later fetch.
    /// Each group gets its own, so that the clock, which DPoP benchmarks
    /// move, stays well within the cache's 600 s lifetime.
    fn warm_client(&self) -> ApiClient {
        let client = self.client();
        self.rt
            .block_on(client.verify_access_token(&self.token))
            .unwrap();
        self.issuer.reset_counters();
        client
    }

    /// What the issuer served since the last reset.
    fn fetches(&self) -> Counts {
        (
            self.issuer.request_count(Endpoint::Discovery),
            self.issuer.request_count(Endpoint::Jwks),
        )
    }

    fn bearer_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {}", self.token)).unwrap(),
        );
        headers
    }

    /// The headers of a DPoP request with a proof never used before, made
    /// now on the shared clock.
    fn dpop_headers(&self) -> HeaderMap {
        let made = self.proofs_made.fetch_add(1, Ordering::Relaxed) as u64;
        if made > 0 && made.is_multiple_of(PROOFS_PER_SECOND) {
            self.clock.advance(Duration::from_secs(1));
        }
        let proof = ProofBuilder::new(&self.key)
            .htm("GET")
            .htu(URL)
            .access_token(&self.bound_token)
            .iat(self.clock.unix_seconds())
            .sign()
            .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("DPoP {}", self.bound_token)).unwrap(),
        );
        headers.insert("dpop", HeaderValue::from_str(&proof).unwrap());
        headers
    }
}

/// A signature as ring sees it: the signed bytes and the raw signature.
struct Signed {
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl Signed {
    fn of(compact: &str) -> Self {
        let (message, signature) = compact.rsplit_once('.').unwrap();
        Self {
            message: message.as_bytes().to_vec(),
            signature: base64url::decode(signature).unwrap(),
        }
    }
}

/// The RSA public key of `kid` in the JWKS the issuer serves.
fn rsa_components(jwks: &Value, kid: &str) -> (Vec<u8>, Vec<u8>) {
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap();
    let member = |name: &str| base64url::decode(jwk[name].as_str().unwrap()).unwrap();
    (member("n"), member("e"))
}

/// The uncompressed P-256 point of the `jwk` in a proof's header.
fn proof_point(proof: &str) -> Vec<u8> {
    let header = proof.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&base64url::decode(header).unwrap()).unwrap();
    let coordinate = |name: &str| base64url::decode(header["jwk"][name].as_str().unwrap()).unwrap();
    let mut point = vec![4];
    point.extend(coordinate("x"));
    point.extend(coordinate("y"));
    point
}

/// What the issuer served: (discovery documents, JWKS).
type Counts = (usize, usize);

/// One cold start: its benchmark, its number of requests, its fetches, and
/// when its first answer came (the keys were ready by then).
struct ColdRun {
    id: &'static str,
    requests: usize,
    counts: Counts,
    first_answer: Duration,
}

/// An SDK benchmark and its floor, timed over the same iterations: each
/// SDK call is followed by the floor's calls, each timed alone.
#[derive(Default, Clone, Copy)]
struct Paired {
    sdk: Duration,
    floor: Duration,
    iterations: u64,
}

/// What criterion does not record, for `cargo xtask bench`.
#[derive(Default)]
struct Records {
    /// The warm clients' fetches, by group.
    warm: Mutex<Vec<(&'static str, Counts)>>,
    cold: Mutex<Vec<ColdRun>>,
    /// Paired totals by SDK benchmark, with the floors they are paired with.
    paired: Mutex<Vec<(&'static str, &'static [&'static str], Paired)>>,
}

impl Records {
    fn pair(&self, id: &'static str, floors: &'static [&'static str], run: Paired) {
        let mut paired = self.paired.lock().unwrap();
        match paired.iter_mut().find(|(i, ..)| *i == id) {
            Some((.., total)) => {
                total.sdk += run.sdk;
                total.floor += run.floor;
                total.iterations += run.iterations;
            }
            None => paired.push((id, floors, run)),
        }
    }
}

/// The floors the SDK benchmarks are compared with.
const BEARER_FLOOR: &[&str] = &["floor_rsa"];
const DPOP_FLOOR: &[&str] = &["floor_rsa_bound", "floor_p256"];

/// Ring's verification of the signatures the SDK checks, and nothing else.
struct Floors {
    n: Vec<u8>,
    e: Vec<u8>,
    token: Signed,
    bound_token: Signed,
    /// Distinct proofs, all by `bench.key`: the SDK never sees a proof
    /// twice, and ring's variable-time P-256 verification runs measurably
    /// faster on one signature repeated (the branch predictor learns it),
    /// so the floor must not repeat one either.
    proofs: Vec<Signed>,
    proof_point: Vec<u8>,
}

/// Distinct proofs the `floor_p256` benchmark cycles through.
const FLOOR_PROOFS: usize = 256;

impl Floors {
    fn new(bench: &Bench) -> Self {
        let (n, e) = rsa_components(&bench.issuer.jwks(), &bench.issuer.current_kid());
        let proofs: Vec<String> = (0..FLOOR_PROOFS)
            .map(|_| bench.dpop_headers()["dpop"].to_str().unwrap().to_owned())
            .collect();
        Self {
            n,
            e,
            token: Signed::of(&bench.token),
            bound_token: Signed::of(&bench.bound_token),
            proof_point: proof_point(&proofs[0]),
            proofs: proofs.iter().map(|p| Signed::of(p)).collect(),
        }
    }

    fn rsa(&self, signed: &Signed) {
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            black_box(&signed.message),
            black_box(&signed.signature),
        )
        .unwrap();
    }

    fn p256(&self, proof: &Signed) {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, black_box(&self.proof_point))
            .verify(black_box(&proof.message), black_box(&proof.signature))
            .unwrap();
    }

    /// The floor of `n` Bearer requests, timed.
    fn bearer(&self, n: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            self.rsa(&self.token);
        }
        start.elapsed()
    }

    /// The floor of DPoP requests with these proofs, timed.
    fn dpop(&self, proofs: &[Signed]) -> Duration {
        let start = Instant::now();
        for proof in proofs {
            self.rsa(&self.bound_token);
            self.p256(proof);
        }
        start.elapsed()
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
    let client = &bench.warm_client();
    group.bench_function("verify_access_token", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let run = paired_bearer(iters, floors, async || {
                client
                    .verify_access_token(black_box(&bench.token))
                    .await
                    .unwrap()
            })
            .await;
            records.pair("verify_access_token", BEARER_FLOOR, run);
            run.sdk
        });
    });

    let headers = &bench.bearer_headers();
    group.bench_function("verify_request_bearer", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let run = paired_bearer(iters, floors, async || {
                client
                    .verify_request(black_box(headers), "GET", URL)
                    .await
                    .unwrap()
            })
            .await;
            records.pair("verify_request_bearer", BEARER_FLOOR, run);
            run.sdk
        });
    });

    // Each iteration needs a proof never seen before: they are made per
    // block outside the measurement (blocks of a bounded size, so that no
    // proof waits long enough to leave its window).
    group.bench_function("verify_request_dpop", |b| {
        b.to_async(&bench.rt).iter_custom(|iters| async move {
            let mut run = Paired::default();
            for block in split_blocks(iters, PAIR_BLOCK) {
                let requests: Vec<HeaderMap> = (0..block).map(|_| bench.dpop_headers()).collect();
                // The floor verifies the very proofs the SDK is given.
                let proofs: Vec<Signed> = requests
                    .iter()
                    .map(|headers| Signed::of(headers["dpop"].to_str().unwrap()))
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
                run.floor += floors.dpop(&proofs);
            }
            run.iterations = iters;
            records.pair("verify_request_dpop", DPOP_FLOOR, run);
            run.sdk
        });
    });
    group.finish();
    records
        .warm
        .lock()
        .unwrap()
        .push(("verify", bench.fetches()));
}

/// `iters` Bearer verifications by `verify`, in blocks, each block followed
/// by the floor of as many Bearer requests, timed apart.
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
    records
        .warm
        .lock()
        .unwrap()
        .push(("threads", bench.fetches()));
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

/// The pieces of the two pipelines, each alone, on the same tokens and
/// proofs: where the time above the floor goes. These call the crates the
/// SDK is built from (`jose-core`, `oidc-discovery`, `dpop`) the way the
/// SDK calls them.
fn parts(c: &mut Criterion, bench: &Bench) {
    let mut group = c.benchmark_group("parts");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    let token = bench.token.as_str();

    // Access token: syntax.
    group.bench_function("base64url_decode_token", |b| {
        b.iter(|| {
            for segment in black_box(token).split('.') {
                black_box(base64url::decode(segment).unwrap());
            }
        });
    });
    group.bench_function("jws_parse", |b| {
        b.iter(|| Jws::parse_with(black_box(token), &Limits::new()).unwrap());
    });
    group.bench_function("jwt_parse", |b| {
        b.iter(|| Jwt::parse_with(black_box(token), &Limits::new()).unwrap());
    });
    let authorization = bench.bearer_headers();
    let authorization = &authorization[AUTHORIZATION];
    group.bench_function("authorization_to_str", |b| {
        b.iter(|| black_box(authorization).to_str().unwrap().len());
    });

    // Access token: key, signature, claims.
    let discovery = Discovery::builder()
        .fetcher(Arc::new(HttpFetcher::new().unwrap()))
        .clock(bench.clock.clone())
        .build()
        .unwrap();
    let issuer = bench.issuer.issuer_url();
    let kid = bench.issuer.current_kid();
    let key = bench
        .rt
        .block_on(discovery.key_for(issuer, Some(&kid), Algorithm::Rs256))
        .unwrap();
    group.bench_function("key_lookup", |b| {
        b.to_async(&bench.rt).iter(|| async {
            discovery
                .key_for(black_box(issuer), Some(&kid), Algorithm::Rs256)
                .await
                .unwrap()
        });
    });
    let jwt = Jwt::parse(token).unwrap();
    group.bench_function("jwt_verify_rsa", |b| {
        b.iter(|| black_box(&jwt).verify(&key, &[Algorithm::Rs256]).unwrap());
    });
    group.bench_function("claims_validation", |b| {
        b.iter(|| {
            let mut validation = Validation::new(black_box(issuer), bench.issuer.audience());
            validation
                .leeway(Duration::ZERO)
                .clock(bench.clock.clone())
                .require_claims(std::iter::empty::<&str>());
            validation.validate(black_box(jwt.claims())).unwrap();
        });
    });
    group.bench_function("claims_drop", |b| {
        b.iter_batched(|| jwt.claims().clone(), drop, BatchSize::SmallInput);
    });

    // DPoP proof.
    let headers = bench.dpop_headers();
    let proof = headers["dpop"].to_str().unwrap();
    let jws = Jws::parse(proof).unwrap();
    group.bench_function("proof_parse", |b| {
        b.iter(|| {
            let jws = Jws::parse_with(black_box(proof), &Limits::new()).unwrap();
            jws.payload_object().unwrap()
        });
    });
    let jwk = jws.header().get("jwk").unwrap();
    group.bench_function("proof_key", |b| {
        b.iter(|| VerifyingKey::from_jwk(&Jwk::from_value(black_box(jwk)).unwrap()).unwrap());
    });
    let proof_key = VerifyingKey::from_jwk(&Jwk::from_value(jwk).unwrap()).unwrap();
    group.bench_function("proof_thumbprint", |b| {
        b.iter(|| black_box(&proof_key).thumbprint());
    });
    group.bench_function("proof_ath", |b| {
        b.iter(|| dpop::access_token_hash(black_box(&bench.bound_token)));
    });

    // The replay cache alone, in the same steady state as the SDK's: the
    // clock moves one second per 200 entries.
    let replay_clock = Arc::new(ManualClock::at_unix_seconds(NOW));
    let replay = InMemoryReplayCache::builder()
        .clock(replay_clock.clone())
        .build();
    let jkt = proof_key.thumbprint();
    let mut stored = 0_u64;
    group.bench_function("replay_insert", |b| {
        b.to_async(&bench.rt).iter_batched(
            || {
                stored += 1;
                if stored.is_multiple_of(PROOFS_PER_SECOND) {
                    replay_clock.advance(Duration::from_secs(1));
                }
                let now = u64::try_from(replay_clock.unix_seconds()).unwrap();
                (format!("jti-{stored}"), now + PROOF_WINDOW_SECS)
            },
            |(jti, expires_at)| {
                let (replay, jkt) = (&replay, &jkt);
                async move {
                    replay.check_and_store(jkt, &jti, expires_at).await.unwrap();
                    jti
                }
            },
            BatchSize::NumIterations(PROOF_CHUNK),
        );
    });

    // The `dpop` crate's verifier alone (every check and a replay cache),
    // on fresh proofs like the SDK's.
    let verifier = Verifier::builder()
        .clock(bench.clock.clone())
        .replay_cache(Arc::new(
            InMemoryReplayCache::builder()
                .clock(bench.clock.clone())
                .build(),
        ))
        .build();
    let expected_jkt = bench.key.thumbprint();
    group.bench_function("dpop_verifier", |b| {
        b.to_async(&bench.rt).iter_batched(
            || bench.dpop_headers(),
            |headers| {
                let (verifier, expected_jkt) = (&verifier, &expected_jkt);
                async move {
                    {
                        let proofs = [headers["dpop"].to_str().unwrap()];
                        let request = DpopRequest::new(&proofs, "GET", URL)
                            .access_token(&bench.bound_token)
                            .expected_jkt(expected_jkt);
                        drop(black_box(verifier.verify(&request).await.unwrap()));
                    }
                    headers
                }
            },
            BatchSize::NumIterations(PROOF_CHUNK),
        );
    });
    group.finish();
}

/// Writes what criterion does not record, for `cargo xtask bench`.
fn write_report(bench: &Bench, records: &Records) {
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
        .map(|(id, floors, run)| {
            (
                format!("verify/{id}"),
                json!({
                    "floors": floors.iter().map(|f| format!("verify/{f}")).collect::<Vec<_>>(),
                    "iterations": run.iterations,
                    "sdk_ns": run.sdk.as_nanos(),
                    "floor_ns": run.floor.as_nanos(),
                }),
            )
        })
        .collect();
    let report = json!({
        "paired": paired,
        "warm_client_fetches": warm,
        "cold_start": cold,
        "dpop_proofs_made": bench.proofs_made.load(Ordering::Relaxed),
    });
    eprintln!("fetches: {report}");
    if let Some(path) = std::env::var_os(REPORT_ENV).map(PathBuf::from) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let bench = Bench::start();
    let records = Records::default();
    verify(&mut c, &bench, &records);
    threads(&mut c, &bench, &records);
    cold_start(&mut c, &bench, &records);
    parts(&mut c, &bench);
    c.final_summary();
    write_report(&bench, &records);
}
