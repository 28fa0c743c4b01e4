//! `RequestVerifier`: an `ApiClient` and the public URL of the API, shared
//! by the layer and the extractors.

use std::sync::Arc;

use auth0_api::{ApiClient, AuthError, Claims, ClientCertificate, PublicUrl};
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
///
/// # Certificate-bound tokens
///
/// A token bound to a client certificate (`cnf.x5t#S256`, RFC 8705) is
/// checked against the [`ClientCertificate`] in the request's extensions.
/// axum does not terminate TLS: the application's accept loop (rustls with
/// client authentication, say) inserts it into every request of the
/// connection, from `peer_certificates()[0]`; a request without one has no
/// certificate, and such a token is refused. Behind a proxy, use
/// [`ApiClientOptions::trust_client_cert_header`](auth0_api::ApiClientOptions::trust_client_cert_header)
/// instead.
///
/// ```
/// use auth0_api_axum::ClientCertificate;
/// use axum::http::Request;
///
/// // In the accept loop, for each request of a connection whose client
/// // presented `der` (rustls: `connection.peer_certificates()`):
/// fn with_certificate<B>(mut request: Request<B>, der: Option<&[u8]>) -> Request<B> {
///     if let Some(der) = der {
///         request.extensions_mut().insert(ClientCertificate::from_der(der));
///     }
///     request
/// }
/// ```
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
    /// The URL is built once, by [`ApiClient::verify_request_at`], from
    /// the [`PublicUrl`] and the URI the client called: axum's
    /// [`OriginalUri`] when the request carries it, `parts.uri` otherwise.
    /// `parts` is only read; a [`ClientCertificate`] in its extensions is
    /// the request's client certificate (see
    /// [above](RequestVerifier#certificate-bound-tokens)).
    ///
    /// # Errors
    ///
    /// The [`AuthError`] of [`ApiClient::verify_request_at`]: status, error
    /// code and challenges for the response.
    pub async fn verify(&self, parts: &Parts) -> Result<Claims, AuthError> {
        self.inner
            .client
            .verify_request_at_with_certificate(
                &parts.headers,
                parts.method.as_str(),
                called_uri(parts),
                &self.inner.public_url,
                parts.extensions.get::<ClientCertificate>(),
            )
            .await
    }
}

/// The URI the client called: axum's [`OriginalUri`], which
/// [`Router::nest`](axum::Router::nest) leaves in the extensions when it
/// strips its prefix from `parts.uri`, or `parts.uri` without one.
fn called_uri(parts: &Parts) -> &Uri {
    parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str) -> Parts {
        http::Request::get(uri).body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_original_uri_is_the_one_called() {
        let mut p = parts("/orders?page=2");
        p.extensions
            .insert(OriginalUri(Uri::from_static("/api/orders?page=2")));
        assert_eq!(called_uri(&p), "/api/orders?page=2");
        assert_eq!(p.uri, "/orders?page=2");
    }

    #[test]
    fn without_an_original_uri_the_request_uri_is() {
        let p = parts("/orders");
        assert_eq!(called_uri(&p), "/orders");
    }

    #[test]
    fn the_public_url_is_built_from_the_original_uri() {
        let public = PublicUrl::new("https://api.example.com").unwrap();
        let mut p = parts("/orders?page=2");
        p.extensions
            .insert(OriginalUri(Uri::from_static("/api/orders?page=2")));
        assert_eq!(
            public.url_for(called_uri(&p), &p.headers).unwrap(),
            "https://api.example.com/api/orders"
        );
    }
}
