//! A gRPC orders service protected by `auth0-api-tonic`.

fn main() {}
