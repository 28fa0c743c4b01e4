//! Between actix-web's `http` 0.2 types and the `http` 1 types of
//! `auth0-api`.
//!
//! actix-web 4 is built on `http` 0.2; `auth0-api`, like the rest of the
//! ecosystem, on `http` 1. Both versions accept exactly the same header
//! names, values and request targets, so these copies never lose anything
//! a client sent.

use actix_web::HttpResponse;
use actix_web::body::BoxBody;
use actix_web::http::{StatusCode as ActixStatus, header as actix_header};
use auth0_api::ErrorResponse;

/// A copy of `headers` as an `http` 1 map, every value of every name kept
/// (a second `DPoP` or `Authorization` header must still be seen, to be
/// refused).
pub(crate) fn headers(headers: &actix_header::HeaderMap) -> http::HeaderMap {
    let mut copy = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        // Neither conversion fails: both versions validate names and values
        // alike, and these were validated when the request was parsed.
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_str().as_bytes()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            copy.append(name, value);
        }
    }
    copy
}

/// The path of the request target `uri`, as an `http` 1 URI: all that
/// [`PublicUrl::url_for`](auth0_api::PublicUrl::url_for) reads of it (the
/// query is not part of a DPoP `htu`). `None` only if `http` 1 refuses a
/// path `http` 0.2 accepted, which they never do.
pub(crate) fn path(uri: &actix_web::http::Uri) -> Option<http::Uri> {
    http::Uri::try_from(uri.path()).ok()
}

/// `response` as an actix-web response: status, headers and body.
pub(crate) fn response(response: ErrorResponse) -> HttpResponse<BoxBody> {
    let (status, headers, body) = response.into_parts();
    let status =
        ActixStatus::from_u16(status.as_u16()).unwrap_or(ActixStatus::INTERNAL_SERVER_ERROR);
    let mut reply = HttpResponse::with_body(status, BoxBody::new(body));
    let reply_headers = reply.headers_mut();
    for (name, value) in &headers {
        // As above: a header `http` 1 accepted, `http` 0.2 accepts.
        if let (Ok(name), Ok(value)) = (
            actix_header::HeaderName::from_bytes(name.as_str().as_bytes()),
            actix_header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            reply_headers.append(name, value);
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody as _;
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    #[test]
    fn every_value_of_every_header_is_copied() {
        let mut actix = actix_header::HeaderMap::new();
        let dpop = HeaderName::from_static("dpop");
        actix.append(dpop.clone(), HeaderValue::from_static("one"));
        actix.append(dpop, HeaderValue::from_static("two"));
        actix.append(
            actix_header::AUTHORIZATION,
            HeaderValue::from_static("DPoP token"),
        );
        let copy = headers(&actix);
        let proofs: Vec<_> = copy.get_all("dpop").iter().collect();
        assert_eq!(proofs, ["one", "two"]);
        assert_eq!(copy["authorization"], "DPoP token");
        assert_eq!(copy.len(), 3);
    }

    #[test]
    fn the_path_is_kept_and_the_query_dropped() {
        let uri: actix_web::http::Uri = "/api/orders/%2e%2e?page=2".parse().unwrap();
        assert_eq!(path(&uri).unwrap(), "/api/orders/%2e%2e");
        let absolute: actix_web::http::Uri = "http://example.com/orders".parse().unwrap();
        assert_eq!(path(&absolute).unwrap(), "/orders");
    }

    #[test]
    fn a_response_keeps_its_status_headers_and_body() {
        let parts = ErrorResponse::new(http::StatusCode::FORBIDDEN, "insufficient_scope", "no");
        let reply = response(parts);
        assert_eq!(reply.status(), ActixStatus::FORBIDDEN);
        assert_eq!(
            reply.headers().get("content-type").unwrap(),
            "application/json"
        );
        let body = reply.into_body().try_into_bytes().unwrap();
        assert_eq!(
            body,
            r#"{"error":"insufficient_scope","error_description":"no"}"#
        );
    }
}
