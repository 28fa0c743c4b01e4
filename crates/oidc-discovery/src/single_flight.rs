//! One fetch per key at a time: the first caller leads, every other caller
//! waits for the leader's outcome, success or failure.
//!
//! Built on a [`tokio::sync::watch`] channel: the outcome is kept in the
//! channel, so a waiter that subscribes late still sees it, and dropping the
//! [`Leader`] without an outcome (its caller was cancelled) wakes every
//! waiter with nothing, so that one of them can take over.

use std::fmt;
use std::sync::Arc;

use tokio::sync::watch;

use crate::error::Error;

/// What a fetch produced, shared with every caller that waited for it.
pub(crate) type Outcome<V> = Result<Arc<V>, Error>;

type Slot<V> = Option<Outcome<V>>;

/// Starts a flight: the leader reports the outcome, the flight is cloned
/// for each waiter.
pub(crate) fn start<V>() -> (Leader<V>, Flight<V>) {
    let (tx, rx) = watch::channel(None);
    (Leader { tx }, Flight { rx })
}

/// The leading side of a flight.
pub(crate) struct Leader<V> {
    tx: watch::Sender<Slot<V>>,
}

impl<V> Leader<V> {
    /// Reports the outcome to every waiter, present and future.
    pub(crate) fn finish(self, outcome: Outcome<V>) {
        // `send_replace` stores the value even when nobody is waiting.
        self.tx.send_replace(Some(outcome));
    }
}

/// The waiting side of a flight.
pub(crate) struct Flight<V> {
    rx: watch::Receiver<Slot<V>>,
}

impl<V> Flight<V> {
    /// Whether both are the same flight.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        self.rx.same_channel(&other.rx)
    }

    /// The leader's outcome, or `None` when the leader gave up without one.
    pub(crate) async fn outcome(mut self) -> Option<Outcome<V>> {
        match self.rx.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        }
    }
}

impl<V> Clone for Flight<V> {
    fn clone(&self) -> Self {
        Self {
            rx: self.rx.clone(),
        }
    }
}

impl<V> fmt::Debug for Flight<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flight").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_waiter_gets_the_leaders_outcome() {
        let (leader, flight) = start::<u32>();
        let waiters: Vec<_> = (0..8)
            .map(|_| tokio::spawn(flight.clone().outcome()))
            .collect();
        leader.finish(Ok(Arc::new(7)));
        for waiter in waiters {
            assert_eq!(*waiter.await.unwrap().unwrap().unwrap(), 7);
        }
        // Subscribing after the outcome still sees it.
        assert_eq!(*flight.outcome().await.unwrap().unwrap(), 7);
    }

    #[tokio::test]
    async fn a_failure_is_shared_and_a_dropped_leader_wakes_with_nothing() {
        let (leader, flight) = start::<u32>();
        let waiter = tokio::spawn(flight.clone().outcome());
        leader.finish(Err(Error::invalid_issuer("x", "test")));
        assert!(waiter.await.unwrap().unwrap().is_err());

        let (leader, flight) = start::<u32>();
        let other = flight.clone();
        assert!(flight.same_as(&other));
        assert!(!flight.same_as(&start::<u32>().1));
        let waiter = tokio::spawn(flight.outcome());
        drop(leader);
        assert!(waiter.await.unwrap().is_none());
    }
}
