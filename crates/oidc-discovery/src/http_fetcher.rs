//! The default [`Fetcher`]: reqwest over rustls on the ring provider, with
//! timeouts, a streaming size cap and a strict redirect and scheme policy.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::header::{ACCEPT, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use url::Url;

use crate::error::{Error, FetchError, Source, excerpt};
use crate::fetcher::{FetchResponse, Fetcher};
use crate::url_policy;

const USER_AGENT: &str = concat!("oidc-discovery/", env!("CARGO_PKG_VERSION"));

/// The default [`Fetcher`]: GETs over HTTPS with reqwest and rustls.
///
/// - TLS is rustls on the ring provider with the platform's certificate
///   verifier; no process-wide crypto provider is installed or needed.
/// - `https` only, except loopback hosts (`localhost`, `127.0.0.0/8`,
///   `[::1]`), which may use `http` so local issuers and tests work over
///   real HTTP. Checked before any connection, and again for every redirect.
/// - Redirects: at most [`max_redirects`](HttpFetcherBuilder::max_redirects),
///   never from `https` to `http`.
/// - A connect timeout and a total timeout covering every redirect and the
///   whole body.
/// - A body size cap, checked against `Content-Length` before reading and
///   enforced while streaming, so an oversized body is never buffered.
/// - No credentials: no cookies, no `Authorization`, no `Referer`; URLs
///   with a user name or password are refused.
///
/// Proxies named by the usual environment variables (`HTTPS_PROXY`,
/// `NO_PROXY`, ...) are used unless
/// [`proxy_from_env(false)`](HttpFetcherBuilder::proxy_from_env).
///
/// # Panics
///
/// Fetching outside a Tokio runtime with the I/O and time drivers enabled
/// panics, as reqwest itself does.
#[derive(Clone)]
pub struct HttpFetcher {
    client: reqwest::Client,
    config: Arc<Config>,
}

#[derive(Debug, Clone)]
struct Config {
    connect_timeout: Duration,
    timeout: Duration,
    max_body_size: u64,
    max_redirects: usize,
    proxy_from_env: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            max_body_size: 1024 * 1024,
            max_redirects: 3,
            proxy_from_env: true,
        }
    }
}

impl HttpFetcher {
    /// A fetcher with the default settings.
    ///
    /// # Errors
    ///
    /// [`Error::HttpClient`] when the TLS configuration cannot be built (no
    /// root certificates could be loaded from the platform).
    pub fn new() -> Result<Self, Error> {
        HttpFetcherBuilder::new().build()
    }

    /// A builder to change the defaults.
    pub fn builder() -> HttpFetcherBuilder {
        HttpFetcherBuilder::new()
    }

    async fn fetch_following_redirects(&self, url: &Url) -> Result<FetchResponse, FetchError> {
        let mut current = url.clone();
        let mut redirects = 0;
        loop {
            let response = self
                .client
                .get(current.clone())
                .header(ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| self.classify(&current, e))?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(LOCATION)
            {
                let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
                if redirects == self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        url: url.clone(),
                        max: self.config.max_redirects,
                    });
                }
                let next = url_policy::redirect_target(&current, &location).map_err(|reason| {
                    FetchError::RedirectRefused {
                        url: current.clone(),
                        location: excerpt(&location),
                        reason,
                    }
                })?;
                tracing::debug!(from = %current, to = %next, "following redirect");
                redirects += 1;
                current = next;
                continue;
            }
            let cache_control = response
                .headers()
                .get(CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if !status.is_success() {
                // The body of an error answer is never read: the cache
                // only needs the status.
                return Err(FetchError::Status {
                    url: current,
                    status,
                });
            }
            let body = self.read_body(&current, response).await?;
            let mut response = FetchResponse::new(status, body);
            if let Some(value) = cache_control {
                response = response.with_cache_control(value);
            }
            return Ok(response);
        }
    }

    /// Reads a body within the size cap: refused from `Content-Length`
    /// before reading, or as soon as the bytes read exceed the cap, so an
    /// oversized body is never buffered.
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.config.max_body_size;
        if let Some(declared) = response.content_length().filter(|len| *len > limit) {
            return Err(FetchError::TooLarge {
                url: url.clone(),
                limit,
                declared: Some(declared),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(url, e))? {
            let within = u64::try_from(body.len() + chunk.len()).is_ok_and(|len| len <= limit);
            if !within {
                return Err(FetchError::TooLarge {
                    url: url.clone(),
                    limit,
                    declared: None,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// POSTs an `application/x-www-form-urlencoded` body, as token endpoints
    /// take it, under the same policy as [`Fetcher::fetch`]: the URL is
    /// checked before connecting, the whole exchange is bounded by the
    /// timeout and the answer by the size cap.
    ///
    /// Unlike `fetch`, redirects are never followed (a request carrying
    /// client credentials must not be re-sent to another URL), and an error
    /// status is returned with its body, which holds the RFC 6749 error
    /// object. `authorization` is sent as the `Authorization` header, marked
    /// sensitive so that it never appears in logs.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] when the URL is refused, the connection fails or
    /// times out, or the answer is too large.
    pub async fn post_form(
        &self,
        url: &Url,
        authorization: &str,
        body: String,
    ) -> Result<FetchResponse, FetchError> {
        url_policy::check(url).map_err(|refusal| refusal.into_fetch_error(url))?;
        let mut credentials =
            http::HeaderValue::from_str(authorization).map_err(|e| FetchError::other(url, e))?;
        credentials.set_sensitive(true);
        let exchange = async {
            let response = self
                .client
                .post(url.clone())
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(AUTHORIZATION, credentials)
                .body(body)
                .send()
                .await
                .map_err(|e| self.classify(url, e))?;
            let status = response.status();
            let body = self.read_body(url, response).await?;
            Ok(FetchResponse::new(status, body))
        };
        let timeout = self.config.timeout;
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: url.clone(),
                after: timeout,
            }),
        }
    }

    fn classify(&self, url: &Url, error: reqwest::Error) -> FetchError {
        let url = url.clone();
        if error.is_timeout() {
            let after = if error.is_connect() {
                self.config.connect_timeout
            } else {
                self.config.timeout
            };
            return FetchError::Timeout { url, after };
        }
        let is_connect = error.is_connect();
        let source: Source = Arc::new(error.without_url());
        if is_connect {
            FetchError::Connect { url, source }
        } else {
            FetchError::Transport { url, source }
        }
    }
}

#[async_trait]
impl Fetcher for HttpFetcher {
    async fn fetch(&self, url: &Url) -> Result<FetchResponse, FetchError> {
        url_policy::check(url).map_err(|refusal| refusal.into_fetch_error(url))?;
        let timeout = self.config.timeout;
        match tokio::time::timeout(timeout, self.fetch_following_redirects(url)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: url.clone(),
                after: timeout,
            }),
        }
    }
}

