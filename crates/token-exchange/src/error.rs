//! Errors: a request refused before it is sent, or a token endpoint that
//! answered with an error or nonsense.

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
    /// The token endpoint could not be discovered.
    #[error("token endpoint discovery failed: {0}")]
    Discovery(#[from] oidc_discovery::Error),
}

impl Error {
    /// The error code: `invalid_request` and `invalid_configuration` for
    /// refused requests, the server's or our code for [`ApiError`]s,
    /// `discovery_error` when the endpoint could not be discovered.
    pub fn code(&self) -> &str {
        match self {
            Self::Request(e) => e.code(),
            Self::Api(e) => e.code(),
            Self::Discovery(_) => "discovery_error",
        }
    }

    /// The HTTP status an API should answer with when it passes this on.
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
    pub fn code(&self) -> &'static str {
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

/// The token endpoint refused or failed: the server's error code and
/// description when it sent them, else one of ours: `invalid_json` (502),
/// `invalid_response` (502), `timeout_error` (504), `network_error` (502),
/// `response_too_large` (502).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    code: String,
    message: String,
    status_code: u16,
}

impl ApiError {
    pub(crate) fn new(
        code: impl Into<String>,
        message: impl Into<String>,
        status_code: u16,
    ) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status_code,
        }
    }

    /// The error code (`invalid_grant`, `timeout_error`, ...).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The description.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The token endpoint's status, or the one we chose (502, 504).
    pub fn status_code(&self) -> u16 {
        self.status_code
    }
}
