//! `AuthRejection`: a refused request, as an actix-web error response.

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use auth0_api::{AuthError, ErrorResponse};

use crate::http_compat;

/// A request the middleware, an extractor or a guard refused.
///
/// As a response ([`ResponseError`]) it is the [`AuthError`]'s
/// [`ErrorResponse`], the parts every integration sends: its status, one
/// `WWW-Authenticate` header per challenge, `DPoP-Nonce` when the client
/// must retry with a nonce, and a small JSON body:
///
/// ```json
/// {"error": "invalid_token", "error_description": "the token has expired"}
/// ```
///
/// The middleware and guards answer with [`HttpResponse::from_error`], so
/// an outer middleware finds the rejection itself in
/// [`HttpResponse::error`] and can log why a request was refused.
///
/// Handlers returning `Result<_, AuthRejection>` can use `?` on any
/// [`AuthError`], for example [`Claims::require_scopes`]:
///
/// ```
/// use auth0_api_actix::{AuthRejection, Authenticated};
///
/// async fn delete_order(Authenticated(claims): Authenticated) -> Result<&'static str, AuthRejection> {
///     claims.require_scopes(&["delete:orders"])?; // 403 insufficient_scope
///     Ok("deleted")
/// }
/// ```
///
/// [`Claims::require_scopes`]: auth0_api::Claims::require_scopes
#[derive(Debug, Clone, thiserror::Error)]
#[error(transparent)]
pub struct AuthRejection {
    repr: Repr,
}

#[derive(Debug, Clone, thiserror::Error)]
enum Repr {
    /// The request was verified and refused.
    #[error(transparent)]
    Auth(AuthError),
    /// A bug in the application: claims were asked for on a resource that
    /// [`Auth0Middleware`](crate::Auth0Middleware) does not wrap, or
    /// [`Verified`](crate::Verified) without a verifier in the app data.
    #[error("authentication is not configured for this route: {0}")]
    NotConfigured(&'static str),
    /// A request target `http` 1 does not accept, though actix-web's
    /// `http` 0.2 did: the two parse alike, so never seen.
    #[error("the request target is not a valid URI")]
    InvalidTarget,
}

impl AuthRejection {
    /// `why` no claims were found: which part needs what in front of it.
    pub(crate) fn not_configured(why: &'static str) -> Self {
        Self {
            repr: Repr::NotConfigured(why),
        }
    }

    pub(crate) fn invalid_target() -> Self {
        Self {
            repr: Repr::InvalidTarget,
        }
    }

    /// The verification error, unless the route was not covered by
    /// [`Auth0Middleware`](crate::Auth0Middleware) (or the request could
    /// not be read).
    pub fn auth_error(&self) -> Option<&AuthError> {
        match &self.repr {
            Repr::Auth(error) => Some(error),
            Repr::NotConfigured(_) | Repr::InvalidTarget => None,
        }
    }

    /// The status, headers and body of the response.
    pub fn to_error_response(&self) -> ErrorResponse {
        match &self.repr {
            Repr::Auth(error) => error.to_response(),
            // The details are for the server's logs (Display), not the client.
            Repr::NotConfigured(_) => ErrorResponse::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "authentication is not configured for this route",
            ),
            Repr::InvalidTarget => ErrorResponse::new(
                http::StatusCode::BAD_REQUEST,
                "invalid_request",
                "the request target is not a valid URI",
            ),
        }
    }
}

impl From<AuthError> for AuthRejection {
    fn from(error: AuthError) -> Self {
        Self {
            repr: Repr::Auth(error),
        }
    }
}

impl ResponseError for AuthRejection {
    /// The error's status, or 500 when the route is not covered by
    /// [`Auth0Middleware`](crate::Auth0Middleware) (a bug in the
    /// application, refused rather than let through).
    fn status_code(&self) -> StatusCode {
        let status = match &self.repr {
            Repr::Auth(error) => error.status_code(),
            Repr::NotConfigured(_) => 500,
            Repr::InvalidTarget => 400,
        };
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        http_compat::response(self.to_error_response())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody as _;

    use super::*;

    #[test]
    fn a_route_without_the_middleware_is_refused_with_500() {
        let rejection = AuthRejection::not_configured(
            "the Authenticated extractor needs Auth0Middleware in front of it",
        );
        assert!(rejection.auth_error().is_none());
        assert!(
            rejection
                .to_string()
                .contains("Authenticated extractor needs Auth0Middleware")
        );
        assert_eq!(rejection.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let response = HttpResponse::from_error(rejection);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/json"
        );
        assert!(response.headers().get("www-authenticate").is_none());
        let kept = response.error().unwrap().as_error::<AuthRejection>();
        assert!(kept.is_some());
        let body = response.into_body().try_into_bytes().unwrap();
        assert_eq!(
            body,
            r#"{"error":"server_error","error_description":"authentication is not configured for this route"}"#
        );
    }

    #[test]
    fn an_unreadable_target_is_a_bad_request() {
        let rejection = AuthRejection::invalid_target();
        assert_eq!(rejection.status_code(), StatusCode::BAD_REQUEST);
        assert_eq!(rejection.to_error_response().status(), 400);
    }
}
