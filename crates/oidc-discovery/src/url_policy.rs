//! Which URLs may be fetched: `https` anywhere, plain `http` only on
//! loopback hosts, never with credentials. Checked before any connection,
//! for the first request and for every redirect.

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::FetchError;

/// Why a URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `http` to a host that is not loopback.
    Insecure,
    /// Not fetchable at all.
    Unsupported(&'static str),
}

impl Refusal {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Insecure => "http is only allowed for loopback hosts",
            Self::Unsupported(reason) => reason,
        }
    }

    pub(crate) fn into_fetch_error(self, url: &Url) -> FetchError {
        match self {
            Self::Insecure => FetchError::InsecureUrl { url: url.clone() },
            Self::Unsupported(reason) => FetchError::UnsupportedUrl {
                url: without_credentials(url),
                reason,
            },
        }
    }
}

/// Checks `url` against the policy.
pub(crate) fn check(url: &Url) -> Result<(), Refusal> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Unsupported("credentials in the URL are not sent"));
    }
    let Some(host) = url.host() else {
        return Err(Refusal::Unsupported("the URL has no host"));
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&host) => Ok(()),
        "http" => Err(Refusal::Insecure),
        _ => Err(Refusal::Unsupported(
            "only https (or http on loopback) is fetched",
        )),
    }
}

/// `localhost`, `127.0.0.0/8` or `[::1]`.
///
/// Only the name `localhost` itself counts: its subdomains are ordinary DNS
/// names that could resolve anywhere.
pub(crate) fn is_loopback<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        Host::Domain(name) => name.as_ref().eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Where a redirect from `from` to `location` leads, if it may be followed.
///
/// Refused: an unparsable location, any step from `https` down to `http`
/// (even on loopback: a TLS-protected answer must not hand over to an
/// unprotected one), and any target the policy refuses.
pub(crate) fn redirect_target(from: &Url, location: &str) -> Result<Url, &'static str> {
    let target = from
        .join(location)
        .map_err(|_| "the location is not a valid URL")?;
    if from.scheme() == "https" && target.scheme() != "https" {
        return Err("redirects from https to http are never followed");
    }
    check(&target).map_err(Refusal::reason)?;
    Ok(target)
}

/// `url` with any user name and password removed, for error messages.
pub(crate) fn without_credentials(url: &Url) -> Url {
    let mut url = url.clone();
    // Both fail only for URLs that cannot have credentials in the first
    // place, which then have none to remove.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_str(url: &str) -> Result<(), Refusal> {
        check(&Url::parse(url).unwrap())
    }

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://tenant.auth0.com/",
            "https://10.0.0.1/jwks",
            "http://localhost:8080/",
            "http://LOCALHOST/",
            "http://127.0.0.1:1/",
            "http://127.255.3.4/",
            "http://[::1]:9000/x",
        ] {
            assert_eq!(check_str(ok), Ok(()), "{ok}");
        }
        for insecure in [
            "http://example.com/",
            "http://localhost.example.com/",
            "http://sub.localhost/",
            "http://128.0.0.1/",
            "http://0.0.0.0/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::]/",
            "http://10.0.0.1/",
        ] {
            assert_eq!(check_str(insecure), Err(Refusal::Insecure), "{insecure}");
        }
    }

    #[test]
    fn other_schemes_and_credentials_are_refused() {
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "data:text/plain,hi",
            "https://user:secret@tenant.auth0.com/",
            "https://user@tenant.auth0.com/",
        ] {
            assert!(
                matches!(check_str(bad), Err(Refusal::Unsupported(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn refusal_errors_never_repeat_credentials() {
        let url = Url::parse("https://user:hunter2@tenant.auth0.com/").unwrap();
        let error = check(&url).unwrap_err().into_fetch_error(&url);
        let text = error.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("user"),
            "{text}"
        );
        assert!(error.is_refused_before_connecting());
    }

    #[test]
    fn redirects_never_go_from_https_to_http() {
        let https = Url::parse("https://tenant.auth0.com/a").unwrap();
        assert_eq!(
            redirect_target(&https, "/b").unwrap().as_str(),
            "https://tenant.auth0.com/b"
        );
        assert!(redirect_target(&https, "http://tenant.auth0.com/b").is_err());
        assert!(
            redirect_target(&https, "http://127.0.0.1/b").is_err(),
            "not even to loopback"
        );
        let http = Url::parse("http://127.0.0.1:8080/a").unwrap();
        assert!(redirect_target(&http, "http://localhost:9/b").is_ok());
        assert!(redirect_target(&http, "https://tenant.auth0.com/b").is_ok());
        assert_eq!(
            redirect_target(&http, "http://example.com/b"),
            Err(Refusal::Insecure.reason())
        );
        assert!(redirect_target(&http, "http://[bad").is_err());
    }
}
