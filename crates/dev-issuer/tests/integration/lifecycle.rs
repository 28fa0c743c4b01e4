//! Starting, binding and stopping.

use std::net::{Ipv4Addr, SocketAddr};

use dev_issuer::{DevIssuer, Error};
use http::StatusCode;
use tokio::net::TcpStream;

use crate::support::{block_on, get};

#[test]
fn shutdown_closes_the_socket() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let addr = issuer.local_addr();
        assert!(addr.ip().is_loopback());
        assert_ne!(addr.port(), 0);
        assert_eq!(get(issuer.discovery_url()).await.status, StatusCode::OK);
        issuer.shutdown().await;
        assert!(TcpStream::connect(addr).await.is_err());
    });
}

#[test]
fn dropping_the_handle_stops_the_server() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let addr = issuer.local_addr();
        drop(issuer);
        // The abort is processed by the runtime, not inside drop: poll a
        // bounded number of times, never sleeping.
        let mut refused = false;
        for _ in 0..10_000 {
            if TcpStream::connect(addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(refused, "the server still accepts connections");
    });
}

#[test]
fn a_taken_address_is_a_bind_error_naming_it() {
    block_on(async {
        let first = DevIssuer::start().await.unwrap();
        let taken = first.local_addr();
        let error = DevIssuer::builder().bind(taken).start().await.unwrap_err();
        match &error {
            Error::Bind { addr, .. } => assert_eq!(*addr, taken),
            other => panic!("expected a bind error, got {other:?}"),
        }
        assert!(error.to_string().contains(&taken.to_string()));
    });
}

#[test]
fn binding_everywhere_still_names_loopback_in_urls() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))
            .start()
            .await
            .unwrap();
        let port = issuer.local_addr().port();
        assert_eq!(issuer.issuer_url(), format!("http://127.0.0.1:{port}/"));
        let document = get(issuer.discovery_url()).await.body;
        assert_eq!(document["issuer"], issuer.issuer_url());
        assert!(format!("{issuer:?}").contains(issuer.issuer_url()));
    });
}
