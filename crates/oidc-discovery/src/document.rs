//! The OpenID Provider metadata document (OpenID Connect Discovery 1.0,
//! section 3) and where to find it.

use serde_json::{Map, Value};
use url::Url;

use crate::error::{DocumentError, Error, excerpt};
use crate::url_policy;

const WELL_KNOWN: &str = ".well-known/openid-configuration";

/// A validated discovery document: its `issuer` is exactly the one asked
/// for, and its `jwks_uri` is a URL the fetch policy allows.
///
/// Only this crate builds one, after those checks.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveryDocument {
    issuer: String,
    jwks_uri: Url,
    token_endpoint: Option<Url>,
    other: Map<String, Value>,
}

impl DiscoveryDocument {
    /// Parses and validates the document fetched from `url` for
    /// `expected_issuer`.
    pub(crate) fn from_slice(
        url: &Url,
        expected_issuer: &str,
        bytes: &[u8],
    ) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| DocumentError::NotJson {
            url: url.clone(),
            source: e.into(),
        })?;
        let Value::Object(mut other) = value else {
            return Err(DocumentError::NotAnObject { url: url.clone() }.into());
        };
        let missing = |member| {
            Error::from(DocumentError::MissingMember {
                url: url.clone(),
                member,
            })
        };
        let invalid = |member, reason| {
            Error::from(DocumentError::InvalidMember {
                url: url.clone(),
                member,
                reason,
            })
        };

        let issuer = match other.remove("issuer") {
            Some(Value::String(issuer)) => issuer,
            Some(_) => return Err(invalid("issuer", "not a string")),
            None => return Err(missing("issuer")),
        };
        if issuer != expected_issuer {
            return Err(DocumentError::IssuerMismatch {
                url: url.clone(),
                expected: expected_issuer.to_owned(),
                found: excerpt(&issuer),
            }
            .into());
        }

        let jwks_uri = match other.remove("jwks_uri") {
            Some(Value::String(uri)) => {
                Url::parse(&uri).map_err(|_| invalid("jwks_uri", "not an absolute URL"))?
            }
            Some(_) => return Err(invalid("jwks_uri", "not a string")),
            None => return Err(missing("jwks_uri")),
        };
        url_policy::check(&jwks_uri).map_err(|r| invalid("jwks_uri", r.reason()))?;
        if url.scheme() == "https" && jwks_uri.scheme() != "https" {
            return Err(invalid("jwks_uri", "http under an https issuer"));
        }

        let token_endpoint = match other.remove("token_endpoint") {
            Some(Value::String(uri)) => Some(
                Url::parse(&uri).map_err(|_| invalid("token_endpoint", "not an absolute URL"))?,
            ),
            Some(_) => return Err(invalid("token_endpoint", "not a string")),
            None => None,
        };

        Ok(Self {
            issuer,
            jwks_uri,
            token_endpoint,
            other,
        })
    }

    /// `issuer`: equal to the issuer it was discovered for.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `jwks_uri`: where the issuer publishes its signing keys.
    pub fn jwks_uri(&self) -> &Url {
        &self.jwks_uri
    }

    /// `token_endpoint`, if published.
    pub fn token_endpoint(&self) -> Option<&Url> {
        self.token_endpoint.as_ref()
    }

    /// Any other member, as published (`issuer`, `jwks_uri` and
    /// `token_endpoint` have their own accessors).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.other.get(name)
    }

    /// Every member other than `issuer`, `jwks_uri` and `token_endpoint`.
    pub fn other_members(&self) -> &Map<String, Value> {
        &self.other
    }
}

