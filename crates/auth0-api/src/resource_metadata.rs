//! OAuth 2.0 Protected Resource Metadata (RFC 9728).
//!
//! Served at `/.well-known/oauth-protected-resource`, this document tells a
//! client which authorization servers issue tokens for this API, which
//! scopes exist and how tokens must be presented (MCP clients rely on it).

use serde_json::{Map, Value};
use url::Url;

use crate::domain;
use crate::scheme::DpopMode;

/// The well-known path of the document (RFC 9728 section 3).
pub(crate) const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Builds an RFC 9728 metadata document.
///
/// Give one to [`ApiClientOptions::resource_metadata`](crate::ApiClientOptions::resource_metadata)
/// and the [`ApiClient`](crate::ApiClient) completes it from its own
/// configuration (the authorization servers from its domains, the DPoP
/// members from its mode), names it in every challenge, and hands it out
/// with [`ApiClient::resource_metadata`](crate::ApiClient::resource_metadata)
/// for serving (`auth0_api_axum::resource_metadata_router`). On its own,
/// it builds the document as written:
///
/// ```
/// use auth0_api::ProtectedResourceMetadata;
///
/// let doc = ProtectedResourceMetadata::new("https://api.example.com")
///     .authorization_server("https://tenant.auth0.com/")
///     .scopes_supported(["read:messages", "write:messages"])
///     .dpop_bound_access_tokens_required(true)
///     .to_json();
/// assert_eq!(doc["resource"], "https://api.example.com");
/// assert_eq!(doc["bearer_methods_supported"][0], "header");
/// assert_eq!(doc["dpop_signing_alg_values_supported"][0], "ES256");
/// ```
#[derive(Debug, Clone)]
pub struct ProtectedResourceMetadata {
    resource: String,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
    resource_name: Option<String>,
    resource_documentation: Option<String>,
    dpop: DpopMode,
    extra: Map<String, Value>,
}

