//! Rebuilding the URL a client called, for the DPoP `htu` check.

use http::request::Parts;
use url::Url;

use crate::configuration::ConfigurationError;

/// The public base URL of the API, from which each request's URL is built.
///
/// A DPoP proof names the URL the *client* called. Behind a load balancer
/// or proxy, that is not the URL the server sees, and the `Host` and
/// `X-Forwarded-*` headers are whatever the client (or an attacker) sent.
/// So the URL is built from a base you configure plus the request path;
/// forwarded headers are used only if you opt in with
/// [`PublicUrl::trust_forwarded_headers`], for a proxy you control that
/// overwrites them.
///
/// ```
/// use auth0_api::PublicUrl;
///
/// let public = PublicUrl::new("https://api.example.com")?;
/// let request = http::Request::get("/orders?page=2").body(())?;
/// let (parts, _) = request.into_parts();
/// assert_eq!(public.request_url(&parts), "https://api.example.com/orders");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PublicUrl {
    /// Scheme, authority and path prefix, without a trailing slash.
    base: String,
    trust_forwarded: bool,
}

impl PublicUrl {
    /// Requests are answered at `base` (`https://api.example.com`, or with a
    /// path prefix such as `https://example.com/api`).
    ///
    /// # Errors
    ///
    /// [`ConfigurationError::InvalidPublicUrl`] when `base` is not an
    /// absolute http(s) URL without query, fragment or credentials.
    pub fn new(base: &str) -> Result<Self, ConfigurationError> {
        let invalid = |reason| ConfigurationError::InvalidPublicUrl {
            url: base.to_owned(),
            reason,
        };
        let url = Url::parse(base).map_err(|_| invalid("is not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("must be http or https"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("must not have a query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("must not contain credentials"));
        }
        Ok(Self {
            base: url.as_str().trim_end_matches('/').to_owned(),
            trust_forwarded: false,
        })
    }

    /// Takes scheme and host from `X-Forwarded-Proto` and `X-Forwarded-Host`
    /// when present and well-formed. Only for a proxy you control that sets
    /// (not appends to) these headers.
    ///
    /// Default: `false`.
    #[must_use]
    pub fn trust_forwarded_headers(mut self, trust: bool) -> Self {
        self.trust_forwarded = trust;
        self
    }

    /// The URL the client called for this request (query dropped, as `htu`
    /// ignores it).
    pub fn request_url(&self, parts: &Parts) -> String {
        let path = parts.uri.path();
        if self.trust_forwarded
            && let Some(origin) = forwarded_origin(parts)
        {
            // The base's path prefix still applies behind the proxy.
            let prefix = Url::parse(&self.base)
                .map(|u| u.path().trim_end_matches('/').to_owned())
                .unwrap_or_default();
            return format!("{origin}{prefix}{path}");
        }
        format!("{}{path}", self.base)
    }
}

/// `scheme://host` from the forwarded headers, if both make a valid origin.
fn forwarded_origin(parts: &Parts) -> Option<String> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)?
            .to_str()
            .ok()?
            .split(',')
            .next()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let scheme = header("x-forwarded-proto")?.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = header("x-forwarded-host")?;
    let origin = Url::parse(&format!("{scheme}://{host}")).ok()?;
    // Anything beyond an authority (a path, credentials) is refused.
    if origin.path() != "/" || !origin.username().is_empty() || origin.password().is_some() {
        return None;
    }
    Some(origin.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn builds_from_the_base_and_never_from_host() {
        let public = PublicUrl::new("https://api.example.com/").unwrap();
        let p = parts(
            "/orders/7?x=1",
            &[
                ("host", "evil.example"),
                ("x-forwarded-host", "evil.example"),
                ("x-forwarded-proto", "http"),
            ],
        );
        assert_eq!(public.request_url(&p), "https://api.example.com/orders/7");
        let prefixed = PublicUrl::new("https://example.com/api").unwrap();
        assert_eq!(
            prefixed.request_url(&parts("/orders", &[])),
            "https://example.com/api/orders"
        );
    }

    #[test]
    fn forwarded_headers_only_when_trusted_and_well_formed() {
        let public = PublicUrl::new("https://internal:8080")
            .unwrap()
            .trust_forwarded_headers(true);
        let p = parts(
            "/orders",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "api.example.com"),
            ],
        );
        assert_eq!(public.request_url(&p), "https://api.example.com/orders");
        for bad in [
            &[
                ("x-forwarded-proto", "gopher"),
                ("x-forwarded-host", "a.example"),
            ][..],
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "a.example/path"),
            ],
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "user@a.example"),
            ],
            &[("x-forwarded-proto", "https")],
        ] {
            assert_eq!(
                public.request_url(&parts("/o", bad)),
                "https://internal:8080/o",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_unusable_bases() {
        for bad in [
            "api.example.com",
            "ftp://a.example",
            "https://a.example/?q",
            "https://u:p@a.example",
        ] {
            assert!(PublicUrl::new(bad).is_err(), "{bad}");
        }
    }
}
