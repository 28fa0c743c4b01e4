//! Tokens a client sees for the first time, with the verified-token cache
//! on: the first-time rows.
//!
//! Minting a token per iteration would cost an RSA signature each (about
//! a millisecond), far more than the benchmark. Instead each client takes
//! [`FirstTime::TOKENS`] distinct tokens in turn with a cache of
//! [`FirstTime::CACHE_ENTRIES`]: the cache evicts its oldest entries first,
//! so a token is long gone when its turn comes again, and every call pays
//! what a new token costs with the cache on (the signature, then storing
//! the entry and evicting another). [`FirstTime::assert_no_hit`] checks it.

use std::sync::atomic::{AtomicUsize, Ordering};

use auth0_api::{ApiClient, Clock};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};

use crate::floors::Signed;
use crate::{Bench, URL};

/// A Bearer token, its request headers and its signature as ring sees it.
pub(crate) struct BearerToken {
    pub(crate) token: String,
    pub(crate) headers: HeaderMap,
    pub(crate) signed: Signed,
}

/// A DPoP-bound token of one of the bench's users.
struct BoundToken {
    user: usize,
    token: String,
    signed: Signed,
}

/// Distinct tokens, taken in turn.
pub(crate) struct FirstTime {
    bearer: Vec<BearerToken>,
    bound: Vec<BoundToken>,
    next_bearer: AtomicUsize,
    next_bound: AtomicUsize,
}

impl FirstTime {
    /// Distinct tokens of each kind (fewer with `--test`).
    const TOKENS: usize = 1_024;
    const TEST_TOKENS: usize = 32;

    /// The cache entries of the first-time clients: 4 per shard of the
    /// cache's 16, where about 64 of the tokens land.
    const CACHE_ENTRIES: usize = 64;

    /// Mints the tokens (outside any measurement), Bearer ones and ones
    /// bound to the bench's DPoP users in turn.
    pub(crate) fn new(bench: &Bench) -> Self {
        let count = if bench.test_mode {
            Self::TEST_TOKENS
        } else {
            Self::TOKENS
        };
        let bearer = (0..count)
            .map(|i| {
                let token = bench
                    .issuer
                    .token()
                    .sub(format!("auth0|first-{i}"))
                    .sign()
                    .unwrap();
                let mut headers = HeaderMap::new();
                headers.insert(
                    AUTHORIZATION,
                    HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
                );
                BearerToken {
                    signed: Signed::of(&token),
                    headers,
                    token,
                }
            })
            .collect();
        let bound = (0..count)
            .map(|i| {
                let user = i % bench.users.len();
                let token = bench
                    .issuer
                    .token()
                    .sub(format!("auth0|first-{i}"))
                    .cnf_jkt(bench.users[user].key().thumbprint())
                    .sign()
                    .unwrap();
                BoundToken {
                    user,
                    signed: Signed::of(&token),
                    token,
                }
            })
            .collect();
        Self {
            bearer,
            bound,
            next_bearer: AtomicUsize::new(0),
            next_bound: AtomicUsize::new(0),
        }
    }

    /// A client with the cache on, too small to keep these tokens until
    /// their turn comes again.
    pub(crate) fn client(&self, bench: &Bench) -> ApiClient {
        ApiClient::new(bench.options().token_cache_entries(Self::CACHE_ENTRIES)).unwrap()
    }

    /// The next `n` Bearer tokens.
    pub(crate) fn bearer_tokens(&self, n: u64) -> Vec<&BearerToken> {
        let n = usize::try_from(n).unwrap();
        let start = self.next_bearer.fetch_add(n, Ordering::Relaxed);
        (start..start + n)
            .map(|i| &self.bearer[i % self.bearer.len()])
            .collect()
    }

    /// The headers of a DPoP request with the next bound token and a proof
    /// never used before, made now on the shared clock; with the token's
    /// signature, for the floor.
    pub(crate) fn dpop_request(&self, bench: &Bench) -> (HeaderMap, &Signed) {
        let i = self.next_bound.fetch_add(1, Ordering::Relaxed);
        let bound = &self.bound[i % self.bound.len()];
        bench.next_proof();
        let now = u64::try_from(bench.clock.unix_seconds()).unwrap();
        let user = &bench.users[bound.user];
        let proof = dev_issuer::testing::proof_at(user.key(), "GET", URL, &bound.token, now);
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("DPoP {}", bound.token)).unwrap(),
        );
        headers.insert("dpop", HeaderValue::from_str(&proof).unwrap());
        (headers, &bound.signed)
    }

    /// Panics unless every verification of `client` was a miss: the
    /// group measured first-time tokens only.
    pub(crate) fn assert_no_hit(&self, client: &ApiClient, group: &str) {
        let stats = client.token_cache_stats();
        assert_eq!(
            stats.hits, 0,
            "the first-time client of group {group} answered from its cache: {stats:?}"
        );
    }
}
