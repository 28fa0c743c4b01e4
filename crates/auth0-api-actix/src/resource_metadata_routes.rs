//! Serving the RFC 9728 protected resource metadata document.

use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE,
};
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, Resource};
use auth0_api::ProtectedResourceMetadata;

/// The root well-known path (RFC 9728 section 3).
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// How long clients and caches may keep the document: it changes only
/// with the configuration.
const CACHE: &str = "public, max-age=3600";

/// Routes that serve `metadata` (RFC 9728) to anyone, without a token, for
/// [`App::configure`](actix_web::App::configure).
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
/// Configure them *outside* [`Auth0Middleware`](crate::Auth0Middleware),
/// so that clients without a token can read the document. The document to
/// give is
/// [`ApiClient::resource_metadata`](auth0_api::ApiClient::resource_metadata),
/// the one the client's challenges point to:
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, ProtectedResourceMetadata, PublicUrl};
/// use auth0_api_actix::{Auth0Middleware, resource_metadata_routes};
/// use actix_web::{App, web};
///
/// # async fn mcp() -> &'static str { "" }
/// let resource = "https://mcp.example.com/mcp";
/// let client = ApiClient::new(
///     ApiClientOptions::new("my-tenant.us.auth0.com", resource)
///         .resource_metadata(ProtectedResourceMetadata::new(resource).scopes_supported(["tools:admin"])),
/// )?;
/// let metadata = client.resource_metadata().ok_or("no resource metadata configured")?;
/// let routes = resource_metadata_routes(metadata);
/// let public_url = PublicUrl::new("https://mcp.example.com")?;
/// let app = App::new()
///     .service(
///         web::resource("/mcp")
///             .route(web::post().to(mcp))
///             .wrap(Auth0Middleware::new(client.clone(), public_url)),
///     )
///     .configure(routes);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A resource path with a `{` or `}` (which actix-web would read as a
/// parameter) is served at the root path only.
pub fn resource_metadata_routes(
    metadata: &ProtectedResourceMetadata,
) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static + use<> {
    // Serialized once: every answer is the same bytes.
    let document = Bytes::from(metadata.to_json().to_string());
    let inserted = metadata
        .well_known_path()
        .filter(|path| path != WELL_KNOWN && !path.contains(['{', '}']));
    move |config| {
        config.service(document_resource(WELL_KNOWN, document.clone()));
        if let Some(path) = &inserted {
            config.service(document_resource(path, document.clone()));
        }
    }
}

/// `GET` and `HEAD` answer the document; `OPTIONS` the preflight; other
/// methods get 405.
fn document_resource(path: &str, document: Bytes) -> Resource {
    let answer = move || {
        let document = document.clone();
        async move {
            HttpResponse::Ok()
                .insert_header((CONTENT_TYPE, "application/json"))
                .insert_header((CACHE_CONTROL, CACHE))
                .insert_header((ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
                .body(document)
        }
    };
    web::resource(path)
        .route(web::get().to(answer.clone()))
        .route(web::head().to(answer))
        .route(web::method(actix_web::http::Method::OPTIONS).to(|| async {
            HttpResponse::build(StatusCode::NO_CONTENT)
                .insert_header((ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
                .insert_header((ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS"))
                // The MCP SDKs send `MCP-Protocol-Version`; nothing is
                // credentialed, so any header may come.
                .insert_header((ACCESS_CONTROL_ALLOW_HEADERS, "*"))
                .insert_header((ACCESS_CONTROL_MAX_AGE, "86400"))
                .finish()
        }))
}

#[cfg(test)]
mod tests {
    use actix_web::App;
    use actix_web::test::{TestRequest, call_service, init_service, read_body};

    use super::*;

    async fn answers(metadata: &ProtectedResourceMetadata, method: &str, path: &str) -> u16 {
        let app = init_service(App::new().configure(resource_metadata_routes(metadata))).await;
        let request = TestRequest::default()
            .method(method.parse().unwrap())
            .uri(path)
            .to_request();
        call_service(&app, request).await.status().as_u16()
    }

    #[tokio::test]
    async fn the_document_is_served_at_both_well_known_paths() {
        let metadata = ProtectedResourceMetadata::new("https://api.example.com/mcp");
        let app = init_service(App::new().configure(resource_metadata_routes(&metadata))).await;
        for path in [WELL_KNOWN, "/.well-known/oauth-protected-resource/mcp"] {
            let request = TestRequest::get().uri(path).to_request();
            let response = call_service(&app, request).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let headers = response.headers();
            assert_eq!(headers.get(CONTENT_TYPE).unwrap(), "application/json");
            assert_eq!(headers.get(CACHE_CONTROL).unwrap(), CACHE);
            assert_eq!(headers.get(ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), "*");
            let body: serde_json::Value =
                serde_json::from_slice(&read_body(response).await).unwrap();
            assert_eq!(body, metadata.to_json());
        }
    }

    #[tokio::test]
    async fn the_preflight_is_answered_and_other_methods_are_not_allowed() {
        let metadata = ProtectedResourceMetadata::new("https://api.example.com");
        assert_eq!(answers(&metadata, "OPTIONS", WELL_KNOWN).await, 204);
        assert_eq!(answers(&metadata, "HEAD", WELL_KNOWN).await, 200);
        assert_eq!(answers(&metadata, "POST", WELL_KNOWN).await, 405);
    }

    #[tokio::test]
    async fn a_parameter_like_path_is_served_at_the_root_only() {
        let metadata = ProtectedResourceMetadata::new("https://api.example.com/{id}");
        let path = "/.well-known/oauth-protected-resource/{id}";
        assert_eq!(answers(&metadata, "GET", path).await, 404);
        assert_eq!(answers(&metadata, "GET", WELL_KNOWN).await, 200);
    }
}