/// Where `issuer`'s discovery document lives: the issuer with any trailing
/// `/` removed, then `/.well-known/openid-configuration` (OpenID Connect
/// Discovery 1.0, section 4.1). `https://tenant.auth0.com/` becomes
/// `https://tenant.auth0.com/.well-known/openid-configuration`, and
/// `https://host/tenant` becomes `https://host/tenant/.well-known/openid-configuration`.
///
/// # Errors
///
/// [`Error::InvalidIssuer`] when `issuer` is not an absolute URL, has
/// credentials, a query or a fragment, or uses `http` on a host that is not
/// loopback.
pub fn well_known_url(issuer: &str) -> Result<Url, Error> {
    let invalid = |reason| Error::invalid_issuer(issuer, reason);
    let mut url = Url::parse(issuer).map_err(|_| invalid("not an absolute URL"))?;
    url_policy::check(&url).map_err(|refusal| invalid(refusal.reason()))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("an issuer has no query or fragment"));
    }
    let path = format!("{}/{WELL_KNOWN}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://tenant.auth0.com/";

    fn url() -> Url {
        well_known_url(ISSUER).unwrap()
    }

    fn parse(json: &str) -> Result<DiscoveryDocument, Error> {
        DiscoveryDocument::from_slice(&url(), ISSUER, json.as_bytes())
    }

    fn rejection(json: &str) -> DocumentError {
        parse(json).unwrap_err().document_error().cloned().unwrap()
    }

    #[test]
    fn well_known_url_handles_trailing_slashes_and_paths() {
        for (issuer, expected) in [
            (
                "https://tenant.auth0.com/",
                "https://tenant.auth0.com/.well-known/openid-configuration",
            ),
            (
                "https://tenant.auth0.com",
                "https://tenant.auth0.com/.well-known/openid-configuration",
            ),
            (
                "https://host.example/tenant/",
                "https://host.example/tenant/.well-known/openid-configuration",
            ),
            (
                "http://127.0.0.1:4000/",
                "http://127.0.0.1:4000/.well-known/openid-configuration",
            ),
        ] {
            assert_eq!(well_known_url(issuer).unwrap().as_str(), expected);
        }
    }

    #[test]
    fn unusable_issuers_are_the_callers_error() {
        for issuer in [
            "tenant.auth0.com",
            "",
            "http://tenant.auth0.com/",
            "https://tenant.auth0.com/?x=1",
            "https://tenant.auth0.com/#f",
            "https://user:secret@tenant.auth0.com/",
            "ftp://tenant.auth0.com/",
        ] {
            let error = well_known_url(issuer).unwrap_err();
            assert!(matches!(error, Error::InvalidIssuer { .. }), "{issuer}");
            assert!(!error.to_string().contains("secret") || issuer.contains("secret"));
        }
    }

    #[test]
    fn a_good_document_keeps_every_member() {
        let doc = parse(
            r#"{"issuer":"https://tenant.auth0.com/",
                "jwks_uri":"https://tenant.auth0.com/.well-known/jwks.json",
                "token_endpoint":"https://tenant.auth0.com/oauth/token",
                "id_token_signing_alg_values_supported":["RS256"]}"#,
        )
        .unwrap();
        assert_eq!(doc.issuer(), ISSUER);
        assert_eq!(
            doc.jwks_uri().as_str(),
            "https://tenant.auth0.com/.well-known/jwks.json"
        );
        assert_eq!(
            doc.token_endpoint().map(Url::as_str),
            Some("https://tenant.auth0.com/oauth/token")
        );
        assert_eq!(
            doc.get("id_token_signing_alg_values_supported"),
            Some(&serde_json::json!(["RS256"]))
        );
        assert_eq!(doc.other_members().len(), 1);
    }

    #[test]
    fn issuer_must_match_exactly() {
        for found in [
            "https://tenant.auth0.com",
            "https://evil.example/",
            "https://TENANT.auth0.com/",
        ] {
            let json = format!(r#"{{"issuer":"{found}","jwks_uri":"https://tenant.auth0.com/j"}}"#);
            match rejection(&json) {
                DocumentError::IssuerMismatch {
                    expected, found: f, ..
                } => {
                    assert_eq!(expected, ISSUER);
                    assert_eq!(f, found);
                }
                other => panic!("{found}: {other:?}"),
            }
        }
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        let member = |json: &str| match rejection(json) {
            DocumentError::MissingMember { member, .. } => ("missing", member),
            DocumentError::InvalidMember { member, .. } => ("invalid", member),
            other => panic!("{json}: {other:?}"),
        };
        assert!(matches!(rejection("<html>"), DocumentError::NotJson { .. }));
        assert!(matches!(
            rejection("[1]"),
            DocumentError::NotAnObject { .. }
        ));
        assert_eq!(member("{}"), ("missing", "issuer"));
        assert_eq!(member(r#"{"issuer":1}"#), ("invalid", "issuer"));
        assert_eq!(
            member(r#"{"issuer":"https://tenant.auth0.com/"}"#),
            ("missing", "jwks_uri")
        );
        for jwks_uri in [
            r#""/relative""#,
            "7",
            r#""http://tenant.auth0.com/j""#,
            r#""http://127.0.0.1/j""#,
            r#""file:///etc/passwd""#,
        ] {
            let json = format!(r#"{{"issuer":"https://tenant.auth0.com/","jwks_uri":{jwks_uri}}}"#);
            assert_eq!(member(&json), ("invalid", "jwks_uri"), "{jwks_uri}");
        }
        assert_eq!(
            member(
                r#"{"issuer":"https://tenant.auth0.com/","jwks_uri":"https://t/j","token_endpoint":"x"}"#
            ),
            ("invalid", "token_endpoint")
        );
    }

    #[test]
    fn a_loopback_issuer_may_use_http() {
        let issuer = "http://127.0.0.1:4000/";
        let url = well_known_url(issuer).unwrap();
        let json = r#"{"issuer":"http://127.0.0.1:4000/","jwks_uri":"http://127.0.0.1:4000/jwks"}"#;
        let doc = DiscoveryDocument::from_slice(&url, issuer, json.as_bytes()).unwrap();
        assert_eq!(doc.jwks_uri().port(), Some(4000));
    }
}
