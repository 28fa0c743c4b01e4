//! The verified-token cache's hit ratio under a realistic mix: many users,
//! each sending its one token several times over the token's life, the
//! requests of all users interleaved at random.
//!
//! [`USERS`] users each send [`REQUESTS_PER_USER`] Bearer requests, in an
//! order shuffled by a fixed xorshift seed, so every run sees the same
//! order. The clock does not move: every token stays valid throughout, as
//! requests within a token's lifetime do. Each run uses a new client, warm
//! (discovery and JWKS fetched) but with nothing in its token cache, and
//! counts its hits and misses with `token_cache_stats()`. Two clients:
//! `mix` has every option at its default, and criterion times its whole
//! mix; `mix_small_cache` remembers a quarter of the users' tokens, to show
//! what a cache smaller than the working set still saves. It runs once,
//! untimed, when `mix` first runs: its misses are RSA verifications, about
//! 150,000 of them, seconds a run.

use std::cell::{Cell, OnceCell};
use std::time::{Duration, Instant};

use auth0_api::{ApiClient, TokenCacheStats};
use criterion::{Criterion, SamplingMode};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};

use crate::report::{MixRun, Records};
use crate::{Bench, URL};

/// Users, each with its own token (fewer with `--test`).
pub(crate) const USERS: usize = 10_000;
const TEST_USERS: usize = 100;

/// Requests each user sends with its token.
pub(crate) const REQUESTS_PER_USER: usize = 20;

/// The shuffle's seed.
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

pub(crate) fn hit_ratio(c: &mut Criterion, bench: &Bench, records: &Records) {
    let mut group = c.benchmark_group("hit_ratio");
    group
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1))
        .sample_size(10);
    let users = if bench.test_mode { TEST_USERS } else { USERS };
    // Made on first use, so that a filter excluding this group skips them.
    let requests: OnceCell<Vec<HeaderMap>> = OnceCell::new();
    let requests = &requests;
    let make = || {
        let headers: Vec<HeaderMap> = (0..users)
            .map(|user| {
                let token = bench
                    .issuer
                    .token()
                    .sub(format!("auth0|user-{user}"))
                    .sign()
                    .unwrap();
                let mut headers = HeaderMap::new();
                headers.insert(
                    AUTHORIZATION,
                    HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
                );
                headers
            })
            .collect();
        shuffled(users, REQUESTS_PER_USER, SEED)
            .into_iter()
            .map(|user| headers[user].clone())
            .collect()
    };
    let run = |id: &'static str, entries: Option<usize>| {
        let requests = requests.get_or_init(make);
        let options = match entries {
            Some(entries) => bench.options().token_cache_entries(entries),
            None => bench.options(),
        };
        let client = bench.warm(ApiClient::new(options).unwrap());
        let before = client.token_cache_stats();
        let start = Instant::now();
        bench.rt.block_on(async {
            for headers in requests {
                client.verify_request(headers, "GET", URL).await.unwrap();
            }
        });
        let elapsed = start.elapsed();
        records.mix(MixRun {
            id,
            users,
            requests_per_user: REQUESTS_PER_USER,
            cache_entries: entries,
            stats: difference(client.token_cache_stats(), before),
        });
        elapsed
    };
    let small_cache_done = Cell::new(false);
    group.bench_function("mix", |b| {
        b.iter_custom(|iters| {
            if !small_cache_done.replace(true) {
                run("mix_small_cache", Some(users / 4));
            }
            (0..iters).map(|_| run("mix", None)).sum()
        });
    });
    group.finish();
}

/// The hits and misses between two readings, with the entries and bytes
/// of the later.
fn difference(after: TokenCacheStats, before: TokenCacheStats) -> TokenCacheStats {
    let mut stats = after;
    stats.hits -= before.hits;
    stats.misses -= before.misses;
    stats
}

/// Each of `users` repeated `per_user` times, in an order shuffled by a
/// xorshift generator seeded with `seed` (Fisher–Yates).
fn shuffled(users: usize, per_user: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..users)
        .flat_map(|user| std::iter::repeat_n(user, per_user))
        .collect();
    let mut state = seed;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (i as u64 + 1)).unwrap();
        order.swap(i, j);
    }
    order
}
