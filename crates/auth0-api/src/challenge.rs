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
//!
//! When the client advertises its RFC 9728 metadata, every challenge (with
//! or without an error) ends with `resource_metadata="<url>"` (RFC 9728
//! section 5.1): the URL comes from the configuration only, never from the
//! request.

use std::fmt::Write as _;
use std::sync::Arc;

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
    /// RFC 9470 section 3: the acceptable `acr` values, space-separated.
    pub(crate) acr_values: Option<&'a str>,
    /// RFC 9470 section 3: the largest acceptable age of `auth_time`.
    pub(crate) max_age: Option<u64>,
}

/// What the client's configuration adds to every challenge: the schemes
/// offered, and where the resource's RFC 9728 metadata is.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChallengeContext {
    pub(crate) mode: DpopMode,
    /// The metadata URL, computed once from the configured resource.
    pub(crate) resource_metadata: Option<Arc<str>>,
}

/// The `algs` a DPoP challenge offers: the proof algorithms the verifier
/// accepts (RFC 9449 section 7.1).
pub(crate) const DPOP_ALGS: &str = "ES256";

/// Builds the challenge list for a response.
pub(crate) fn challenges(
    context: &ChallengeContext,
    algs: &str,
    used: Option<Scheme>,
    error: &ChallengeError<'_>,
) -> Vec<String> {
    let mode = context.mode;
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
        push_resource_metadata(&mut c, context);
        out.push(c);
    }
    if offers_dpop {
        let mut c = String::from("DPoP");
        let mut params = String::new();
        if error_on == Scheme::Dpop {
            push_error(&mut params, error);
        }
        let _ = write!(params, ", algs=\"{}\"", sanitize(algs));
        push_resource_metadata(&mut params, context);
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
    // Not truncated: a client re-authorizes with exactly these values.
    if let Some(scope) = error.scope {
        let _ = write!(challenge, ", scope=\"{}\"", quote(scope));
    }
    if let Some(acr_values) = error.acr_values {
        let _ = write!(challenge, ", acr_values=\"{}\"", quote(acr_values));
    }
    if let Some(max_age) = error.max_age {
        let _ = write!(challenge, ", max_age=\"{max_age}\"");
    }
}

fn push_resource_metadata(challenge: &mut String, context: &ChallengeContext) {
    if let Some(url) = &context.resource_metadata {
        let _ = write!(challenge, ", resource_metadata=\"{}\"", quote(url));
    }
}

/// Makes `text` safe inside a quoted-string, keeping only what RFC 6750
/// section 3 allows in `error_description` (`%x20-21 / %x23-5B / %x5D-7E`),
/// and bounding its length.
pub(crate) fn sanitize(text: &str) -> String {
    quoted_chars(text).take(MAX_DESCRIPTION).collect()
}

/// As [`sanitize`], without the length bound: for values the configuration
/// decides (scopes, `acr` values, the metadata URL), which a client must
/// receive whole.
fn quote(text: &str) -> String {
    quoted_chars(text).collect()
}

fn quoted_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().map(|c| match c {
        '"' => '\'',
        '\\' => '/',
        ' '..='~' => c,
        _ => '?',
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: ChallengeError<'static> = ChallengeError {
        code: None,
        description: None,
        scope: None,
        acr_values: None,
        max_age: None,
    };

    fn invalid_token() -> ChallengeError<'static> {
        ChallengeError {
            code: Some("invalid_token"),
            description: Some("token expired"),
            ..NONE
        }
    }

    fn challenges(
        mode: DpopMode,
        algs: &str,
        used: Option<Scheme>,
        error: &ChallengeError<'_>,
    ) -> Vec<String> {
        let context = ChallengeContext {
            mode,
            resource_metadata: None,
        };
        super::challenges(&context, algs, used, error)
    }

    const METADATA: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

    fn advertising(
        mode: DpopMode,
        used: Option<Scheme>,
        error: &ChallengeError<'_>,
    ) -> Vec<String> {
        let context = ChallengeContext {
            mode,
            resource_metadata: Some(METADATA.into()),
        };
        super::challenges(&context, DPOP_ALGS, used, error)
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
            scope: Some("read:x write:x"),
            ..NONE
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

    #[test]
    fn resource_metadata_ends_every_challenge() {
        assert_eq!(
            advertising(DpopMode::Allowed, None, &NONE),
            [
                format!("Bearer realm=\"api\", resource_metadata=\"{METADATA}\""),
                format!("DPoP algs=\"ES256\", resource_metadata=\"{METADATA}\""),
            ]
        );
        assert_eq!(
            advertising(DpopMode::Required, Some(Scheme::Dpop), &invalid_token()),
            [format!(
                "DPoP error=\"invalid_token\", error_description=\"token expired\", \
                 algs=\"ES256\", resource_metadata=\"{METADATA}\""
            )]
        );
    }

    #[test]
    fn step_up_parameters_follow_the_error() {
        let e = ChallengeError {
            code: Some("insufficient_user_authentication"),
            description: Some("too old"),
            acr_values: Some("urn:mfa urn:hwk"),
            max_age: Some(300),
            ..NONE
        };
        assert_eq!(
            advertising(DpopMode::Disabled, Some(Scheme::Bearer), &e),
            [format!(
                "Bearer realm=\"api\", error=\"insufficient_user_authentication\", \
                 error_description=\"too old\", acr_values=\"urn:mfa urn:hwk\", \
                 max_age=\"300\", resource_metadata=\"{METADATA}\""
            )]
        );
    }

    #[test]
    fn configured_values_are_quoted_but_not_cut() {
        let long = "s".repeat(500);
        assert_eq!(quote(&long), long);
        assert_eq!(quote("a\"b\\c\u{7f}"), "a'b/c?");
    }
}
