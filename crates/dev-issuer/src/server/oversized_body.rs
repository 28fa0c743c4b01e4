//! A response body of any length that costs no memory: the same static
//! chunk, sent again and again.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use http_body::{Frame, SizeHint};

const CHUNK_LEN: usize = 64 * 1024;

/// Spaces are valid JSON whitespace, so a client sees an unfinished
/// document for as long as it keeps reading.
static CHUNK: [u8; CHUNK_LEN] = [b' '; CHUNK_LEN];

/// `{` followed by spaces, `len` bytes in all.
#[derive(Debug)]
pub(super) struct OversizedBody {
    remaining: u64,
    declared: bool,
    started: bool,
}

impl OversizedBody {
    /// A body of `len` bytes; its length is announced (`Content-Length`)
    /// only when `declared`.
    pub(super) fn new(len: u64, declared: bool) -> Self {
        Self {
            remaining: len,
            declared,
            started: false,
        }
    }
}

impl http_body::Body for OversizedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let len = usize::try_from(self.remaining).map_or(CHUNK_LEN, |r| r.min(CHUNK_LEN));
        let mut chunk = Bytes::from_static(&CHUNK).slice(..len);
        if !self.started {
            self.started = true;
            let mut first = Vec::with_capacity(len);
            first.push(b'{');
            first.extend_from_slice(&chunk[1..]);
            chunk = Bytes::from(first);
        }
        self.remaining -= len as u64;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        if self.declared {
            SizeHint::with_exact(self.remaining)
        } else {
            SizeHint::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;
    use std::task::Waker;

    fn drain(mut body: OversizedBody) -> (u64, Vec<u8>) {
        let mut cx = Context::from_waker(Waker::noop());
        let mut total = 0;
        let mut head = Vec::new();
        while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut cx) {
            let data = frame.into_data().unwrap();
            if head.is_empty() {
                head = data[..data.len().min(4)].to_vec();
            }
            total += data.len() as u64;
        }
        (total, head)
    }

    #[test]
    fn yields_exactly_the_requested_length() {
        for len in [
            1,
            5,
            CHUNK_LEN as u64,
            CHUNK_LEN as u64 + 1,
            3 * CHUNK_LEN as u64 + 7,
        ] {
            let (total, head) = drain(OversizedBody::new(len, true));
            assert_eq!(total, len);
            assert_eq!(head[0], b'{');
        }
        assert_eq!(drain(OversizedBody::new(0, true)).0, 0);
    }

    #[test]
    fn announces_its_length_only_when_declared() {
        assert_eq!(OversizedBody::new(10, true).size_hint().exact(), Some(10));
        assert_eq!(OversizedBody::new(10, false).size_hint().exact(), None);
    }
}
