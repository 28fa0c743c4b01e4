use std::sync::atomic::{AtomicUsize, Ordering};

use jose_core::ManualClock;
use tokio::sync::watch;

use super::*;
use crate::error::FetchError;

const SECOND: Duration = Duration::from_secs(1);

fn limits() -> Limits {
    Limits {
        max_entries: 10,
        stale_if_error: Duration::from_secs(600),
        retry_after_failure: Duration::from_secs(5),
        forced_refresh_interval: Duration::from_secs(30),
    }
}

fn cache(limits: Limits) -> (Arc<Cache<u32>>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
    let cache = Cache::new("test", clock.clone(), limits);
    (Arc::new(cache), clock)
}

fn failure() -> Error {
    FetchError::Status {
        url: url::Url::parse("https://issuer.example/jwks").unwrap(),
        status: http::StatusCode::SERVICE_UNAVAILABLE,
    }
    .into()
}

/// A loader that counts its calls and answers from `script` (the last
/// answer repeats): `Some(v)` loads `v` with `ttl`, `None` fails.
#[derive(Clone)]
struct Loader {
    calls: Arc<AtomicUsize>,
    script: Arc<Vec<Option<u32>>>,
    ttl: Duration,
    reasons: Arc<std::sync::Mutex<Vec<Reason>>>,
}

impl Loader {
    fn new(script: &[Option<u32>], ttl: Duration) -> Self {
        Self {
            calls: Arc::default(),
            script: Arc::new(script.to_vec()),
            ttl,
            reasons: Arc::default(),
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn load(&self) -> impl Fn(Reason) -> std::future::Ready<Result<Loaded<u32>, Error>> + '_ {
        move |reason| {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            self.reasons.lock().unwrap().push(reason);
            let answer = self.script[n.min(self.script.len() - 1)];
            std::future::ready(match answer {
                Some(value) => Ok(Loaded {
                    value,
                    ttl: self.ttl,
                }),
                None => Err(failure()),
            })
        }
    }
}

#[tokio::test]
async fn a_value_is_served_until_its_ttl_then_reloaded() {
    let (cache, clock) = cache(limits());
    let loader = Loader::new(&[Some(1), Some(2)], 60 * SECOND);
    assert!(cache.fresh("k").is_none());
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
    clock.advance(59 * SECOND);
    assert_eq!(*cache.fresh("k").unwrap(), 1);
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
    assert_eq!(loader.calls(), 1);
    clock.advance(SECOND);
    assert!(cache.fresh("k").is_none(), "expired at exactly the TTL");
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 2);
    assert_eq!(loader.calls(), 2);
}

#[tokio::test]
async fn a_zero_ttl_caches_nothing() {
    let (cache, _clock) = cache(limits());
    let loader = Loader::new(&[Some(1), Some(2), Some(3)], Duration::ZERO);
    for expected in 1..=3 {
        assert!(cache.fresh("k").is_none());
        assert_eq!(*cache.get("k", loader.load()).await.unwrap(), expected);
    }
    assert_eq!(loader.calls(), 3);
}

/// A gate that stays open once opened.
fn gate() -> (watch::Sender<bool>, watch::Receiver<bool>) {
    watch::channel(false)
}

async fn pass(mut gate: watch::Receiver<bool>) {
    let opened = gate.wait_for(|open| *open);
    tokio::time::timeout(Duration::from_secs(10), opened)
        .await
        .expect("the gate opens")
        .expect("the gate is not dropped");
}

