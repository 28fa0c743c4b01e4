//! Serving the RFC 9728 protected resource metadata document.

use auth0_api::ProtectedResourceMetadata;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE,
};
use http::{HeaderValue, StatusCode};

/// The root well-known path (RFC 9728 section 3).
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// How long clients and caches may keep the document: it changes only
/// with the configuration.
const CACHE: &str = "public, max-age=3600";

/// A router that serves `metadata` (RFC 9728) to anyone, without a token.
///
/// The document is answered (`200`, `application/json`,
/// `Cache-Control: public, max-age=3600`) at
/// `/.well-known/oauth-protected-resource` and, for a resource with a path,
/// at the path-inserted form of RFC 9728 section 3.1 too:
/// `https://api.example.com/mcp` is described at
/// `/.well-known/oauth-protected-resource/mcp`, the URL its challenges name.
/// Browser-based clients fetch it across origins, so every answer carries
/// `Access-Control-Allow-Origin: *` and `OPTIONS` answers the CORS
/// preflight (`204`, methods `GET, OPTIONS`, any request header). Both
/// paths come from the configured resource; a request's `Host` or
/// forwarded headers are never read.
///
/// Merge it *outside* [`Auth0Layer`](crate::Auth0Layer) (after the
/// `route_layer`), so that clients without a token can read it. The
/// document to give is [`ApiClient::resource_metadata`](auth0_api::ApiClient::resource_metadata),
/// the one the client's challenges point to:
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, ProtectedResourceMetadata, PublicUrl};
/// use auth0_api_axum::{Auth0Layer, resource_metadata_router};
/// use axum::{Router, routing::post};
///
/// # async fn mcp() {}
/// let resource = "https://mcp.example.com/mcp";
/// let client = ApiClient::new(
///     ApiClientOptions::new("my-tenant.us.auth0.com", resource)
///         .resource_metadata(ProtectedResourceMetadata::new(resource).scopes_supported(["tools:admin"])),
/// )?;
/// let metadata = client.resource_metadata().ok_or("no resource metadata configured")?;
/// let app: Router = Router::new()
///     .route("/mcp", post(mcp))
///     .route_layer(Auth0Layer::new(client.clone(), PublicUrl::new("https://mcp.example.com")?))
///     .merge(resource_metadata_router(metadata));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A resource path with a segment starting with `:` or `*` (which axum
/// would read as a parameter) is served at the root path only.
pub fn resource_metadata_router<S>(metadata: &ProtectedResourceMetadata) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    // Serialized once: every answer is the same bytes.
    let document = Bytes::from(metadata.to_json().to_string());
    let route = document_route::<S>(document);
    let mut router = Router::new().route(WELL_KNOWN, route.clone());
    if let Some(path) = metadata.well_known_path()
        && path != WELL_KNOWN
        && !path
            .split('/')
            .any(|segment| segment.starts_with([':', '*']))
    {
        router = router.route(&path, route);
    }
    router
}

/// `GET` (and `HEAD`) answer the document; `OPTIONS` the preflight.
fn document_route<S>(document: Bytes) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    get(move || {
        let document = document.clone();
        async move {
            let mut response = Response::new(Body::from(document));
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE));
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            response
        }
    })
    .options(|| async {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, OPTIONS"),
        );
        // The MCP SDKs send `MCP-Protocol-Version`; nothing is credentialed,
        // so any header may come.
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("*"));
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        response
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Request;
    use tower::ServiceExt as _;

    async fn answer(router: &Router, method: &str, path: &str) -> Response {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        router.clone().oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_parameter_like_path_is_served_at_the_root_only() {
        let router: Router = resource_metadata_router(&ProtectedResourceMetadata::new(
            "https://api.example.com/:id",
        ));
        let path = "/.well-known/oauth-protected-resource/:id";
        assert_eq!(answer(&router, "GET", path).await.status(), 404);
        assert_eq!(answer(&router, "GET", WELL_KNOWN).await.status(), 200);
    }

    #[tokio::test]
    async fn other_methods_are_not_allowed() {
        let router: Router =
            resource_metadata_router(&ProtectedResourceMetadata::new("https://api.example.com"));
        assert_eq!(
            answer(&router, "POST", WELL_KNOWN).await.status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(answer(&router, "HEAD", WELL_KNOWN).await.status(), 200);
    }
}
