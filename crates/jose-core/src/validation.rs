//! JWT claim validation (RFC 7519 section 4.1).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::clock::{Clock, SystemClock};
use crate::error::{ClaimsError, excerpt};
use crate::jwt::{Jwt, VerifiedJwt};

/// The rules a verified token's claims must meet.
///
/// `iss` must be one of the accepted issuers (exact string comparison), `aud`
/// (a string or an array of strings) must contain an accepted audience, `exp`
/// and `iat` are required, `nbf` is honoured when present, and the listed
/// custom claims must be present. A registered claim with the wrong JSON type
/// is an error, never treated as absent: a string `exp` does not make a token
/// immortal.
///
/// Only a [`VerifiedJwt`] can be validated, so claims whose signature was
/// never checked cannot pass by mistake:
///
/// ```
/// use jose_core::{Algorithm, Jwt, Validation, VerifyingKey};
/// use serde_json::{Map, Value};
///
/// fn claims(
///     token: &str,
///     key: &VerifyingKey,
///     validation: &Validation,
/// ) -> Result<Map<String, Value>, jose_core::Error> {
///     let verified = Jwt::parse(token)?.verify(key, &[Algorithm::Rs256])?;
///     validation.validate(&verified)?;
///     Ok(verified.into_claims())
/// }
///
/// let mut validation = Validation::new("https://tenant.example/", "https://api.example");
/// validation.require_claims(["org_id"]);
/// # let _ = claims;
/// ```
///
/// [`Jwt::unverified_claims`](crate::Jwt::unverified_claims) are not
/// accepted:
///
/// ```compile_fail,E0308
/// # use jose_core::{Jwt, Validation};
/// let jwt = Jwt::parse("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")?;
/// let validation = Validation::new("https://tenant.example/", "https://api.example");
/// validation.validate(jwt.unverified_claims())?;
/// # Ok::<(), jose_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Validation {
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway: u64,
    required: Vec<String>,
    clock: Arc<dyn Clock>,
}

impl Validation {
    /// Accepts tokens from `issuer` for `audience`.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuers: vec![issuer.into()],
            audiences: vec![audience.into()],
            leeway: 0,
            required: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Also accepts tokens from `issuer`.
    pub fn add_issuer(&mut self, issuer: impl Into<String>) -> &mut Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Also accepts tokens for `audience`.
    pub fn add_audience(&mut self, audience: impl Into<String>) -> &mut Self {
        self.audiences.push(audience.into());
        self
    }

    /// Tolerance for clock skew on `exp`, `nbf` and `iat`, in whole seconds.
    ///
    /// Default: 0.
    pub fn leeway(&mut self, leeway: Duration) -> &mut Self {
        self.leeway = leeway.as_secs();
        self
    }

    /// Claims that must be present (with any value).
    ///
    /// Default: none.
    pub fn require_claims<I, S>(&mut self, claims: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required.extend(claims.into_iter().map(Into::into));
        self
    }

