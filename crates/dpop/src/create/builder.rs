//! Creating a proof, in the order the compiler enforces: key, then `htm`,
//! then `htu`, then optional claims, then `sign`.

use jose_core::{Clock, SystemClock};
use serde_json::{Map, Value};

use super::key::ProofKey;
use crate::ath::access_token_hash;
use crate::error::Error;
use crate::htu;

/// Builds and signs one DPoP proof (RFC 9449 section 4.2).
///
/// ```
/// let key = dpop::ProofKey::generate()?;
/// let proof = dpop::ProofBuilder::new(&key)
///     .htm("GET")
///     .htu("https://api.example.com/orders?page=2")
///     .access_token("the-access-token")
///     .sign()?;
/// assert_eq!(proof.split('.').count(), 3);
/// # Ok::<(), dpop::Error>(())
/// ```
///
/// A proof without a method or URL does not compile:
///
/// ```compile_fail
/// let key = dpop::ProofKey::generate()?;
/// let proof = dpop::ProofBuilder::new(&key).htm("GET").sign()?;
/// # Ok::<(), dpop::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a proof builder does nothing until `sign` is called"]
pub struct ProofBuilder<'k, S> {
    key: &'k ProofKey,
    state: S,
}

/// [`ProofBuilder`] state: the HTTP method (`htm`) comes next.
#[derive(Debug)]
pub struct NeedsMethod(());

/// [`ProofBuilder`] state: the target URL comes next.
#[derive(Debug)]
pub struct NeedsUrl {
    htm: String,
}

/// [`ProofBuilder`] state: every required claim is known; optional claims
/// may follow, then [`ProofBuilder::sign`].
#[derive(Debug)]
pub struct Ready {
    htm: String,
    htu: String,
    ath: Option<String>,
    nonce: Option<String>,
    jti: Option<String>,
    iat: Option<i64>,
}

impl<'k> ProofBuilder<'k, NeedsMethod> {
    /// Starts a proof signed by `key`.
    pub fn new(key: &'k ProofKey) -> Self {
        Self {
            key,
            state: NeedsMethod(()),
        }
    }

    /// The request's HTTP method (`htm`), exactly as it will be sent:
    /// methods are case-sensitive.
    pub fn htm(self, method: impl Into<String>) -> ProofBuilder<'k, NeedsUrl> {
        ProofBuilder {
            key: self.key,
            state: NeedsUrl { htm: method.into() },
        }
    }
}

impl<'k> ProofBuilder<'k, NeedsUrl> {
    /// The request's URL (`htu`). It is normalised and its query and
    /// fragment are removed when the proof is signed.
    pub fn htu(self, url: impl AsRef<str>) -> ProofBuilder<'k, Ready> {
        ProofBuilder {
            key: self.key,
            state: Ready {
                htm: self.state.htm,
                htu: url.as_ref().to_owned(),
                ath: None,
                nonce: None,
                jti: None,
                iat: None,
            },
        }
    }
}

impl ProofBuilder<'_, Ready> {
    /// Binds the proof to `access_token` by adding its hash as `ath`; needed
    /// whenever the proof accompanies an access token. The token itself is
    /// not kept.
    ///
    /// Default: no `ath` (a proof for a token request).
    pub fn access_token(mut self, access_token: &str) -> Self {
        self.state.ath = Some(access_token_hash(access_token));
        self
    }

    /// The server's nonce, from its last `DPoP-Nonce` header.
    ///
    /// Default: no `nonce`.
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.state.nonce = Some(nonce.into());
        self
    }

    /// The proof's unique identifier.
    ///
    /// Default: 128 random bits, base64url-encoded.
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.state.jti = Some(jti.into());
        self
    }

    /// The issue time, in Unix seconds.
    ///
    /// Default: the system clock at [`ProofBuilder::sign`].
    pub fn iat(mut self, iat: i64) -> Self {
        self.state.iat = Some(iat);
        self
    }

    /// Signs the proof with ES256.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] when the URL is not an absolute `http` or
    /// `https` URL without userinfo; [`Error::Crypto`] when the random
    /// number generator or the signer fails.
    pub fn sign(self) -> Result<String, Error> {
        let Ready {
            htm,
            htu,
            ath,
            nonce,
            jti,
            iat,
        } = self.state;
        let htu = htu::normalize(&htu).ok_or(Error::InvalidUrl)?;
        let jti = match jti {
            Some(jti) => jti,
            None => self.key.random_jti()?,
        };
        let iat = iat.unwrap_or_else(|| SystemClock::default().unix_seconds());
        let mut claims = Map::new();
        claims.insert("jti".to_owned(), Value::from(jti));
        claims.insert("htm".to_owned(), Value::from(htm));
        claims.insert("htu".to_owned(), Value::from(htu));
        claims.insert("iat".to_owned(), Value::from(iat));
        if let Some(ath) = ath {
            claims.insert("ath".to_owned(), Value::from(ath));
        }
        if let Some(nonce) = nonce {
            claims.insert("nonce".to_owned(), Value::from(nonce));
        }
        let header = Value::Object(self.key.proof_header()).to_string();
        let payload = Value::Object(claims).to_string();
        self.key.sign_compact(header.as_bytes(), payload.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jose_core::{Algorithm, Jws, base64url};

    fn decode(segment: &str) -> Value {
        serde_json::from_slice(&base64url::decode(segment).unwrap()).unwrap()
    }

    #[test]
    fn signs_the_rfc_header_and_claims() {
        let key = ProofKey::generate().unwrap();
        let proof = ProofBuilder::new(&key)
            .htm("POST")
            .htu("HTTPS://Server.Example.com:443/token?x=1#f")
            .access_token("token")
            .nonce("n-1")
            .jti("id-1")
            .iat(1_562_262_616)
            .sign()
            .unwrap();
        let segments: Vec<&str> = proof.split('.').collect();
        let header = decode(segments[0]);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"], key.public_jwk().to_value());
        let claims = decode(segments[1]);
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://server.example.com/token");
        assert_eq!(claims["ath"], access_token_hash("token"));
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["jti"], "id-1");
        assert_eq!(claims["iat"], 1_562_262_616);
        let jws = Jws::parse(&proof).unwrap();
        jws.verify(key.verifying_key(), &[Algorithm::Es256])
            .unwrap();
    }

    #[test]
    fn defaults_random_jti_and_current_iat_without_optional_claims() {
        let key = ProofKey::generate().unwrap();
        let sign = || {
            ProofBuilder::new(&key)
                .htm("GET")
                .htu("https://a.example/r")
                .sign()
                .unwrap()
        };
        let (a, b) = (sign(), sign());
        let claims_a = decode(a.split('.').nth(1).unwrap());
        let claims_b = decode(b.split('.').nth(1).unwrap());
        assert_ne!(claims_a["jti"], claims_b["jti"]);
        let now = SystemClock::default().unix_seconds();
        let iat = claims_a["iat"].as_i64().unwrap();
        assert!((now - 5..=now).contains(&iat));
        assert!(claims_a.get("ath").is_none() && claims_a.get("nonce").is_none());
    }

    #[test]
    fn refuses_urls_that_cannot_be_an_htu() {
        let key = ProofKey::generate().unwrap();
        for bad in ["/relative", "ftp://a.example/", "https://u:p@a.example/"] {
            let result = ProofBuilder::new(&key).htm("GET").htu(bad).sign();
            assert!(matches!(result, Err(Error::InvalidUrl)), "{bad}");
        }
    }
}
