//! Rebuilding the URL a client called, for the DPoP `htu` check.

use http::request::Parts;
use http::{HeaderMap, Uri};
use url::Url;

use crate::configuration::ConfigurationError;
use crate::error::{AuthError, AuthErrorKind};

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
/// [`PublicUrl::request_url`] builds it from a request's parts;
/// [`PublicUrl::url_for`] from a URI and headers, for a framework whose
/// parts no longer hold the URI the client called.
///
/// ```
/// use auth0_api::PublicUrl;
///
/// let public = PublicUrl::new("https://api.example.com")?;
/// let request = http::Request::get("/orders?page=2").body(())?;
/// let (parts, _) = request.into_parts();
/// assert_eq!(public.request_url(&parts)?, "https://api.example.com/orders");
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
    /// when both are present. Only for a proxy you control that sets (not
    /// appends to) these headers.
    ///
    /// They must then be well-formed, or [`PublicUrl::request_url`] refuses
    /// the request (400 `invalid_request`): `X-Forwarded-Proto` is `http` or
    /// `https`, and `X-Forwarded-Host` is exactly `host` or `host:port`
    /// (compared without regard to case), one value in one header field.
    /// Anything a URL parser would read as more or other than that (a path,
    /// a `?` or `#`, credentials, percent-escapes, a list, a default port
    /// spelled out) is refused rather than repaired, so that the URL a DPoP
    /// proof is checked against is never one the route did not serve.
    ///
    /// Default: `false`.
    #[must_use]
    pub fn trust_forwarded_headers(mut self, trust: bool) -> Self {
        self.trust_forwarded = trust;
        self
    }

    /// The URL the client called for this request (query dropped, as `htu`
    /// ignores it): [`PublicUrl::url_for`] the request's URI and headers.
    ///
    /// # Errors
    ///
    /// As [`PublicUrl::url_for`].
    pub fn request_url(&self, parts: &Parts) -> Result<String, AuthError> {
        self.url_for(&parts.uri, &parts.headers)
    }

    /// The URL the client called, for a request to `uri` (the request
    /// target: only its path is used, the query is dropped as `htu` ignores
    /// it) with these `headers` (looked at only for the forwarded ones,
    /// when trusted).
    ///
    /// For when the URI the client called is not the one in the request
    /// parts: a framework that strips a mount prefix before the handler
    /// (axum's `Router::nest`, say) keeps the original elsewhere, and that
    /// is the one to pass.
    ///
    /// ```
    /// use auth0_api::PublicUrl;
    /// use http::{HeaderMap, Uri};
    ///
    /// let public = PublicUrl::new("https://api.example.com")?;
    /// let called: Uri = "/api/orders?page=2".parse()?;
    /// let url = public.url_for(&called, &HeaderMap::new())?;
    /// assert_eq!(url, "https://api.example.com/api/orders");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// With [`PublicUrl::trust_forwarded_headers`], an [`AuthError`] of
    /// kind [`AuthErrorKind::InvalidRequest`] (400 `invalid_request`) when
    /// `X-Forwarded-Proto` or `X-Forwarded-Host` is present and malformed.
    /// Without it, never.
    pub fn url_for(&self, uri: &Uri, headers: &HeaderMap) -> Result<String, AuthError> {
        let path = uri.path();
        if self.trust_forwarded
            && let Some(origin) = forwarded_origin(headers)?
        {
            // The base's path prefix still applies behind the proxy.
            let prefix = Url::parse(&self.base)
                .map(|u| u.path().trim_end_matches('/').to_owned())
                .unwrap_or_default();
            return Ok(format!("{origin}{prefix}{path}"));
        }
        Ok(format!("{}{path}", self.base))
    }
}

/// `scheme://host[:port]` from the forwarded headers when both are present;
/// `None` when either is absent. A present header that is not exactly what
/// a proxy that sets it writes is an error.
fn forwarded_origin(headers: &HeaderMap) -> Result<Option<String>, AuthError> {
    let proto = forwarded_header(headers, "X-Forwarded-Proto")?;
    let host = forwarded_header(headers, "X-Forwarded-Host")?;
    let scheme = match proto {
        Some(p) if p.eq_ignore_ascii_case("https") => Some("https"),
        Some(p) if p.eq_ignore_ascii_case("http") => Some("http"),
        Some(p) => return Err(malformed("X-Forwarded-Proto", p, "is not http or https")),
        None => None,
    };
    let (Some(scheme), Some(host)) = (scheme, host) else {
        return Ok(None);
    };
    // Parsed, the origin must be `/`-rooted and serialize back to exactly
    // what was written: then the header held `host[:port]` and nothing a
    // parser would read as a path, query, fragment or userinfo, or decode
    // (`%2e`, IDNA). Serializing back alone would let `user@host` and
    // `host/` (path `//`) through.
    let written = format!("{scheme}://{host}/");
    let parsed = Url::parse(&written)
        .map_err(|_| malformed("X-Forwarded-Host", host, "is not host[:port]"))?;
    let only_an_origin = parsed.path() == "/"
        && parsed.query().is_none()
        && parsed.fragment().is_none()
        && parsed.username().is_empty()
        && parsed.password().is_none();
    if !only_an_origin || !parsed.as_str().eq_ignore_ascii_case(&written) {
        return Err(malformed("X-Forwarded-Host", host, "is not host[:port]"));
    }
    Ok(Some(parsed.as_str().trim_end_matches('/').to_owned()))
}

