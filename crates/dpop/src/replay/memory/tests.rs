//! The cache against its contract: replays, the per-key share, the total
//! bound, the waits it announces, and memory, plus a model check.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jose_core::ManualClock;
use proptest::prelude::*;

use super::*;

const MIB: usize = 1024 * 1024;

fn cache(clock: &Arc<ManualClock>, max: usize, per_key: usize) -> InMemoryReplayCache {
    InMemoryReplayCache::builder()
        .max_entries(max)
        .max_entries_per_key(per_key)
        .clock(clock.clone())
        .build()
}

fn clock_at(seconds: u64) -> Arc<ManualClock> {
    Arc::new(ManualClock::at_unix_seconds(seconds))
}

fn secs(error: &ReplayError) -> u64 {
    error.retry_after().map_or(0, |d| d.as_secs())
}

#[test]
fn defaults_are_the_documented_ones() {
    let cache = InMemoryReplayCache::new();
    assert_eq!(cache.max_entries(), 1_000_000);
    assert_eq!(cache.max_entries_per_key(), 10_000);
    assert_eq!((cache.len(), cache.memory_usage()), (0, 0), "idle: nothing");
    let zero = InMemoryReplayCache::builder()
        .max_entries_per_key(0)
        .build();
    assert_eq!(zero.max_entries_per_key(), 1);
}

#[test]
fn second_insert_of_a_pair_is_a_replay_until_it_expires() {
    let clock = clock_at(1_000);
    let cache = cache(&clock, 10, 10);
    cache.insert("k", "j", 1_010).unwrap();
    assert!(matches!(
        cache.insert("k", "j", 1_010),
        Err(ReplayError::Replayed)
    ));
    // another key or another jti is another entry
    cache.insert("k2", "j", 1_010).unwrap();
    cache.insert("k", "j2", 1_010).unwrap();
    clock.set(Duration::from_secs(1_010)); // the last second it counts
    assert!(matches!(
        cache.insert("k", "j", 1_020),
        Err(ReplayError::Replayed)
    ));
    clock.advance(Duration::from_secs(1));
    cache.insert("k", "j", 1_020).unwrap();
    assert_eq!(cache.len(), 1);
}

#[test]
fn already_expired_entries_are_not_stored() {
    let clock = clock_at(1_000);
    let cache = cache(&clock, 3, 3);
    cache.insert("k", "a", 999).unwrap();
    assert!(cache.is_empty());
}

#[test]
fn a_key_over_its_share_is_refused_and_others_are_not() {
    let clock = clock_at(1_000);
    let cache = cache(&clock, 100, 3);
    cache.insert("abuser", "a", 1_030).unwrap();
    clock.advance(Duration::from_secs(5));
    cache.insert("abuser", "b", 1_040).unwrap();
    cache.insert("abuser", "c", 1_020).unwrap(); // iat may go backwards
    let refused = cache.insert("abuser", "d", 1_045).unwrap_err();
    assert!(
        matches!(
            refused,
            ReplayError::KeyQuotaExceeded { max_per_key: 3, .. }
        ),
        "{refused:?}"
    );
    // now 1_005; the soonest entry lasts through 1_020, gone at 1_021
    assert_eq!(secs(&refused), 16);
    assert!(!refused.is_server_error());
    // every other key goes on as before
    for jti in ["a", "b", "c"] {
        cache.insert("victim", jti, 1_045).unwrap();
    }
    assert_eq!(cache.len(), 6);
    // the abuser's replays are still replays
    assert!(matches!(
        cache.insert("abuser", "a", 1_030),
        Err(ReplayError::Replayed)
    ));
    // one second before the announced time: still refused, with 1 s to go
    clock.set(Duration::from_secs(1_020));
    assert_eq!(secs(&cache.insert("abuser", "d", 1_045).unwrap_err()), 1);
    // at it, exactly one place is free again
    clock.advance(Duration::from_secs(1));
    cache.insert("abuser", "d", 1_045).unwrap();
    let refused = cache.insert("abuser", "e", 1_045).unwrap_err();
    assert_eq!(secs(&refused), 10, "{refused:?}"); // "a" lasts through 1_030
}

#[test]
fn a_share_is_freed_in_expiry_order_not_insertion_order() {
    let clock = clock_at(1_000);
    let cache = cache(&clock, 100, 2);
    cache.insert("k", "late", 1_300).unwrap();
    cache.insert("k", "soon", 1_002).unwrap();
    assert_eq!(secs(&cache.insert("k", "x", 1_300).unwrap_err()), 3);
    clock.advance(Duration::from_secs(3));
    cache.insert("k", "x", 1_300).unwrap();
    assert_eq!(secs(&cache.insert("k", "y", 1_300).unwrap_err()), 298);
}