    /// The clock that decides "now".
    ///
    /// Default: [`SystemClock`].
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.clock = clock;
        self
    }

    /// Checks the claims of a token whose signature holds against every
    /// rule.
    ///
    /// # Errors
    ///
    /// The [`ClaimsError`] for the first rule broken, in this order: `iss`,
    /// `aud`, `exp`, `nbf`, `iat`, `sub`/`jti` types, required claims.
    pub fn validate(&self, jwt: &VerifiedJwt) -> Result<(), ClaimsError> {
        self.check(jwt.claims())
    }

    /// Refuses a token whose claims already break a rule, before its
    /// signature is checked: such a token would fail
    /// [`Validation::validate`] once verified too, so checking first only
    /// saves a key lookup and a signature check on a token bound to be
    /// refused.
    ///
    /// It can only refuse. Passing proves nothing, since nothing in `jwt`
    /// has been verified: the token must still go through
    /// [`Jwt::verify`](crate::Jwt::verify) and [`Validation::validate`].
    ///
    /// # Errors
    ///
    /// As [`Validation::validate`].
    pub fn refuse_early(&self, jwt: &Jwt<'_>) -> Result<(), ClaimsError> {
        self.check(jwt.unverified_claims())
    }

    /// The rules themselves. Private: a bare map may not have been verified.
    fn check(&self, claims: &Map<String, Value>) -> Result<(), ClaimsError> {
        let issuer = string_claim(claims, "iss")?;
        if !self.issuers.iter().any(|i| i == issuer) {
            return Err(ClaimsError::IssuerMismatch {
                found: excerpt(issuer),
            });
        }
        self.check_audience(claims)?;

        let now = self.clock.unix_seconds();
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        let exp = numeric_date(claims, "exp")?.ok_or_else(|| missing("exp"))?;
        if now >= exp.saturating_add(leeway) {
            return Err(ClaimsError::Expired {
                exp,
                now,
                leeway: self.leeway,
            });
        }
        if let Some(nbf) = numeric_date(claims, "nbf")?
            && nbf > now.saturating_add(leeway)
        {
            return Err(ClaimsError::NotYetValid {
                nbf,
                now,
                leeway: self.leeway,
            });
        }
        let iat = numeric_date(claims, "iat")?.ok_or_else(|| missing("iat"))?;
        if iat > now.saturating_add(leeway) {
            return Err(ClaimsError::IssuedInFuture {
                iat,
                now,
                leeway: self.leeway,
            });
        }
        for name in ["sub", "jti"] {
            if claims.get(name).is_some_and(|v| !v.is_string()) {
                return Err(invalid_type(name, "a string"));
            }
        }
        match self
            .required
            .iter()
            .find(|c| !claims.contains_key(c.as_str()))
        {
            Some(claim) => Err(missing(claim)),
            None => Ok(()),
        }
    }

    fn check_audience(&self, claims: &Map<String, Value>) -> Result<(), ClaimsError> {
        const EXPECTED: &str = "a string or an array of strings";
        let found: Vec<&str> = match claims.get("aud") {
            None => return Err(missing("aud")),
            Some(Value::String(aud)) => vec![aud],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().ok_or_else(|| invalid_type("aud", EXPECTED)))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid_type("aud", EXPECTED)),
        };
        if found
            .iter()
            .any(|aud| self.audiences.iter().any(|a| a == aud))
        {
            Ok(())
        } else {
            Err(ClaimsError::AudienceMismatch {
                found: found.iter().take(8).map(|a| excerpt(a)).collect(),
            })
        }
    }
}

fn missing(claim: &str) -> ClaimsError {
    ClaimsError::Missing {
        claim: excerpt(claim),
    }
}

fn invalid_type(claim: &str, expected: &'static str) -> ClaimsError {
    ClaimsError::InvalidType {
        claim: claim.to_owned(),
        expected,
    }
}

fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<&'a str, ClaimsError> {
    match claims.get(name) {
        None => Err(missing(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(invalid_type(name, "a string")),
    }
}

/// A `NumericDate` claim: a JSON number of seconds, possibly fractional
/// (truncated towards negative infinity). Anything else is an error.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, ClaimsError> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let seconds = match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.floor() as i64)),
        _ => None,
    };
    seconds
        .map(Some)
        .ok_or_else(|| invalid_type(name, "a number (NumericDate)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::testutil::verified;
    use serde_json::json;

    const NOW: u64 = 1_700_000_000;

    fn validation() -> Validation {
        let mut v = Validation::new("https://issuer/", "api");
        v.clock(Arc::new(ManualClock::at_unix_seconds(NOW)));
        v
    }

    fn good() -> Map<String, Value> {
        let mut claims = json!({
            "iss": "https://issuer/", "aud": "api", "sub": "user",
            "iat": NOW - 10, "exp": NOW + 60,
        });
        claims.as_object_mut().map(std::mem::take).unwrap()
    }

    fn with(name: &str, value: Value) -> Map<String, Value> {
        let mut claims = good();
        claims.insert(name.to_owned(), value);
        claims
    }

    fn without(name: &str) -> Map<String, Value> {
        let mut claims = good();
        claims.remove(name);
        claims
    }

    #[test]
    fn accepts_a_good_claim_set() {
        validation().check(&good()).unwrap();
        validation()
            .check(&with("aud", json!(["other", "api"])))
            .unwrap();
        validation()
            .check(&with("exp", json!(NOW as f64 + 1.5)))
            .unwrap();
    }

    #[test]
    fn issuer_must_match_exactly() {
        for iss in [
            json!("https://issuer"),
            json!("https://ISSUER/"),
            json!("x"),
        ] {
            assert!(matches!(
                validation().check(&with("iss", iss)),
                Err(ClaimsError::IssuerMismatch { .. })
            ));
        }
        assert!(matches!(
            validation().check(&without("iss")),
            Err(ClaimsError::Missing { .. })
        ));
        assert!(matches!(
            validation().check(&with("iss", json!(["https://issuer/"]))),
            Err(ClaimsError::InvalidType { .. })
        ));
        let mut v = validation();
        v.add_issuer("https://second/");
        v.check(&with("iss", json!("https://second/"))).unwrap();
    }

    #[test]
    fn audience_string_or_array() {
        for aud in [json!("other"), json!(["a", "b"]), json!([])] {
            assert!(matches!(
                validation().check(&with("aud", aud)),
                Err(ClaimsError::AudienceMismatch { .. })
            ));
        }
        for aud in [json!(1), json!(["api", 1]), json!({"api": true})] {
            assert!(matches!(
                validation().check(&with("aud", aud)),
                Err(ClaimsError::InvalidType { .. })
            ));
        }
        assert!(matches!(
            validation().check(&without("aud")),
            Err(ClaimsError::Missing { .. })
        ));
    }

    #[test]
    fn expiry_and_leeway() {
        assert!(matches!(
            validation().check(&with("exp", json!(NOW))),
            Err(ClaimsError::Expired { .. })
        ));
        assert!(matches!(
            validation().check(&without("exp")),
            Err(ClaimsError::Missing { .. })
        ));
        let mut lenient = validation();
        lenient.leeway(Duration::from_secs(30));
        lenient.check(&with("exp", json!(NOW - 29))).unwrap();
        assert!(matches!(
            lenient.check(&with("exp", json!(NOW - 30))),
            Err(ClaimsError::Expired { .. })
        ));
    }

    #[test]
    fn not_before_and_issued_at() {
        assert!(matches!(
            validation().check(&with("nbf", json!(NOW + 1))),
            Err(ClaimsError::NotYetValid { .. })
        ));
        validation().check(&with("nbf", json!(NOW))).unwrap();
        assert!(matches!(
            validation().check(&with("iat", json!(NOW + 1))),
            Err(ClaimsError::IssuedInFuture { .. })
        ));
        assert!(matches!(
            validation().check(&without("iat")),
            Err(ClaimsError::Missing { .. })
        ));
        let mut lenient = validation();
        lenient.leeway(Duration::from_secs(5));
        lenient.check(&with("nbf", json!(NOW + 5))).unwrap();
        lenient.check(&with("iat", json!(NOW + 5))).unwrap();
    }

    #[test]
    fn wrong_typed_numeric_claims_are_errors_not_absent() {
        for name in ["exp", "nbf", "iat"] {
            for value in [json!("9999999999"), json!(null), json!(true), json!([1])] {
                assert!(
                    matches!(
                        validation().check(&with(name, value.clone())),
                        Err(ClaimsError::InvalidType { .. })
                    ),
                    "{name} = {value}"
                );
            }
        }
        assert!(matches!(
            validation().check(&with("sub", json!(42))),
            Err(ClaimsError::InvalidType { .. })
        ));
    }

    #[test]
    fn required_claims_must_be_present() {
        let mut v = validation();
        v.require_claims(["org_id"]);
        assert_eq!(
            v.check(&good()),
            Err(ClaimsError::Missing {
                claim: "org_id".into()
            })
        );
        v.check(&with("org_id", json!("o"))).unwrap();
    }

    #[test]
    fn validates_a_verified_jwt() {
        validation()
            .validate(&verified(&Value::Object(good())))
            .unwrap();
        assert!(matches!(
            validation().validate(&verified(&Value::Object(with("exp", json!(NOW))))),
            Err(ClaimsError::Expired { .. })
        ));
        assert!(matches!(
            validation().validate(&verified(&Value::Object(with("aud", json!("other"))))),
            Err(ClaimsError::AudienceMismatch { .. })
        ));
    }
}
