//! Errors: one [`Error`] that fans out by what went wrong.
//!
//! Every error that involves the network names the URL it is about. Values
//! taken from a server's answer (an issuer, a `Location` header) are
//! shortened before they are stored, so an error never carries an unbounded
//! amount of remote-chosen text. Issuers with credentials, queries or
//! fragments are refused up front, so no secret reaches an error message.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use url::Url;

/// A shared, type-erased cause: keeps [`Error`] `Clone` while
/// [`source()`](StdError::source) still reaches the original error.
pub(crate) type Source = Arc<dyn StdError + Send + Sync>;

/// Anything that can go wrong while discovering an issuer or finding a key.
///
/// Small (the URL-carrying details are boxed), so that a `Result` of it
/// stays cheap to return on the hot path and to wrap in a caller's error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's fault: the issuer is not an absolute `https` URL (or an
    /// `http` URL on a loopback host) without credentials, query or
    /// fragment. Nothing was fetched.
    #[error("issuer {issuer:?} is not usable: {reason}")]
    InvalidIssuer {
        /// The issuer as given (shortened).
        issuer: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A URL could not be fetched (network, remote server or policy).
    #[error(transparent)]
    Fetch(Box<FetchError>),
    /// A discovery document or JWKS was fetched but is unacceptable: the
    /// authorization server's fault.
    #[error(transparent)]
    Document(Box<DocumentError>),
    /// No key in the JWKS (refreshed if the `kid` was unknown and the rate
    /// limit allowed) can verify the token: usually the token's fault.
    #[error("{error} in the JWKS at {jwks_uri}")]
    Key {
        /// The JWKS the key was looked up in.
        jwks_uri: Box<Url>,
        /// Why no key was chosen ([`jose_core::KeyError::UnknownKid`],
        /// [`jose_core::KeyError::MissingKid`], an unusable key, ...).
        error: jose_core::KeyError,
    },
    /// The environment's fault: the default HTTP client could not be set up
    /// (for example, no root certificates could be loaded from the system).
    #[error("could not set up the HTTP client")]
    HttpClient {
        /// What failed.
        #[source]
        source: Source,
    },
}

impl Error {
    /// Whether trying again later may succeed: a timeout, a connection
    /// failure, a dropped connection, or a `408`, `429` or `5xx` answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Fetch(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The URL the error is about, when one was involved.
    pub fn url(&self) -> Option<&Url> {
        match self {
            Self::Fetch(e) => Some(e.url()),
            Self::Document(e) => Some(e.url()),
            Self::Key { jwks_uri, .. } => Some(jwks_uri),
            Self::InvalidIssuer { .. } | Self::HttpClient { .. } => None,
        }
    }

    /// The fetch error, for [`Error::Fetch`].
    pub fn fetch_error(&self) -> Option<&FetchError> {
        match self {
            Self::Fetch(e) => Some(e),
            _ => None,
        }
    }

    /// The document error, for [`Error::Document`].
    pub fn document_error(&self) -> Option<&DocumentError> {
        match self {
            Self::Document(e) => Some(e),
            _ => None,
        }
    }

    /// The key-selection error, for [`Error::Key`].
    pub fn key_error(&self) -> Option<&jose_core::KeyError> {
        match self {
            Self::Key { error, .. } => Some(error),
            _ => None,
        }
    }

    pub(crate) fn key(jwks_uri: &Url, error: jose_core::KeyError) -> Self {
        Self::Key {
            jwks_uri: Box::new(jwks_uri.clone()),
            error,
        }
    }

    pub(crate) fn invalid_issuer(issuer: &str, reason: &'static str) -> Self {
        Self::InvalidIssuer {
            issuer: excerpt(issuer),
            reason,
        }
    }
}

impl From<FetchError> for Error {
    fn from(error: FetchError) -> Self {
        Self::Fetch(Box::new(error))
    }
}

impl From<DocumentError> for Error {
    fn from(error: DocumentError) -> Self {
        Self::Document(Box::new(error))
    }
}