impl std::fmt::Debug for HttpFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpFetcher")
            .field("connect_timeout", &self.config.connect_timeout)
            .field("timeout", &self.config.timeout)
            .field("max_body_size", &self.config.max_body_size)
            .field("max_redirects", &self.config.max_redirects)
            .field("proxy_from_env", &self.config.proxy_from_env)
            .finish_non_exhaustive()
    }
}

/// Builds an [`HttpFetcher`].
///
/// ```
/// use std::time::Duration;
/// use oidc_discovery::HttpFetcher;
///
/// let fetcher = HttpFetcher::builder()
///     .timeout(Duration::from_secs(5))
///     .max_body_size(256 * 1024)
///     .build()?;
/// # Ok::<(), oidc_discovery::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct HttpFetcherBuilder {
    config: Config,
}

impl HttpFetcherBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long establishing a connection (TCP and TLS) may take.
    ///
    /// Default: 10 seconds.
    pub fn connect_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// How long a whole fetch may take: connecting, every redirect, and
    /// reading the body.
    ///
    /// Default: 10 seconds.
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.config.timeout = timeout;
        self
    }

    /// The largest body accepted, in bytes. A larger one is refused from its
    /// `Content-Length` before it is read, or as soon as the bytes read
    /// exceed it.
    ///
    /// Default: 1 MiB (1,048,576 bytes).
    pub fn max_body_size(&mut self, bytes: u64) -> &mut Self {
        self.config.max_body_size = bytes;
        self
    }

    /// How many redirects are followed; 0 refuses every redirect.
    ///
    /// Default: 3.
    pub fn max_redirects(&mut self, max: usize) -> &mut Self {
        self.config.max_redirects = max;
        self
    }

    /// Whether proxies named by the environment (`HTTP_PROXY`,
    /// `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) are used.
    ///
    /// Default: true.
    pub fn proxy_from_env(&mut self, enabled: bool) -> &mut Self {
        self.config.proxy_from_env = enabled;
        self
    }

    /// Builds the fetcher.
    ///
    /// # Errors
    ///
    /// [`Error::HttpClient`] when the TLS configuration cannot be built (no
    /// root certificates could be loaded from the platform) or reqwest
    /// refuses it.
    pub fn build(&self) -> Result<HttpFetcher, Error> {
        let client_error = |source: Source| Error::HttpClient { source };
        let tls = tls_config().map_err(|e| client_error(Arc::new(e)))?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(self.config.connect_timeout)
            // Redirects are followed by hand, so that each target is
            // checked against the URL policy before it is connected to.
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .referer(false)
            .user_agent(USER_AGENT);
        if !self.config.proxy_from_env {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| client_error(Arc::new(e)))?;
        Ok(HttpFetcher {
            client,
            config: Arc::new(self.config.clone()),
        })
    }
}

/// A rustls client configuration on the ring provider with the platform's
/// verifier, built without touching rustls' process-wide default provider
/// (installing one is the application's choice, not a library's).
fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_without_a_process_wide_crypto_provider() {
        // reqwest with `rustls-no-provider` panics here if it has to find a
        // provider on its own; ours is handed over ready.
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let fetcher = HttpFetcher::new().unwrap();
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let debug = format!("{fetcher:?}");
        assert!(debug.contains("max_body_size: 1048576"), "{debug}");
    }

    #[test]
    fn builder_defaults_are_the_documented_ones() {
        let config = HttpFetcherBuilder::new().config;
        assert_eq!(config.connect_timeout, Duration::from_secs(10));
        assert_eq!(config.timeout, Duration::from_secs(10));
        assert_eq!(config.max_body_size, 1_048_576);
        assert_eq!(config.max_redirects, 3);
        assert!(config.proxy_from_env);
    }

    #[tokio::test]
    async fn policy_is_checked_before_connecting() {
        let fetcher = HttpFetcher::new().unwrap();
        for (url, refused) in [
            ("http://example.com/.well-known/jwks.json", "InsecureUrl"),
            ("https://user:pw@example.com/", "UnsupportedUrl"),
            ("ftp://example.com/", "UnsupportedUrl"),
        ] {
            let url = Url::parse(url).unwrap();
            let error = fetcher.fetch(&url).await.unwrap_err();
            assert!(error.is_refused_before_connecting(), "{url}: {error:?}");
            assert!(format!("{error:?}").starts_with(refused), "{error:?}");
        }
    }
}
