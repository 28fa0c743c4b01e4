//! The [`Fetcher`] plug-in point: how a document gets from a URL to bytes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::StatusCode;
use url::Url;

use crate::error::FetchError;

/// GETs a URL and returns its status, caching headers and body.
///
/// [`HttpFetcher`](crate::HttpFetcher) is the default. Implement this to
/// route requests through a corporate proxy, a shared HTTP cache or a test
/// double; hand it to [`DiscoveryBuilder::fetcher`](crate::DiscoveryBuilder::fetcher).
///
/// The cache above a fetcher trusts it to bound what it does: the body it
/// returns is held in memory, and a fetch that never finishes holds up every
/// caller waiting for that document.
///
/// ```text
/// // Wrong: unbounded in time and size; one slow or hostile server
/// // stalls every request and can exhaust memory.
/// let body = client.get(url).send().await?.bytes().await?;
/// ```
///
/// Right: a total timeout, a size cap enforced while reading, and the
/// `Cache-Control` header passed on so the cache can honour `max-age`:
///
/// ```
/// use async_trait::async_trait;
/// use http::StatusCode;
/// use oidc_discovery::{FetchError, FetchResponse, Fetcher};
/// use url::Url;
///
/// /// Serves fixed documents from memory (for example in a unit test).
/// #[derive(Debug)]
/// struct Fixed(Vec<(String, &'static str)>);
///
/// #[async_trait]
/// impl Fetcher for Fixed {
///     async fn fetch(&self, url: &Url) -> Result<FetchResponse, FetchError> {
///         match self.0.iter().find(|(u, _)| u == url.as_str()) {
///             Some((_, body)) => Ok(FetchResponse::new(StatusCode::OK, body.as_bytes())
///                 .with_cache_control("public, max-age=60")),
///             None => Err(FetchError::Status { url: url.clone(), status: StatusCode::NOT_FOUND }),
///         }
///     }
/// }
/// ```
///
/// A non-`2xx` answer may be returned either as a [`FetchResponse`] with
/// that status or as [`FetchError::Status`]; the cache treats both as a
/// failed fetch.
#[async_trait]
pub trait Fetcher: fmt::Debug + Send + Sync {
    /// Fetches `url`.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] naming `url` (or the URL a redirect led to) and why
    /// it failed.
    async fn fetch(&self, url: &Url) -> Result<FetchResponse, FetchError>;
}

#[async_trait]
impl<F: Fetcher + ?Sized> Fetcher for Arc<F> {
    async fn fetch(&self, url: &Url) -> Result<FetchResponse, FetchError> {
        (**self).fetch(url).await
    }
}

/// What a [`Fetcher`] got back: the status, the `Cache-Control` header and
/// the body.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchResponse {
    status: StatusCode,
    cache_control: Option<String>,
    body: Vec<u8>,
}

impl FetchResponse {
    /// A response with this status and body, and no `Cache-Control`.
    pub fn new(status: StatusCode, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            cache_control: None,
            body: body.into(),
        }
    }

    /// Sets the `Cache-Control` header value, as received.
    pub fn with_cache_control(mut self, value: impl Into<String>) -> Self {
        self.cache_control = Some(value.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Cache-Control` header value, if there was one.
    pub fn cache_control(&self) -> Option<&str> {
        self.cache_control.as_deref()
    }

    /// The `max-age` directive of `Cache-Control`, if present and valid.
    ///
    /// When several are present, the smallest wins. Other directives
    /// (`no-store`, `s-maxage`, ...) are not used: the documents are public
    /// and the cache's own TTL bounds their lifetime.
    pub fn max_age(&self) -> Option<Duration> {
        self.cache_control.as_deref().and_then(parse_max_age)
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, by value.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

impl fmt::Debug for FetchResponse {
    // A body can be up to the size cap: show its length, not its bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchResponse")
            .field("status", &self.status)
            .field("cache_control", &self.cache_control)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The smallest valid `max-age=N` in a `Cache-Control` value (RFC 9111
/// section 5.2: directive names are case-insensitive, the argument may be
/// quoted).
fn parse_max_age(header: &str) -> Option<Duration> {
    header
        .split(',')
        .filter_map(|directive| {
            let (name, value) = directive.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("max-age") {
                return None;
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Delta-seconds too large to represent mean "a very long time"
            // (RFC 9111 section 1.2.2); the configured TTL caps it anyway.
            Some(value.parse::<u64>().unwrap_or(u64::MAX))
        })
        .min()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_age(header: &str) -> Option<u64> {
        FetchResponse::new(StatusCode::OK, Vec::new())
            .with_cache_control(header)
            .max_age()
            .map(|d| d.as_secs())
    }

    #[test]
    fn max_age_is_parsed_leniently_but_correctly() {
        assert_eq!(max_age("max-age=60"), Some(60));
        assert_eq!(
            max_age("public, max-age=15, stale-while-revalidate=15, stale-if-error=86400"),
            Some(15)
        );
        assert_eq!(max_age("Max-Age = \"30\""), Some(30));
        assert_eq!(max_age("max-age=0"), Some(0));
        assert_eq!(max_age("max-age=90, max-age=60"), Some(60));
        assert_eq!(max_age("max-age=99999999999999999999999"), Some(u64::MAX));
        for none in [
            "",
            "no-store",
            "s-maxage=10",
            "max-age=",
            "max-age=-1",
            "max-age=1.5",
        ] {
            assert_eq!(max_age(none), None, "{none:?}");
        }
        assert_eq!(
            FetchResponse::new(StatusCode::OK, Vec::new()).max_age(),
            None
        );
    }

    #[test]
    fn debug_shows_the_body_length_not_the_body() {
        let response = FetchResponse::new(StatusCode::OK, b"{\"keys\":[]}".as_slice());
        let debug = format!("{response:?}");
        assert!(debug.contains("body_len: 11"), "{debug}");
        assert!(!debug.contains("keys"), "{debug}");
        assert_eq!(response.clone().into_body(), response.body());
    }
}
