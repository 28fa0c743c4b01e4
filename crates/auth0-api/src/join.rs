//! Two futures driven together on the calling task.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

/// Runs `first` and `second` concurrently, without spawning, and returns
/// both outputs.
///
/// `first` is polled first on every wake-up: whatever it starts before
/// waiting (a request to a remote replay store) is under way while
/// `second` runs (the token's RSA signature check), so the two costs
/// overlap instead of adding up.
pub(crate) async fn join<A: Future, B: Future>(first: A, second: B) -> (A::Output, B::Output) {
    let mut first = pin!(first);
    let mut second = pin!(second);
    let (mut a, mut b) = (None, None);
    poll_fn(move |cx| {
        if a.is_none()
            && let Poll::Ready(output) = first.as_mut().poll(cx)
        {
            a = Some(output);
        }
        if b.is_none()
            && let Poll::Ready(output) = second.as_mut().poll(cx)
        {
            b = Some(output);
        }
        match (a.take(), b.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (pending_a, pending_b) => {
                (a, b) = (pending_a, pending_b);
                Poll::Pending
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::task::{Context, Waker};

    /// Pending once, then ready: a remote call.
    async fn remote(log: &RefCell<Vec<&'static str>>) -> u8 {
        log.borrow_mut().push("request sent");
        let mut waited = false;
        poll_fn(|cx| {
            if waited {
                Poll::Ready(())
            } else {
                waited = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
        .await;
        log.borrow_mut().push("answer read");
        1
    }

    async fn local(log: &RefCell<Vec<&'static str>>) -> u8 {
        log.borrow_mut().push("local work");
        2
    }

    #[test]
    fn the_first_future_starts_before_the_second_runs_and_both_finish() {
        let log = RefCell::new(Vec::new());
        let mut joined = pin!(join(remote(&log), local(&log)));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(joined.as_mut().poll(&mut cx).is_pending());
        assert_eq!(*log.borrow(), ["request sent", "local work"]);
        assert_eq!(joined.as_mut().poll(&mut cx), Poll::Ready((1, 2)));
        assert_eq!(*log.borrow(), ["request sent", "local work", "answer read"]);
    }
}
