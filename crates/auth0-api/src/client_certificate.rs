//! `ClientCertificate`: the TLS client certificate of a request, for
//! certificate-bound access tokens (RFC 8705).

use std::fmt;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::error::{AuthError, AuthErrorKind};

/// The RFC 9440 header a trusted TLS-terminating proxy forwards the
/// client's certificate in.
pub(crate) const CLIENT_CERT: &str = "client-cert";

/// The largest `Client-Cert` value read: 16 KiB, far above a real
/// certificate chain's leaf, so a header cannot make the API hash or
/// decode an unbounded amount.
pub(crate) const MAX_CLIENT_CERT_LEN: usize = 16 * 1024;

/// The client certificate a request was made with: what a token's
/// `cnf.x5t#S256` (RFC 8705 section 3.1) is checked against.
///
/// Only its SHA-256 thumbprint is kept: the DER is not parsed, since the
/// binding is over its bytes and the TLS stack has already checked the
/// certificate (chain, validity, possession of its key).
///
/// ```
/// use auth0_api::ClientCertificate;
///
/// // The DER the TLS library hands over (rustls: `peer_certificates()[0]`).
/// let der: &[u8] = b"\x30\x03\x02\x01\x01";
/// let certificate = ClientCertificate::from_der(der);
/// assert_eq!(certificate.thumbprint().len(), 43);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    sha256: [u8; 32],
}

impl ClientCertificate {
    /// The certificate whose DER encoding is `der`, as the server's TLS
    /// stack received it.
    pub fn from_der(der: impl AsRef<[u8]>) -> Self {
        Self {
            sha256: Sha256::digest(der.as_ref()).into(),
        }
    }

    /// Its `x5t#S256`: the base64url (unpadded) SHA-256 of its DER.
    pub fn thumbprint(&self) -> String {
        Base64UrlUnpadded::encode_string(&self.sha256)
    }

    /// Whether a token's `cnf.x5t#S256` names this certificate: exactly
    /// 43 base64url characters without padding, decoding to these 32
    /// bytes. (A thumbprint is public: no constant-time comparison.)
    pub(crate) fn matches(&self, x5t_s256: &str) -> bool {
        let mut decoded = [0u8; 32];
        match Base64UrlUnpadded::decode(x5t_s256, &mut decoded) {
            Ok(bytes) => bytes.len() == 32 && *bytes == self.sha256,
            Err(_) => false,
        }
    }

    /// The certificate in a trusted proxy's RFC 9440 `Client-Cert` header,
    /// if there is one: a structured-field byte sequence `:<base64 DER>:`.
    ///
    /// # Errors
    ///
    /// 400 `invalid_request` for several `Client-Cert` headers, a value
    /// longer than [`MAX_CLIENT_CERT_LEN`], one that is not a byte
    /// sequence of padded standard base64, or an empty certificate.
    pub(crate) fn from_header(headers: &HeaderMap) -> Result<Option<Self>, AuthError> {
        let invalid = |description: &str| {
            AuthError::new(
                AuthErrorKind::InvalidRequest,
                format!("the Client-Cert header {description}"),
            )
        };
        let mut values = headers.get_all(CLIENT_CERT).iter();
        let Some(value) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(invalid("is repeated"));
        }
        let value = value.as_bytes();
        if value.len() > MAX_CLIENT_CERT_LEN {
            return Err(invalid("is too long"));
        }
        let value = trim_ows(value);
        let inner = value
            .strip_prefix(b":")
            .and_then(|rest| rest.strip_suffix(b":"))
            .ok_or_else(|| invalid("is not a byte sequence (:base64:)"))?;
        let der =
            Base64::decode_vec(std::str::from_utf8(inner).map_err(|_| invalid("is not base64"))?)
                .map_err(|_| invalid("is not base64"))?;
        if der.is_empty() {
            return Err(invalid("holds an empty certificate"));
        }
        Ok(Some(Self::from_der(der)))
    }
}

/// Strips the spaces and tabs a field value may be surrounded by.
fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t#S256", &self.thumbprint())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(CLIENT_CERT, value.parse().unwrap());
        }
        headers
    }

    const DER: &[u8] = b"\x30\x03\x02\x01\x01";

    #[test]
    fn the_thumbprint_is_base64url_sha256_of_the_der() {
        let certificate = ClientCertificate::from_der(DER);
        let expected = Base64UrlUnpadded::encode_string(&Sha256::digest(DER));
        assert_eq!(certificate.thumbprint(), expected);
        assert!(certificate.matches(&expected));
    }

    #[test]
    fn a_thumbprint_matches_only_as_unpadded_base64url_of_32_bytes() {
        let certificate = ClientCertificate::from_der(DER);
        let good = certificate.thumbprint();
        assert!(!certificate.matches(&format!("{good}=")), "padding");
        let standard = Base64::encode_string(&certificate.sha256);
        if standard.trim_end_matches('=') != good {
            assert!(!certificate.matches(standard.trim_end_matches('=')));
        }
        assert!(!certificate.matches(&good[..42]), "31 and a bit bytes");
        assert!(!certificate.matches(&format!("{good}AA")), "33 bytes");
        assert!(!certificate.matches(""));
        let other = ClientCertificate::from_der(b"\x30\x00");
        assert!(
            !certificate.matches(&other.thumbprint()),
            "another certificate"
        );
    }

    #[test]
    fn the_header_is_a_byte_sequence_of_standard_base64() {
        let encoded = Base64::encode_string(DER);
        let parsed = ClientCertificate::from_header(&header(&[&format!(":{encoded}:")]))
            .unwrap()
            .unwrap();
        assert_eq!(parsed, ClientCertificate::from_der(DER));
        assert_eq!(
            ClientCertificate::from_header(&HeaderMap::new()).unwrap(),
            None
        );
    }

    #[test]
    fn a_header_within_16_kib_is_read() {
        // Within 4 bytes of the bound: two colons and 16,380 base64 characters.
        let der = vec![0x30; (MAX_CLIENT_CERT_LEN - 2) / 4 * 3];
        let value = format!(":{}:", Base64::encode_string(&der));
        assert!(value.len() <= MAX_CLIENT_CERT_LEN && value.len() > MAX_CLIENT_CERT_LEN - 4);
        let parsed = ClientCertificate::from_header(&header(&[&value])).unwrap();
        assert_eq!(parsed, Some(ClientCertificate::from_der(&der)));
    }

    #[test]
    fn malformed_headers_are_invalid_request() {
        let encoded = Base64::encode_string(DER);
        let long = format!(":{}:", "A".repeat(MAX_CLIENT_CERT_LEN));
        for values in [
            vec![encoded.as_str()],
            vec![":"],
            vec!["::"],
            vec![":not base64!:"],
            vec![":MAMCAQE:"],
            vec![":MAMCAQ-_:"],
            vec![long.as_str()],
        ] {
            let error = ClientCertificate::from_header(&header(&values)).unwrap_err();
            assert_eq!(
                (error.status_code(), error.error_code()),
                (400, "invalid_request"),
                "{values:?}"
            );
        }
        let mut obs_text = HeaderMap::new();
        obs_text.insert(
            CLIENT_CERT,
            http::HeaderValue::from_bytes(b":\xff:").unwrap(),
        );
        let error = ClientCertificate::from_header(&obs_text).unwrap_err();
        assert_eq!(error.status_code(), 400, "not ASCII");
        let one = format!(":{encoded}:");
        let error = ClientCertificate::from_header(&header(&[&one, &one])).unwrap_err();
        assert_eq!(error.status_code(), 400);
    }
}
