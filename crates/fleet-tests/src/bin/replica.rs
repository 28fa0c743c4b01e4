//! One replica of an API fleet: an axum API behind `Auth0Layer`, whose DPoP
//! replay cache, nonce secrets and discovery/JWKS documents live in Redis.
//!
//! A test binary: it trusts a loopback issuer, runs on a manual clock that
//! the tests move through `POST /_clock/{unix_seconds}`, and is configured
//! by environment variables:
//!
//! | variable     | meaning                                              |
//! | ------------ | ---------------------------------------------------- |
//! | `ISSUER_URL` | the issuer to trust (`http://127.0.0.1:port/`)       |
//! | `AUDIENCE`   | the API identifier                                   |
//! | `REDIS_URL`  | the shared Redis (`redis://127.0.0.1:port/`)         |
//! | `START_AT`   | the clock's first reading, in Unix seconds           |
//! | `NONCES`     | `1` to require server nonces, with Redis-kept secrets |
//! | `MAX_PROOFS_PER_KEY` | the replay cache's per-key share, if not the default |
//!
//! Every replica is built for the same public URL,
//! `https://api.example.com`, as replicas behind one load balancer are. It
//! listens on a free loopback port and prints `listening on <addr>` once it
//! accepts connections.

use std::env;
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use auth0_api::dpop::NonceSource;
use auth0_api::{ApiClient, ApiClientOptions, Clock, ManualClock, PublicUrl};
use auth0_api_axum::{Auth0Layer, Authenticated};
use auth0_api_redis::Redis;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The URL clients call, whichever replica answers.
const PUBLIC_URL: &str = "https://api.example.com";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn Error>> {
    let issuer = required("ISSUER_URL")?;
    let audience = required("AUDIENCE")?;
    let redis_url = required("REDIS_URL")?;
    let start_at: u64 = required("START_AT")?
        .parse()
        .map_err(|_| "START_AT must be Unix seconds")?;
    let nonces = env::var("NONCES").is_ok_and(|v| v == "1");

    let clock = Arc::new(ManualClock::at_unix_seconds(start_at));
    // The store's expiries and the replay windows follow the API's clock.
    // `build`, not `connect`: a replica starts even while Redis is down.
    let redis = Redis::builder(&redis_url)
        .namespace("fleet-tests")
        .clock(Arc::clone(&clock) as Arc<dyn Clock>)
        .build()?;
    let mut replay = redis.replay_cache();
    if let Ok(max) = env::var("MAX_PROOFS_PER_KEY") {
        replay.max_entries_per_key(
            max.parse()
                .map_err(|_| "MAX_PROOFS_PER_KEY must be a number")?,
        );
    }
    let replay = replay.build();
    let mut options = ApiClientOptions::new(issuer, audience)
        .clock(Arc::clone(&clock) as Arc<dyn Clock>)
        .dpop_replay_cache(Arc::new(replay))
        .document_store(Arc::new(redis.document_store()));
    if nonces {
        let secrets = redis.nonce_secrets().await?;
        let mut source = NonceSource::builder();
        source.clock(Arc::clone(&clock) as Arc<dyn Clock>);
        secrets.configure(&mut source);
        options = options.dpop_nonces(Arc::new(source.build()?));
    }
    let client = ApiClient::new(options)?;

    let app = Router::new()
        .route("/orders", get(orders))
        .route_layer(Auth0Layer::new(client, PublicUrl::new(PUBLIC_URL)?))
        .route("/_clock/{unix_seconds}", post(set_clock))
        .with_state(clock);

    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    // Rust's stdout is line-buffered, even into a pipe: the line is sent now.
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn orders(Authenticated(claims): Authenticated) -> Json<Value> {
    Json(json!({ "sub": claims.sub(), "scheme": claims.scheme().map(|s| s.name()) }))
}

/// Moves this replica's clock: the tests keep every replica and the issuer
/// at one instant.
async fn set_clock(State(clock): State<Arc<ManualClock>>, Path(unix_seconds): Path<u64>) {
    clock.set(Duration::from_secs(unix_seconds));
}

fn required(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("{name} is not set"))
}