#[test]
fn full_cache_fails_closed_then_recovers_after_expiry() {
    let clock = clock_at(1_000);
    let cache = cache(&clock, 3, 10);
    cache.insert("k", "a", 1_005).unwrap();
    cache.insert("k", "b", 1_004).unwrap();
    cache.insert("k2", "c", 1_009).unwrap();
    let refused = cache.insert("k3", "d", 1_005).unwrap_err();
    assert!(
        matches!(refused, ReplayError::CapacityExceeded { capacity: 3, .. }),
        "{refused:?}"
    );
    assert!(refused.is_server_error());
    assert_eq!(secs(&refused), 5, "the soonest, b, is gone at 1_005");
    // a replay is still reported as a replay when full
    assert!(matches!(
        cache.insert("k", "a", 1_005),
        Err(ReplayError::Replayed)
    ));
    clock.advance(Duration::from_secs(5));
    cache.insert("k3", "d", 1_011).unwrap();
    assert_eq!(cache.len(), 3);
    clock.advance(Duration::from_secs(5));
    cache.insert("k3", "e", 1_011).unwrap();
    assert_eq!(cache.len(), 2);
}

#[test]
fn a_key_over_its_share_hears_so_even_when_the_cache_is_full() {
    let clock = clock_at(1_000);
    let cache = cache(&clock, 2, 2);
    cache.insert("k", "a", 1_005).unwrap();
    cache.insert("k", "b", 1_005).unwrap();
    assert!(matches!(
        cache.insert("k", "c", 1_005),
        Err(ReplayError::KeyQuotaExceeded { .. })
    ));
    assert!(matches!(
        cache.insert("other", "c", 1_005),
        Err(ReplayError::CapacityExceeded { .. })
    ));
}

#[test]
fn memory_is_given_back_after_a_burst() {
    let clock = clock_at(1_000);
    let cache = cache(&clock, 1_000_000, 10_000);
    for i in 0..50_000 {
        let key = format!("key-{}", i % 100);
        cache.insert(&key, &i.to_string(), 1_001 + i % 50).unwrap();
    }
    let burst = cache.memory_usage();
    assert!(burst > 50_000 * 16, "{burst}");
    // a steady trickle keeps little
    clock.advance(Duration::from_secs(51));
    cache.insert("key-0", "trickle", 1_100).unwrap();
    let trickle = cache.memory_usage();
    assert!(trickle < 4 * 1024, "{trickle}");
    // and once everything expired, nothing
    clock.advance(Duration::from_secs(60));
    cache.purge_expired();
    assert_eq!((cache.len(), cache.memory_usage()), (0, 0));
}

/// 2,000 new proofs per second for 360 s, each kept the longest a proof
/// can be (360 s: `iat` 30 s ahead), so all 720,000 are live at the end.
/// `key_of(i, jkt)` writes the key that sends proof `i`.
fn fill_720k(key_of: impl Fn(u64, &mut String)) -> (usize, Duration) {
    let clock = clock_at(1_700_000_000);
    let cache = InMemoryReplayCache::builder().clock(clock.clone()).build();
    let start = Instant::now();
    let (mut jkt, mut jti) = (String::new(), String::new());
    let mut i = 0u64;
    for _ in 0..360 {
        let now = u64::try_from(clock.unix_seconds()).unwrap();
        for _ in 0..2_000 {
            jkt.clear();
            key_of(i, &mut jkt);
            jti.clear();
            write!(jti, "jti-{i}").unwrap();
            cache.insert(&jkt, &jti, now + 360).unwrap();
            i += 1;
        }
        clock.advance(Duration::from_secs(1));
    }
    let elapsed = start.elapsed();
    assert_eq!(cache.len(), 720_000);
    let bytes = cache.memory_usage();
    // and all of it comes back once the proofs have expired
    clock.advance(Duration::from_secs(361));
    cache.purge_expired();
    assert_eq!(cache.memory_usage(), 0);
    (bytes, elapsed)
}

fn report(what: &str, (bytes, elapsed): (usize, Duration)) {
    println!(
        "{what}: {bytes} bytes for 720,000 entries ({:.1} MiB), {:.1} bytes/entry, \
         filled in {elapsed:.2?}",
        bytes as f64 / MIB as f64,
        bytes as f64 / 720_000.0,
    );
    assert!(bytes <= 64 * MIB, "{what}: {bytes} bytes");
}

