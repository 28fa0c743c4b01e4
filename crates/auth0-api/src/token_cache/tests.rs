use std::future::Future;
use std::sync::atomic::AtomicUsize;

use dev_issuer::testing::block_on;
use serde_json::{Map, Value, json};

use super::*;

const ROOMY: Bounds = Bounds {
    max_entries: 1_000,
    max_bytes: 1 << 30,
};

/// Runs `verify` through `cache` as the token pipeline does: the stored
/// value when there is one, else `verify`'s, stored when it succeeds.
async fn through<F>(cache: &Arc<TokenCache<u32>>, token: &str, verify: F) -> Result<u32, ()>
where
    F: Future<Output = Result<u32, ()>>,
{
    match cache.lookup(digest(token)).await {
        Lookup::Found(value) => Ok(value),
        Lookup::Verify(claim) => {
            let value = verify.await?;
            claim.store(value, entry_cost(token.len()));
            Ok(value)
        }
        Lookup::Bypass => verify.await,
    }
}

#[test]
fn a_stored_value_is_found_by_the_same_token_only() {
    block_on(async {
        let cache = TokenCache::new(ROOMY);
        assert_eq!(through(&cache, "token-a", async { Ok(1) }).await, Ok(1));
        // Found: the verification is not run again.
        assert_eq!(through(&cache, "token-a", async { Ok(99) }).await, Ok(1));
        // One byte more is another token.
        assert_eq!(through(&cache, "token-a.", async { Ok(2) }).await, Ok(2));
        assert_eq!(cache.stats().entries, 2);
    });
}

#[test]
fn a_failure_is_never_stored() {
    block_on(async {
        let cache = TokenCache::new(ROOMY);
        assert_eq!(through(&cache, "t", async { Err(()) }).await, Err(()));
        assert_eq!(cache.stats().entries, 0);
        // The next request verifies again, and may succeed.
        assert_eq!(through(&cache, "t", async { Ok(3) }).await, Ok(3));
    });
}

#[test]
fn concurrent_requests_for_a_new_token_verify_it_once() {
    block_on(async {
        let cache = TokenCache::new(ROOMY);
        let runs = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Notify::new());
        let mut tasks = Vec::new();
        for _ in 0..1_000 {
            let (cache, runs, gate) = (cache.clone(), runs.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                through(&cache, "new-token", async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    // Hold the verification open until every task queued.
                    gate.notified().await;
                    Ok(7)
                })
                .await
            }));
        }
        // Every task has either claimed the token or is waiting on it once
        // the claim holder is parked on the gate.
        while runs.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        gate.notify_waiters();
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(7));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn an_abandoned_verification_releases_its_waiters() {
    block_on(async {
        let cache = TokenCache::<u32>::new(ROOMY);
        let Lookup::Verify(claim) = cache.lookup(digest("t")).await else {
            panic!("a new token is to be verified");
        };
        let waiter = tokio::spawn({
            let cache = cache.clone();
            async move { matches!(cache.lookup(digest("t")).await, Lookup::Bypass) }
        });
        // The slot and the claim hold the notifier; the waiter's share
        // shows it found the token pending.
        while Arc::strong_count(&claim.notify) < 3 {
            tokio::task::yield_now().await;
        }
        // The verifying request is dropped (its client hung up).
        drop(claim);
        assert!(waiter.await.unwrap(), "the waiter verifies for itself");
        // Nothing was stored, and the next request may claim it again.
        assert!(matches!(cache.lookup(digest("t")).await, Lookup::Verify(_)));
    });
}

#[test]
fn the_entry_bound_evicts_the_oldest_first() {
    block_on(async {
        let cache = TokenCache::new(Bounds {
            max_entries: SHARDS * 2,
            max_bytes: 1 << 30,
        });
        for i in 0..10_000u32 {
            through(&cache, &format!("token-{i}"), async move { Ok(i) })
                .await
                .unwrap();
        }
        let stats = cache.stats();
        assert!(stats.entries <= SHARDS * 2, "{stats:?}");
        // The newest is kept; the oldest is long gone.
        assert_eq!(
            through(&cache, "token-9999", async { Ok(0) }).await,
            Ok(9999)
        );
        assert_eq!(through(&cache, "token-0", async { Ok(0) }).await, Ok(0));
    });
}

