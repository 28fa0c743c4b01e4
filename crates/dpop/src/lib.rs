/*!
DPoP (RFC 9449): verify proofs on the server, create them on the client.

A DPoP proof is a small JWT, signed with a key the client holds, that it
sends in a `DPoP` header with each request. It proves that whoever sends an
access token bound to that key (`cnf.jkt`) also holds the key, so a stolen
token alone is useless.

This crate depends on `jose-core`, `ring` and `url` only: no async runtime
and no HTTP client. Use it to protect an API or a token endpoint, with or
without Auth0.

- [`Verifier`] runs every check of RFC 9449 section 4.3, each with its own
  [`Error`] variant, and returns a [`VerifiedProof`] with the key's
  thumbprint.
- [`ReplayCache`] and the bounded [`InMemoryReplayCache`] accept each proof
  once; the in-memory cache gives each key a share, so that one client
  signing proofs as fast as it can is refused (429) and no one else is.
- [`NonceSource`] issues stateless, rotating server nonces and
  [`Error::UseNonce`] carries the one to send back in `DPoP-Nonce`; a
  fleet can replace the shared secret without refusing a nonce.
- [`ProofKey`] and [`ProofBuilder`] create proofs, for clients of
  DPoP-protected APIs and for tests.

# Example

A client signs a proof for a request; the server verifies it at a fixed
time. `verify` is `async` because a replay cache may be remote; with the
in-memory one any executor works, here a minimal one.

```
use std::sync::Arc;
use jose_core::ManualClock;
use dpop::{InMemoryReplayCache, ProofBuilder, ProofKey, Request, Verifier};

// The client.
let key = ProofKey::generate()?;
let proof = ProofBuilder::new(&key)
    .htm("GET")
    .htu("https://api.example.com/orders")
    .access_token("the-access-token")
    .iat(1_700_000_000)
    .sign()?;

// The server.
let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_010));
let cache = InMemoryReplayCache::builder().clock(clock.clone()).build();
let verifier = Verifier::builder()
    .clock(clock)
    .replay_cache(Arc::new(cache))
    .build();

let headers = [proof.as_str()];
let cnf_jkt = key.thumbprint(); // from the access token's `cnf` claim
let request = Request::new(&headers, "GET", "https://api.example.com/orders?page=2")
    .access_token("the-access-token")
    .expected_jkt(&cnf_jkt);
let verified = block_on(verifier.verify(&request))?;
assert_eq!(verified.jkt(), key.thumbprint());

// The same proof again is a replay.
let err = block_on(verifier.verify(&request)).unwrap_err();
assert_eq!(err.error_code(), "invalid_dpop_proof");
assert_eq!(err.status_code(), 401);
# fn block_on<F: std::future::Future>(future: F) -> F::Output {
#     let mut future = std::pin::pin!(future);
#     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
#     match future.as_mut().poll(&mut cx) {
#         std::task::Poll::Ready(output) => output,
#         std::task::Poll::Pending => unreachable!("the in-memory cache never waits"),
#     }
# }
# Ok::<(), dpop::Error>(())
```

# Crate features

None.

# Where next

- [`manual`]: the defaults, the `iat` window, the `htu` normalisations,
  401 versus 400, the replay cache's bounds and memory (and why it fails
  closed), and rotating the nonce secret.
- [`danger`]: signing deliberately broken proofs, for tests.
*/

mod ath;
pub use ath::access_token_hash;

mod create;
pub use create::{ProofBuilder, ProofKey};

/// The states of a [`ProofBuilder`]: the compiler only allows `sign` once
/// `htm` and `htu` are set.
pub mod proof_state {
    pub use crate::create::{NeedsMethod, NeedsUrl, Ready};
}

pub mod danger;

mod error;
pub use error::Error;

mod htu;

pub mod manual;

mod nonce;
pub use nonce::{NonceError, NonceSource, NonceSourceBuilder};

mod replay;
pub use replay::{InMemoryReplayCache, InMemoryReplayCacheBuilder, ReplayCache, ReplayError};

mod verify;
pub use verify::{Request, VerifiedProof, Verifier, VerifierBuilder};
