//! The `htu` comparison: both URLs normalised the same way, then compared
//! as strings.
//!
//! RFC 9449 section 4.3 asks for syntax- and scheme-based normalisation
//! (RFC 3986 sections 6.2.2 and 6.2.3) and for the query and fragment to be
//! ignored. Parsing with the WHATWG URL Standard (the `url` crate, what
//! browsers and most HTTP clients use to build the request) does most of it:
//!
//! - scheme and host lower-cased; internationalised domain names converted to
//!   punycode (`bücher.example` is `xn--bcher-kva.example`);
//! - IPv4 and IPv6 hosts in canonical form (`[0:0::1]` is `[::1]`);
//! - the default port dropped (`:443` for https, `:80` for http), and an
//!   empty path made `/`;
//! - `.` and `..` segments resolved (also their `%2e` spellings), `\`
//!   read as `/`;
//! - characters that must be percent-encoded are encoded (`é` is `%C3%A9`).
//!
//! On top of that this module applies RFC 3986 percent-encoding
//! normalisation to the path, which WHATWG leaves alone: escapes of
//! unreserved characters are decoded (`%7E` is `~`) and the hex digits of
//! the others upper-cased (`%c3` is `%C3`). Reserved escapes keep their
//! meaning: `/a%2Fb` is not `/a/b`.
//!
//! Deliberately *not* normalised: a trailing slash (`/r/` is not `/r`) and
//! the path's case. Only `http` and `https` URLs with a host and without
//! userinfo are accepted (RFC 9110 section 4.2.4 forbids userinfo in a target
//! URI).

use url::{Position, Url};

/// Parses and normalises `input`; `None` if it is not an absolute http(s)
/// URL without userinfo.
pub(crate) fn normalize(input: &str) -> Option<String> {
    normalize_url(&Url::parse(input).ok()?)
}

/// Normalises an already parsed URL: scheme, authority and path, without
/// query and fragment. `None` if it is not http(s), has no host, or carries
/// userinfo.
pub(crate) fn normalize_url(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let origin = &url[..Position::BeforePath];
    let path = url.path();
    let mut out = String::with_capacity(origin.len() + path.len());
    out.push_str(origin);
    push_normalized_path(&mut out, path);
    Some(out)
}

/// Appends `path` with escapes of unreserved characters decoded and the hex
/// digits of the other escapes upper-cased. A `%` not followed by two hex
/// digits is kept as it is (WHATWG keeps it too).
fn push_normalized_path(out: &mut String, path: &str) {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            )
        {
            let decoded = hi << 4 | lo;
            if is_unreserved(decoded) {
                out.push(char::from(decoded));
            } else {
                out.push('%');
                out.push(char::from(HEX_UPPER[usize::from(hi)]));
                out.push(char::from(HEX_UPPER[usize::from(lo)]));
            }
            i += 3;
            continue;
        }
        // WHATWG serialises paths as ASCII, so each byte is a character.
        out.push(char::from(byte));
        i += 1;
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// RFC 3986 section 2.3: `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(input: &str) -> String {
        normalize(input).unwrap()
    }

    #[test]
    fn strips_query_and_fragment_and_lowercases() {
        assert_eq!(
            n("HTTPS://API.Example.COM/Resource?x=1#frag"),
            "https://api.example.com/Resource"
        );
        assert_eq!(n("https://api.example.com"), "https://api.example.com/");
    }

    #[test]
    fn drops_default_ports_only() {
        assert_eq!(n("https://a.example:443/r"), "https://a.example/r");
        assert_eq!(n("http://a.example:80/r"), "http://a.example/r");
        assert_eq!(n("https://a.example:80/r"), "https://a.example:80/r");
    }

    #[test]
    fn normalises_percent_encoding_in_the_path() {
        assert_eq!(n("https://a.example/%7euser"), "https://a.example/~user");
        assert_eq!(n("https://a.example/%41%2d"), "https://a.example/A-");
        assert_eq!(
            n("https://a.example/caf%c3%a9"),
            "https://a.example/caf%C3%A9"
        );
        assert_eq!(n("https://a.example/café"), "https://a.example/caf%C3%A9");
        assert_eq!(n("https://a.example/a%2fb"), "https://a.example/a%2Fb");
        assert_eq!(n("https://a.example/100%"), "https://a.example/100%");
        assert_eq!(n("https://a.example/%zz%4"), "https://a.example/%zz%4");
    }

    #[test]
    fn resolves_dot_segments_and_converts_idn() {
        assert_eq!(n("https://a.example/x/../y/./z"), "https://a.example/y/z");
        assert_eq!(n("https://a.example/x/%2e%2E/y"), "https://a.example/y");
        assert_eq!(
            n("https://bücher.example/r"),
            "https://xn--bcher-kva.example/r"
        );
        assert_eq!(n("https://[0:0::1]:8443/r"), "https://[::1]:8443/r");
    }

    #[test]
    fn refuses_non_http_relative_and_userinfo() {
        for bad in [
            "/relative",
            "ftp://a.example/r",
            "urn:example:r",
            "data:text/plain,x",
            "https://user@a.example/r",
            "https://user:pw@a.example/r",
            "",
            "not a url",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }
}
