//! A test's own router, served on a free loopback port.

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// An axum router served on `127.0.0.1` at a free port; it stops when
/// dropped.
///
/// ```
/// use axum::Router;
/// use axum::routing::get;
/// use dev_issuer::testing::{Server, block_on, get as fetch};
///
/// block_on(async {
///     let server = Server::start(|url| {
///         let own = url.to_owned();
///         Router::new().route("/", get(move || async move { own }))
///     })
///     .await;
///     let reply = fetch(&server.url_of("/")).await;
///     assert_eq!(reply.body, server.url());
/// });
/// ```
#[derive(Debug)]
pub struct Server {
    url: String,
    task: JoinHandle<()>,
}

impl Server {
    /// Serves the router that `app` builds for the server's own URL
    /// (`http://127.0.0.1:PORT`, no trailing slash): a router that names
    /// its public URL, as an API verifying DPoP proofs does, learns it
    /// before it serves.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    #[expect(
        clippy::expect_used,
        reason = "a test that cannot bind a loopback port cannot run"
    )]
    pub async fn start(app: impl FnOnce(&str) -> Router) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let addr = listener.local_addr().expect("the bound address");
        let url = format!("http://{addr}");
        let router = app(&url);
        let task = tokio::spawn(async move {
            // An accept error ends the server; the test then fails on its
            // next request, which says more than a panic here would.
            let _ = axum::serve(listener, router).await;
        });
        Self { url, task }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
