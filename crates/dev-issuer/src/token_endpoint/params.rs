//! The form body of a token request.

use http::HeaderMap;
use http::header::CONTENT_TYPE;

use super::response::OAuthError;

const FORM: &str = "application/x-www-form-urlencoded";

/// The decoded form fields, in order.
#[derive(Debug)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes the body. Whatever the content type, the fields are decoded
    /// (so that the request can be recorded); [`Params::check_form`] says
    /// whether the request was a form.
    pub(crate) fn decode(body: &[u8]) -> Self {
        let pairs = url::form_urlencoded::parse(body)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        Self { pairs }
    }

    /// Checks that the body was sent as a form (RFC 6749 section 3.2).
    pub(crate) fn check_form(headers: &HeaderMap) -> Result<(), OAuthError> {
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if media_type.eq_ignore_ascii_case(FORM) {
            Ok(())
        } else {
            Err(OAuthError::invalid_request(format!(
                "the request body must be {FORM}"
            )))
        }
    }

    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The value of a parameter that may appear at most once. An empty
    /// value counts as absent (RFC 6749 section 3.2).
    pub(crate) fn single(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self.pairs.iter().filter(|(n, _)| n == name);
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::invalid_request(format!(
                "parameter {name} is repeated"
            )));
        }
        Ok(first.map(|(_, v)| v.as_str()).filter(|v| !v.is_empty()))
    }

    /// A parameter that must appear exactly once.
    pub(crate) fn required(&self, name: &str) -> Result<&str, OAuthError> {
        self.single(name)?
            .ok_or_else(|| OAuthError::invalid_request(format!("parameter {name} is required")))
    }

    /// Every non-empty value of a parameter that may repeat (`audience` in
    /// RFC 8693).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn decodes_repeats_and_empties() {
        let params = Params::decode(b"a=1&b=x%20y+z&a=2&c=&d=4");
        assert_eq!(params.pairs().len(), 5);
        assert_eq!(params.single("b").unwrap(), Some("x y z"));
        assert_eq!(params.single("c").unwrap(), None);
        assert!(params.single("a").is_err());
        assert_eq!(params.all("a"), ["1", "2"]);
        assert!(params.required("zzz").is_err());
        assert_eq!(params.required("d").unwrap(), "4");
    }

    #[test]
    fn accepts_only_forms() {
        let mut headers = HeaderMap::new();
        assert!(Params::check_form(&headers).is_err());
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert!(Params::check_form(&headers).is_err());
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
        );
        assert!(Params::check_form(&headers).is_ok());
    }
}