/// The one value of a forwarded header, if present: several fields, a
/// comma-separated list, an empty or non-ASCII value are malformed (a proxy
/// that sets the header writes exactly one value).
fn forwarded_header<'a>(
    headers: &'a HeaderMap,
    name: &'static str,
) -> Result<Option<&'a str>, AuthError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(AuthError::new(
            AuthErrorKind::InvalidRequest,
            format!("more than one {name} header"),
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| {
            AuthError::new(
                AuthErrorKind::InvalidRequest,
                format!("{name} header is not visible ASCII"),
            )
        })?
        .trim_matches([' ', '\t']);
    if value.is_empty() || value.contains(',') {
        return Err(malformed(name, value, "is not a single value"));
    }
    Ok(Some(value))
}

fn malformed(header: &str, value: &str, problem: &str) -> AuthError {
    AuthError::new(
        AuthErrorKind::InvalidRequest,
        format!(
            "{header} {:?} {problem}",
            jose_core::excerpt(value, jose_core::EXCERPT_LEN)
        ),
    )
}

/// Whether the path of `url` (absolute, or a path alone) has a `.` or `..`
/// segment, spelled literally or with `%2e` escapes (`/a/../b`, `/./`,
/// `/a/%2E%2e/b`, `.%2e`), with `\` read as `/` and tabs and newlines
/// ignored as the WHATWG URL parser does.
///
/// Such a path is resolved by the `htu` comparison (RFC 3986 section 5.2.4)
/// but usually not by the router that chose the route, so a proof for
/// `/admin` would pass on `/orders/../admin` routed as `/orders/{id}/admin`.
/// Clients resolve dot segments before sending, so a request carrying one
/// is refused, not normalised. Segments before the path (the scheme, the
/// authority) are never `.` or `..` in a usable URL, so the whole text up
/// to the query is scanned.
pub(crate) fn has_dot_segment(url: &str) -> bool {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].split(['/', '\\']).any(is_dot_segment)
}

