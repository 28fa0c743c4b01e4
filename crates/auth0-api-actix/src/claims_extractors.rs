//! Extractors that hand a handler the verified claims.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, web};
use auth0_api::Claims;

use crate::rejection::AuthRejection;
use crate::request_verifier::RequestVerifier;

/// The claims [`Auth0Middleware`](crate::Auth0Middleware) verified for
/// this request.
///
/// Does no verification itself. On a route the middleware does not wrap
/// there are no claims, and the extractor refuses the request with 500 (a
/// bug in the application, never a way in). To verify in the handler
/// instead, without the middleware, use [`Verified`].
///
/// ```
/// use auth0_api_actix::Authenticated;
///
/// async fn me(Authenticated(claims): Authenticated) -> String {
///     format!("hello {}", claims.sub().unwrap_or_default())
/// }
/// ```
#[derive(Debug, Clone)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a transparent wrapper, destructured in handler arguments like actix-web's ReqData"
)]
pub struct Authenticated(pub Claims);

impl FromRequest for Authenticated {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, AuthRejection>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let claims = request.extensions().get::<Claims>().cloned();
        ready(claims.map(Self).ok_or_else(|| {
            AuthRejection::not_configured(
                "the Authenticated extractor needs Auth0Middleware in front of it",
            )
        }))
    }
}

/// The claims of this request, verified by the extractor itself with the
/// [`RequestVerifier`] of the app data (`web::Data<RequestVerifier>`).
///
/// For handlers not behind [`Auth0Middleware`](crate::Auth0Middleware).
/// Behind it, the middleware's claims are returned as they are: verifying
/// twice would refuse every DPoP request, since a proof is accepted only
/// once. Without a verifier in the app data, the request is refused with
/// 500 (a bug in the application).
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
/// use auth0_api_actix::{RequestVerifier, Verified};
/// use actix_web::{App, web};
///
/// async fn me(Verified(claims): Verified) -> String {
///     format!("hello {}", claims.sub().unwrap_or_default())
/// }
///
/// let client = ApiClient::new(ApiClientOptions::new(
///     "my-tenant.us.auth0.com",
///     "https://api.example.com",
/// ))?;
/// let verifier = RequestVerifier::new(client, PublicUrl::new("https://api.example.com")?);
/// let app = App::new()
///     .app_data(web::Data::new(verifier))
///     .route("/me", web::get().to(me));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a transparent wrapper, destructured in handler arguments like actix-web's ReqData"
)]
pub struct Verified(pub Claims);

impl FromRequest for Verified {
    type Error = AuthRejection;
    // Boxed: verification is an `async fn`, whose future has no name.
    type Future = Pin<Box<dyn Future<Output = Result<Self, AuthRejection>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        if let Some(claims) = request.extensions().get::<Claims>() {
            return Box::pin(ready(Ok(Self(claims.clone()))));
        }
        let Some(verifier) = request.app_data::<web::Data<RequestVerifier>>().cloned() else {
            return Box::pin(ready(Err(AuthRejection::not_configured(
                "the Verified extractor needs a web::Data<RequestVerifier> in the app data",
            ))));
        };
        let request = request.clone();
        Box::pin(async move { verifier.verify(&request).await.map(Self) })
    }
}