/// Runs `n` concurrent `get`s of one key whose load waits for a gate;
/// returns their results once the gate is opened.
async fn concurrent_gets(
    cache: &Arc<Cache<u32>>,
    n: usize,
    calls: &Arc<AtomicUsize>,
    answer: Option<u32>,
) -> Vec<Result<Arc<u32>, Error>> {
    let (open, gate) = gate();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (cache, calls, gate) = (cache.clone(), calls.clone(), gate.clone());
            tokio::spawn(async move {
                let load = |_| {
                    let (calls, gate) = (calls.clone(), gate.clone());
                    async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        pass(gate).await;
                        match answer {
                            Some(value) => Ok(Loaded { value, ttl: SECOND }),
                            None => Err(failure()),
                        }
                    }
                };
                cache.get("k", load).await
            })
        })
        .collect();
    // On the current-thread runtime every spawned task runs up to its
    // first wait before this task is polled again, so all of them are
    // waiting on the one load when the gate opens.
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    open.send_replace(true);
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test]
async fn concurrent_misses_load_once_and_share_the_value() {
    let (cache, _clock) = cache(limits());
    let calls = Arc::default();
    let results = concurrent_gets(&cache, 200, &calls, Some(9)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(results.iter().all(|r| matches!(r.as_deref(), Ok(9))));
}

#[tokio::test]
async fn a_failed_load_wakes_every_waiter_with_the_error_and_is_remembered_briefly() {
    let (cache, clock) = cache(limits());
    let calls = Arc::default();
    let results = concurrent_gets(&cache, 50, &calls, None).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one load for all waiters");
    for result in &results {
        let error = result.as_ref().unwrap_err();
        assert!(matches!(
            error.fetch_error(),
            Some(FetchError::Status { .. })
        ));
    }
    // Remembered for the back-off (5 s): the next callers get the same
    // error without a load.
    let loader = Loader::new(&[Some(4)], SECOND);
    clock.advance(Duration::from_millis(4_999));
    let error = cache.get("k", loader.load()).await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(loader.calls(), 0);
    // Not beyond it: the next caller loads again.
    clock.advance(Duration::from_millis(1));
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 4);
    assert_eq!(loader.calls(), 1);
}

#[tokio::test]
async fn a_failing_key_is_loaded_at_most_once_per_back_off() {
    let (cache, clock) = cache(limits());
    let loader = Loader::new(&[None], SECOND);
    // 1,000 lookups, 50 ms apart: 50 s, so exactly ten back-off periods.
    for i in 0..1_000 {
        assert!(cache.get("k", loader.load()).await.is_err());
        assert_eq!(loader.calls(), i / 100 + 1, "lookup {i}");
        clock.advance(Duration::from_millis(50));
    }
    assert_eq!(loader.calls(), 10);
    // Other keys are not affected by this one's failure.
    let other = Loader::new(&[Some(3)], SECOND);
    assert_eq!(*cache.get("other", other.load()).await.unwrap(), 3);
}

#[tokio::test]
async fn a_success_forgets_the_failure_and_zero_back_off_remembers_nothing() {
    let (cache, clock) = cache(Limits {
        stale_if_error: Duration::ZERO,
        ..limits()
    });
    let loader = Loader::new(&[None, Some(1), None], Duration::ZERO);
    assert!(cache.get("k", loader.load()).await.is_err());
    clock.advance(5 * SECOND);
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
    // A zero TTL caches nothing, and the failure before was forgotten: the
    // next lookup loads at once (and fails, and is remembered again).
    assert!(cache.get("k", loader.load()).await.is_err());
    assert!(cache.get("k", loader.load()).await.is_err());
    assert_eq!(loader.calls(), 3);

    let (cache, _clock) = self::cache(Limits {
        retry_after_failure: Duration::ZERO,
        ..limits()
    });
    let loader = Loader::new(&[None], SECOND);
    for _ in 0..3 {
        assert!(cache.get("k", loader.load()).await.is_err());
    }
    assert_eq!(loader.calls(), 3, "no negative cache");
}

#[tokio::test]
async fn a_stale_value_wins_over_a_failure_until_its_window_ends() {
    let (cache, clock) = cache(Limits {
        stale_if_error: 20 * SECOND,
        ..limits()
    });
    let loader = Loader::new(&[Some(1), None], 60 * SECOND);
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
    clock.advance(60 * SECOND);
    // Every failed retry (one per 5 s) still serves the stale value.
    for _ in 0..4 {
        for _ in 0..10 {
            assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
        }
        clock.advance(5 * SECOND);
    }
    assert_eq!(loader.calls(), 1 + 4);
    // The window has ended: the failure is remembered, not retried.
    for _ in 0..10 {
        assert!(cache.get("k", loader.load()).await.is_err());
    }
    assert_eq!(loader.calls(), 1 + 5);
}

