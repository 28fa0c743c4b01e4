//! Protect actix-web services with Auth0 access tokens.
