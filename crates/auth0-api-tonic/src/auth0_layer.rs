//! `Auth0Layer` and its service: verify every call before the service.

use std::collections::HashMap;
use std::sync::Arc;
use std::task::{Context, Poll};

use auth0_api::{ApiClient, AuthError, Claims, ClientCertificate, PublicUrl};
use http::request::Parts;
use http::{Request, Response};
use tonic::server::NamedService;
use tower::{Layer, Service};

use crate::method_path::{self, InvalidMethodPath};
use crate::response_future::ResponseFuture;
use crate::status::into_status;

/// A tower [`Layer`] for a tonic server that verifies every call, and
/// guards methods by scope.
///
/// A verified call goes on with its [`Claims`] in the request extensions,
/// where a handler reads them with [`claims`](crate::claims()) (or
/// `request.extensions().get::<Claims>()`). Any other is answered at once
/// with a gRPC status ([`into_status`](crate::into_status()):
/// `UNAUTHENTICATED`, `PERMISSION_DENIED`, ... with `www-authenticate` and
/// `dpop-nonce` metadata); the service never sees it.
///
/// # Which method and URL a DPoP proof names
///
/// A gRPC call is an HTTP/2 `POST` to `/package.Service/Method`, so a
/// DPoP proof names `htm` `POST` and, as `htu`, the method's URL under the
/// configured [`PublicUrl`]: `https://grpc.example.com/orders.v1.Orders/ListOrders`
/// for the public URL `https://grpc.example.com`. That URL is built from
/// the `PublicUrl` and the call's path, never from the `:authority` the
/// client sent.
///
/// # Certificate-bound tokens
///
/// A token bound to a client certificate (`cnf.x5t#S256`, RFC 8705) is
/// checked against the [`ClientCertificate`] in the call's extensions; a
/// call without one has no certificate, and such a token is refused with
/// `UNAUTHENTICATED`. With tonic's own TLS (its `tls-ring` feature, client
/// authentication on), a tower layer in front of this one puts it there
/// from the certificates tonic records for the connection:
///
/// ```ignore
/// use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
///
/// let certificate = tower::util::MapRequestLayer::new(|mut call: http::Request<_>| {
///     let der = call
///         .extensions()
///         .get::<TlsConnectInfo<TcpConnectInfo>>()
///         .and_then(|info| info.peer_certs())
///         .and_then(|certs| certs.first().map(|der| ClientCertificate::from_der(der)));
///     if let Some(certificate) = der {
///         call.extensions_mut().insert(certificate);
///     }
///     call
/// });
/// // Server::builder().tls_config(..)?.layer(certificate).layer(auth0_layer)
/// ```
///
/// Behind a TLS-terminating proxy, use
/// [`ApiClientOptions::trust_client_cert_header`](auth0_api::ApiClientOptions::trust_client_cert_header)
/// instead (the `client-cert` metadata).
///
/// # Scopes per method
///
/// [`Auth0Layer::require_scopes`] names the scopes a method needs, by its
/// full path. A call to it whose token lacks one of them is refused with
/// `PERMISSION_DENIED` and an `insufficient_scope` challenge listing them;
/// a method no rule names needs a valid token only. Paths are checked when
/// the layer is configured, so that a misspelt one is an error rather than
/// a method left with authentication only.
///
/// ```
/// use auth0_api::{ApiClient, ApiClientOptions, PublicUrl};
/// use auth0_api_tonic::Auth0Layer;
///
/// let client = ApiClient::new(ApiClientOptions::new(
///     "my-tenant.us.auth0.com",
///     "https://api.example.com",
/// ))?;
/// let layer = Auth0Layer::new(client, PublicUrl::new("https://grpc.example.com")?)
///     .require_scopes("/orders.v1.Orders/CreateOrder", ["write:orders"])?
///     .require_scopes("/orders.v1.Orders/ListOrders", ["read:orders"])?;
/// // tonic::transport::Server::builder().layer(layer).add_service(..)
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Added with `Server::builder().layer(..)`, it covers every service of
/// the server. To protect some services and leave others open (health
/// checks, reflection), wrap each protected one instead: an
/// [`Auth0Service`] keeps the [`NamedService`] name of the service it
/// wraps.
///
/// ```text
/// Server::builder()
///     .add_service(health_service) // open
///     .add_service(layer.layer(OrdersServer::new(orders))) // protected
/// ```
#[derive(Debug, Clone)]
pub struct Auth0Layer {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    client: ApiClient,
    public_url: PublicUrl,
    /// Method path -> the scopes it requires.
    scopes: HashMap<String, Vec<String>>,
}

