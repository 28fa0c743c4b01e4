//! Why the verifier behaves as it does. Documentation only.
//!
//! # Defaults
//!
//! | option | default | why |
//! |---|---|---|
//! | algorithms | ES256 | the only one Auth0 accepts for DPoP; `none` and HS* cannot be named at all |
//! | `iat` leeway | 30 s | client clocks run a little ahead; same as the Auth0 SDKs |
//! | `iat` offset | 300 s | a proof is meant for one request, sent right away; same as the Auth0 SDKs |
//! | proof size cap | 8 KiB | a proof with a P-256 key is about 600 bytes |
//! | `jti` cap | 256 bytes | long enough for any identifier scheme, short enough for logs |
//! | replay cache | none | it needs a decision about sharing between instances; set one |
//! | nonces | not required | they cost the client a round trip; turn them on to bound proof lifetime by the server's clock |
//!
//! # The `iat` window
//!
//! A proof passes when `now - offset - leeway <= iat <= now + leeway`; both
//! ends are included. The leeway applies on both sides, so a proof is
//! accepted for up to `offset + 2 x leeway` (360 s) of server time. The
//! replay cache keeps each entry until `iat + offset + leeway`, the last
//! second at which that proof can pass, and not longer.
//!
//! # `htm` is case-sensitive
//!
//! RFC 9110 section 9.1 defines methods as case-sensitive, and RFC 9449
//! compares `htm` with the method. The Auth0 SDKs compare case-insensitively;
//! this crate does not, so a proof for `get` does not authorise `GET`.
//!
//! # `htu` normalisation
//!
//! Both the proof's `htu` and the request URL are parsed with the WHATWG URL
//! Standard, then compared without query and fragment. What counts as the
//! same URL:
//!
//! - scheme and host in any case; IDNs and their punycode;
//! - an explicit default port (`:443`, `:80`) and none;
//! - IPv6 and IPv4 hosts in any spelling the standard accepts;
//! - `.` and `..` segments (and `%2e`) resolved;
//! - percent-escapes of unreserved characters (`%7E`) and the characters,
//!   lower- and upper-case hex digits;
//! - any query, any fragment.
//!
//! What does not: another path, a trailing slash added or removed, another
//! port or scheme, a decoded reserved escape (`%2F` is not `/`). URLs with
//! userinfo are refused outright (RFC 9110 section 4.2.4).
//!
//! # 401 or 400
//!
//! [`Error::status_code`](crate::Error::status_code) answers for a resource
//! server: 401 with a `WWW-Authenticate: DPoP` challenge carrying
//! `invalid_dpop_proof` or `use_dpop_nonce` (RFC 9449 sections 7.1 and 9).
//! `auth0-api-python` uses 400 for `invalid_dpop_proof`; RFC 6750 reserves
//! 400 for malformed requests, and a bad proof is an authentication failure.
//! A token endpoint (an authorization server) answers 400 with a JSON error
//! body instead (RFC 9449 sections 5 and 8).
//!
//! # Replay cache bounds
//!
//! [`InMemoryReplayCache`](crate::InMemoryReplayCache) is bounded twice:
//!
//! | bound | default | why |
//! |---|---|---|
//! | live entries | 1,000,000 | 2,770 new proofs per second over the 361 s an entry can live; at most 87 MiB when full |
//! | live entries per key (`jkt`) | 10,000 | about 30 new proofs per second from one key, sustained over the 330 s a proof stays acceptable; 1% of the total, so it takes a hundred keys at their full share to fill the cache |
//!
//! When the whole cache is full of live entries it refuses new proofs
//! rather than evicting some: eviction would let a flood of proofs push a
//! victim's entry out and replay it. That refusal is a 503, not the
//! client's fault, and stops once entries expire.
//!
//! The share per key keeps one client from getting there. A client with
//! one valid DPoP-bound token can sign as many fresh, valid proofs as it
//! likes; without a share, 100,000 of them filled the former 100,000-entry
//! cache and every other user got 503 for six minutes. With it, that
//! client's proofs past its share are refused with
//! [`Error::KeyQuotaExceeded`](crate::Error::KeyQuotaExceeded) (429
//! `rate_limited`, with the time until its oldest entry expires as
//! `Retry-After`), and no one else notices. The share is counted per key
//! because the key is what a proof proves: no client can spend another's
//! share without its private key. It is a rate, not a fraction of the
//! total, and does not change with `max_entries`. A backend service that
//! signs every call with one key at more than 30 calls per second needs a
//! larger one.
//!
//! A replay is reported as a replay (401) whatever the bounds say.
//!
//! ## Memory
//!
//! An entry costs the same whatever the `jti`'s length: a 128-bit keyed
//! fingerprint, kept in a hash set, in a list for its expiry second, and,
//! for keys with several entries, as 4 bytes in the key's heap. Memory
//! follows use: an idle cache holds nothing, and the tables shrink after a
//! burst. Under a steady load:
//!
//! ```text
//! bytes ≈ new proofs per second × 360 s × bytes per entry
//! ```
//!
//! Measured at 720,000 live entries (2,000 new proofs per second), bytes
//! per entry are 47 when 2,000 clients send one proof per second each
//! (32.4 MiB), 66 when every proof comes from a new key (45.3 MiB), and 81
//! in the costliest arrangement, two proofs per key (55.6 MiB).
//! [`InMemoryReplayCache::memory_usage`](crate::InMemoryReplayCache::memory_usage)
//! reports the figure for a running cache.
//!
//! The fingerprint's hash keys are random per cache, so no one can craft
//! colliding pairs; a collision could only make a fresh proof look used,
//! never let a replay through.
//!
//! # Nonce retry
//!
//! With nonces required, a proof without a current nonce gets
//! `use_dpop_nonce` and a `DPoP-Nonce` header. The client signs a new proof
//! with that nonce and retries once. Nonces rotate every step (300 s) and
//! are accepted for the step they were issued in and the next, so a client
//! that stores the last `DPoP-Nonce` it saw rarely pays the retry.
//!
//! # Rotating the nonce secret
//!
//! Every replica of a service shares one nonce secret, so that each
//! accepts the others' nonces. To replace it without refusing a nonce a
//! client holds, rotate in two phases with
//! [`NonceSourceBuilder::accept_secret`](crate::NonceSourceBuilder::accept_secret),
//! which adds a secret that is accepted but never issued with:
//!
//! 1. every replica accepts the new secret, still issuing with the old one
//!    (`.secret(old).accept_secret(new)`);
//! 2. once all run phase 1, every replica issues with the new secret and
//!    still accepts the old one (`.secret(new).accept_secret(old)`);
//! 3. two steps (600 s) after the last replica entered phase 2, the old
//!    secret goes (`.secret(new)`): every nonce issued with it has expired.
//!
//! Phase 1 is what makes a rolling restart safe: without it, replicas that
//! already issue with the new secret and replicas that do not yet accept it
//! would each answer `use_dpop_nonce` to the other's nonces.