#[test]
fn holds_2000_proofs_per_second_in_64_mib() {
    // A realistic mix: 2,000 clients, each signing one proof per second.
    report(
        "2,000 keys",
        fill_720k(|i, jkt| write!(jkt, "{:043}", i % 2_000).unwrap()),
    );
}

#[test]
fn holds_2000_proofs_per_second_in_64_mib_however_keys_share_them() {
    // The costliest arrangement: two proofs per key, so that every key has
    // a place in the per-key table and a heap of its own. (One proof per
    // key costs about 66 bytes per entry, three about 71.)
    report(
        "360,000 keys",
        fill_720k(|i, jkt| write!(jkt, "{:043}", i / 2).unwrap()),
    );
}

#[test]
fn debug_shows_the_bounds_and_no_hash_keys() {
    let cache = InMemoryReplayCache::builder()
        .max_entries_per_key(7)
        .build();
    let text = format!("{cache:?}");
    assert!(text.contains("max_entries_per_key: 7"), "{text}");
    assert!(
        !text.contains("Fingerprinter") && text.ends_with(".. }"),
        "{text}"
    );
}

// ----- the model check -----

/// What a call returned, comparable across cache and model.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Stored,
    Replayed,
    OverShare(u64),
    Full(u64),
}

fn outcome(result: Result<(), ReplayError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Stored,
        Err(ReplayError::Replayed) => Outcome::Replayed,
        Err(e @ ReplayError::KeyQuotaExceeded { .. }) => Outcome::OverShare(secs(&e)),
        Err(e @ ReplayError::CapacityExceeded { .. }) => Outcome::Full(secs(&e)),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

/// The contract in its plainest form: a map from pair to expiry.
struct Model {
    entries: HashMap<(u8, u8), u64>,
    max: usize,
    per_key: usize,
}

impl Model {
    fn purge(&mut self, now: u64) {
        self.entries.retain(|_, expires_at| *expires_at >= now);
    }

    fn insert(&mut self, key: u8, jti: u8, expires_at: u64, now: u64) -> Outcome {
        if expires_at < now {
            return Outcome::Stored;
        }
        self.purge(now);
        if self.entries.contains_key(&(key, jti)) {
            return Outcome::Replayed;
        }
        let wait = |soonest: Option<u64>| soonest.map_or(1, |at| at - now + 1);
        let mine = self.entries.iter().filter(|((k, _), _)| *k == key);
        if mine.clone().count() >= self.per_key {
            return Outcome::OverShare(wait(mine.map(|(_, at)| *at).min()));
        }
        if self.entries.len() >= self.max {
            return Outcome::Full(wait(self.entries.values().copied().min()));
        }
        self.entries.insert((key, jti), expires_at);
        Outcome::Stored
    }

    fn keys(&self) -> usize {
        let mut keys: Vec<u8> = self.entries.keys().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// A proof of `key` with `jti`, kept until `now + ttl - 2` (so some are
    /// already expired).
    Insert {
        key: u8,
        jti: u8,
        ttl: u8,
    },
    Advance(u8),
    Purge,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..4, 0u8..6, 0u8..12).prop_map(|(key, jti, ttl)| Op::Insert { key, jti, ttl }),
        2 => (0u8..4).prop_map(Op::Advance),
        1 => Just(Op::Purge),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn behaves_like_a_map_from_pair_to_expiry(
        max in 1usize..12,
        per_key in 1usize..6,
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        let clock = clock_at(1_000);
        let cache = cache(&clock, max, per_key);
        let mut model = Model { entries: HashMap::new(), max, per_key };
        for op in ops {
            let now = u64::try_from(clock.unix_seconds()).unwrap();
            match op {
                Op::Insert { key, jti, ttl } => {
                    let expires_at = (now + u64::from(ttl)).saturating_sub(2);
                    let got = outcome(cache.insert(&format!("key{key}"), &format!("jti{jti}"), expires_at));
                    prop_assert_eq!(got, model.insert(key, jti, expires_at, now));
                }
                Op::Advance(by) => clock.advance(Duration::from_secs(u64::from(by))),
                Op::Purge => {
                    cache.purge_expired();
                    model.purge(now);
                }
            }
            prop_assert_eq!(cache.len(), model.entries.len());
            prop_assert_eq!(cache.lock().keys(), model.keys());
        }
    }
}
