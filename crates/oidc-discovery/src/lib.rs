/*!
OpenID Connect discovery and JWKS fetching, with a cache that survives key
rotation, stampedes and outages.

This is the only network dependency on the hot path of verifying an access
token. [`Discovery`] fetches an issuer's discovery document
(`{issuer}/.well-known/openid-configuration`), checks that its `issuer` is
exactly the one asked for, fetches the JWKS its `jwks_uri` names, converts
every usable key once with [`jose_core`], and hands out the key a token
needs:

- **Cheap when warm.** A fresh entry costs a read lock, a hash lookup and
  an `Arc` clone; the key is never copied ([`SelectedKey`]).
- **TTL** = min(`Cache-Control: max-age`, configured TTL; default 600 s);
  0 caches nothing. The cache is a bounded LRU (default 100 entries each for
  documents and key sets).
- **Pinned issuers.** The issuers an application is configured with can be
  pinned ([`DiscoveryBuilder::pin_issuer`]): their discovery documents and
  the key sets those documents name live outside the LRU, are never evicted
  and keep their stale-if-error copies. Every other issuer (one a resolver
  accepts at run time, say) shares the bounded pool, so looking up many of
  them, however often, can never push a pinned entry out.
- **Single flight.** Any number of concurrent callers on a cold or expired
  entry cause exactly one fetch; a failed fetch is shared with the callers
  that waited for it.
- **Negative cache.** A failed fetch with no stale copy to serve is
  remembered per issuer and per `jwks_uri` for the back-off
  (`retry_after_failure`, default 5 s): callers get the same error at once,
  without a fetch, so a failing issuer is asked at most once per back-off
  however many requests name it. It is forgotten when the back-off ends,
  or as soon as a fetch succeeds.
- **Unknown `kid`.** The JWKS is refetched once, at most once per 30 s per
  `jwks_uri` by default, so a rotated key is accepted on its first request
  and random kids cannot hammer the authorization server.
- **Stale if error.** When a refresh fails, the last good value serves for
  up to 10 minutes past its expiry by default (retried every 5 s, not on
  every request), and the failure is logged. A stale value always wins
  over a remembered failure.
- **A pluggable [`Fetcher`]** (the default [`HttpFetcher`]: reqwest on
  rustls with the ring provider, 10 s connect and total timeouts, a 1 MiB
  size cap enforced while streaming, `https` only except loopback hosts, at
  most 3 redirects and never from `https` to `http`, no credentials), and a
  pluggable [`DocumentStore`] to share fetched documents between processes
  (the Python SDK's `CacheAdapter`; [`MemoryStore`] is the in-process
  reference implementation).

Auth0's own SDKs cache for 600 s with no refetch on an unknown `kid` (a
rotated key is refused until the cache expires), no single flight (a cold
start sends one fetch per concurrent request) and no response-size cap.

# Example

```no_run
use jose_core::{Algorithm, Jwt};
use oidc_discovery::Discovery;

# async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
// Build once, share everywhere (clones share the cache).
let discovery = Discovery::new()?;

let jwt = Jwt::parse(token)?;
let alg = jwt.header().algorithm(&[Algorithm::Rs256])?;
let key = discovery
    .key_for("https://tenant.auth0.com/", jwt.header().kid(), alg)
    .await?;
jwt.verify(&key, &[alg])?;
# Ok(())
# }
```

Tests and local development point it at a loopback issuer over plain HTTP,
with a manual clock and tighter limits; the configured issuer is pinned:

```
use std::sync::Arc;
use std::time::Duration;
use jose_core::ManualClock;
use oidc_discovery::{Discovery, HttpFetcher};

let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
let fetcher = HttpFetcher::builder().timeout(Duration::from_millis(500)).build()?;
let discovery = Discovery::builder()
    .fetcher(Arc::new(fetcher))
    .clock(clock.clone())
    .unknown_kid_refresh_interval(Duration::from_secs(10))
    .pin_issuer("http://127.0.0.1:4000/")
    .build()?;
// discovery.document("http://127.0.0.1:4000/").await? ... then, to expire it:
clock.advance(Duration::from_secs(601));
# Ok::<(), oidc_discovery::Error>(())
```

# Defaults

| Option ([`DiscoveryBuilder`])    | Default                   |
|----------------------------------|---------------------------|
| `fetcher`                        | `HttpFetcher::new()`      |
| `store`                          | none (in-process only)    |
| `clock`                          | `SystemClock`             |
| `cache_ttl`                      | 600 s (0 = no cache)      |
| `max_entries` (the LRU pool)     | 100, pinned ones on top   |
| `unknown_kid_refresh_interval`   | 30 s                      |
| `stale_if_error`                 | 600 s (0 = off)           |
| `retry_after_failure` (back-off) | 5 s                       |
| `pin_issuer`, `pinned_issuers`   | none                      |

| Option ([`HttpFetcherBuilder`])  | Default                   |
|----------------------------------|---------------------------|
| `connect_timeout`                | 10 s                      |
| `timeout` (whole fetch)          | 10 s                      |
| `max_body_size`                  | 1 MiB                     |
| `max_redirects`                  | 3                         |
| `proxy_from_env`                 | true                      |

# Errors

One [`Error`] enum: [`Error::InvalidIssuer`] (the caller's),
[`Error::Fetch`] with a [`FetchError`] that names the URL and why (timeout,
connect, status, too large, redirect refused, `http` to a non-loopback
host), [`Error::Document`] with a [`DocumentError`] (not JSON, issuer
mismatch, missing or unusable `jwks_uri`, malformed JWKS) and
[`Error::Key`] when no key fits the token. [`Error::is_retryable`] tells
transient failures apart.

# Logging

[`tracing`](https://docs.rs/tracing) events: `TRACE` for cache hits,
`DEBUG` for misses, fetches, forced refreshes, evictions, pin changes and
lookups answered from the negative cache (each fetch in a `fetch` span
carrying the URL), `WARN` for failed loads (at most one per URL per
back-off), refreshes served stale, skipped JWKS entries and store failures.

# Crate features

None. TLS is always rustls on ring, with the platform's certificate
verifier; the tree holds no OpenSSL and no aws-lc, and no process-wide
crypto provider is installed.
*/

mod cache;

mod discovery;
pub use discovery::{Discovery, DiscoveryBuilder};

mod document;
pub use document::{DiscoveryDocument, well_known_url};

mod error;
pub use error::{DocumentError, Error, FetchError, StoreError};

mod fetcher;
pub use fetcher::{FetchResponse, Fetcher};

mod http_fetcher;
pub use http_fetcher::{HttpFetcher, HttpFetcherBuilder};

mod loader;

mod selected_key;
pub use selected_key::SelectedKey;

mod single_flight;

mod store;
pub use store::{DocumentStore, MemoryStore, StoredDocument};

mod url_policy;