/// `.` or `..`, each dot possibly spelled `%2e` or `%2E`.
fn is_dot_segment(segment: &str) -> bool {
    let mut bytes = segment
        .bytes()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'));
    let mut dots = 0;
    while let Some(b) = bytes.next() {
        let is_dot = match b {
            b'.' => true,
            b'%' => bytes.next() == Some(b'2') && matches!(bytes.next(), Some(b'e' | b'E')),
            _ => false,
        };
        if !is_dot {
            return false;
        }
        dots += 1;
    }
    matches!(dots, 1 | 2)
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
                ("x-forwarded-host", "evil.example?"),
                ("x-forwarded-proto", "gopher"),
            ],
        );
        assert_eq!(
            public.request_url(&p).unwrap(),
            "https://api.example.com/orders/7"
        );
        let prefixed = PublicUrl::new("https://example.com/api").unwrap();
        assert_eq!(
            prefixed.request_url(&parts("/orders", &[])).unwrap(),
            "https://example.com/api/orders"
        );
    }

    fn trusting() -> PublicUrl {
        PublicUrl::new("https://internal:8080")
            .unwrap()
            .trust_forwarded_headers(true)
    }

    fn forwarded(proto: &str, host: &str) -> Result<String, AuthError> {
        trusting().request_url(&parts(
            "/admin/delete-everything",
            &[("x-forwarded-proto", proto), ("x-forwarded-host", host)],
        ))
    }

    #[test]
    fn forwarded_host_and_port_are_used_when_trusted() {
        for (proto, host, url) in [
            ("https", "api.example.com", "https://api.example.com"),
            ("HTTPS", "API.Example.com", "https://api.example.com"),
            (
                "http",
                "api.example.com:8080",
                "http://api.example.com:8080",
            ),
            ("https", "127.0.0.1:8443", "https://127.0.0.1:8443"),
            ("https", "[::1]:8443", "https://[::1]:8443"),
        ] {
            assert_eq!(
                forwarded(proto, host).unwrap(),
                format!("{url}/admin/delete-everything"),
                "{proto} {host}"
            );
        }
        let prefixed = PublicUrl::new("https://internal/api")
            .unwrap()
            .trust_forwarded_headers(true);
        let p = parts(
            "/orders",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "api.example.com"),
            ],
        );
        assert_eq!(
            prefixed.request_url(&p).unwrap(),
            "https://api.example.com/api/orders"
        );
    }

    #[test]
    fn a_forwarded_host_that_is_not_host_and_port_is_invalid_request() {
        for bad in [
            "api.example.com?",
            "api.example.com#",
            "api.example.com/",
            "a.example/path",
            "user@a.example",
            "user:pw@a.example",
            "api.example.com:443",
            "api%2eexample.com",
            "api.example.com\\x",
            "a.example, b.example",
            "a.example:99999",
            "[::0:1]",
            "",
            "bad host",
        ] {
            let Err(error) = forwarded("https", bad) else {
                panic!("{bad:?} accepted");
            };
            assert_eq!(error.kind(), AuthErrorKind::InvalidRequest, "{bad:?}");
            assert_eq!(
                (error.status_code(), error.error_code()),
                (400, "invalid_request"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_forwarded_proto_other_than_http_or_https_is_invalid_request() {
        for bad in ["gopher", "https, http", "ws", "https:", ""] {
            let error = forwarded(bad, "api.example.com").unwrap_err();
            assert_eq!(error.kind(), AuthErrorKind::InvalidRequest, "{bad:?}");
        }
    }

    #[test]
    fn repeated_forwarded_headers_are_invalid_request() {
        let p = parts(
            "/o",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "a.example"),
                ("x-forwarded-host", "b.example"),
            ],
        );
        assert_eq!(
            trusting().request_url(&p).unwrap_err().kind(),
            AuthErrorKind::InvalidRequest
        );
    }

    #[test]
    fn without_both_forwarded_headers_the_base_is_used() {
        for headers in [
            &[("x-forwarded-proto", "https")][..],
            &[("x-forwarded-host", "a.example")],
            &[],
        ] {
            assert_eq!(
                trusting().request_url(&parts("/o", headers)).unwrap(),
                "https://internal:8080/o",
                "{headers:?}"
            );
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        parts("/", pairs).headers
    }

    #[test]
    fn url_for_takes_the_path_of_the_given_uri_and_drops_the_query() {
        let public = PublicUrl::new("https://example.com/api").unwrap();
        let forwarded = headers(&[
            ("x-forwarded-proto", "http"),
            ("x-forwarded-host", "proxy.example:8443"),
        ]);
        for uri in [
            "/v1/orders/7?page=2&sort=asc",
            "https://internal:9000/v1/orders/7?page=2",
        ] {
            let uri: Uri = uri.parse().unwrap();
            // Untrusted forwarded headers change nothing.
            assert_eq!(
                public.url_for(&uri, &forwarded).unwrap(),
                "https://example.com/api/v1/orders/7",
                "{uri}"
            );
            // Trusted ones give scheme and host; the base's prefix stays.
            assert_eq!(
                public
                    .clone()
                    .trust_forwarded_headers(true)
                    .url_for(&uri, &forwarded)
                    .unwrap(),
                "http://proxy.example:8443/api/v1/orders/7",
                "{uri}"
            );
        }
        // Trusted but malformed: refused, whatever the URI.
        let bad = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "a.example/admin?"),
        ]);
        let uri = Uri::from_static("/v1/orders?x=1");
        assert_eq!(
            public.url_for(&uri, &bad).unwrap(),
            "https://example.com/api/v1/orders"
        );
        assert_eq!(
            public
                .trust_forwarded_headers(true)
                .url_for(&uri, &bad)
                .unwrap_err()
                .kind(),
            AuthErrorKind::InvalidRequest
        );
    }

    #[test]
    fn request_url_is_url_for_the_parts_uri_and_headers() {
        let p = parts(
            "/orders/7?page=2",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "api.example.com"),
            ],
        );
        for trust in [false, true] {
            let public = trusting().trust_forwarded_headers(trust);
            assert_eq!(
                public.request_url(&p).unwrap(),
                public.url_for(&p.uri, &p.headers).unwrap(),
                "trust {trust}"
            );
        }
    }

    #[test]
    fn dot_segments_literal_or_escaped_are_found() {
        for bad in [
            "https://api.example.com/orders/../admin",
            "https://api.example.com/orders/%2e%2e/admin",
            "https://api.example.com/orders/%2E%2E/admin",
            "https://api.example.com/orders/.%2e/admin",
            "https://api.example.com/orders/%2e./admin",
            "https://api.example.com/./admin",
            "https://api.example.com/%2e/admin",
            "https://api.example.com/%2E",
            "https://api.example.com/orders/..",
            "https://api.example.com/orders\\..\\admin",
            "https://api.example.com/orders/.\t./admin",
            "/orders/../admin?x=1",
            "/./",
        ] {
            assert!(has_dot_segment(bad), "{bad:?}");
        }
        for good in [
            "https://api.example.com/orders/7/admin",
            "https://api.example.com/",
            "https://api.example.com",
            "https://api.example.com/.well-known/x",
            "https://api.example.com/a.b/...",
            "https://api.example.com/%2e%2e%2e",
            "https://api.example.com/%252e%252e/admin",
            "https://api.example.com/%2f..x",
            "https://api.example.com/orders?next=/../admin",
            "https://api.example.com/orders#/../admin",
            "/orders",
        ] {
            assert!(!has_dot_segment(good), "{good:?}");
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
