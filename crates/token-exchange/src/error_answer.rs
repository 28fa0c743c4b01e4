//! The token endpoint's error answers: which status an API passes on, and
//! the server's text made safe to pass on.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// The longest server `error` code kept; a longer one is replaced.
const MAX_ERROR_CODE: usize = 64;

/// The longest server `error_description` kept, in characters (it is
/// shortened, with `...`, beyond that).
const MAX_DESCRIPTION: usize = 256;

/// The [`ApiError`] for a non-2xx answer.
///
/// The server's `error` is kept when the body is a JSON object and the code
/// is 1 to [`MAX_ERROR_CODE`] characters of RFC 6749's set (section 5.2:
/// `%x20-21 / %x23-5B / %x5D-7E`); otherwise `fallback_code` (the grant's
/// generic code) stands in. `error_description` is passed through
/// [`sanitize_description`]; without one, the description names the status.
/// The status an API should answer with is [`answer_status`]'s, never the
/// server's own.
pub(crate) fn error_response(status: u16, body: &[u8], fallback_code: &str) -> ApiError {
    let parsed: Option<Map<String, Value>> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|m| m.get(name))
            .and_then(Value::as_str)
    };
    let server_code = field("error").filter(|code| is_error_code(code));
    let description = field("error_description")
        .map(sanitize_description)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| format!("token endpoint answered with status {status}"));
    ApiError::upstream(
        server_code.unwrap_or(fallback_code).to_owned(),
        description,
        answer_status(status, server_code),
        status,
    )
}

/// The status an API answers its own caller with when the token endpoint
/// answered `upstream` with the error code `code`.
///
/// Only RFC 6749 errors about the grant the end user brought keep a 4xx,
/// and only when the server itself said 400 or 403: `access_denied` (the
/// server or one of its Actions refused this user) is 403, the other
/// client-side codes 400. Everything else is the token endpoint's or this
/// API's own configuration's fault, so 502: `invalid_client` (this API's
/// credentials; a 401 passed on would tell the end user's client to drop a
/// good token), 5xx, 429, 1xx, 3xx and statuses outside the standard range.
fn answer_status(upstream: u16, code: Option<&str>) -> u16 {
    if !matches!(upstream, 400 | 403) {
        return 502;
    }
    match code {
        Some(
            "invalid_request"
            | "invalid_grant"
            | "invalid_scope"
            | "unauthorized_client"
            | "unsupported_grant_type",
        ) => 400,
        Some("access_denied") => 403,
        _ => 502,
    }
}

/// Whether `c` is in RFC 6749's character set for `error` and
/// `error_description`: printable ASCII except `"` and `\`.
fn is_rfc6749_char(c: char) -> bool {
    matches!(c, '\x20'..='\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

fn is_error_code(code: &str) -> bool {
    (1..=MAX_ERROR_CODE).contains(&code.len()) && code.chars().all(is_rfc6749_char)
}

/// `description` within RFC 6749's character set and [`MAX_DESCRIPTION`]:
/// whitespace and control characters become spaces, `"` becomes `'`, any
/// other character outside the set becomes `?`, and a longer text is cut
/// and ends in `...`.
fn sanitize_description(description: &str) -> String {
    let mut out: String = description
        .chars()
        .take(MAX_DESCRIPTION + 1)
        .map(|c| match c {
            c if is_rfc6749_char(c) => c,
            '"' => '\'',
            c if c.is_whitespace() || c.is_control() => ' ',
            _ => '?',
        })
        .collect();
    if out.len() > MAX_DESCRIPTION {
        out.truncate(MAX_DESCRIPTION - 3);
        out.push_str("...");
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> ApiError {
        error_response(status, body.as_bytes(), "token_exchange_error")
    }

    fn error_body(code: &str) -> String {
        serde_json::json!({ "error": code, "error_description": "d" }).to_string()
    }

    #[test]
    fn client_errors_keep_400_or_403() {
        for code in [
            "invalid_request",
            "invalid_grant",
            "invalid_scope",
            "unauthorized_client",
            "unsupported_grant_type",
        ] {
            for upstream in [400, 403] {
                let e = answer(upstream, &error_body(code));
                assert_eq!(
                    (e.error_code(), e.status_code(), e.upstream_status()),
                    (code, 400, Some(upstream))
                );
            }
        }
        let e = answer(403, &error_body("access_denied"));
        assert_eq!((e.error_code(), e.status_code()), ("access_denied", 403));
        assert_eq!(answer(400, &error_body("access_denied")).status_code(), 403);
    }

    #[test]
    fn everything_else_is_502() {
        let e = answer(401, &error_body("invalid_client"));
        assert_eq!(
            (e.error_code(), e.status_code(), e.upstream_status()),
            ("invalid_client", 502, Some(401))
        );
        // invalid_client with 400 (RFC 6749 allows it) is still our fault
        assert_eq!(
            answer(400, &error_body("invalid_client")).status_code(),
            502
        );
        // a known code does not make any status a client error
        for upstream in [101, 200, 302, 307, 401, 404, 429, 500, 503, 999] {
            assert_eq!(
                answer(upstream, &error_body("invalid_grant")).status_code(),
                502,
                "{upstream}"
            );
        }
        // unknown or missing codes, even with 400
        for body in [error_body("server_error"), error_body("mfa_required")] {
            assert_eq!(answer(400, &body).status_code(), 502, "{body}");
        }
        let e = answer(400, "<html>");
        assert_eq!(
            (e.error_code(), e.status_code()),
            ("token_exchange_error", 502)
        );
        assert!(e.description().contains("400"), "{}", e.description());
    }

    #[test]
    fn error_codes_outside_rfc6749_become_the_generic_code() {
        let long = "x".repeat(MAX_ERROR_CODE + 1);
        for bad in [
            "",
            "invalid_grant\r\nSet-Cookie: a=b",
            "quote\"d",
            "back\\slash",
            "caf\u{e9}",
            "tab\t",
            "\u{7f}",
            long.as_str(),
        ] {
            let e = answer(400, &error_body(bad));
            assert_eq!(
                (e.error_code(), e.status_code()),
                ("token_exchange_error", 502),
                "{bad:?}"
            );
        }
        // a non-string code is ignored too
        let e = answer(400, r#"{"error":["invalid_grant"]}"#);
        assert_eq!(e.error_code(), "token_exchange_error");
        // the bounds themselves are accepted
        let longest = "y".repeat(MAX_ERROR_CODE);
        assert_eq!(answer(400, &error_body(&longest)).error_code(), longest);
        assert_eq!(answer(400, &error_body("a !#[]~")).error_code(), "a !#[]~");
    }

    #[test]
    fn descriptions_are_bounded_and_within_the_character_set() {
        let body = |d: &str| {
            serde_json::json!({ "error": "invalid_grant", "error_description": d }).to_string()
        };
        let e = answer(400, &body("bad\r\n\"grant\"\\\u{0}\u{202e} caf\u{e9}"));
        assert_eq!(e.description(), "bad  'grant'? ? caf?");
        let e = answer(400, &body(&"z".repeat(10_000)));
        assert_eq!(e.description().len(), MAX_DESCRIPTION);
        assert!(e.description().ends_with("..."));
        let exact = "w".repeat(MAX_DESCRIPTION);
        assert_eq!(answer(400, &body(&exact)).description(), exact);
        // nothing usable left: the status is named instead
        let e = answer(400, &body(" \n "));
        assert_eq!(e.description(), "token endpoint answered with status 400");
        assert!(
            answer(400, &body(&"\u{e9}\n".repeat(500)))
                .description()
                .chars()
                .all(is_rfc6749_char)
        );
    }
}
