//! Extractors that hand a handler the verified claims.

use auth0_api::Claims;
use axum::extract::{FromRef, FromRequestParts};
use http::request::Parts;

use crate::rejection::AuthRejection;
use crate::request_verifier::RequestVerifier;

/// The claims [`Auth0Layer`](crate::Auth0Layer) verified for this request.
///
/// Works with any router state; does no verification itself. On a route
/// the layer does not cover there are no claims, and the extractor refuses
/// the request with 500 (a bug in the application, never a way in). To
/// verify in the handler instead, without the layer, use [`Verified`].
///
/// ```
/// use auth0_api_axum::Authenticated;
///
/// async fn me(Authenticated(claims): Authenticated) -> String {
///     format!("hello {}", claims.sub().unwrap_or_default())
/// }
/// ```
#[derive(Debug, Clone)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a transparent wrapper, destructured in handler arguments like axum's Extension"
)]
pub struct Authenticated(pub Claims);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthRejection> {
        parts
            .extensions
            .get::<Claims>()
            .cloned()
            .map(Self)
            .ok_or_else(|| AuthRejection::not_authenticated("the Authenticated extractor"))
    }
}

/// The claims of this request, verified by the extractor itself with the
/// [`RequestVerifier`] of the router state (through [`FromRef`]).
///
/// For handlers not behind [`Auth0Layer`](crate::Auth0Layer). Behind it,
/// the layer's claims are returned as they are: verifying twice would
/// refuse every DPoP request, since a proof is accepted only once.
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
/// use auth0_api_axum::{RequestVerifier, Verified};
/// use axum::{Router, routing::get};
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
/// let app: Router = Router::new().route("/me", get(me)).with_state(verifier);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With a state of your own, implement `FromRef<YourState>` for
/// [`RequestVerifier`].
#[derive(Debug, Clone)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a transparent wrapper, destructured in handler arguments like axum's Extension"
)]
pub struct Verified(pub Claims);

impl<S> FromRequestParts<S> for Verified
where
    S: Send + Sync,
    RequestVerifier: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthRejection> {
        if let Some(claims) = parts.extensions.get::<Claims>() {
            return Ok(Self(claims.clone()));
        }
        let verifier = RequestVerifier::from_ref(state);
        Ok(Self(verifier.verify(parts).await?))
    }
}
