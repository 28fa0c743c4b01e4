//! Errors: a request refused before it is sent, or a token endpoint that
//! answered with an error or nonsense.
//!
//! Every error has the same accessors as the rest of the workspace:
//! `error_code()`, `description()` and `status_code()`.

use std::borrow::Cow;

use oidc_discovery::FetchError;

/// Anything a token exchange can fail with.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before anything was sent (the caller's
    /// fault, or the SDK's configuration).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The token endpoint refused, failed, or answered unusably.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The token endpoint could not be discovered (the authorization
    /// server's or the network's fault). The cause is the
    /// [`source()`](std::error::Error::source).
    #[error("token endpoint discovery failed")]
    Discovery(#[from] oidc_discovery::Error),
}

impl Error {
    /// The error code: `invalid_request` and `invalid_configuration` for
    /// refused requests, the server's (sanitized) or our code for
    /// [`ApiError`]s, `discovery_error` when the endpoint could not be
    /// discovered.
    pub fn error_code(&self) -> &str {
        match self {
            Self::Request(e) => e.error_code(),
            Self::Api(e) => e.error_code(),
            Self::Discovery(_) => "discovery_error",
        }
    }

    /// A one-line, human-readable description, without secrets. For a
    /// discovery failure it does not include the cause: walk
    /// [`source()`](std::error::Error::source) for that.
    pub fn description(&self) -> Cow<'_, str> {
        match self {
            Self::Request(e) => Cow::Owned(e.to_string()),
            Self::Api(e) => Cow::Borrowed(e.description()),
            Self::Discovery(_) => Cow::Owned(self.to_string()),
        }
    }

    /// The HTTP status an API should answer with when it passes this on:
    /// 400 or 500 for a refused request (see
    /// [`RequestError::status_code`]), [`ApiError::status_code`] for the
    /// token endpoint's answer, 503 for a discovery failure that may pass
    /// and 502 for any other.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Request(e) => e.status_code(),
            Self::Api(e) => e.status_code(),
            Self::Discovery(e) if e.is_retryable() => 503,
            Self::Discovery(_) => 502,
        }
    }
}

/// A request refused before it was sent. Nothing reached the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A required argument is empty.
    #[error("the argument {argument:?} is required")]
    MissingArgument {
        /// Its name.
        argument: &'static str,
    },
    /// The subject token is empty or only whitespace.
    #[error("subject_token cannot be blank or whitespace")]
    BlankSubjectToken,
    /// The subject token has leading or trailing whitespace.
    #[error("subject_token must not include leading or trailing whitespace")]
    SubjectTokenWhitespace,
    /// The subject token starts with `Bearer ` (any case): pass the token,
    /// not the header value.
    #[error("subject_token must not include the 'Bearer ' prefix")]
    SubjectTokenBearerPrefix,
    /// An `extra` parameter would override a reserved OAuth parameter.
    #[error("parameter {name:?} is reserved and cannot be overridden")]
    ReservedParameter {
        /// The parameter name as given.
        name: String,
    },
    /// An `extra` parameter has more values than allowed.
    #[error("parameter {name:?} has {count} values, more than the {max} allowed")]
    TooManyValues {
        /// The parameter name.
        name: String,
        /// How many values it had.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The SDK has no client id and secret (the operator's fault).
    #[error("client_id and client_secret must be configured for token exchange")]
    MissingClientCredentials,
}

impl RequestError {
    /// `invalid_configuration` for missing credentials, else
    /// `invalid_request`.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::MissingClientCredentials => "invalid_configuration",
            _ => "invalid_request",
        }
    }

    /// 500 for missing credentials, else 400.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::MissingClientCredentials => 500,
            _ => 400,
        }
    }
}

