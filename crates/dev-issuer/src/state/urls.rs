//! The issuer's URLs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::endpoint::Endpoint;

/// The issuer's URLs, fixed once the socket is bound.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub(super) issuer: String,
    pub(super) discovery: String,
    pub(super) jwks_uri: String,
    pub(super) token_endpoint: String,
    pub(super) authorization_endpoint: String,
    pub(super) registration_endpoint: String,
    pub(super) authorization_server_metadata: String,
}

impl Urls {
    /// URLs for a server bound to `addr`. An unspecified bind address
    /// (`0.0.0.0`, `[::]`) is named by its loopback address, which reaches it.
    pub(crate) fn for_addr(addr: SocketAddr) -> Self {
        let ip = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let base = format!("http://{}", SocketAddr::new(ip, addr.port()));
        let url = |endpoint: Endpoint| format!("{base}{}", endpoint.path());
        Self {
            issuer: format!("{base}/"),
            discovery: url(Endpoint::Discovery),
            jwks_uri: url(Endpoint::Jwks),
            token_endpoint: url(Endpoint::Token),
            authorization_endpoint: url(Endpoint::Authorize),
            registration_endpoint: url(Endpoint::Registration),
            authorization_server_metadata: url(Endpoint::AuthorizationServerMetadata),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_loopback_for_unspecified_addresses() {
        let urls = Urls::for_addr("0.0.0.0:8080".parse().unwrap());
        assert_eq!(urls.issuer, "http://127.0.0.1:8080/");
        assert_eq!(
            urls.discovery,
            "http://127.0.0.1:8080/.well-known/openid-configuration"
        );
        assert_eq!(urls.jwks_uri, "http://127.0.0.1:8080/.well-known/jwks.json");
        assert_eq!(urls.token_endpoint, "http://127.0.0.1:8080/oauth/token");
        assert_eq!(
            urls.authorization_endpoint,
            "http://127.0.0.1:8080/authorize"
        );
        assert_eq!(
            urls.registration_endpoint,
            "http://127.0.0.1:8080/oidc/register"
        );
        assert_eq!(
            urls.authorization_server_metadata,
            "http://127.0.0.1:8080/.well-known/oauth-authorization-server"
        );
        let urls = Urls::for_addr("[::]:9".parse().unwrap());
        assert_eq!(urls.issuer, "http://[::1]:9/");
    }
}
