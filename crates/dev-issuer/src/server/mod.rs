//! The HTTP server: an accept loop of its own, a fault layer in front of
//! an axum router.
//!
//! `axum::serve` would be shorter, but it cannot close a connection without
//! answering, nor drop every connection the moment the issuer is dropped.
//! Serving each connection with hyper directly can: the fault layer returns
//! an error to hyper, which then closes the socket unanswered, and every
//! connection task lives in a `JoinSet` owned by the accept task, so
//! aborting that task ends them all.

mod authorize;
mod authorize_page;
mod metadata;
mod oversized_body;
mod registration;
mod service;

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::runtime::Handle;
use tokio::task::{JoinHandle, JoinSet};

use crate::state::State;
use service::IssuerService;

/// Starts serving `listener` on `runtime`; aborting the handle stops the
/// server and closes every connection.
pub(crate) fn spawn(runtime: &Handle, listener: TcpListener, state: Arc<State>) -> JoinHandle<()> {
    runtime.spawn(accept_loop(listener, IssuerService::new(state)))
}

async fn accept_loop(listener: TcpListener, service: IssuerService) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors or a connection reset before it was
            // accepted: back off briefly rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let service = service.clone();
        connections.spawn(async move {
            // A connection ending in an error (a client that went away, a
            // fault that closed it) concerns only that connection.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
