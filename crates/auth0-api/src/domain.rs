//! Turning a configured Auth0 domain into the issuer it stands for.

use url::{Host, Url};

/// Why a domain was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DomainProblem {
    Empty,
    Unparsable,
    Scheme,
    InsecureHttp,
    Credentials,
    Path,
    Query,
    Fragment,
}

impl DomainProblem {
    pub(crate) const fn reason(self) -> &'static str {
        match self {
            Self::Empty => "is empty",
            Self::Unparsable => "is not a host name or URL",
            Self::Scheme => "must use https",
            Self::InsecureHttp => "uses http, which is only allowed for loopback hosts",
            Self::Credentials => "must not contain credentials",
            Self::Path => "must not contain a path",
            Self::Query => "must not contain a query",
            Self::Fragment => "must not contain a fragment",
        }
    }
}

/// The issuer URL for a configured domain: `https://{host}/`.
///
/// Accepts `tenant.auth0.com`, `https://tenant.auth0.com` and
/// `https://tenant.auth0.com/` (the three spellings Auth0's SDKs accept),
/// with an optional port. `http://` is accepted only for loopback hosts
/// (`localhost`, `127.0.0.0/8`, `[::1]`), so a local issuer works over plain
/// HTTP while a typo can never downgrade a real tenant.
pub(crate) fn issuer_for(domain: &str) -> Result<String, DomainProblem> {
    let domain = domain.trim();
    if domain.is_empty() {
        return Err(DomainProblem::Empty);
    }
    let with_scheme = if domain.contains("://") {
        domain.to_owned()
    } else {
        format!("https://{domain}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| DomainProblem::Unparsable)?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(DomainProblem::InsecureHttp),
        _ => return Err(DomainProblem::Scheme),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DomainProblem::Credentials);
    }
    if url.path() != "/" {
        return Err(DomainProblem::Path);
    }
    if url.query().is_some() {
        return Err(DomainProblem::Query);
    }
    if url.fragment().is_some() {
        return Err(DomainProblem::Fragment);
    }
    let Some(host) = url.host_str() else {
        return Err(DomainProblem::Unparsable);
    };
    Ok(match url.port() {
        Some(port) => format!("{}://{host}:{port}/", url.scheme()),
        None => format!("{}://{host}/", url.scheme()),
    })
}

/// Whether the URL's host is a loopback address or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_three_auth0_spellings() {
        for d in [
            "tenant.auth0.com",
            "https://tenant.auth0.com",
            "https://tenant.auth0.com/",
            "  TENANT.auth0.com ",
        ] {
            assert_eq!(issuer_for(d).unwrap(), "https://tenant.auth0.com/", "{d}");
        }
        assert_eq!(
            issuer_for("https://auth.example.com:8443").unwrap(),
            "https://auth.example.com:8443/"
        );
    }

    #[test]
    fn http_only_for_loopback() {
        assert_eq!(
            issuer_for("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            issuer_for("http://localhost:3000/").unwrap(),
            "http://localhost:3000/"
        );
        assert_eq!(
            issuer_for("http://[::1]:9000").unwrap(),
            "http://[::1]:9000/"
        );
        assert_eq!(issuer_for("http://127.9.9.9").unwrap(), "http://127.9.9.9/");
        for d in [
            "http://tenant.auth0.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            assert_eq!(issuer_for(d), Err(DomainProblem::InsecureHttp), "{d}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        let cases = [
            ("", DomainProblem::Empty),
            ("https://", DomainProblem::Unparsable),
            ("ftp://tenant.auth0.com", DomainProblem::Scheme),
            (
                "https://user:pw@tenant.auth0.com",
                DomainProblem::Credentials,
            ),
            ("https://tenant.auth0.com/path", DomainProblem::Path),
            ("tenant.auth0.com/path", DomainProblem::Path),
            ("https://tenant.auth0.com/?q=1", DomainProblem::Query),
            ("https://tenant.auth0.com/#f", DomainProblem::Fragment),
        ];
        for (d, problem) in cases {
            assert_eq!(issuer_for(d), Err(problem), "{d}");
        }
    }
}
