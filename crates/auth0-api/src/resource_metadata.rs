//! OAuth 2.0 Protected Resource Metadata (RFC 9728).
//!
//! Served at `/.well-known/oauth-protected-resource`, this document tells a
//! client which authorization servers issue tokens for this API, which
//! scopes exist and how tokens must be presented (MCP clients rely on it).

use serde_json::{Map, Value};

/// Builds an RFC 9728 metadata document.
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
    dpop_bound_access_tokens_required: bool,
    extra: Map<String, Value>,
}

impl ProtectedResourceMetadata {
    /// Metadata for the resource identified by `resource` (the API's
    /// audience URL).
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            resource_name: None,
            resource_documentation: None,
            dpop_bound_access_tokens_required: false,
            extra: Map::new(),
        }
    }

    /// Adds an issuer whose tokens this resource accepts.
    ///
    /// Default: none.
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

    /// Whether every access token must be DPoP-bound.
    ///
    /// Default: `false`.
    #[must_use]
    pub fn dpop_bound_access_tokens_required(mut self, required: bool) -> Self {
        self.dpop_bound_access_tokens_required = required;
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
        doc.insert(
            "dpop_signing_alg_values_supported".into(),
            vec!["ES256"].into(),
        );
        if self.dpop_bound_access_tokens_required {
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
}
