/*!
Protect [tonic] (gRPC) services with Auth0 access tokens: Bearer and DPoP
(RFC 9449), on top of [`auth0_api`].
*/

mod auth0_layer;
pub use auth0_layer::{Auth0Layer, Auth0Service};

mod claims;
pub use claims::claims;

mod method_path;
pub use method_path::InvalidMethodPath;

mod response_future;

mod status;
pub use status::into_status;

/// The response future of this crate's service.
pub mod future {
    pub use crate::response_future::ResponseFuture;
}

// ===== Re-exports: the types of auth0-api this crate's API works with =====

pub use auth0_api::{ApiClient, ApiClientOptions, AuthError, Claims, PublicUrl};