impl ProtectedResourceMetadata {
    /// Metadata for the resource identified by `resource`: the URL clients
    /// call the API at, which for Auth0 is usually also the audience (for
    /// an MCP server, the server's canonical URL such as
    /// `https://mcp.example.com/mcp`).
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            resource_name: None,
            resource_documentation: None,
            dpop: DpopMode::Allowed,
            extra: Map::new(),
        }
    }

    /// Adds an issuer whose tokens this resource accepts.
    ///
    /// Default: none; on an [`ApiClient`](crate::ApiClient), the issuers of
    /// its `domain` or `domains` list.
    #[must_use]
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// The scopes this resource understands.
    ///
    /// Default: none (the member is omitted).
    #[must_use]
    pub fn scopes_supported<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// A human-readable name.
    ///
    /// Default: omitted.
    #[must_use]
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// A URL of developer documentation.
    ///
    /// Default: omitted.
    #[must_use]
    pub fn resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.resource_documentation = Some(url.into());
        self
    }

    /// Whether every access token must be DPoP-bound: the same as
    /// [`dpop_mode`](Self::dpop_mode) `Required` (`true`) or `Allowed`
    /// (`false`).
    ///
    /// Default: `false`.
    #[must_use]
    pub fn dpop_bound_access_tokens_required(self, required: bool) -> Self {
        self.dpop_mode(if required {
            DpopMode::Required
        } else {
            DpopMode::Allowed
        })
    }

    /// The DPoP members: none when disabled;
    /// `dpop_signing_alg_values_supported` when allowed; and
    /// `dpop_bound_access_tokens_required: true` when required.
    ///
    /// Default: [`DpopMode::Allowed`]; on an [`ApiClient`](crate::ApiClient),
    /// the client's mode.
    #[must_use]
    pub fn dpop_mode(mut self, mode: DpopMode) -> Self {
        self.dpop = mode;
        self
    }

    /// The resource identifier, as given.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Where the document is served (RFC 9728 section 3.1): the resource's
    /// origin, then `/.well-known/oauth-protected-resource`, then the
    /// resource's path, if it has one other than `/`. `None` when the
    /// resource is not an absolute URL.
    ///
    /// ```
    /// use auth0_api::ProtectedResourceMetadata;
    ///
    /// let mcp = ProtectedResourceMetadata::new("https://api.example.com/mcp");
    /// assert_eq!(
    ///     mcp.well_known_url().as_deref(),
    ///     Some("https://api.example.com/.well-known/oauth-protected-resource/mcp")
    /// );
    /// let root = ProtectedResourceMetadata::new("https://api.example.com/");
    /// assert_eq!(
    ///     root.well_known_url().as_deref(),
    ///     Some("https://api.example.com/.well-known/oauth-protected-resource")
    /// );
    /// ```
    pub fn well_known_url(&self) -> Option<String> {
        let (origin, path) = split(&self.resource)?;
        Some(format!("{origin}{WELL_KNOWN}{path}"))
    }

    /// The path part of [`well_known_url`](Self::well_known_url): the
    /// route a server answers the document on.
    pub fn well_known_path(&self) -> Option<String> {
        let (_, path) = split(&self.resource)?;
        Some(format!("{WELL_KNOWN}{path}"))
    }

    /// Completes the document from a client's configuration: its issuers
    /// unless some were named, and its DPoP mode.
    pub(crate) fn completed(mut self, issuers: &[String], mode: DpopMode) -> Self {
        if self.authorization_servers.is_empty() {
            self.authorization_servers = issuers.to_vec();
        }
        self.dpop = mode;
        self
    }

    /// Any other member (RFC 9728 allows extensions).
    ///
    /// Default: none.
    #[must_use]
    pub fn member(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }

    /// The document as JSON.
    pub fn to_json(&self) -> Value {
        let mut doc = self.extra.clone();
        doc.insert("resource".into(), self.resource.clone().into());
        if !self.authorization_servers.is_empty() {
            doc.insert(
                "authorization_servers".into(),
                self.authorization_servers.clone().into(),
            );
        }
        if !self.scopes_supported.is_empty() {
            doc.insert(
                "scopes_supported".into(),
                self.scopes_supported.clone().into(),
            );
        }
        // Only the Authorization header is read: never a form body or query.
        doc.insert("bearer_methods_supported".into(), vec!["header"].into());
        if self.dpop != DpopMode::Disabled {
            doc.insert(
                "dpop_signing_alg_values_supported".into(),
                vec![crate::challenge::DPOP_ALGS].into(),
            );
        }
        if self.dpop == DpopMode::Required {
            doc.insert("dpop_bound_access_tokens_required".into(), true.into());
        }
        if let Some(name) = &self.resource_name {
            doc.insert("resource_name".into(), name.clone().into());
        }
        if let Some(url) = &self.resource_documentation {
            doc.insert("resource_documentation".into(), url.clone().into());
        }
        Value::Object(doc)
    }
}

