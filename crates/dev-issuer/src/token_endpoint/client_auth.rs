//! Client authentication (RFC 6749 section 2.3.1): HTTP Basic, or
//! `client_id` and `client_secret` in the body when allowed; a public
//! client names itself with `client_id` alone (section 2.3).

use base64ct::{Base64, Encoding};
use http::HeaderMap;
use http::header::AUTHORIZATION;

use super::params::Params;
use super::response::OAuthError;
use crate::client::RegisteredClient;
use crate::recorded_request::{ClientAuthMethod, RecordedTokenRequest};
use crate::state::State;

/// The client credentials a request presented.
#[derive(Debug, PartialEq, Eq)]
struct Credentials {
    id: String,
    secret: String,
}

/// Finds and checks the client, noting on `record` how it authenticated.
pub(crate) fn authenticate(
    state: &State,
    headers: &HeaderMap,
    params: &Params,
    record: &mut RecordedTokenRequest,
) -> Result<RegisteredClient, OAuthError> {
    let mut authorization = headers.get_all(AUTHORIZATION).iter();
    let header = authorization.next();
    if authorization.next().is_some() {
        return Err(OAuthError::invalid_request(
            "more than one Authorization header",
        ));
    }
    let body_id = params.single("client_id")?;
    let body_secret = params.single("client_secret")?;
    record.claimed_client_id = body_id.map(str::to_owned);

    let Some(header) = header else {
        return match (body_id, body_secret) {
            (Some(id), Some(secret)) => {
                record.auth_method = ClientAuthMethod::Post;
                if !state.allows_client_secret_post() {
                    return Err(OAuthError::invalid_client(
                        "client_secret_post is not allowed: use HTTP Basic authentication",
                    ));
                }
                verify(state, id, secret)
            }
            (Some(id), None) => public(state, id),
            (None, Some(_)) => Err(OAuthError::invalid_request(
                "client_secret was sent without client_id",
            )),
            _ => Err(OAuthError::invalid_client(
                "client authentication is required",
            )),
        };
    };

    record.auth_method = ClientAuthMethod::Basic;
    let credentials = header
        .to_str()
        .ok()
        .and_then(parse_basic)
        .ok_or_else(|| OAuthError::invalid_client("malformed HTTP Basic credentials"))?;
    record.claimed_client_id = Some(credentials.id.clone());
    if body_secret.is_some() {
        return Err(OAuthError::invalid_request(
            "the client used more than one authentication method",
        ));
    }
    if body_id.is_some_and(|id| id != credentials.id) {
        return Err(OAuthError::invalid_request(
            "client_id in the body differs from the authenticated client",
        ));
    }
    verify(state, &credentials.id, &credentials.secret).or_else(|error| {
        let id = form_decode(&credentials.id).ok_or_else(|| error.clone())?;
        let secret = form_decode(&credentials.secret).ok_or(error)?;
        verify(state, &id, &secret)
    })
}

fn verify(state: &State, id: &str, secret: &str) -> Result<RegisteredClient, OAuthError> {
    state
        .client(id)
        .filter(|client| client.secret_matches(secret))
        .ok_or_else(|| OAuthError::invalid_client("client authentication failed"))
}

/// A client that sent only its id: accepted if it is public.
fn public(state: &State, id: &str) -> Result<RegisteredClient, OAuthError> {
    match state.client(id) {
        Some(client) if client.is_public() => Ok(client),
        Some(_) => Err(OAuthError::invalid_client(
            "client authentication is required for a confidential client",
        )),
        None => Err(OAuthError::invalid_client("client authentication failed")),
    }
}

/// `Basic base64(id:secret)`. RFC 6749 asks clients to form-encode id and
/// secret first; many (reqwest, httpx, curl) do not, so the caller tries
/// the raw spelling, then the form-decoded one.
fn parse_basic(value: &str) -> Option<Credentials> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = Base64::decode_vec(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some(Credentials {
        id: id.to_owned(),
        secret: secret.to_owned(),
    })
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a
/// space, `%XX` a byte. `None` if the result is not UTF-8 or a `%` is not
/// followed by two hex digits.
fn form_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(raw: &str) -> String {
        format!("Basic {}", Base64::encode_string(raw.as_bytes()))
    }

    #[test]
    fn parses_basic_credentials() {
        let parsed = parse_basic(&basic("my-client:s3:cr3t")).unwrap();
        assert_eq!(parsed.id, "my-client");
        assert_eq!(parsed.secret, "s3:cr3t", "only the first colon splits");
        assert!(parse_basic(&basic("no-colon")).is_none());
        assert!(parse_basic("Bearer abc").is_none());
        assert!(parse_basic("Basic !!!").is_none());
        assert!(parse_basic(&basic("a:b").replace("Basic", "basic")).is_some());
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("a%20b+c").as_deref(), Some("a b c"));
        assert_eq!(form_decode("%3A%2f").as_deref(), Some(":/"));
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
    }
}
