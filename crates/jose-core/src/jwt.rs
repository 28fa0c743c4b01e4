//! A JWS whose payload is a JSON claim set, and the proof that its
//! signature was checked.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::error::Error;
use crate::jwk::VerifyingKey;
use crate::jws::{Header, Jws, Limits};

/// A parsed, not yet verified, JWT: a compact JWS whose payload is a JSON
/// object with no duplicate member names.
///
/// Nothing in a `Jwt` is trusted. [`Jwt::verify`] turns it into a
/// [`VerifiedJwt`], the only value [`Validation`](crate::Validation)
/// accepts; before that, the claims are only reachable as
/// [`Jwt::unverified_claims`].
#[derive(Debug, Clone)]
pub struct Jwt<'a> {
    jws: Jws<'a>,
    claims: Map<String, Value>,
}

impl<'a> Jwt<'a> {
    /// Parses a JWT with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`Jws::parse`], and [`FormatError`](crate::FormatError) when the
    /// payload is not a JSON object.
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with(token, &Limits::new())
    }

    /// Parses a JWT with explicit [`Limits`].
    ///
    /// # Errors
    ///
    /// As [`Jwt::parse`].
    pub fn parse_with(token: &'a str, limits: &Limits) -> Result<Self, Error> {
        let jws = Jws::parse_with(token, limits)?;
        let claims = jws.unverified_payload_object()?;
        Ok(Self { jws, claims })
    }

    /// The protected header.
    pub fn header(&self) -> &Header {
        self.jws.header()
    }

    /// The claims as the token states them, before any signature check.
    ///
    /// Anyone can write anything here. Read them only to decide how to
    /// verify the token (its `iss` chooses where the key comes from, a
    /// `cnf` which proof to expect), never to decide what the caller may
    /// do: for that, [`Jwt::verify`] and [`VerifiedJwt::claims`].
    pub fn unverified_claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Gives up the claims as the token states them, without checking the
    /// signature: for tools and tests that inspect a token, never for
    /// deciding what its bearer may do (see [`Jwt::unverified_claims`]).
    pub fn into_unverified_claims(self) -> Map<String, Value> {
        self.claims
    }

    /// The underlying JWS.
    pub fn jws(&self) -> &Jws<'a> {
        &self.jws
    }

    /// Verifies the signature (see [`Jws::verify`]) and, if it holds, gives
    /// the token back as a [`VerifiedJwt`].
    ///
    /// The token is consumed so that the claims move into the
    /// [`VerifiedJwt`] without a copy. Clone the `Jwt` first to try another
    /// key after a failure.
    ///
    /// ```
    /// use jose_core::{Algorithm, Jwk, Jwt, VerifyingKey};
    ///
    /// // RFC 7515 appendix A.3: an ES256 token and its public key.
    /// let key = VerifyingKey::from_jwk(&Jwk::from_value(&serde_json::json!({
    ///     "kty": "EC", "crv": "P-256",
    ///     "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    /// }))?)?;
    /// let token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    ///
    /// let verified = Jwt::parse(token)?.verify(&key, &[Algorithm::Es256])?;
    /// assert_eq!(verified.algorithm(), Algorithm::Es256);
    /// assert_eq!(verified.claims()["iss"], "joe");
    ///
    /// // One changed signature character, and there is no `VerifiedJwt`.
    /// let forged = token.replace(".DtEh", ".DtEi");
    /// assert!(Jwt::parse(&forged)?.verify(&key, &[Algorithm::Es256]).is_err());
    /// # Ok::<(), jose_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Jws::verify`].
    pub fn verify(self, key: &VerifyingKey, allowed: &[Algorithm]) -> Result<VerifiedJwt, Error> {
        let algorithm = self.jws.verify(key, allowed)?;
        Ok(VerifiedJwt {
            header: self.jws.into_header(),
            claims: Arc::new(self.claims),
            algorithm,
        })
    }

    /// Verifies an `HS256` signature with a secret the application
    /// configured (never with public key bytes), consuming the token.
    ///
    /// ```
    /// use jose_core::{Algorithm, Jwt, base64url};
    ///
    /// let secret = b"a secret of at least thirty-two bytes!";
    /// let input = format!(
    ///     "{}.{}",
    ///     base64url::encode(br#"{"alg":"HS256"}"#),
    ///     base64url::encode(br#"{"iss":"joe"}"#)
    /// );
    /// let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    /// let tag = ring::hmac::sign(&key, input.as_bytes());
    /// let token = format!("{input}.{}", base64url::encode(tag.as_ref()));
    ///
    /// let verified = Jwt::parse(&token)?.verify_hmac(secret, &[Algorithm::Hs256])?;
    /// assert_eq!(verified.algorithm(), Algorithm::Hs256);
    /// // Not on the allowlist: refused before the secret is used.
    /// assert!(Jwt::parse(&token)?.verify_hmac(secret, &[Algorithm::Rs256]).is_err());
    /// # Ok::<(), jose_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Jws::verify_hmac`].
    pub fn verify_hmac(self, secret: &[u8], allowed: &[Algorithm]) -> Result<VerifiedJwt, Error> {
        let algorithm = self.jws.verify_hmac(secret, allowed)?;
        Ok(VerifiedJwt {
            header: self.jws.into_header(),
            claims: Arc::new(self.claims),
            algorithm,
        })
    }
}

