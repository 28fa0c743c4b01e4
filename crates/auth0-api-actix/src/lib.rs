//! Protect actix-web services with Auth0 access tokens.

mod auth0_middleware;
pub use auth0_middleware::{Auth0Middleware, Auth0Service};

mod claims_extractors;
pub use claims_extractors::{Authenticated, Verified};

mod http_compat;

mod rejection;
pub use rejection::AuthRejection;

mod request_verifier;
pub use request_verifier::RequestVerifier;

mod require_scopes;
pub use require_scopes::{RequireScopes, RequireScopesService};

mod require_step_up;
pub use require_step_up::{RequireStepUp, RequireStepUpService};

mod response_future;

/// The response future of this crate's services.
pub mod future {
    pub use crate::response_future::ResponseFuture;
}

// ===== Re-exports: the types of auth0-api this crate's API works with =====

pub use auth0_api::{
    ApiClient, ApiClientOptions, AuthError, Claims, ProtectedResourceMetadata, PublicUrl, StepUp,
};
