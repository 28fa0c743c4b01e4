/*!
Fleet state in Redis for APIs protected with the Auth0 SDK: when an API runs
as several replicas, DPoP replay protection, server nonces and the
discovery/JWKS cache must be shared, or a proof accepted by one replica can
be replayed against another.

One [`Redis`] handle (cheap to clone, reconnects by itself, every call
bounded by a timeout) gives:

- [`RedisReplayCache`], a [`dpop::ReplayCache`]: one atomic round trip per
  proof, a per-key quota so that one client cannot crowd out the others,
  and a generation marker so that a Redis that restarts empty does not
  reopen the replay window;
- [`RedisDocumentStore`], an [`oidc_discovery::DocumentStore`]: discovery
  documents and key sets fetched by one replica serve the others;
- [`NonceSecrets`], the DPoP nonce secrets every replica's
  [`dpop::NonceSource`] shares, created on first use, with a rotation that
  never refuses a live nonce.

# Example

```no_run
# async fn run() -> Result<(), Box<dyn std::error::Error>> {
use std::sync::Arc;
use std::time::Duration;
use auth0_api_redis::Redis;

let redis = Redis::builder("redis://127.0.0.1:6379/")
    .namespace("orders-api") // prefix of every key
    .timeout(Duration::from_millis(250)) // bound on every call
    .connect() // checks Redis answers; `build()` starts without it
    .await?;

// DPoP: replay protection and server nonces shared by every replica.
let replay = redis.replay_cache().max_entries_per_key(10_000).build();
let nonces = redis.nonce_secrets().await?.configure(&mut dpop::NonceSource::builder()).build()?;
let verifier = dpop::Verifier::builder()
    .replay_cache(Arc::new(replay))
    .nonces(Arc::new(nonces))
    .build();

// Discovery and JWKS: fetched once for the whole fleet.
let discovery = oidc_discovery::Discovery::builder()
    .store(Arc::new(redis.document_store()))
    .build()?;
# Ok(()) }
```

With `auth0-api`, hand the same values to `ApiClientOptions`
(`dpop_replay_cache`, `dpop_nonces`) and to the discovery store option.

# Failure modes

| Redis is...           | DPoP proofs                              | Bearer tokens | Discovery, JWKS          |
|-----------------------|------------------------------------------|---------------|--------------------------|
| down or too slow      | refused, 503 + `Retry-After` (fail closed) | unaffected  | fetched from the network |
| back                  | accepted again, nothing to rebuild       | unaffected    | shared again             |
| restarted empty       | refused while they may predate the restart (see [`RedisReplayCache`]) | unaffected | fetched once, shared again |

Every call waits at most the [timeout](RedisBuilder::timeout): the
connection's own connect and response timeouts are set to it, and each
call is also wrapped in a hard `tokio` timeout. While Redis is down, one
reconnection at a time runs in the background (a few attempts with a
backoff of 50 ms up to 1 s; the next call starts a new round), so attempts
never pile up. [`RedisBuilder::build`] lets a service start while Redis is
down; [`RedisBuilder::connect`] checks it answers first.

# Keys

Every key starts with the namespace; parts that come from a request or a
server (the `jkt`, the `jti`, a URL) are SHA-256 hashed, so no attacker
text reaches Redis's key space.

| Key                                   | Holds                                     |
|---------------------------------------|-------------------------------------------|
| `{ns}:dpop:generation`                | the Unix second the replay store started (no expiry) |
| `{ns}:dpop:k:{hex(sha256(jkt))}`      | sorted set: one key's live proofs, by expiry |
| `{ns}:doc:{hex(sha256(url))}`         | a document and its expiry (versioned)     |
| `{ns}:nonce:{current,previous,next}`  | 32-byte nonce secrets                     |

# What Redis must provide

- A single primary with Lua scripting: Redis 7.0 or later (the script
  uses `EXPIRE ... GT`; tested with 7.0), or a compatible server.
- `maxmemory-policy noeviction` (writes then fail, and DPoP fails closed)
  or a `volatile-*` policy. Never `allkeys-*`: it could evict the
  generation marker or live proofs. The total number of proofs is bounded
  by `maxmemory`; the per-key share bounds each client.
- Replica clocks in sync (NTP): each call carries its replica's time.
- Persistence is optional. Without it a restart forgets the proofs (the
  generation marker handles that) and the nonce secrets (replicas keep the
  ones they loaded until they reload; clients may need one extra
  `use_dpop_nonce` round).

# Defaults

| Option                                           | Default              |
|--------------------------------------------------|----------------------|
| [`RedisBuilder::namespace`]                      | `auth0-api`          |
| [`RedisBuilder::timeout`]                        | 250 ms               |
| [`RedisBuilder::clock`]                          | `SystemClock`        |
| [`RedisReplayCacheBuilder::max_entries_per_key`] | 10,000               |
| [`RedisReplayCacheBuilder::proof_lifetime`]      | 360 s (300 s offset + 2 x 30 s leeway) |
| [`RedisReplayCacheBuilder::retry_after`]         | 1 s                  |
| document size limit                              | 1 MiB                |

# Crate features

- `tls` (off by default): `rediss://` URLs, with rustls. It enables
  redis-rs's `tokio-rustls-comp`, which builds its TLS configuration from
  rustls's **process-wide** crypto provider, with the platform's root
  certificates. A library must not choose that provider, so the
  application installs ring's before connecting:
  `rustls::crypto::ring::default_provider().install_default()`. Without
  one, [`RedisBuilder::build`] refuses a `rediss://` URL
  ([`Error::Config`]) instead of letting redis-rs pick a provider or
  panic. The tree stays rustls on ring: `cargo tree -p auth0-api-redis
  --features tls -i aws-lc-sys` (and `-i openssl-sys`) find nothing.

# Where next

- [`RedisReplayCache`]: the script, and why a restart cannot reopen the
  replay window.
- [`Redis::nonce_secrets`]: rotating the nonce secret.
- [`RedisDocumentStore`]: what is stored, and size limits.
*/

mod client;
pub use client::{Redis, RedisBuilder};

mod document_store;
pub use document_store::RedisDocumentStore;

mod error;
pub use error::Error;

mod keys;

mod nonce;
pub use nonce::NonceSecrets;

mod replay;
pub use replay::{RedisReplayCache, RedisReplayCacheBuilder};

// The README's example is compiled with the crate's doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
