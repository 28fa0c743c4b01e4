//! One runtime for the whole binary, bounded waits, a `Discovery` wired to
//! a manual clock, token verification, and a tiny axum server for the few
//! behaviours `dev-issuer` does not have.
//!
//! The fixed instant, the runtime with its bounded `block_on` and the clock
//! are `dev_issuer::testing`'s, shared with the other crates' tests.

use std::sync::Arc;
use std::time::Duration;

pub(crate) use dev_issuer::testing::{NOW, Server, block_on, clock};
use jose_core::{Algorithm, Jwt, ManualClock};
use oidc_discovery::{Discovery, DiscoveryBuilder, HttpFetcher};

/// The default fetcher with a short timeout (tests never wait 10 s), and
/// without environment proxies (loopback must stay loopback).
pub(crate) fn fetcher(timeout: Duration) -> Arc<HttpFetcher> {
    let fetcher = HttpFetcher::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .proxy_from_env(false)
        .build()
        .unwrap();
    Arc::new(fetcher)
}

/// A builder with the default limits, a 2 s fetcher and `clock`.
pub(crate) fn discovery(clock: &Arc<ManualClock>) -> DiscoveryBuilder {
    let mut builder = Discovery::builder();
    builder
        .fetcher(fetcher(Duration::from_secs(2)))
        .clock(clock.clone());
    builder
}

/// Verifies `token`'s signature as an API would, with the key `discovery`
/// finds for `issuer`. Any failure to find a key is returned; a key that
/// does not verify the signature fails the test.
pub(crate) async fn verify(
    discovery: &Discovery,
    issuer: &str,
    token: &str,
) -> Result<(), oidc_discovery::Error> {
    let jwt = Jwt::parse(token).unwrap();
    let alg = jwt.header().algorithm(&[Algorithm::Rs256]).unwrap();
    let key = discovery.key_for(issuer, jwt.header().kid(), alg).await?;
    jwt.verify(&key, &[alg]).expect("the selected key verifies");
    Ok(())
}

/// A random-looking `kid` no JWKS has.
pub(crate) fn random_kid(i: usize) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("unknown-{i:04}-{nanos:08x}")
}
