//! Tests of `auth0-api-tonic` against `dev-issuer`.