#[tokio::test]
async fn a_forced_refresh_within_the_back_off_gets_the_remembered_failure() {
    let (cache, clock) = cache(Limits {
        stale_if_error: Duration::ZERO,
        ..limits()
    });
    let loader = Loader::new(&[Some(1), None], 60 * SECOND);
    let seen = cache.get("k", loader.load()).await.unwrap();
    clock.advance(60 * SECOND);
    assert!(cache.get("k", loader.load()).await.is_err());
    let error = cache.refresh("k", &seen, loader.load()).await.unwrap_err();
    assert!(error.is_retryable());
    assert_eq!(loader.calls(), 2, "no load for the refresh");
}

#[tokio::test]
async fn a_cancelled_leader_hands_over_to_a_waiter() {
    let (cache, _clock) = cache(limits());
    let (open, gate) = gate();
    let never = {
        let cache = cache.clone();
        tokio::spawn(async move {
            cache
                .get("k", |_| async {
                    std::future::pending::<()>().await;
                    Ok(Loaded {
                        value: 0,
                        ttl: SECOND,
                    })
                })
                .await
        })
    };
    tokio::task::yield_now().await;
    let waiter = {
        let (cache, gate) = (cache.clone(), gate.clone());
        tokio::spawn(async move {
            let load = |_| {
                let gate = gate.clone();
                async move {
                    pass(gate).await;
                    Ok(Loaded {
                        value: 5,
                        ttl: SECOND,
                    })
                }
            };
            cache.get("k", load).await
        })
    };
    tokio::task::yield_now().await;
    never.abort();
    assert!(never.await.unwrap_err().is_cancelled());
    open.send_replace(true);
    assert_eq!(*waiter.await.unwrap().unwrap(), 5);
    assert_eq!(*cache.fresh("k").unwrap(), 5);
}

#[tokio::test]
async fn a_failed_refresh_serves_stale_within_the_window_then_fails() {
    let (cache, clock) = cache(limits());
    let loader = Loader::new(&[Some(1), None], 60 * SECOND);
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);

    clock.advance(61 * SECOND);
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1, "stale");
    assert_eq!(loader.calls(), 2);
    // Not retried by every request: the stale value is fresh for the
    // retry interval.
    clock.advance(4 * SECOND);
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
    assert_eq!(loader.calls(), 2);
    clock.advance(SECOND);
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
    assert_eq!(loader.calls(), 3);

    // The window is 600 s past the expiry at t=60 s.
    clock.set(Duration::from_secs(1_700_000_000 + 60 + 599));
    assert_eq!(*cache.get("k", loader.load()).await.unwrap(), 1);
    clock.advance(SECOND);
    assert!(cache.fresh("k").is_none());
    let error = cache.get("k", loader.load()).await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
}

#[tokio::test]
async fn forced_refreshes_are_rate_limited_per_key() {
    let (cache, clock) = cache(limits());
    let loader = Loader::new(&[Some(1), Some(2), Some(3), Some(4)], 600 * SECOND);
    let first = cache.get("k", loader.load()).await.unwrap();

    // The first forced refresh runs at once, even on a just-loaded value.
    let Refreshed::Current(second) = cache.refresh("k", &first, loader.load()).await.unwrap()
    else {
        panic!("not rate limited yet");
    };
    assert_eq!(*second, 2);
    assert_eq!(
        *loader.reasons.lock().unwrap(),
        [Reason::Miss, Reason::Forced]
    );

    // A caller still holding the old value gets the new one, no load.
    let Refreshed::Current(again) = cache.refresh("k", &first, loader.load()).await.unwrap() else {
        panic!("a newer value exists");
    };
    assert!(Arc::ptr_eq(&again, &second));

    clock.advance(29 * SECOND);
    for _ in 0..100 {
        assert!(matches!(
            cache.refresh("k", &second, loader.load()).await.unwrap(),
            Refreshed::RateLimited
        ));
    }
    // Other keys have their own limit.
    let other = cache.get("other", loader.load()).await.unwrap();
    assert!(matches!(
        cache.refresh("other", &other, loader.load()).await.unwrap(),
        Refreshed::Current(_)
    ));
    assert_eq!(loader.calls(), 4);

    clock.advance(SECOND);
    let loader = Loader::new(&[Some(7)], 600 * SECOND);
    let Refreshed::Current(third) = cache.refresh("k", &second, loader.load()).await.unwrap()
    else {
        panic!("the interval has passed");
    };
    assert_eq!(*third, 7);
}

