//! What the verifier needs to know about the HTTP request.

use std::fmt;

use url::Url;

/// The parts of an HTTP request a proof is checked against.
///
/// ```
/// let headers = ["eyJ...proof"];
/// let request = dpop::Request::new(&headers, "GET", "https://api.example.com/orders")
///     .access_token("the-access-token")
///     .expected_jkt("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
/// # let _ = request;
/// ```
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub(crate) proofs: &'a [&'a str],
    pub(crate) method: &'a str,
    pub(crate) url: Target<'a>,
    pub(crate) access_token: Option<&'a str>,
    pub(crate) expected_jkt: Option<&'a str>,
}

#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Str(&'a str),
    Url(&'a Url),
}

impl<'a> Request<'a> {
    /// A request with these `DPoP` header values (one entry per header
    /// field, as received: zero, one or several), its method and its full
    /// URL as the client addressed it (scheme, host, port, path; the query
    /// is ignored).
    ///
    /// Behind a reverse proxy, build the URL from the public origin (e.g.
    /// `X-Forwarded-Proto`/`Host` you trust), not the internal one.
    pub fn new(proofs: &'a [&'a str], method: &'a str, url: &'a str) -> Self {
        Self::with_target(proofs, method, Target::Str(url))
    }

    /// As [`Request::new`], with an already parsed URL.
    pub fn with_url(proofs: &'a [&'a str], method: &'a str, url: &'a Url) -> Self {
        Self::with_target(proofs, method, Target::Url(url))
    }

    fn with_target(proofs: &'a [&'a str], method: &'a str, url: Target<'a>) -> Self {
        Self {
            proofs,
            method,
            url,
            access_token: None,
            expected_jkt: None,
        }
    }

    /// The access token presented with the proof (`Authorization: DPoP
    /// <token>`): the proof must then carry its hash as `ath`.
    ///
    /// Default: none (a token request, where there is no token yet).
    pub fn access_token(mut self, access_token: &'a str) -> Self {
        self.access_token = Some(access_token);
        self
    }

    /// The thumbprint the proof's key must have: the access token's
    /// `cnf.jkt`.
    ///
    /// Default: none (any key).
    pub fn expected_jkt(mut self, jkt: &'a str) -> Self {
        self.expected_jkt = Some(jkt);
        self
    }
}

impl fmt::Debug for Request<'_> {
    // Proofs and access tokens are secrets, and a URL may carry secrets in
    // its query, so only their presence is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("proofs", &self.proofs.len())
            .field("method", &self.method)
            .field("access_token", &self.access_token.map(|_| "<redacted>"))
            .field("expected_jkt", &self.expected_jkt)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_proof_token_and_url() {
        let proofs = ["proof-secret"];
        let request = Request::new(&proofs, "GET", "https://a.example/r?key=url-secret")
            .access_token("token-secret");
        let debug = format!("{request:?}");
        assert!(debug.contains("GET"));
        for secret in ["proof-secret", "url-secret", "token-secret"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