impl Auth0Layer {
    /// Verifies calls with `client`, as calls to the methods' URLs under
    /// `public_url`. No method requires a scope until
    /// [`Auth0Layer::require_scopes`] says so.
    pub fn new(client: ApiClient, public_url: PublicUrl) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                public_url,
                scopes: HashMap::new(),
            }),
        }
    }

    /// Requires every one of `scopes` for calls to `method`, the method's
    /// full path: `/package.Service/Method`, as in the `.proto` file's
    /// package, service and rpc names.
    ///
    /// Rules for one method add up: a call needs the scopes of every rule
    /// that names its method. With
    /// [`ApiClientOptions::permissions_as_scopes`](auth0_api::ApiClientOptions::permissions_as_scopes),
    /// `permissions` entries count as scopes.
    ///
    /// # Errors
    ///
    /// [`InvalidMethodPath`] when `method` is not `/Service/Method` (a
    /// leading `/`, two non-empty segments of visible ASCII, no query):
    /// such a rule would never match a call.
    pub fn require_scopes<I, T>(
        mut self,
        method: &str,
        scopes: I,
    ) -> Result<Self, InvalidMethodPath>
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        method_path::check(method)?;
        let required = Arc::make_mut(&mut self.inner)
            .scopes
            .entry(method.to_owned())
            .or_default();
        for scope in scopes {
            let scope = scope.into();
            if !required.contains(&scope) {
                required.push(scope);
            }
        }
        Ok(self)
    }

    /// The scopes calls to `method` require (none for a method no rule
    /// names).
    pub fn required_scopes(&self, method: &str) -> impl Iterator<Item = &str> {
        self.inner
            .scopes
            .get(method)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The client calls are verified with.
    pub fn client(&self) -> &ApiClient {
        &self.inner.client
    }

    /// The public URL the methods' URLs are built under.
    pub fn public_url(&self) -> &PublicUrl {
        &self.inner.public_url
    }

    /// Verifies a call: its `authorization` and `dpop` metadata, for its
    /// method (`POST`) and the method's URL under the [`PublicUrl`], then
    /// the scopes its method requires. A [`ClientCertificate`] in the
    /// call's extensions is its client certificate (see
    /// [`Auth0Layer`](Auth0Layer#certificate-bound-tokens)).
    ///
    /// # Errors
    ///
    /// The [`AuthError`] of
    /// [`ApiClient::verify_request_at`](auth0_api::ApiClient::verify_request_at),
    /// or of [`Claims::require_scopes`].
    pub async fn verify(&self, parts: &Parts) -> Result<Claims, AuthError> {
        let claims = self
            .inner
            .client
            .verify_request_at_with_certificate(
                &parts.headers,
                parts.method.as_str(),
                &parts.uri,
                &self.inner.public_url,
                parts.extensions.get::<ClientCertificate>(),
            )
            .await?;
        if let Some(required) = self.inner.scopes.get(parts.uri.path()) {
            claims.require_scopes(required)?;
        }
        Ok(claims)
    }
}

impl<S> Layer<S> for Auth0Layer {
    type Service = Auth0Service<S>;

    fn layer(&self, inner: S) -> Auth0Service<S> {
        Auth0Service {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of [`Auth0Layer`]: verifies the call, then calls the inner
/// service with the claims in the request extensions, or answers with the
/// refusal's gRPC status.
#[derive(Debug, Clone)]
pub struct Auth0Service<S> {
    inner: S,
    layer: Auth0Layer,
}

impl<S> Auth0Service<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Gives up the wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// Routed by the wrapped service's name, so that
/// `add_service(layer.layer(service))` protects that service alone.
impl<S: NamedService> NamedService for Auth0Service<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Auth0Service<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    ReqBody: Send + 'static,
    // `Default`: a refusal is a trailers-only response, with an empty body.
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<Response<ResBody>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The service polled ready is the one to call; keep a fresh clone
        // in its place for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        ResponseFuture::new(async move {
            let (mut parts, body) = request.into_parts();
            match layer.verify(&parts).await {
                Ok(claims) => {
                    parts.extensions.insert(claims);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(error) => Ok(into_status(error).into_http()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use auth0_api::ApiClientOptions;

    use super::*;

    fn layer() -> Auth0Layer {
        let client = ApiClient::new(ApiClientOptions::new(
            "tenant.auth0.com",
            "https://api.example.com",
        ))
        .unwrap();
        Auth0Layer::new(client, PublicUrl::new("https://grpc.example.com").unwrap())
    }

    #[test]
    fn rules_for_one_method_add_up_once_each() {
        let layer = layer()
            .require_scopes("/orders.v1.Orders/CreateOrder", ["write:orders"])
            .unwrap()
            .require_scopes("/orders.v1.Orders/CreateOrder", ["write:orders", "audit"])
            .unwrap();
        let required: Vec<_> = layer
            .required_scopes("/orders.v1.Orders/CreateOrder")
            .collect();
        assert_eq!(required, ["write:orders", "audit"]);
        assert_eq!(
            layer
                .required_scopes("/orders.v1.Orders/ListOrders")
                .count(),
            0
        );
    }

    #[test]
    fn a_rule_for_a_path_no_call_can_have_is_refused() {
        let error = layer()
            .require_scopes("orders.v1.Orders/CreateOrder", ["write:orders"])
            .unwrap_err();
        assert_eq!(error.path(), "orders.v1.Orders/CreateOrder");
    }

    #[test]
    fn clones_configured_later_do_not_change_earlier_ones() {
        let open = layer();
        let guarded = open
            .clone()
            .require_scopes("/orders.v1.Orders/CreateOrder", ["write:orders"])
            .unwrap();
        assert_eq!(
            open.required_scopes("/orders.v1.Orders/CreateOrder")
                .count(),
            0
        );
        assert_eq!(
            guarded
                .required_scopes("/orders.v1.Orders/CreateOrder")
                .count(),
            1
        );
    }
}
