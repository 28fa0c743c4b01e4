//! The client side: a key, and proofs signed with it.

mod builder;
mod key;

pub use builder::{NeedsMethod, NeedsUrl, ProofBuilder, Ready};
pub use key::ProofKey;