/// The origin of `resource` and its path without a lone `/`, if it is an
/// absolute URL. The path is kept as serialized (percent-encoded), so it
/// cannot carry a quote or a space into a challenge.
fn split(resource: &str) -> Option<(String, String)> {
    let url = Url::parse(resource).ok()?;
    if !url.has_host() {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    let path = match url.path() {
        "/" => String::new(),
        path => path.to_owned(),
    };
    Some((origin, path))
}

/// Why `resource` cannot identify a protected resource, if it cannot: it
/// must be an absolute `https` URL (`http` only for loopback hosts, as for
/// domains) without credentials, query or fragment (RFC 9728 section 1.2).
pub(crate) fn resource_problem(resource: &str) -> Option<&'static str> {
    let Ok(url) = Url::parse(resource) else {
        return Some("is not an absolute URL");
    };
    match url.scheme() {
        "https" => {}
        "http" if domain::is_loopback(&url) => {}
        "http" => return Some("uses http, which is only allowed for loopback hosts"),
        _ => return Some("must use https"),
    }
    if !url.has_host() {
        return Some("has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some("must not contain credentials");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Some("must not have a query or fragment");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minimal_document() {
        assert_eq!(
            ProtectedResourceMetadata::new("https://api").to_json(),
            json!({
                "resource": "https://api",
                "bearer_methods_supported": ["header"],
                "dpop_signing_alg_values_supported": ["ES256"],
            })
        );
    }

    #[test]
    fn registered_members_win_over_extensions() {
        let doc = ProtectedResourceMetadata::new("https://api")
            .member("resource", json!("https://evil"))
            .member("x_custom", json!(1))
            .authorization_server("https://a/")
            .authorization_server("https://b/")
            .resource_name("Messages API")
            .to_json();
        assert_eq!(doc["resource"], "https://api");
        assert_eq!(doc["x_custom"], 1);
        assert_eq!(
            doc["authorization_servers"],
            json!(["https://a/", "https://b/"])
        );
        assert_eq!(doc["resource_name"], "Messages API");
    }

    #[test]
    fn dpop_members_follow_the_mode() {
        let doc = |mode| {
            ProtectedResourceMetadata::new("https://api")
                .dpop_mode(mode)
                .to_json()
        };
        assert!(
            doc(DpopMode::Disabled)
                .get("dpop_signing_alg_values_supported")
                .is_none()
        );
        assert!(
            doc(DpopMode::Disabled)
                .get("dpop_bound_access_tokens_required")
                .is_none()
        );
        assert_eq!(
            doc(DpopMode::Allowed)["dpop_signing_alg_values_supported"],
            json!(["ES256"])
        );
        assert!(
            doc(DpopMode::Allowed)
                .get("dpop_bound_access_tokens_required")
                .is_none()
        );
        assert_eq!(
            doc(DpopMode::Required)["dpop_bound_access_tokens_required"],
            true
        );
    }

    #[test]
    fn the_well_known_url_inserts_the_path() {
        for (resource, url) in [
            (
                "https://api.example.com",
                "https://api.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com/",
                "https://api.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://API.example.com:443/mcp",
                "https://api.example.com/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "http://127.0.0.1:8080/a/b/",
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource/a/b/",
            ),
            (
                "https://api.example.com/a b\"",
                "https://api.example.com/.well-known/oauth-protected-resource/a%20b%22",
            ),
        ] {
            let doc = ProtectedResourceMetadata::new(resource);
            assert_eq!(doc.well_known_url().as_deref(), Some(url), "{resource}");
        }
        assert_eq!(
            ProtectedResourceMetadata::new("api.example.com").well_known_url(),
            None
        );
    }

    #[test]
    fn resources_are_checked() {
        assert_eq!(resource_problem("https://api.example.com/mcp"), None);
        assert_eq!(resource_problem("http://localhost:3000/mcp"), None);
        for bad in [
            "api.example.com",
            "http://api.example.com",
            "ftp://api.example.com",
            "https://u:p@api.example.com",
            "https://api.example.com/?q",
            "https://api.example.com/#f",
        ] {
            assert!(resource_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_client_completes_what_was_not_given() {
        let issuers = ["https://t.auth0.com/".to_owned()];
        let doc = ProtectedResourceMetadata::new("https://api")
            .completed(&issuers, DpopMode::Required)
            .to_json();
        assert_eq!(
            doc["authorization_servers"],
            json!(["https://t.auth0.com/"])
        );
        assert_eq!(doc["dpop_bound_access_tokens_required"], true);
        let named = ProtectedResourceMetadata::new("https://api")
            .authorization_server("https://login.example.com/")
            .completed(&issuers, DpopMode::Allowed)
            .to_json();
        assert_eq!(
            named["authorization_servers"],
            json!(["https://login.example.com/"])
        );
    }
}
