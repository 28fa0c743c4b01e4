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
//! # Replay cache capacity
//!
//! [`InMemoryReplayCache`](crate::InMemoryReplayCache) refuses new proofs
//! when it is full of live entries rather than evicting some: eviction would
//! let a flood of proofs push a victim's entry out and replay it. The
//! refusal is a 503, not the client's fault, and stops once entries expire.
//!
//! # Nonce retry
//!
//! With nonces required, a proof without a current nonce gets
//! `use_dpop_nonce` and a `DPoP-Nonce` header. The client signs a new proof
//! with that nonce and retries once. Nonces rotate every step (300 s) and
//! are accepted for the step they were issued in and the next, so a client
//! that stores the last `DPoP-Nonce` it saw rarely pays the retry.
