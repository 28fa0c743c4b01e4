//! Compact JWS serialization (RFC 7515 section 7.1), the signing side.

use jose_core::base64url;
use serde_json::{Map, Value};

use crate::error::KeyError;
use crate::signing_key::SigningKey;

/// `base64url(JSON)` of a header or claim set.
pub(crate) fn segment(object: &Map<String, Value>) -> String {
    // Serializing a map of JSON values cannot fail: every key is a string.
    let json = serde_json::to_vec(object).unwrap_or_default();
    base64url::encode(&json)
}

/// `header.payload.signature`, signed by `key`.
pub(crate) fn sign(
    key: &SigningKey,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<String, KeyError> {
    let signing_input = format!("{}.{}", segment(header), segment(claims));
    let signature = key.sign(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", base64url::encode(&signature)))
}

/// The standard header for `key`: `alg`, `typ` when given, and `kid`.
pub(crate) fn header(key: &SigningKey, typ: Option<&str>) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("alg".into(), key.algorithm().name().into());
    if let Some(typ) = typ {
        header.insert("typ".into(), typ.into());
    }
    header.insert("kid".into(), key.kid().into());
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use jose_core::{Algorithm, Jwt};

    #[test]
    fn signs_what_jose_core_verifies() {
        let key = SigningKey::bundled_test_rsa(0).unwrap();
        let mut claims = Map::new();
        claims.insert("sub".into(), "u".into());
        let token = sign(&key, &header(&key, Some("JWT")), &claims).unwrap();
        let jwt = Jwt::parse(&token).unwrap();
        assert_eq!(jwt.header().kid(), Some(key.kid()));
        assert_eq!(jwt.header().typ(), Some("JWT"));
        let verified = jwt
            .verify(key.verifying_key(), &[Algorithm::Rs256])
            .unwrap();
        assert_eq!(verified.claims()["sub"], "u");
    }
}
