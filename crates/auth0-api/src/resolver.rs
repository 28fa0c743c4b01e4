//! Multiple custom domains decided per request.

use std::error::Error as StdError;
use std::fmt::Debug;

use async_trait::async_trait;
use http::HeaderMap;

/// Decides which Auth0 domains are accepted for a request.
///
/// Called with the request's URL and headers and the token's *unverified*
/// `iss`, before any network call; the `iss` must then be one of the
/// returned domains, or the token is refused without contacting anyone.
/// Use it when one API serves several tenants or custom domains that are
/// only known at run time (e.g. looked up by the request's host).
///
/// ```
/// use async_trait::async_trait;
/// use auth0_api::{DomainsResolver, ResolverContext};
///
/// #[derive(Debug)]
/// struct ByHost;
///
/// #[async_trait]
/// impl DomainsResolver for ByHost {
///     async fn allowed_domains(
///         &self,
///         context: &ResolverContext<'_>,
///     ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
///         let host = context.request_url().unwrap_or_default();
///         Ok(if host.contains("eu.") {
///             vec!["login.eu.example.com".into()]
///         } else {
///             vec!["login.example.com".into()]
///         })
///     }
/// }
/// ```
#[async_trait]
pub trait DomainsResolver: Debug + Send + Sync {
    /// The domains accepted for this request.
    ///
    /// # Errors
    ///
    /// Any error: the request fails with a 500 `domains_resolver_error`.
    async fn allowed_domains(
        &self,
        context: &ResolverContext<'_>,
    ) -> Result<Vec<String>, Box<dyn StdError + Send + Sync>>;
}

/// What a [`DomainsResolver`] knows about the request.
#[derive(Debug, Clone, Copy)]
pub struct ResolverContext<'a> {
    request_url: Option<&'a str>,
    request_headers: Option<&'a HeaderMap>,
    unverified_iss: &'a str,
}

impl<'a> ResolverContext<'a> {
    pub(crate) fn new(
        request_url: Option<&'a str>,
        request_headers: Option<&'a HeaderMap>,
        unverified_iss: &'a str,
    ) -> Self {
        Self {
            request_url,
            request_headers,
            unverified_iss,
        }
    }

    /// The request URL, when verifying a request.
    pub fn request_url(&self) -> Option<&'a str> {
        self.request_url
    }

    /// The request headers, when verifying a request.
    pub fn request_headers(&self) -> Option<&'a HeaderMap> {
        self.request_headers
    }

    /// The token's `iss`, not yet verified: use it to choose, never to trust.
    pub fn unverified_iss(&self) -> &'a str {
        self.unverified_iss
    }
}
