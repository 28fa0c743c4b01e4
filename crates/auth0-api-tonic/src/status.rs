//! A refusal as a gRPC status: the code, the description as the message,
//! and the response headers of the shared core as metadata.

use std::sync::Arc;

use auth0_api::AuthError;
use tonic::metadata::MetadataMap;
use tonic::{Code, Status};

/// The gRPC [`Status`] to answer a refused call with.
///
/// - The code follows the HTTP status the error carries:
///
///   | HTTP | gRPC                 | when                                        |
///   |------|----------------------|---------------------------------------------|
///   | 401  | `UNAUTHENTICATED`    | no token, a bad token or DPoP proof, a nonce to use |
///   | 403  | `PERMISSION_DENIED`  | a missing scope                             |
///   | 400  | `INVALID_ARGUMENT`   | a malformed request (two tokens, say)       |
///   | 429  | `RESOURCE_EXHAUSTED` | a DPoP key over its share of the replay cache |
///   | 503  | `UNAVAILABLE`        | keys or discovery could not be fetched: retry |
///   | 500  | `INTERNAL`           | the application's mistake                   |
///
/// - The message is the error's [`description`](AuthError::description),
///   which never holds the token, the proof or a secret.
/// - The metadata holds the error's
///   [`response_headers`](AuthError::response_headers): one
///   `www-authenticate` entry per challenge, `dpop-nonce` when the client
///   must retry with a server nonce, `retry-after` when the refusal is
///   temporary. They are the headers every integration of `auth0-api`
///   sends, so the challenge rules live in one place.
/// - The [`source`](std::error::Error::source) is the error itself, for the
///   server's logs ([`Status::into_http`] keeps the status in the
///   response's extensions).
///
/// In a handler, `?` on an [`AuthError`] goes through this function:
///
/// ```
/// use auth0_api_tonic::{claims, into_status};
/// use tonic::{Request, Response, Status};
///
/// fn delete_order(request: &Request<()>) -> Result<Response<()>, Status> {
///     let claims = claims(request)?;
///     claims.require_scopes(&["delete:orders"]).map_err(into_status)?; // PERMISSION_DENIED
///     Ok(Response::new(()))
/// }
/// ```
pub fn into_status(error: AuthError) -> Status {
    let metadata = MetadataMap::from_headers(error.response_headers());
    let mut status =
        Status::with_metadata(code_for(error.status_code()), error.description(), metadata);
    status.set_source(Arc::new(error));
    status
}

/// The gRPC code of an HTTP status of [`AuthError::status_code`].
///
/// Derived from the HTTP status, the one decision the shared core makes
/// about whose fault a refusal is, rather than from the error kind: a kind
/// added to `auth0-api` then maps here without a change. A status the core
/// does not use today maps to `UNKNOWN` (as in gRPC's own HTTP mapping),
/// never to `OK`.
fn code_for(http_status: u16) -> Code {
    match http_status {
        400 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        429 => Code::ResourceExhausted,
        500 => Code::Internal,
        503 => Code::Unavailable,
        _ => Code::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use auth0_api::{ApiClient, ApiClientOptions};
    use dev_issuer::testing::block_on;
    use http::HeaderMap;

    use super::*;

    #[test]
    fn http_statuses_map_to_the_grpc_codes_of_the_issue() {
        assert_eq!(code_for(401), Code::Unauthenticated);
        assert_eq!(code_for(403), Code::PermissionDenied);
        assert_eq!(code_for(400), Code::InvalidArgument);
        assert_eq!(code_for(503), Code::Unavailable);
        assert_eq!(code_for(429), Code::ResourceExhausted);
        assert_eq!(code_for(500), Code::Internal);
    }

    #[test]
    fn unlisted_statuses_never_map_to_ok() {
        for status in [0, 100, 200, 204, 302, 404, 418, 502, 504, 999, u16::MAX] {
            assert_ne!(code_for(status), Code::Ok, "{status}");
        }
        assert_eq!(code_for(404), Code::Unknown);
        assert_eq!(code_for(200), Code::Unknown);
    }

    #[test]
    fn a_call_without_credentials_is_unauthenticated_with_both_challenges() {
        let client = ApiClient::new(ApiClientOptions::new(
            "tenant.auth0.com",
            "https://api.example.com",
        ))
        .unwrap();
        // No Authorization header: refused before any network call.
        let error = block_on(client.verify_request(
            &HeaderMap::new(),
            "POST",
            "https://api.example.com/orders.v1.Orders/ListOrders",
        ))
        .unwrap_err();
        let description = error.description().to_owned();
        let status = into_status(error);
        assert_eq!(status.code(), Code::Unauthenticated);
        assert_eq!(status.message(), description);
        let challenges: Vec<_> = status
            .metadata()
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(challenges, ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]);
        assert!(status.metadata().get("dpop-nonce").is_none());
        let source = std::error::Error::source(&status).unwrap();
        assert!(source.downcast_ref::<AuthError>().is_some());

        // As a response: HTTP 200, trailers-only, challenges kept.
        let response = status.into_http::<tonic::body::Body>();
        assert_eq!(response.status(), http::StatusCode::OK);
        assert_eq!(response.headers()["grpc-status"], "16");
        assert_eq!(response.headers()["content-type"], "application/grpc");
        assert_eq!(
            response
                .headers()
                .get_all("www-authenticate")
                .iter()
                .count(),
            2
        );
    }
}
