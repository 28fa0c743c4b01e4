//! `RequestVerifier`: an `ApiClient` and the public URL of the API, shared
//! by the layer and the extractors.

use std::ops::Deref;
use std::sync::Arc;

use auth0_api::{ApiClient, AuthError, Claims, PublicUrl};
use axum::extract::OriginalUri;
use http::Uri;
use http::request::Parts;

use crate::auth0_layer::Auth0Layer;

/// Verifies axum requests: an [`ApiClient`] paired with the [`PublicUrl`]
/// clients call the API at.
///
/// Cheap to clone (an `Arc` inside): build one at start-up and hand it to
/// [`Auth0Layer`] (through [`RequestVerifier::layer`]) or put it in the
/// router state for the [`Verified`](crate::Verified) extractor.
///
/// # Which URL is checked
///
/// A DPoP proof names the URL the client called (`htu`). That URL is the
/// configured [`PublicUrl`] followed by the request path, never the `Host`
/// header (unless [`PublicUrl::trust_forwarded_headers`] says so). Inside
/// [`Router::nest`](axum::Router::nest) the path is the full one the client
/// sent (axum's [`OriginalUri`]), not the one with the nest prefix stripped;
/// so the `PublicUrl` base holds only a prefix removed *before* the request
/// reaches the application, by a proxy.
#[derive(Debug, Clone)]
pub struct RequestVerifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: ApiClient,
    public_url: PublicUrl,
}

impl RequestVerifier {
    /// Verifies requests with `client`, as calls to `public_url`.
    pub fn new(client: ApiClient, public_url: PublicUrl) -> Self {
        Self {
            inner: Arc::new(Inner { client, public_url }),
        }
    }

    /// A layer that verifies every request with this verifier.
    pub fn layer(&self) -> Auth0Layer {
        Auth0Layer::from_verifier(self.clone())
    }

    /// The client requests are verified with.
    pub fn client(&self) -> &ApiClient {
        &self.inner.client
    }

    /// The public URL requests are checked against.
    pub fn public_url(&self) -> &PublicUrl {
        &self.inner.public_url
    }

    /// Verifies a request: its `Authorization` and `DPoP` headers, for its
    /// method and the URL the client called (see
    /// [above](RequestVerifier#which-url-is-checked)).
    ///
    /// `parts` is borrowed mutably only to look at the original URI in
    /// place; it is left as it was, even if the future is dropped.
    ///
    /// # Errors
    ///
    /// The [`AuthError`] of [`ApiClient::verify_request`]: status, error
    /// code and challenges for the response.
    pub async fn verify(&self, parts: &mut Parts) -> Result<Claims, AuthError> {
        let parts = AsCalled::new(parts);
        self.inner
            .client
            .verify_request_parts(&parts, &self.inner.public_url)
            .await
    }
}

/// `Parts` showing the URI the client called while it is held; the routed
/// URI is put back on drop.
struct AsCalled<'a> {
    parts: &'a mut Parts,
    routed: Option<Uri>,
}

impl<'a> AsCalled<'a> {
    fn new(parts: &'a mut Parts) -> Self {
        let original = parts
            .extensions
            .get::<OriginalUri>()
            .filter(|original| original.path() != parts.uri.path())
            .map(|original| original.0.clone());
        let routed = original.map(|original| std::mem::replace(&mut parts.uri, original));
        Self { parts, routed }
    }
}

impl Deref for AsCalled<'_> {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        self.parts
    }
}

impl Drop for AsCalled<'_> {
    fn drop(&mut self) {
        if let Some(routed) = self.routed.take() {
            self.parts.uri = routed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str) -> Parts {
        http::Request::get(uri).body(()).unwrap().into_parts().0
    }

    #[test]
    fn shows_the_original_uri_and_restores_the_routed_one() {
        let mut p = parts("/orders?page=2");
        p.extensions
            .insert(OriginalUri(Uri::from_static("/api/orders?page=2")));
        {
            let called = AsCalled::new(&mut p);
            assert_eq!(called.uri.path(), "/api/orders");
        }
        assert_eq!(p.uri, "/orders?page=2");
    }

    #[test]
    fn keeps_the_uri_without_an_original_one() {
        let mut p = parts("/orders");
        assert_eq!(AsCalled::new(&mut p).uri.path(), "/orders");
        assert_eq!(p.uri, "/orders");
    }
}
