//! Faults to inject into an endpoint's answers, so that a client's cache,
//! timeout and error paths can be tested end to end.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use http::StatusCode;

use crate::endpoint::Endpoint;

/// What an endpoint does instead of (or before) answering normally.
///
/// Set one per endpoint with [`DevIssuer::set_fault`]; it takes effect for
/// the next request, while the server runs.
///
/// ```
/// use std::time::Duration;
/// use dev_issuer::Fault;
/// use http::StatusCode;
///
/// // The next two requests get a 503 after 50 ms; later ones are normal.
/// let fault = Fault::status(StatusCode::SERVICE_UNAVAILABLE)
///     .with_latency(Duration::from_millis(50))
///     .times(2);
/// assert_eq!(fault.remaining(), Some(2));
/// ```
///
/// [`DevIssuer::set_fault`]: crate::DevIssuer::set_fault
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    latency: Option<Duration>,
    action: FaultAction,
    times: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FaultAction {
    /// Answer normally (after the latency).
    Normal,
    /// Answer with this status and an empty body.
    Status(StatusCode),
    /// Answer 200 with a JSON content type and a body that is not JSON.
    Garbage,
    /// Answer with this status and this JSON document.
    Json { status: StatusCode, body: String },
    /// Answer 200 with `len` bytes, streamed; with a `Content-Length` when
    /// `declared`, chunked otherwise.
    Oversized { len: u64, declared: bool },
    /// Close the connection without answering.
    Close,
    /// Never answer.
    Hang,
}

impl Fault {
    fn new(action: FaultAction) -> Self {
        Self {
            latency: None,
            action,
            times: None,
        }
    }

    /// Answers normally, after `delay`.
    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultAction::Normal).with_latency(delay)
    }

    /// Answers with `status` and an empty body.
    pub fn status(status: StatusCode) -> Self {
        Self::new(FaultAction::Status(status))
    }

    /// Answers `200 OK`, `Content-Type: application/json`, with a body that
    /// is not JSON.
    pub fn garbage_body() -> Self {
        Self::new(FaultAction::Garbage)
    }

    /// Answers with `status` and `body` as `application/json`: a token
    /// endpoint answering something a client must refuse (no
    /// `access_token`, a negative `expires_in`, ...).
    pub fn json_body(status: StatusCode, body: serde_json::Value) -> Self {
        Self::new(FaultAction::Json {
            status,
            body: body.to_string(),
        })
    }

    /// Answers `200 OK` with a `len`-byte body (e.g. 50 MB) that declares
    /// its length in `Content-Length`. The body is streamed in 64 KiB
    /// chunks that are never allocated, so any size costs the issuer nothing.
    pub fn oversized_body(len: u64) -> Self {
        Self::new(FaultAction::Oversized {
            len,
            declared: true,
        })
    }

    /// As [`Fault::oversized_body`], but sent chunked, without
    /// `Content-Length`: a client must count what it reads to stop it.
    pub fn oversized_chunked_body(len: u64) -> Self {
        Self::new(FaultAction::Oversized {
            len,
            declared: false,
        })
    }

    /// Closes the connection without sending a response.
    pub fn close_connection() -> Self {
        Self::new(FaultAction::Close)
    }

    /// Never answers: the request hangs until the client gives up (or the
    /// issuer shuts down).
    pub fn hang() -> Self {
        Self::new(FaultAction::Hang)
    }

    /// Waits `delay` before doing what the fault does.
    ///
    /// Default: no delay.
    pub fn with_latency(mut self, delay: Duration) -> Self {
        self.latency = Some(delay);
        self
    }

    /// Applies to the next `count` requests only, then clears itself.
    ///
    /// Default: every request until cleared.
    pub fn times(mut self, count: usize) -> Self {
        self.times = Some(count);
        self
    }

    /// How many more requests this fault applies to; `None` for all.
    pub fn remaining(&self) -> Option<usize> {
        self.times
    }

    pub(crate) fn delay(&self) -> Option<Duration> {
        self.latency
    }

    pub(crate) fn action(&self) -> &FaultAction {
        &self.action
    }
}

/// The fault armed on each endpoint.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    armed: Mutex<[Option<Fault>; Endpoint::COUNT]>,
}

impl FaultTable {
    pub(crate) fn set(&self, endpoint: Endpoint, fault: Option<Fault>) {
        let fault = fault.filter(|f| f.times != Some(0));
        self.lock()[endpoint.index()] = fault;
    }

    pub(crate) fn clear(&self) {
        *self.lock() = Default::default();
    }

    /// The fault for one request to `endpoint`, counting it against
    /// [`Fault::times`].
    pub(crate) fn take(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut armed = self.lock();
        let slot = &mut armed[endpoint.index()];
        let fault = slot.clone()?;
        if let Some(times) = slot.as_mut().and_then(|f| f.times.as_mut()) {
            *times -= 1;
            if *times == 0 {
                *slot = None;
            }
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Option<Fault>; Endpoint::COUNT]> {
        // A panic elsewhere cannot leave the table half-written: every
        // update is a single assignment.
        self.armed.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_per_endpoint_and_count_down() {
        let table = FaultTable::default();
        table.set(Endpoint::Jwks, Some(Fault::garbage_body().times(2)));
        assert_eq!(table.take(Endpoint::Discovery), None);
        assert_eq!(
            *table.take(Endpoint::Jwks).unwrap().action(),
            FaultAction::Garbage
        );
        assert!(table.take(Endpoint::Jwks).is_some());
        assert_eq!(table.take(Endpoint::Jwks), None, "cleared after two");

        table.set(Endpoint::Token, Some(Fault::hang()));
        for _ in 0..3 {
            assert_eq!(
                *table.take(Endpoint::Token).unwrap().action(),
                FaultAction::Hang
            );
        }
        table.set(Endpoint::Token, Some(Fault::hang().times(0)));
        assert_eq!(table.take(Endpoint::Token), None, "times(0) arms nothing");

        table.set(Endpoint::Discovery, Some(Fault::close_connection()));
        table.clear();
        assert!(Endpoint::ALL.into_iter().all(|e| table.take(e).is_none()));
    }

    #[test]
    fn latency_combines_with_any_fault() {
        let delay = Duration::from_millis(20);
        let fault = Fault::status(StatusCode::BAD_GATEWAY).with_latency(delay);
        assert_eq!(fault.delay(), Some(delay));
        assert_eq!(
            *fault.action(),
            FaultAction::Status(StatusCode::BAD_GATEWAY)
        );
        assert_eq!(*Fault::latency(delay).action(), FaultAction::Normal);
    }
}
