//! Test fixtures shared by the workspace's integration tests: one fixed
//! instant, bounded waits, one runtime, an issuer on a manual clock, DPoP
//! proofs made at that instant, and a whole response to assert on.
//!
//! Every crate's `tests/integration/support.rs` imports these instead of
//! keeping its own copy (the way rustls-test serves rustls's tests). The
//! helpers panic where a test would unwrap: a fixture that cannot do its
//! job fails the test that asked for it.
//!
//! ```
//! use std::time::Duration;
//!
//! use dev_issuer::testing::{ClockedIssuer, NOW, block_on, within};
//!
//! block_on(async {
//!     let fixture = within(ClockedIssuer::start()).await?;
//!     assert_eq!(fixture.issuer().now(), NOW as i64);
//!     // The issuer runs on the fixture's clock: moving one moves both.
//!     fixture.clock().advance(Duration::from_secs(60));
//!     assert_eq!(fixture.issuer().now(), NOW as i64 + 60);
//!     Ok::<(), dev_issuer::Error>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Requests go over real HTTP: [`http()`] is the one client every test
//! uses, [`send`] reads a whole [`Reply`], and [`Server`] serves a test's
//! own router on a free loopback port.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use jose_core::ManualClock;
use tokio::runtime::Runtime;

use crate::{DevIssuer, DevIssuerBuilder, Error};

mod http_client;
pub use http_client::{get, http, send};

mod proof;
pub use proof::{DpopUser, proof, proof_at, proof_with_nonce};

mod reply;
pub use reply::Reply;

mod server;
pub use server::Server;

/// The instant every test starts at, in Unix seconds (November 2023).
pub const NOW: u64 = 1_700_000_000;

/// The longest any test waits for anything.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `future`, failing the test if it takes longer than
/// [`TEST_TIMEOUT`].
///
/// # Panics
///
/// When `future` is not ready within [`TEST_TIMEOUT`].
#[expect(
    clippy::expect_used,
    reason = "a test that outlives its bound must fail, not hang"
)]
pub async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(TEST_TIMEOUT, future)
        .await
        .expect("the test timed out")
}

/// The runtime [`block_on`] uses: multi-threaded (two workers), built on
/// first use and shared by every test of the binary, so that a shared
/// issuer's tasks outlive the test that started it.
///
/// # Panics
///
/// When the runtime cannot be built.
#[expect(
    clippy::expect_used,
    reason = "without a runtime no test of the binary can run"
)]
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the tests")
    })
}

/// Runs a test body on the shared [`runtime`], bounded as by [`within`].
///
/// # Panics
///
/// When `future` is not ready within [`TEST_TIMEOUT`], or when called from
/// inside a runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    runtime().block_on(within(future))
}

/// A clock at [`NOW`] that only moves when told.
pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at_unix_seconds(NOW))
}

/// A [`DevIssuer`] and the [`ManualClock`] it runs on, which starts at
/// [`NOW`].
///
/// Tests that move time move [`ClockedIssuer::clock`]; a verifier under
/// test shares the same clock, so issuer and verifier always agree on the
/// instant.
#[derive(Debug)]
pub struct ClockedIssuer {
    issuer: DevIssuer,
    clock: Arc<ManualClock>,
}

impl ClockedIssuer {
    /// An issuer with the default configuration on a new clock at [`NOW`].
    ///
    /// # Errors
    ///
    /// As [`DevIssuerBuilder::start`]: the listener cannot be bound.
    pub async fn start() -> Result<Self, Error> {
        Self::start_with(&DevIssuer::builder()).await
    }

    /// An issuer configured by `builder`, on a new clock at [`NOW`] (which
    /// replaces any clock `builder` has). `builder` is left unchanged.
    ///
    /// # Errors
    ///
    /// As [`DevIssuerBuilder::start`]: the listener cannot be bound.
    pub async fn start_with(builder: &DevIssuerBuilder) -> Result<Self, Error> {
        let clock = clock();
        let issuer = builder.clone().clock(clock.clone()).start().await?;
        Ok(Self { issuer, clock })
    }

    /// The issuer.
    pub fn issuer(&self) -> &DevIssuer {
        &self.issuer
    }

    /// The issuer's clock, to move time or to share with a verifier.
    pub fn clock(&self) -> &Arc<ManualClock> {
        &self.clock
    }

    /// The issuer and its clock, for a test's own environment to hold.
    pub fn into_parts(self) -> (DevIssuer, Arc<ManualClock>) {
        (self.issuer, self.clock)
    }
}

#[cfg(test)]
mod tests;
