//! Errors: one [`Error`] that fans out into [`KeyError`].
//!
//! Every failure here is local: the issuer could not bind its socket, or a
//! key could not be loaded, generated or used. Errors a *client* of the
//! issuer makes (a bad grant, a wrong secret) are not Rust errors at all:
//! they are RFC 6749 error responses on the wire.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

/// Anything that can go wrong while starting or driving a [`DevIssuer`].
///
/// [`DevIssuer`]: crate::DevIssuer
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound (the caller's address is in
    /// use, or not local).
    #[error("could not bind the dev issuer to {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: Arc<io::Error>,
    },
    /// A signing key could not be loaded, generated or used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The issuer was started outside a Tokio runtime (caller misuse).
    #[error("the dev issuer must be started inside a Tokio runtime")]
    NoRuntime,
}

impl Error {
    pub(crate) fn bind(addr: SocketAddr, source: io::Error) -> Self {
        Self::Bind {
            addr,
            source: Arc::new(source),
        }
    }
}

/// A signing key problem.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The PKCS#8 document is not a private key of the expected kind (the
    /// caller handed in the wrong bytes).
    #[error("the PKCS#8 document is not a usable {alg} private key")]
    InvalidPkcs8 {
        /// The algorithm the key was meant for.
        alg: jose_core::Algorithm,
    },
    /// The bundled test key with this index does not exist (caller misuse).
    #[error("there is no bundled test key number {index} (0 to {max})")]
    NoSuchBundledKey {
        /// The index asked for.
        index: usize,
        /// The highest valid index.
        max: usize,
    },
    /// The system random number generator failed while generating a key or
    /// signing (an environment problem).
    #[error("the system random number generator failed")]
    Random,
    /// The public half could not be expressed as a JWK (a bug: ring accepted
    /// a key that jose-core refuses).
    #[error("the public key is not publishable")]
    Public(#[source] jose_core::KeyError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_clone_and_read_well() {
        fn check<T: Send + Sync + Clone + std::error::Error + 'static>() {}
        check::<Error>();
        check::<KeyError>();

        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let err = Error::bind(addr, io::Error::from(io::ErrorKind::AddrInUse));
        assert_eq!(
            err.to_string(),
            "could not bind the dev issuer to 127.0.0.1:9"
        );
        assert!(std::error::Error::source(&err).is_some());

        let err = Error::from(KeyError::NoSuchBundledKey { index: 9, max: 3 });
        assert_eq!(
            err.to_string(),
            "there is no bundled test key number 9 (0 to 3)"
        );
    }
}
