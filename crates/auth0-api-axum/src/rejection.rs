//! `AuthRejection`: a refused request, as an HTTP response.

use auth0_api::{AuthError, ErrorResponse};
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// A request the layer, an extractor or the scope guard refused.
///
/// As a response ([`IntoResponse`]) it is the [`AuthError`]'s
/// [`ErrorResponse`], the parts every integration sends: its status, one
/// `WWW-Authenticate` header per challenge, `DPoP-Nonce` when the client
/// must retry with a nonce, and a small JSON body:
///
/// ```json
/// {"error": "invalid_token", "error_description": "the token has expired"}
/// ```
///
/// The response's extensions hold the rejection itself, so an outer layer
/// can log why a request was refused.
///
/// Handlers returning `Result<_, AuthRejection>` can use `?` on any
/// [`AuthError`], for example [`Claims::require_scopes`]:
///
/// ```
/// use auth0_api_axum::{AuthRejection, Authenticated};
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
    /// A bug in the application: claims were asked for on a route that
    /// [`Auth0Layer`](crate::Auth0Layer) does not cover.
    #[error(
        "no verified claims in the request: {0} needs Auth0Layer in front of it (route_layer \
         after the protected routes)"
    )]
    NotAuthenticated(&'static str),
}

impl AuthRejection {
    /// `who` found no claims where [`Auth0Layer`](crate::Auth0Layer) puts
    /// them.
    pub(crate) fn not_authenticated(who: &'static str) -> Self {
        Self {
            repr: Repr::NotAuthenticated(who),
        }
    }

    /// The status of the response: the error's, or 500 when the route is not
    /// covered by [`Auth0Layer`](crate::Auth0Layer) (a bug in the
    /// application, refused rather than let through).
    pub fn status(&self) -> StatusCode {
        match &self.repr {
            Repr::Auth(error) => StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            Repr::NotAuthenticated(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The verification error, unless the route was not covered by
    /// [`Auth0Layer`](crate::Auth0Layer).
    pub fn auth_error(&self) -> Option<&AuthError> {
        match &self.repr {
            Repr::Auth(error) => Some(error),
            Repr::NotAuthenticated(_) => None,
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

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let parts = match &self.repr {
            Repr::Auth(error) => error.to_response(),
            // The details are for the server's logs (Display), not the client.
            Repr::NotAuthenticated(_) => ErrorResponse::new(
                self.status(),
                "server_error",
                "authentication is not configured for this route",
            ),
        };
        let (status, headers, body) = parts.into_parts();
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use http::header::CONTENT_TYPE;

    use super::*;

    #[test]
    fn a_route_without_the_layer_is_refused_with_500() {
        let rejection = AuthRejection::not_authenticated("Authenticated");
        assert!(rejection.auth_error().is_none());
        assert!(
            rejection
                .to_string()
                .contains("Authenticated needs Auth0Layer")
        );
        let response = rejection.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert!(response.headers().get("www-authenticate").is_none());
        assert!(response.extensions().get::<AuthRejection>().is_some());
    }
}
