//! The endpoints the issuer serves, and a request counter for each.

use std::sync::atomic::{AtomicUsize, Ordering};

/// One of the issuer's HTTP endpoints, for fault injection and counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `GET /.well-known/openid-configuration`.
    Discovery,
    /// `GET /.well-known/jwks.json`.
    Jwks,
    /// `POST /oauth/token`.
    Token,
    /// `GET /.well-known/oauth-authorization-server` (RFC 8414).
    AuthorizationServerMetadata,
    /// `GET /authorize`.
    Authorize,
    /// `POST /oidc/register` (RFC 7591), at Auth0's path.
    Registration,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Self; 6] = [
        Self::Discovery,
        Self::Jwks,
        Self::Token,
        Self::AuthorizationServerMetadata,
        Self::Authorize,
        Self::Registration,
    ];

    /// How many endpoints there are.
    pub(crate) const COUNT: usize = Self::ALL.len();

    /// The path the endpoint is served at.
    pub const fn path(self) -> &'static str {
        match self {
            Self::Discovery => "/.well-known/openid-configuration",
            Self::Jwks => "/.well-known/jwks.json",
            Self::Token => "/oauth/token",
            Self::AuthorizationServerMetadata => "/.well-known/oauth-authorization-server",
            Self::Authorize => "/authorize",
            Self::Registration => "/oidc/register",
        }
    }

    /// The endpoint served at `path`, whatever the method.
    pub(crate) fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.path() == path)
    }

    pub(crate) const fn index(self) -> usize {
        match self {
            Self::Discovery => 0,
            Self::Jwks => 1,
            Self::Token => 2,
            Self::AuthorizationServerMetadata => 3,
            Self::Authorize => 4,
            Self::Registration => 5,
        }
    }
}

/// Requests seen per endpoint, faulted ones included.
#[derive(Debug, Default)]
pub(crate) struct RequestCounters {
    counts: [AtomicUsize; Endpoint::COUNT],
}

impl RequestCounters {
    pub(crate) fn record(&self, endpoint: Endpoint) {
        self.counts[endpoint.index()].fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn get(&self, endpoint: Endpoint) -> usize {
        self.counts[endpoint.index()].load(Ordering::SeqCst)
    }

    pub(crate) fn reset(&self) {
        for count in &self.counts {
            count.store(0, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_back_to_endpoints_and_counters_are_separate() {
        for endpoint in Endpoint::ALL {
            assert_eq!(Endpoint::from_path(endpoint.path()), Some(endpoint));
        }
        assert_eq!(Endpoint::from_path("/oauth/token/"), None);

        let counters = RequestCounters::default();
        counters.record(Endpoint::Jwks);
        counters.record(Endpoint::Jwks);
        counters.record(Endpoint::Token);
        assert_eq!(counters.get(Endpoint::Discovery), 0);
        assert_eq!(counters.get(Endpoint::Jwks), 2);
        assert_eq!(counters.get(Endpoint::Token), 1);
        counters.reset();
        assert!(Endpoint::ALL.into_iter().all(|e| counters.get(e) == 0));
    }
}