/// The token endpoint refused or failed.
///
/// The error code is the server's RFC 6749 `error` when it sent a usable
/// one, else ours: `invalid_json` (502), `invalid_response` (502),
/// `timeout_error` (504), `network_error` (502), `response_too_large` (502),
/// `invalid_token_endpoint` (502), or the grant's generic code
/// (`token_exchange_error`, `connection_token_error`, `on_behalf_of_error`)
/// for an error answer without one.
///
/// [`status_code`](ApiError::status_code) is never the token endpoint's own
/// status passed through: only the end user's mistakes keep a 4xx, the
/// rest is 502 (see its docs for the table). The endpoint's own status is
/// kept in [`upstream_status`](ApiError::upstream_status) for logs.
///
/// When no usable answer arrived (timeout, connection failure, refused
/// URL, oversized body), the fetch error is the
/// [`source()`](std::error::Error::source); the description does not
/// repeat it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error_code}: {description}")]
pub struct ApiError {
    error_code: String,
    description: String,
    status_code: u16,
    upstream_status: Option<u16>,
    #[source]
    source: Option<Box<FetchError>>,
}

impl ApiError {
    /// One of our own errors: no answer, or an unusable 2xx.
    pub(crate) fn new(
        error_code: impl Into<String>,
        description: impl Into<String>,
        status_code: u16,
    ) -> Self {
        Self {
            error_code: error_code.into(),
            description: description.into(),
            status_code,
            upstream_status: None,
            source: None,
        }
    }

    /// The request got no usable answer because of `source`.
    pub(crate) fn transport(
        error_code: &str,
        description: String,
        status_code: u16,
        source: FetchError,
    ) -> Self {
        Self {
            source: Some(Box::new(source)),
            ..Self::new(error_code, description, status_code)
        }
    }

    /// An error answer: `error_code` and `description` already sanitized,
    /// `status_code` already mapped from `upstream_status`.
    pub(crate) fn upstream(
        error_code: String,
        description: String,
        status_code: u16,
        upstream_status: u16,
    ) -> Self {
        Self {
            error_code,
            description,
            status_code,
            upstream_status: Some(upstream_status),
            source: None,
        }
    }

    /// The error code (`invalid_grant`, `timeout_error`, ...). Always
    /// 1 to 64 characters of RFC 6749's `error` character set (printable
    /// ASCII without `"` and `\`), so it can go into a JSON body or a
    /// `WWW-Authenticate` challenge as is.
    pub fn error_code(&self) -> &str {
        &self.error_code
    }

    /// The server's `error_description` (at most 256 characters of the
    /// same character set, anything else replaced) or ours.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The HTTP status an API should answer with when it passes this on.
    ///
    /// | the token endpoint answered | status |
    /// | --- | --- |
    /// | 400 or 403 with `invalid_request`, `invalid_grant`, `invalid_scope`, `unauthorized_client` or `unsupported_grant_type` | 400 |
    /// | 400 or 403 with `access_denied` | 403 |
    /// | any other error status or code (`invalid_client` with 401, 5xx, 1xx, 3xx, 429, statuses outside 100-599, a code that is not RFC 6749's) | 502 |
    /// | a 2xx that is not a usable token response | 502 |
    /// | nothing within the timeout | 504 |
    /// | nothing usable (connection failure, too large) | 502 |
    ///
    /// A 401 from the token endpoint means this API's own client
    /// credentials were refused: passing it on would tell the end user's
    /// client to drop a token that is fine.
    pub fn status_code(&self) -> u16 {
        self.status_code
    }

    /// The status the token endpoint answered with, when this error comes
    /// from its error answer (not for timeouts, network failures or
    /// unusable 2xx bodies). For logs: do not pass it on.
    pub fn upstream_status(&self) -> Option<u16> {
        self.upstream_status
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn every_variant_answers_to_the_workspace_vocabulary() {
        let e = Error::from(RequestError::MissingClientCredentials);
        assert_eq!(
            (e.error_code(), e.status_code()),
            ("invalid_configuration", 500)
        );
        assert_eq!(
            e.description(),
            "client_id and client_secret must be configured for token exchange"
        );
        assert!(e.source().is_none());

        let e = Error::from(ApiError::new("invalid_json", "not JSON", 502));
        assert_eq!(
            (e.error_code(), e.description().as_ref(), e.status_code()),
            ("invalid_json", "not JSON", 502)
        );
        assert_eq!(e.to_string(), "invalid_json: not JSON");
        assert!(e.source().is_none());
    }
}
