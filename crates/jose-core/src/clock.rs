//! Time as an injectable dependency, so expiry and cache logic is testable
//! without sleeping.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time.
///
/// Every time-dependent check in the workspace asks a `Clock`, so tests can
/// move time forward instead of waiting for it.
pub trait Clock: Debug + Send + Sync {
    /// Time elapsed since the Unix epoch.
    fn since_epoch(&self) -> Duration;

    /// Whole seconds since the Unix epoch, as JWT `NumericDate`s count them.
    fn unix_seconds(&self) -> i64 {
        i64::try_from(self.since_epoch().as_secs()).unwrap_or(i64::MAX)
    }
}

/// The system's clock; the default everywhere.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct SystemClock;

impl Clock for SystemClock {
    fn since_epoch(&self) -> Duration {
        // A clock set before 1970 reads as the epoch: every token then looks
        // not-yet-valid, which fails closed.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
    }
}

/// A clock that only moves when told to; for tests.
///
/// Share it as `Arc<ManualClock>` and hand clones of that `Arc` to the code
/// under test, keeping one to call [`advance`](Self::advance) on.
#[derive(Debug, Default)]
pub struct ManualClock {
    millis: AtomicU64,
}

impl ManualClock {
    /// A clock reading `since_epoch`.
    pub fn new(since_epoch: Duration) -> Self {
        Self {
            millis: AtomicU64::new(as_millis(since_epoch)),
        }
    }

    /// A clock reading `seconds` after the epoch.
    pub fn at_unix_seconds(seconds: u64) -> Self {
        Self::new(Duration::from_secs(seconds))
    }

    /// Sets the time.
    pub fn set(&self, since_epoch: Duration) {
        self.millis.store(as_millis(since_epoch), Ordering::SeqCst);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.millis.fetch_add(as_millis(by), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn since_epoch(&self) -> Duration {
        Duration::from_millis(self.millis.load(Ordering::SeqCst))
    }
}

fn as_millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::at_unix_seconds(1_000);
        assert_eq!(clock.unix_seconds(), 1_000);
        clock.advance(Duration::from_millis(1_500));
        assert_eq!(clock.since_epoch(), Duration::from_millis(1_001_500));
        assert_eq!(clock.unix_seconds(), 1_001);
        clock.set(Duration::from_secs(5));
        assert_eq!(clock.unix_seconds(), 5);
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.unix_seconds() > 1_577_836_800);
    }
}
