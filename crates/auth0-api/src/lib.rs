/*!
Secure HTTP APIs with Auth0-issued access tokens.
*/

mod access_token;
mod authorization;
mod challenge;

mod claims;
pub use claims::Claims;

mod client;
pub use client::ApiClient;

mod configuration;
pub use configuration::ConfigurationError;

mod domain;
mod exchange;

mod error;
pub use error::{AuthError, AuthErrorKind, DPOP_NONCE};

mod options;
pub use options::ApiClientOptions;

mod resolver;
pub use resolver::{DomainsResolver, ResolverContext};

mod resource_metadata;
pub use resource_metadata::ProtectedResourceMetadata;

mod scheme;
pub use scheme::{DpopMode, Scheme};
