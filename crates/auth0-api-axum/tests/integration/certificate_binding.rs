//! Certificate-bound tokens (RFC 8705) over real TLS on loopback: a CA and
//! client certificates made here with rcgen, a rustls server whose accept
//! loop puts the peer's [`ClientCertificate`] in every request's
//! extensions, and a rustls client presenting a certificate or none. Then
//! the RFC 9440 `Client-Cert` header of a trusted proxy, over plain HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use auth0_api::ApiClientOptions;
use auth0_api_axum::{Authenticated, ClientCertificate, RequestVerifier};
use axum::Router;
use axum::http::{HeaderMap, HeaderName, Request, StatusCode};
use axum::routing::get;
use dev_issuer::testing::Reply;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use tower::ServiceExt as _;

use crate::support::{Env, Server, http, send, verifier, within};

/// A certificate and its private key.
struct Leaf {
    der: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// A test CA, the server's certificate and two client certificates, all
/// issued by the CA: TLS accepts either client, only the token tells them
/// apart.
struct Pki {
    ca: CertificateDer<'static>,
    server: Leaf,
    right: Leaf,
    wrong: Leaf,
}

fn pki() -> Pki {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let leaf = |name: &str, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.extended_key_usages = vec![usage];
        let certificate = params.signed_by(&key, &ca).unwrap();
        Leaf {
            der: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        }
    };
    Pki {
        server: leaf("localhost", ExtendedKeyUsagePurpose::ServerAuth),
        right: leaf("right.client", ExtendedKeyUsagePurpose::ClientAuth),
        wrong: leaf("wrong.client", ExtendedKeyUsagePurpose::ClientAuth),
        ca: ca.der().clone(),
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(pki: &Pki) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.add(pki.ca.clone()).unwrap();
    Arc::new(roots)
}

/// The protected route, behind the layer.
fn app(verifier: &RequestVerifier) -> Router {
    Router::new()
        .route(
            "/orders",
            get(|Authenticated(claims): Authenticated| async move {
                claims.sub().unwrap_or_default().to_owned()
            }),
        )
        .layer(verifier.layer())
}

/// Serves `app` over TLS on loopback, asking clients for a certificate of
/// the test CA (optional): the accept loop hands the peer's certificate
/// to every request of the connection as a [`ClientCertificate`].
async fn serve_tls(app: Router, pki: &Pki) -> SocketAddr {
    let clients = WebPkiClientVerifier::builder_with_provider(roots(pki), provider())
        .allow_unauthenticated()
        .build()
        .unwrap();
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(clients)
        .with_single_cert(vec![pki.server.der.clone()], pki.server.key.clone_key())
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let certificate = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(<[_]>::first)
                    .map(ClientCertificate::from_der);
                let service = app.map_request(move |mut request: Request<_>| {
                    if let Some(certificate) = &certificate {
                        request.extensions_mut().insert(certificate.clone());
                    }
                    request
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), TowerToHyperService::new(service))
                    .await;
            });
        }
    });
    address
}

/// `GET /orders` over TLS with `token`, presenting `identity` (or no
/// certificate), as a hand-written HTTP/1.1 request.
async fn get_orders(address: SocketAddr, pki: &Pki, identity: Option<&Leaf>, token: &str) -> Reply {
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots(pki));
    let config = match identity {
        Some(leaf) => config
            .with_client_auth_cert(vec![leaf.der.clone()], leaf.key.clone_key())
            .unwrap(),
        None => config.with_no_client_auth(),
    };
    let tcp = TcpStream::connect(address).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap();
    let request = format!(
        "GET /orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    // A server that closes without close_notify still sent its answer.
    let _ = tls.read_to_end(&mut response).await;
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse::<u16>().unwrap();
    let mut headers = HeaderMap::new();
    for line in head.lines().skip(1) {
        let (name, value) = line.split_once(": ").unwrap();
        headers.append(name.parse::<HeaderName>().unwrap(), value.parse().unwrap());
    }
    Reply::new(
        StatusCode::from_u16(status).unwrap(),
        headers,
        body.as_bytes(),
    )
}

fn bound_token(env: &Env, certificate: &CertificateDer<'_>) -> String {
    env.issuer
        .token()
        .sub("auth0|alice")
        .cnf_x5t_s256(ClientCertificate::from_der(certificate).thumbprint())
        .sign()
        .unwrap()
}

#[tokio::test]
async fn over_tls_a_bound_token_passes_with_its_certificate_only() {
    within(async {
        let env = Env::start().await;
        let pki = pki();
        let address = serve_tls(app(&env.verifier("https://localhost")), &pki).await;
        let token = bound_token(&env, &pki.right.der);

        let reply = get_orders(address, &pki, Some(&pki.right), &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");

        let reply = get_orders(address, &pki, Some(&pki.wrong), &token).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "invalid_token");
        assert!(
            reply.description().contains("certificate-bound"),
            "{reply:?}"
        );

        let reply = get_orders(address, &pki, None, &token).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "invalid_token");
        assert!(
            reply.description().contains("no client certificate"),
            "{reply:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn over_tls_a_token_without_cnf_passes_with_any_certificate_or_none() {
    within(async {
        let env = Env::start().await;
        let pki = pki();
        let address = serve_tls(app(&env.verifier("https://localhost")), &pki).await;
        let token = env.token("read:orders");
        for identity in [Some(&pki.wrong), None] {
            let reply = get_orders(address, &pki, identity, &token).await;
            assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        }
    })
    .await;
}

/// The header a TLS-terminating proxy sets: `:<base64 DER>:`.
fn client_cert(der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    format!(":{}:", Base64::encode_string(der))
}

async fn serve_plain(options: ApiClientOptions) -> Server {
    Server::start(|url| app(&verifier(options, url))).await
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_cert_header_is_the_certificate() {
    within(async {
        let env = Env::start().await;
        let pki = pki();
        let api = serve_plain(env.options().trust_client_cert_header(true)).await;
        let token = bound_token(&env, &pki.right.der);
        let get = |value: String| {
            send(
                http()
                    .get(api.url_of("/orders"))
                    .bearer_auth(&token)
                    .header("client-cert", value),
            )
        };

        let reply = get(client_cert(&pki.right.der)).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");

        let reply = get(client_cert(&pki.wrong.der)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "invalid_token");

        let reply = get(":not base64!:".to_owned()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
        assert_eq!(reply.error(), "invalid_request");

        let reply = send(http().get(api.url_of("/orders")).bearer_auth(&token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "invalid_token");
    })
    .await;
}

#[tokio::test]
async fn without_a_trusted_proxy_the_client_cert_header_is_ignored() {
    within(async {
        let env = Env::start().await;
        let pki = pki();
        let api = serve_plain(env.options()).await;
        let token = bound_token(&env, &pki.right.der);
        let reply = send(
            http()
                .get(api.url_of("/orders"))
                .bearer_auth(&token)
                .header("client-cert", client_cert(&pki.right.der)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "invalid_token");
        assert!(
            reply.description().contains("no client certificate"),
            "{reply:?}"
        );
    })
    .await;
}
