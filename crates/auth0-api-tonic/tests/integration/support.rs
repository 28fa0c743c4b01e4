//! An issuer on a fixed clock, the example service on a free loopback
//! port, and calls with metadata.
//!
//! The fixed instant, bounded waits, the issuer on its clock and the
//! proofs are `dev_issuer::testing`'s, shared with the other crates' tests.

use std::sync::Arc;

use auth0_api::{ApiClient, ApiClientOptions, ManualClock, PublicUrl};
use dev_issuer::DevIssuer;
use dev_issuer::testing::ClockedIssuer;
pub(crate) use dev_issuer::testing::{DpopUser, proof, proof_with_nonce, within};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::metadata::MetadataValue;
use tonic::{Request, Status};

use crate::orders::{self, OrdersClient};

/// A dev issuer and the clock it and the API client share.
pub(crate) struct Env {
    pub(crate) issuer: DevIssuer,
    pub(crate) clock: Arc<ManualClock>,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let (issuer, clock) = within(ClockedIssuer::start()).await.unwrap().into_parts();
        Self { issuer, clock }
    }

    /// The API client's options: this issuer, on the shared clock.
    pub(crate) fn options(&self) -> ApiClientOptions {
        ApiClientOptions::new(self.issuer.issuer_url(), self.issuer.audience())
            .clock(self.clock.clone())
    }

    /// A Bearer token of `auth0|alice` with `scope`.
    pub(crate) fn token(&self, scope: &str) -> String {
        self.issuer
            .token()
            .sub("auth0|alice")
            .scope(scope)
            .sign()
            .unwrap()
    }

    /// A DPoP key and a token of `auth0|alice` bound to it.
    pub(crate) fn dpop_user(&self) -> DpopUser {
        DpopUser::new(&self.issuer, "auth0|alice")
    }
}

/// The example service on a free loopback port, stopped when dropped.
pub(crate) struct Api {
    /// `http://127.0.0.1:port`, where the client connects.
    addr_url: String,
    /// The public URL the layer builds the methods' URLs under.
    public_url: String,
    _stop: oneshot::Sender<()>,
}

impl Api {
    /// The example service, verifying with `options`; its public URL is
    /// the loopback address.
    pub(crate) async fn serve(options: ApiClientOptions) -> Self {
        Self::serve_at(options, None).await
    }

    /// As [`Api::serve`], behind the public URL `public_url` (a proxy's)
    /// when given.
    pub(crate) async fn serve_at(options: ApiClientOptions, public_url: Option<&str>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr_url = format!("http://{}", listener.local_addr().unwrap());
        let public_url = public_url.unwrap_or(&addr_url).to_owned();
        let layer = orders::auth_layer(
            ApiClient::new(options).unwrap(),
            PublicUrl::new(&public_url).unwrap(),
        )
        .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(orders::serve(listener, layer, async {
            let _ = stopped.await;
        }));
        Self {
            addr_url,
            public_url,
            _stop: stop,
        }
    }

    /// The URL a DPoP proof names for `method` (`/package.Service/Method`).
    pub(crate) fn method_url(&self, method: &str) -> String {
        format!("{}{method}", self.public_url)
    }

    /// The loopback URL of `method`, whatever the public URL.
    pub(crate) fn loopback_url(&self, method: &str) -> String {
        format!("{}{method}", self.addr_url)
    }

    /// A tonic client connected to the service.
    pub(crate) async fn client(&self) -> OrdersClient {
        within(OrdersClient::connect(self.addr_url.clone()))
            .await
            .unwrap()
    }
}

/// `message` with these metadata entries (`authorization`, `dpop`).
pub(crate) fn request<T>(message: T, metadata: &[(&'static str, &str)]) -> Request<T> {
    let mut request = Request::new(message);
    for (name, value) in metadata {
        let value: MetadataValue<_> = value.parse().unwrap();
        request.metadata_mut().append(*name, value);
    }
    request
}

/// The `www-authenticate` entries of a refusal, in order.
pub(crate) fn challenges(status: &Status) -> Vec<String> {
    status
        .metadata()
        .get_all("www-authenticate")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}
