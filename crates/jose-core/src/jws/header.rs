//! The JOSE protected header.

use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::error::{HeaderError, excerpt};

/// A parsed JWS protected header.
///
/// The registered members are type-checked at parse time and read in place;
/// every member, registered or not, stays available through
/// [`Header::get`]. Parsing already refused `crit`, `b64` and `cty: JWT`.
/// `jku`, `x5u`, `x5c` and `jwk` are kept as data but never used to find a
/// verification key: a key chosen by the token would let the token vouch
/// for itself.
#[derive(Debug, Clone)]
pub struct Header {
    /// Every member; `alg`, `kid` and `typ` are read from here rather than
    /// copied out, which saves three allocations per token.
    members: Map<String, Value>,
}

impl Header {
    pub(crate) fn from_map(members: Map<String, Value>) -> Result<Self, HeaderError> {
        if members.contains_key("crit") {
            return Err(HeaderError::Critical);
        }
        if members.contains_key("b64") {
            return Err(HeaderError::UnencodedPayload);
        }
        string_member(&members, "alg")?.ok_or(HeaderError::MissingAlg)?;
        string_member(&members, "kid")?;
        string_member(&members, "typ")?;
        if let Some(cty) = string_member(&members, "cty")? {
            // RFC 7515 4.1.10: a "cty" without '/' is compared
            // case-insensitively after prefixing "application/".
            let cty = cty.strip_prefix("application/").unwrap_or(cty);
            if cty.eq_ignore_ascii_case("jwt") {
                return Err(HeaderError::NestedJwt);
            }
        }
        Ok(Self { members })
    }

    /// The `alg` value exactly as the token states it.
    pub fn alg(&self) -> &str {
        // Present and a string: `from_map` refuses a header without.
        self.str_member("alg").unwrap_or_default()
    }

    /// The algorithm, if it is supported and on `allowed`.
    ///
    /// This is the check to make before any key is looked up or touched.
    ///
    /// # Errors
    ///
    /// [`HeaderError::UnsupportedAlgorithm`] for `none`, `HS384`, `PS512` or
    /// any other name not in [`Algorithm`]; [`HeaderError::AlgorithmNotAllowed`] when supported but not in
    /// `allowed`.
    pub fn algorithm(&self, allowed: &[Algorithm]) -> Result<Algorithm, HeaderError> {
        let alg =
            Algorithm::from_name(self.alg()).ok_or_else(|| HeaderError::UnsupportedAlgorithm {
                alg: excerpt(self.alg()),
            })?;
        if allowed.contains(&alg) {
            Ok(alg)
        } else {
            Err(HeaderError::AlgorithmNotAllowed { alg })
        }
    }

    /// The `kid`, if present.
    pub fn kid(&self) -> Option<&str> {
        self.str_member("kid")
    }

    /// The `typ`, if present.
    pub fn typ(&self) -> Option<&str> {
        self.str_member("typ")
    }

    /// Any member by name, registered or not (e.g. `jwk` for DPoP proofs).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.get(name)
    }

    /// All members.
    pub fn members(&self) -> &Map<String, Value> {
        &self.members
    }

    fn str_member(&self, name: &str) -> Option<&str> {
        self.members.get(name).and_then(Value::as_str)
    }
}

/// A member that must be a string when present.
fn string_member<'a>(
    members: &'a Map<String, Value>,
    member: &'static str,
) -> Result<Option<&'a str>, HeaderError> {
    match members.get(member) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(HeaderError::InvalidMember { member }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(value: Value) -> Result<Header, HeaderError> {
        match value {
            Value::Object(map) => Header::from_map(map),
            _ => unreachable!("tests pass objects"),
        }
    }

    #[test]
    fn extracts_registered_members() {
        let h = header(json!({"alg":"RS256","kid":"k1","typ":"at+jwt","x":1})).unwrap();
        assert_eq!(h.alg(), "RS256");
        assert_eq!(h.kid(), Some("k1"));
        assert_eq!(h.typ(), Some("at+jwt"));
        assert_eq!(h.get("x"), Some(&json!(1)));
        assert_eq!(h.algorithm(&[Algorithm::Rs256]).unwrap(), Algorithm::Rs256);
        assert!(matches!(
            h.algorithm(&[Algorithm::Es256]),
            Err(HeaderError::AlgorithmNotAllowed { .. })
        ));
    }

    #[test]
    fn refuses_extensions_and_nesting() {
        assert!(matches!(
            header(json!({"alg":"RS256","crit":["exp"]})),
            Err(HeaderError::Critical)
        ));
        assert!(matches!(
            header(json!({"alg":"RS256","b64":false})),
            Err(HeaderError::UnencodedPayload)
        ));
        for cty in ["JWT", "jwt", "application/JWT"] {
            assert!(matches!(
                header(json!({"alg":"RS256","cty":cty})),
                Err(HeaderError::NestedJwt)
            ));
        }
        assert!(header(json!({"alg":"RS256","cty":"json"})).is_ok());
    }

    #[test]
    fn requires_a_string_alg_and_typed_members() {
        assert!(matches!(header(json!({})), Err(HeaderError::MissingAlg)));
        assert!(matches!(
            header(json!({"alg":1})),
            Err(HeaderError::InvalidMember { member: "alg" })
        ));
        assert!(matches!(
            header(json!({"alg":"RS256","kid":7})),
            Err(HeaderError::InvalidMember { member: "kid" })
        ));
    }

    #[test]
    fn ps256_and_hs256_are_refused_unless_listed() {
        for alg in ["PS256", "HS256"] {
            let h = header(json!({ "alg": alg })).unwrap();
            assert!(matches!(
                h.algorithm(&[Algorithm::Rs256, Algorithm::Es256]),
                Err(HeaderError::AlgorithmNotAllowed { .. })
            ));
        }
        let h = header(json!({"alg": "PS256"})).unwrap();
        assert_eq!(h.algorithm(&[Algorithm::Ps256]).unwrap(), Algorithm::Ps256);
    }

    #[test]
    fn unsupported_algorithms_are_never_allowed() {
        for alg in ["none", "None", "NONE", "HS384", "PS512", "RS512"] {
            let h = header(json!({ "alg": alg })).unwrap();
            assert!(matches!(
                h.algorithm(&[Algorithm::Rs256, Algorithm::Es256]),
                Err(HeaderError::UnsupportedAlgorithm { .. })
            ));
        }
    }
}