#[test]
fn the_byte_bound_holds_and_an_oversized_entry_is_not_stored() {
    block_on(async {
        let max_bytes = SHARDS * entry_cost(100) * 3;
        let cache = TokenCache::new(Bounds {
            max_entries: 1_000_000,
            max_bytes,
        });
        for i in 0..1_000u32 {
            let token = format!("{i:0>100}");
            through(&cache, &token, async move { Ok(i) }).await.unwrap();
        }
        let stats = cache.stats();
        assert!(stats.bytes <= max_bytes, "{stats:?}");
        assert!(stats.entries <= SHARDS * 3, "{stats:?}");

        // Larger than a shard's whole share: verified, never stored.
        let huge = "x".repeat(max_bytes);
        assert_eq!(through(&cache, &huge, async { Ok(5) }).await, Ok(5));
        assert!(matches!(
            cache.lookup(digest(&huge)).await,
            Lookup::Verify(_)
        ));
    });
}

#[test]
fn a_zero_bound_turns_the_cache_off() {
    block_on(async {
        for bounds in [
            Bounds {
                max_entries: 0,
                max_bytes: 1 << 20,
            },
            Bounds {
                max_entries: 1_000,
                max_bytes: 0,
            },
        ] {
            let cache = TokenCache::new(bounds);
            assert_eq!(through(&cache, "t", async { Ok(1) }).await, Ok(1));
            assert!(matches!(cache.lookup(digest("t")).await, Lookup::Bypass));
            assert_eq!(cache.stats().entries, 0);
        }
    });
}

#[test]
fn removed_entries_leave_a_bounded_order_queue() {
    block_on(async {
        let cache = TokenCache::new(ROOMY);
        for i in 0..10_000u32 {
            through(&cache, "rotating", async move { Ok(i) })
                .await
                .unwrap();
            cache.remove(&digest("rotating"));
        }
        let longest = cache
            .shards
            .iter()
            .map(|s| s.lock().unwrap().order.len())
            .max()
            .unwrap();
        assert!(longest <= 16 + 1, "{longest}");
        assert_eq!(cache.stats().entries, 0);
        assert_eq!(cache.stats().bytes, 0);
    });
}

/// A header and claims shaped like an Auth0 access token's.
fn auth0_like() -> (Map<String, Value>, Map<String, Value>) {
    let header = json!({"alg": "RS256", "typ": "at+jwt", "kid": "key-2024-01"});
    let claims = json!({
        "iss": "https://tenant.eu.auth0.com/",
        "sub": "auth0|000000000000000000000000",
        "aud": ["https://api.example.com", "https://tenant.eu.auth0.com/userinfo"],
        "iat": 1_700_000_000,
        "exp": 1_700_086_400,
        "scope": "openid profile email read:messages write:messages",
        "azp": "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gH",
        "jti": "00000000000000000000000000000000",
        "permissions": ["read:messages", "write:messages"],
    });
    let (Value::Object(header), Value::Object(claims)) = (header, claims) else {
        unreachable!("object literals");
    };
    (header, claims)
}

/// The process's resident memory, in bytes (Linux).
fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn a_million_distinct_tokens_stay_within_the_byte_bound() {
    // nextest runs each test in its own process, so resident memory is this
    // test's. An unbounded cache would hold about 2.5 GB here.
    const MAX_BYTES: usize = 32 << 20;
    block_on(async {
        let cache = TokenCache::new(Bounds {
            max_entries: 1_000_000,
            max_bytes: MAX_BYTES,
        });
        // An Auth0 access token of these claims is about 900 bytes.
        let token_len = 900;
        let (header, claims) = auth0_like();
        let mut token = "0".repeat(token_len);
        let before = resident_bytes();
        for i in 0..1_000_000u32 {
            // Distinct tokens: the last bytes count.
            token.truncate(token_len - 8);
            token.push_str(&format!("{i:08x}"));
            let Lookup::Verify(claim) = cache.lookup(digest(&token)).await else {
                panic!("every token is new");
            };
            // Distinct claims, each its own allocation, as verified tokens'.
            let mut claims = claims.clone();
            claims.insert("jti".into(), format!("{i:032x}").into());
            claim.store(Arc::new((header.clone(), claims)), entry_cost(token_len));
        }
        let grown = resident_bytes().saturating_sub(before);
        let stats = cache.stats();
        println!(
            "1,000,000 tokens: {} entries held, {} estimated bytes, resident +{grown} bytes \
             ({} per entry)",
            stats.entries,
            stats.bytes,
            grown / stats.entries.max(1)
        );
        assert!(stats.bytes <= MAX_BYTES, "{stats:?}");
        // The estimate is the bound that holds: resident memory stays
        // within it (a tenth more for the runtime and the allocator's own).
        assert!(
            grown <= MAX_BYTES + MAX_BYTES / 10,
            "resident memory grew by {grown} bytes for a {MAX_BYTES}-byte bound"
        );
    });
}
