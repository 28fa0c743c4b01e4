//! `WWW-Authenticate` challenges (RFC 6750 section 3, RFC 9449 section 7).
//!
//! Which challenges a response carries depends on the DPoP mode, and the
//! error (if any) goes on the challenge of the scheme the client used:
//!
//! | mode     | no credentials                        | error on Bearer                                   | error on DPoP |
//! |----------|---------------------------------------|---------------------------------------------------|---------------|
//! | disabled | `Bearer realm="api"`                  | `Bearer realm="api", error=..`                     | n/a |
//! | allowed  | `Bearer realm="api"`, `DPoP algs=".."` | `Bearer realm="api", error=..`, `DPoP algs=".."` | `Bearer realm="api"`, `DPoP error=.., algs=".."` |
//! | required | `DPoP algs=".."`                      | `DPoP error=.., algs=".."`                         | `DPoP error=.., algs=".."` |
//!
//! Every parameter value is a valid `quoted-string` whatever the error text:
//! characters outside the set RFC 6750 allows in `error_description`
//! (printable ASCII without `"` and `\`) are replaced, so no token or header
//! content can break out of the challenge.

use std::fmt::Write as _;

use crate::scheme::{DpopMode, Scheme};

/// The longest `error_description` sent, in bytes.
const MAX_DESCRIPTION: usize = 200;

/// The realm named in Bearer challenges, as in Auth0's SDKs.
const REALM: &str = "api";

/// What one error contributes to the challenges.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChallengeError<'a> {
    pub(crate) code: Option<&'a str>,
    pub(crate) description: Option<&'a str>,
    pub(crate) scope: Option<&'a str>,
}

/// The `algs` a DPoP challenge offers: the proof algorithms the verifier
/// accepts (RFC 9449 section 7.1).
pub(crate) const DPOP_ALGS: &str = "ES256";

/// Builds the challenge list for a response.
pub(crate) fn challenges(
    mode: DpopMode,
    algs: &str,
    used: Option<Scheme>,
    error: &ChallengeError<'_>,
) -> Vec<String> {
    // With DPoP required every error is reported on the DPoP challenge, the
    // only one offered; with DPoP disabled, on the Bearer one.
    let error_on = match (mode, used) {
        (DpopMode::Required, _) => Scheme::Dpop,
        (DpopMode::Disabled, _) | (DpopMode::Allowed, None | Some(Scheme::Bearer)) => {
            Scheme::Bearer
        }
        (DpopMode::Allowed, Some(Scheme::Dpop)) => Scheme::Dpop,
    };
    let offers_bearer = mode != DpopMode::Required;
    let offers_dpop = mode != DpopMode::Disabled;
    let mut out = Vec::with_capacity(2);
    if offers_bearer {
        let mut c = format!("Bearer realm=\"{REALM}\"");
        if error_on == Scheme::Bearer {
            push_error(&mut c, error);
        }
        out.push(c);
    }
    if offers_dpop {
        let mut c = String::from("DPoP");
        let mut params = String::new();
        if error_on == Scheme::Dpop {
            push_error(&mut params, error);
        }
        let _ = write!(params, ", algs=\"{}\"", sanitize(algs));
        // `params` starts with ", ": the first parameter follows a space.
        c.push(' ');
        c.push_str(params.trim_start_matches(", "));
        out.push(c);
    }
    out
}

fn push_error(challenge: &mut String, error: &ChallengeError<'_>) {
    let Some(code) = error.code else { return };
    let _ = write!(challenge, ", error=\"{}\"", sanitize(code));
    if let Some(description) = error.description.filter(|d| !d.is_empty()) {
        let _ = write!(
            challenge,
            ", error_description=\"{}\"",
            sanitize(description)
        );
    }
    if let Some(scope) = error.scope {
        let _ = write!(challenge, ", scope=\"{}\"", sanitize(scope));
    }
}

/// Makes `text` safe inside a quoted-string, keeping only what RFC 6750
/// section 3 allows in `error_description` (`%x20-21 / %x23-5B / %x5D-7E`),
/// and bounding its length.
pub(crate) fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .take(MAX_DESCRIPTION)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: ChallengeError<'static> = ChallengeError {
        code: None,
        description: None,
        scope: None,
    };

    fn invalid_token() -> ChallengeError<'static> {
        ChallengeError {
            code: Some("invalid_token"),
            description: Some("token expired"),
            scope: None,
        }
    }

    #[test]
    fn no_credentials_offer_the_schemes_of_the_mode() {
        assert_eq!(
            challenges(DpopMode::Allowed, "ES256", None, &NONE),
            ["Bearer realm=\"api\"", "DPoP algs=\"ES256\""]
        );
        assert_eq!(
            challenges(DpopMode::Required, "ES256", None, &NONE),
            ["DPoP algs=\"ES256\""]
        );
        assert_eq!(
            challenges(DpopMode::Disabled, "ES256", None, &NONE),
            ["Bearer realm=\"api\""]
        );
    }

    #[test]
    fn the_error_goes_on_the_scheme_used() {
        assert_eq!(
            challenges(
                DpopMode::Allowed,
                "ES256",
                Some(Scheme::Bearer),
                &invalid_token()
            ),
            [
                "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"token expired\"",
                "DPoP algs=\"ES256\""
            ]
        );
        assert_eq!(
            challenges(
                DpopMode::Allowed,
                "ES256",
                Some(Scheme::Dpop),
                &invalid_token()
            ),
            [
                "Bearer realm=\"api\"",
                "DPoP error=\"invalid_token\", error_description=\"token expired\", algs=\"ES256\""
            ]
        );
        assert_eq!(
            challenges(
                DpopMode::Required,
                "ES256",
                Some(Scheme::Bearer),
                &invalid_token()
            ),
            ["DPoP error=\"invalid_token\", error_description=\"token expired\", algs=\"ES256\""]
        );
    }

    #[test]
    fn scope_is_a_challenge_parameter() {
        let e = ChallengeError {
            code: Some("insufficient_scope"),
            description: None,
            scope: Some("read:x write:x"),
        };
        assert_eq!(
            challenges(DpopMode::Disabled, "ES256", Some(Scheme::Bearer), &e),
            ["Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"read:x write:x\""]
        );
    }

    #[test]
    fn descriptions_cannot_break_out_of_the_quoted_string() {
        let hostile = "a\"b\\c\r\nSet-Cookie: x=1\u{0}é";
        let clean = sanitize(hostile);
        assert_eq!(clean, "a'b/c??Set-Cookie: x=1??");
        assert!(
            clean
                .chars()
                .all(|c| (' '..='~').contains(&c) && c != '"' && c != '\\')
        );
        assert_eq!(sanitize(&"x".repeat(1000)).len(), MAX_DESCRIPTION);
    }
}