#[tokio::test]
async fn a_failed_forced_refresh_keeps_the_fresh_value() {
    let (cache, clock) = cache(limits());
    let loader = Loader::new(&[Some(1), None], 600 * SECOND);
    let first = cache.get("k", loader.load()).await.unwrap();
    let Refreshed::Current(same) = cache.refresh("k", &first, loader.load()).await.unwrap() else {
        panic!("not rate limited");
    };
    assert!(Arc::ptr_eq(&same, &first));
    // Its expiry is unchanged: still fresh long after the retry interval.
    clock.advance(599 * SECOND);
    assert!(cache.fresh("k").is_some());
    assert_eq!(loader.calls(), 2);
}

#[tokio::test]
async fn the_least_recently_used_idle_entry_is_evicted() {
    let (cache, clock) = cache(Limits {
        max_entries: 2,
        ..limits()
    });
    let loader = Loader::new(&[Some(1)], 600 * SECOND);
    cache.get("a", loader.load()).await.unwrap();
    clock.advance(SECOND);
    cache.get("b", loader.load()).await.unwrap();
    clock.advance(SECOND);
    assert!(cache.fresh("a").is_some(), "a is now the most recent");
    clock.advance(SECOND);
    cache.get("c", loader.load()).await.unwrap();
    assert_eq!(cache.len(), 2);
    assert!(cache.fresh("a").is_some());
    assert!(cache.fresh("c").is_some());
    assert!(cache.fresh("b").is_none(), "b was evicted");
    assert_eq!(loader.calls(), 3);
    assert!(format!("{cache:?}").contains("entries: 2"));
}

#[tokio::test]
async fn pinned_keys_are_never_evicted_and_sit_outside_the_pool() {
    let (cache, clock) = cache(Limits {
        max_entries: 2,
        ..limits()
    });
    cache.set_pinned("home", true);
    let loader = Loader::new(&[Some(1)], 600 * SECOND);
    cache.get("home", loader.load()).await.unwrap();
    for i in 0..50 {
        clock.advance(SECOND);
        cache
            .get(&format!("other-{i}"), loader.load())
            .await
            .unwrap();
    }
    // The least recently used entry, and still there.
    assert_eq!(cache.len(), 3, "two pooled and the pinned one");
    assert_eq!(cache.read().pooled_len(), 2);
    assert!(cache.is_pinned("home") && !cache.is_pinned("other-49"));
    assert!(format!("{cache:?}").contains("pinned: 1"));
    clock.advance(SECOND);
    assert!(cache.fresh("home").is_some());
    assert_eq!(loader.calls(), 51);

    // Unpinned, it is back in the pool, which is trimmed to its bound: the
    // least recently used pooled entry goes.
    cache.set_pinned("home", false);
    assert_eq!(cache.len(), 2);
    assert!(cache.fresh("other-48").is_none());
    assert!(cache.fresh("other-49").is_some());

    // Pinning an existing pooled entry takes it out of the pool: the older
    // one stays while the more recent "home" is evicted.
    cache.set_pinned("other-49", true);
    clock.advance(SECOND);
    assert!(cache.fresh("home").is_some());
    for key in ["new", "newer"] {
        clock.advance(SECOND);
        cache.get(key, loader.load()).await.unwrap();
    }
    assert!(cache.fresh("other-49").is_some());
    assert!(cache.fresh("home").is_none());
    assert_eq!(cache.read().pooled_len(), 2);
}