/// A URL could not be fetched.
///
/// [`Fetcher`](crate::Fetcher) implementations return these, so the variants
/// can be built outside this crate; [`FetchError::Other`] carries anything
/// a custom fetcher needs to report that has no variant of its own.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The caller's (or the discovery document's) fault: plain `http` to a
    /// host that is not loopback. Refused before any connection was made.
    #[error("refusing to fetch {url}: http is only allowed for loopback hosts")]
    InsecureUrl {
        /// The refused URL.
        url: Url,
    },
    /// The URL cannot be fetched at all: another scheme than `http(s)`, no
    /// host, or credentials in it. Refused before any connection was made.
    #[error("refusing to fetch {url}: {reason}")]
    UnsupportedUrl {
        /// The refused URL (credentials removed).
        url: Url,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The server's fault: it redirected somewhere the fetcher may not go
    /// (from `https` to `http`, to a non-loopback `http` host, or to an
    /// unparsable location).
    #[error("refusing the redirect from {url} to {location:?}: {reason}")]
    RedirectRefused {
        /// The URL that answered with the redirect.
        url: Url,
        /// The `Location` it named (shortened).
        location: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The server's fault: more redirects than allowed.
    #[error("too many redirects fetching {url} (at most {max} are followed)")]
    TooManyRedirects {
        /// The URL that was requested.
        url: Url,
        /// The configured maximum.
        max: usize,
    },
    /// No complete answer within the timeout (connecting, or the whole
    /// request including the body).
    #[error("fetching {url} timed out after {after:?}")]
    Timeout {
        /// The URL being fetched.
        url: Url,
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection could not be established (DNS, refused, TLS).
    #[error("could not connect to {url}")]
    Connect {
        /// The URL being fetched.
        url: Url,
        /// What failed.
        #[source]
        source: Source,
    },
    /// The connection failed after it was established (closed early,
    /// malformed HTTP).
    #[error("the request to {url} failed")]
    Transport {
        /// The URL being fetched.
        url: Url,
        /// What failed.
        #[source]
        source: Source,
    },
    /// The server's fault: it answered with a status other than `2xx`.
    #[error("{url} answered {status}")]
    Status {
        /// The URL fetched.
        url: Url,
        /// The status it answered with.
        status: StatusCode,
    },
    /// The server's fault: the body is larger than the cap. Detected from
    /// `Content-Length` before reading, or while streaming: never after
    /// buffering it.
    #[error("the response from {url} exceeds {limit} bytes")]
    TooLarge {
        /// The URL fetched.
        url: Url,
        /// The configured cap in bytes.
        limit: u64,
        /// The `Content-Length` the server declared, if it did.
        declared: Option<u64>,
    },
    /// A failure reported by a custom [`Fetcher`](crate::Fetcher).
    #[error("fetching {url} failed")]
    Other {
        /// The URL being fetched.
        url: Url,
        /// What failed.
        #[source]
        source: Source,
    },
}

impl FetchError {
    /// The URL that failed.
    pub fn url(&self) -> &Url {
        match self {
            Self::InsecureUrl { url }
            | Self::UnsupportedUrl { url, .. }
            | Self::RedirectRefused { url, .. }
            | Self::TooManyRedirects { url, .. }
            | Self::Timeout { url, .. }
            | Self::Connect { url, .. }
            | Self::Transport { url, .. }
            | Self::Status { url, .. }
            | Self::TooLarge { url, .. }
            | Self::Other { url, .. } => url,
        }
    }

    /// Whether trying again later may succeed: a timeout, a connection
    /// failure, a dropped connection, or a `408`, `429` or `5xx` answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Connect { .. } | Self::Transport { .. } => true,
            Self::Status { status, .. } => {
                status.is_server_error()
                    || *status == StatusCode::REQUEST_TIMEOUT
                    || *status == StatusCode::TOO_MANY_REQUESTS
            }
            _ => false,
        }
    }

    /// Whether the request never left this process because the URL broke
    /// the fetch policy ([`FetchError::InsecureUrl`],
    /// [`FetchError::UnsupportedUrl`]).
    pub fn is_refused_before_connecting(&self) -> bool {
        matches!(self, Self::InsecureUrl { .. } | Self::UnsupportedUrl { .. })
    }

    /// A [`FetchError::Other`] for a custom fetcher's own failure.
    pub fn other(url: &Url, source: impl StdError + Send + Sync + 'static) -> Self {
        Self::Other {
            url: url.clone(),
            source: Arc::new(source),
        }
    }
}