/// A JWT whose signature [`Jwt::verify`] checked: the only way to get one.
///
/// A signature says who wrote the claims, not that they apply now or here:
/// pass the token to [`Validation::validate`](crate::Validation::validate)
/// before trusting them.
///
/// It has no public constructor and its fields are private, so holding one
/// proves the signature was checked; the compile-fail example on
/// [`Validation`](crate::Validation) shows that unverified claims cannot
/// stand in for it.
pub struct VerifiedJwt {
    header: Header,
    // Shared, so that a verifier that keeps verified tokens (a cache) and
    // the callers it hands claims to hold one copy between them.
    claims: Arc<Map<String, Value>>,
    algorithm: Algorithm,
}

impl VerifiedJwt {
    /// The protected header, as signed.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The claims, as signed. Their signature holds; whether they are valid
    /// (issuer, audience, expiry) is [`Validation`](crate::Validation)'s
    /// job.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The algorithm the signature was verified with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The claims, shared: an `Arc` clone, never a copy of the map.
    pub fn shared_claims(&self) -> Arc<Map<String, Value>> {
        Arc::clone(&self.claims)
    }

    /// Gives up the claims, copying them only if
    /// [`VerifiedJwt::shared_claims`] handed out a share still held.
    pub fn into_claims(self) -> Map<String, Value> {
        Arc::unwrap_or_clone(self.claims)
    }
}

// The claims are printed: they are what a caller debugs. The header is
// summarised by its algorithm, so no key material from it is repeated.
impl fmt::Debug for VerifiedJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedJwt")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.header.kid())
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::{HeaderError, KeyError, SignatureError};
    use crate::testutil::Es256Signer;

    fn claims() -> Value {
        json!({"iss": "https://issuer/", "sub": "user", "scope": "read"})
    }

    #[test]
    fn a_good_signature_gives_the_claims_as_parsed() {
        let signer = Es256Signer::generate();
        let token = signer.sign(&claims());
        let jwt = Jwt::parse(&token).unwrap();
        let unverified = jwt.unverified_claims().clone();
        let verified = jwt.verify(&signer.key(), &[Algorithm::Es256]).unwrap();
        assert_eq!(verified.algorithm(), Algorithm::Es256);
        assert_eq!(verified.header().kid(), Some(Es256Signer::KID));
        assert_eq!(verified.claims(), &unverified);
        assert_eq!(Value::Object(verified.into_claims()), claims());
    }

    #[test]
    fn a_bad_signature_gives_no_verified_jwt() {
        let signer = Es256Signer::generate();
        let token = signer.sign(&claims());
        // Signed by another key.
        let other = Es256Signer::generate();
        let result = Jwt::parse(&token)
            .unwrap()
            .verify(&other.key(), &[Algorithm::Es256]);
        assert!(matches!(
            result,
            Err(Error::Signature(SignatureError::Invalid))
        ));
        // The payload changed after signing.
        let (input, signature) = token.rsplit_once('.').unwrap();
        let (header, _) = input.split_once('.').unwrap();
        let payload = crate::base64url::encode(br#"{"iss":"https://issuer/","sub":"admin"}"#);
        let spliced = format!("{header}.{payload}.{signature}");
        let result = Jwt::parse(&spliced)
            .unwrap()
            .verify(&signer.key(), &[Algorithm::Es256]);
        assert!(matches!(
            result,
            Err(Error::Signature(SignatureError::Invalid))
        ));
    }

    #[test]
    fn an_algorithm_off_the_allowlist_gives_no_verified_jwt() {
        let signer = Es256Signer::generate();
        let token = signer.sign(&claims());
        let jwt = Jwt::parse(&token).unwrap();
        assert!(matches!(
            jwt.verify(&signer.key(), &[Algorithm::Rs256]),
            Err(Error::Header(HeaderError::AlgorithmNotAllowed {
                alg: Algorithm::Es256
            }))
        ));
    }

    #[test]
    fn a_key_unfit_for_the_algorithm_gives_no_verified_jwt() {
        let signer = Es256Signer::generate();
        let mut jwk = signer.key().to_jwk();
        jwk.set_key_use("enc");
        let key = VerifyingKey::from_jwk(&jwk).unwrap();
        let token = signer.sign(&claims());
        let jwt = Jwt::parse(&token).unwrap();
        assert!(matches!(
            jwt.verify(&key, &[Algorithm::Es256]),
            Err(Error::Key(KeyError::NotForSignatures { .. }))
        ));
    }

    #[test]
    fn debug_shows_the_claims_and_the_algorithm() {
        let signer = Es256Signer::generate();
        let verified = Jwt::parse(&signer.sign(&claims()))
            .unwrap()
            .verify(&signer.key(), &[Algorithm::Es256])
            .unwrap();
        let debug = format!("{verified:?}");
        assert!(
            debug.starts_with("VerifiedJwt { algorithm: Es256"),
            "{debug}"
        );
        assert!(debug.contains("\"scope\""), "{debug}");
    }
}
