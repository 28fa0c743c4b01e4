//! Reading credentials from request headers.

use http::HeaderMap;
use http::header::AUTHORIZATION;

use crate::error::{AuthError, AuthErrorKind};
use crate::scheme::Scheme;

/// The `DPoP` request header.
pub(crate) const DPOP: http::HeaderName = http::HeaderName::from_static("dpop");

/// What the `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// No header, or a scheme we do not verify (reported without an error
    /// code, as RFC 6750 section 3.1 asks).
    None { scheme: Option<&'a str> },
    /// A supported scheme with a syntactically valid token68.
    Token { scheme: Scheme, token: &'a str },
}

/// Reads the single `Authorization` header.
///
/// Scheme names are case-insensitive (RFC 9110 section 11.1); the token must
/// be a token68 (RFC 9110 section 11.2), so whitespace, commas, quotes or
/// control characters inside it are refused before any parsing.
pub(crate) fn credentials(headers: &HeaderMap) -> Result<Credentials<'_>, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(Credentials::None { scheme: None });
    };
    if values.next().is_some() {
        return Err(invalid_request(None, "multiple Authorization headers"));
    }
    let value = value
        .to_str()
        .map_err(|_| invalid_request(None, "Authorization header is not visible ASCII"))?;
    let value = value.trim_matches([' ', '\t']);
    let (name, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    let scheme = if name.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if name.eq_ignore_ascii_case("dpop") {
        Scheme::Dpop
    } else {
        return Ok(Credentials::None { scheme: Some(name) });
    };
    let token = rest.trim_start_matches([' ', '\t']);
    if token.is_empty() {
        return Err(invalid_request(Some(scheme), "the scheme has no token"));
    }
    if !is_token68(token) {
        return Err(invalid_request(
            Some(scheme),
            "the token is not a valid token68",
        ));
    }
    Ok(Credentials::Token { scheme, token })
}

/// Every `DPoP` header value (more than one is an error the verifier names).
pub(crate) fn dpop_proofs(headers: &HeaderMap) -> Result<Vec<&str>, AuthError> {
    headers
        .get_all(DPOP)
        .iter()
        .map(|v| {
            v.to_str().map_err(|_| {
                invalid_request(Some(Scheme::Dpop), "DPoP header is not visible ASCII")
            })
        })
        .collect()
}

fn invalid_request(scheme: Option<Scheme>, description: &str) -> AuthError {
    AuthError::new(AuthErrorKind::InvalidRequest, description).with_scheme(scheme)
}

/// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty() && body.bytes().all(|b| TOKEN68[usize::from(b)])
}

/// The characters of a token68 body, as a table: this runs over every byte
/// of every token, and a lookup is several times cheaper than a match.
const TOKEN68: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] =
            c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn schemes_are_case_insensitive() {
        for (value, scheme) in [
            ("Bearer abc", Scheme::Bearer),
            ("bearer abc", Scheme::Bearer),
            ("BEARER   abc", Scheme::Bearer),
            ("DPoP abc", Scheme::Dpop),
            ("dpop\tabc", Scheme::Dpop),
        ] {
            assert_eq!(
                credentials(&headers(&[value])).unwrap(),
                Credentials::Token {
                    scheme,
                    token: "abc"
                }
            );
        }
    }

    #[test]
    fn missing_or_unsupported_is_no_credentials() {
        assert_eq!(
            credentials(&HeaderMap::new()).unwrap(),
            Credentials::None { scheme: None }
        );
        assert_eq!(
            credentials(&headers(&["Basic dXNlcjpwYXNz"])).unwrap(),
            Credentials::None {
                scheme: Some("Basic")
            }
        );
    }

    #[test]
    fn malformed_requests() {
        for bad in [
            &["Bearer"][..],
            &["Bearer   "],
            &["Bearer a b"],
            &["Bearer a,b"],
            &["Bearer \"a\""],
            &["Bearer ==="],
            &["Bearer a", "Bearer b"],
        ] {
            let err = credentials(&headers(bad)).unwrap_err();
            assert_eq!(err.error_code(), "invalid_request", "{bad:?}");
            assert_eq!(err.status_code(), 400);
        }
    }

    #[test]
    fn token68_allows_its_alphabet_and_trailing_padding() {
        assert!(is_token68("eyJ.abc-_~+/9=="));
        assert!(!is_token68("a=b"));
        assert!(!is_token68(""));
    }
}
