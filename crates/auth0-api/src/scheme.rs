//! Authentication schemes and the DPoP modes that decide which are offered.

/// An HTTP authentication scheme this crate verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `Authorization: Bearer <token>` (RFC 6750).
    Bearer,
    /// `Authorization: DPoP <token>` with a `DPoP` proof header (RFC 9449).
    Dpop,
}

impl Scheme {
    /// The scheme's canonical spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bearer => "Bearer",
            Self::Dpop => "DPoP",
        }
    }
}

/// Whether requests may, must or must not use DPoP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DpopMode {
    /// Bearer only: the `DPoP` scheme is not accepted or offered.
    Disabled,
    /// Both schemes are accepted and offered (the default). A DPoP-bound
    /// token must still be presented with its proof.
    #[default]
    Allowed,
    /// DPoP only: Bearer requests are refused.
    Required,
}