/// A discovery document or JWKS was fetched but is unacceptable: the
/// authorization server's (or a shared store's) fault.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The body is not JSON.
    #[error("the document at {url} is not JSON")]
    NotJson {
        /// Where it was fetched from.
        url: Url,
        /// What the JSON parser reported.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// The body is JSON, but not an object.
    #[error("the document at {url} is not a JSON object")]
    NotAnObject {
        /// Where it was fetched from.
        url: Url,
    },
    /// A required member is absent (`issuer`, `jwks_uri`).
    #[error("the discovery document at {url} has no {member:?}")]
    MissingMember {
        /// Where it was fetched from.
        url: Url,
        /// The member name.
        member: &'static str,
    },
    /// A member is present but unusable: not a string, not an absolute URL,
    /// or a URL the fetch policy refuses (`http` to a non-loopback host, or
    /// `http` under an `https` issuer).
    #[error("the discovery document at {url} has an unusable {member:?}: {reason}")]
    InvalidMember {
        /// Where it was fetched from.
        url: Url,
        /// The member name.
        member: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The document names another issuer than the one asked for, which
    /// would let one issuer's keys verify another's tokens (issuer
    /// confusion).
    #[error("the discovery document at {url} is for issuer {found:?}, expected {expected:?}")]
    IssuerMismatch {
        /// Where it was fetched from.
        url: Url,
        /// The issuer asked for.
        expected: String,
        /// The issuer the document names (shortened).
        found: String,
    },
    /// The JWKS is JSON but not a JWK Set (no `keys` array).
    #[error("the JWKS at {url} is malformed: {error}")]
    MalformedKeySet {
        /// Where it was fetched from.
        url: Url,
        /// What `jose-core` reported.
        error: jose_core::KeyError,
    },
}

impl DocumentError {
    /// The URL of the unacceptable document.
    pub fn url(&self) -> &Url {
        match self {
            Self::NotJson { url, .. }
            | Self::NotAnObject { url }
            | Self::MissingMember { url, .. }
            | Self::InvalidMember { url, .. }
            | Self::IssuerMismatch { url, .. }
            | Self::MalformedKeySet { url, .. } => url,
        }
    }
}

/// A [`DocumentStore`](crate::DocumentStore) failed. The cache logs it and
/// carries on without the store (fetching instead), so it never reaches a
/// caller of [`Discovery`](crate::Discovery).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the document store failed")]
pub struct StoreError {
    #[source]
    source: Source,
}

impl StoreError {
    /// Wraps the store's own error.
    pub fn new(source: impl StdError + Send + Sync + 'static) -> Self {
        Self {
            source: Arc::new(source),
        }
    }
}

/// Displays an error followed by its `source()` chain, for log lines.
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn StdError + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

/// [`jose_core::excerpt`] at 128 bytes: URLs and remote text need a little
/// more room than a `kid`.
pub(crate) fn excerpt(value: &str) -> String {
    jose_core::excerpt(value, 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://tenant.example/.well-known/jwks.json").unwrap()
    }

    #[test]
    fn errors_are_send_sync_clone_and_small() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Error>();
        check::<StoreError>();
        assert!(size_of::<Error>() <= 64, "{}", size_of::<Error>());
    }

    #[test]
    fn retryable_means_transient() {
        let status = |s| FetchError::Status {
            url: url(),
            status: s,
        };
        assert!(status(StatusCode::SERVICE_UNAVAILABLE).is_retryable());
        assert!(status(StatusCode::TOO_MANY_REQUESTS).is_retryable());
        assert!(!status(StatusCode::NOT_FOUND).is_retryable());
        let timeout = FetchError::Timeout {
            url: url(),
            after: Duration::from_secs(1),
        };
        assert!(Error::from(timeout).is_retryable());
        let large = FetchError::TooLarge {
            url: url(),
            limit: 1,
            declared: None,
        };
        assert!(!large.is_retryable());
        assert!(FetchError::InsecureUrl { url: url() }.is_refused_before_connecting());
        assert!(!Error::invalid_issuer("x", "bad").is_retryable());
    }

    #[test]
    fn messages_name_the_url_and_are_one_lowercase_line() {
        let e = Error::from(FetchError::Status {
            url: url(),
            status: StatusCode::NOT_FOUND,
        });
        assert_eq!(
            e.to_string(),
            "https://tenant.example/.well-known/jwks.json answered 404 Not Found"
        );
        assert_eq!(e.url(), Some(&url()));
        let e = Error::key(&url(), jose_core::KeyError::UnknownKid { kid: "k1".into() });
        assert_eq!(
            e.to_string(),
            "no key with kid \"k1\" in the JWKS at https://tenant.example/.well-known/jwks.json"
        );
        assert!(matches!(
            e.key_error(),
            Some(jose_core::KeyError::UnknownKid { .. })
        ));
    }

    #[test]
    fn chain_shows_the_causes() {
        let io = std::io::Error::other("connection refused");
        let e = FetchError::Connect {
            url: url(),
            source: Arc::new(io),
        };
        assert_eq!(
            Chain(&e).to_string(),
            "could not connect to https://tenant.example/.well-known/jwks.json: connection refused"
        );
    }

    #[test]
    fn excerpt_bounds_text_on_char_boundaries() {
        assert_eq!(excerpt("short"), "short");
        let cut = excerpt(&"é".repeat(200));
        assert!(cut.len() <= 128 + '…'.len_utf8());
        assert!(cut.ends_with('…'));
    }
}
