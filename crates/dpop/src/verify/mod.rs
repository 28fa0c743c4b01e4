//! Proof verification: every check of RFC 9449 section 4.3.

mod builder;
mod request;
mod verified;

pub use builder::VerifierBuilder;
pub use request::Request;
pub use verified::VerifiedProof;

use jose_core::{Algorithm, Jwk, Jws, KeyError, Limits, VerifyingKey};
use serde_json::{Map, Value};

use self::builder::Config;
use self::request::Target;
use crate::ath::access_token_hash;
use crate::error::{Error, excerpt};
use crate::htu;
use crate::nonce::{NonceError, NonceSource};
use crate::replay::ReplayError;

/// The `typ` every proof must carry (RFC 9449 section 4.2), compared
/// exactly, as the Auth0 SDKs do.
const PROOF_TYPE: &str = "dpop+jwt";

/// Verifies DPoP proofs. Build it once and share it (it is cheap to clone).
///
/// The checks, in order; each failure has its own [`Error`] variant:
///
/// 1. exactly one `DPoP` header holding one value, at most
///    [`max_proof_len`](VerifierBuilder::max_proof_len) bytes;
/// 2. a compact JWS with strict base64url and duplicate-free JSON
///    ([`jose_core::Jws`]);
/// 3. `typ` is `dpop+jwt`, `alg` is on the allowlist;
/// 4. `jwk` is a JSON object holding a public key (no `d`, `p`, `q`, `dp`,
///    `dq`, `qi`, `oth`, `k`) of the algorithm's type, a P-256 point on the
///    curve for ES256;
/// 5. the signature verifies with that key (raw `r || s`, high `s`
///    accepted, `r` or `s` zero refused);
/// 6. `jti` is a non-empty string of bounded length;
/// 7. `htm` equals the request method, case-sensitively: RFC 9110 section
///    9.1 makes methods case-sensitive, so `get` is not `GET`. (The Auth0
///    SDKs compare case-insensitively; we do not.)
/// 8. `htu` equals the request URL after normalisation, query and fragment
///    ignored (see the [normalisations](crate::manual#htu-normalisation));
/// 9. `iat` lies in `[now - offset - leeway, now + leeway]`;
/// 10. with an access token, `ath` is its hash; with an expected `jkt`, the
///     key's thumbprint equals it;
/// 11. with [nonces](VerifierBuilder::nonces), `nonce` is current, else
///     [`Error::UseNonce`];
/// 12. with a [replay cache](VerifierBuilder::replay_cache), the pair
///     (thumbprint, `jti`) has not been seen. Last, so that invalid proofs
///     never take a place in the cache.
#[derive(Debug, Clone)]
pub struct Verifier {
    config: Config,
}

impl Verifier {
    /// A verifier with the defaults: ES256, 30 s leeway, 300 s offset, 8 KiB
    /// cap, the system clock, no replay cache, no nonces.
    pub fn new() -> Self {
        VerifierBuilder::new().build()
    }

    /// A builder for other options.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::new()
    }

    /// The nonce source, when nonces are required; use it to send a fresh
    /// `DPoP-Nonce` with successful responses too (RFC 9449 section 8.2).
    pub fn nonce_source(&self) -> Option<&NonceSource> {
        self.config.nonces.as_deref()
    }

    /// Verifies the proof of `request`.
    ///
    /// The future waits only on the replay cache; with no cache, or with
    /// [`InMemoryReplayCache`](crate::InMemoryReplayCache), it is ready on
    /// its first poll.
    ///
    /// # Errors
    ///
    /// The [`Error`] for the first check that fails. [`Error::UseNonce`]
    /// carries the nonce to send back; [`Error::InvalidUrl`] means the
    /// request URL given is not an absolute http(s) URL (the caller's
    /// fault).
    pub async fn verify(&self, request: &Request<'_>) -> Result<VerifiedProof, Error> {
        let (proof, expires_at) = self.check(request)?;
        if let Some(cache) = &self.config.replay_cache {
            cache
                .check_and_store(&proof.jkt, &proof.jti, expires_at)
                .await
                .map_err(|e| match e {
                    ReplayError::Replayed => Error::Replayed,
                    ReplayError::KeyQuotaExceeded {
                        max_per_key,
                        retry_after,
                    } => Error::KeyQuotaExceeded {
                        max_per_key,
                        retry_after,
                    },
                    ReplayError::IssuedBeforeReset => Error::IssuedBeforeReset,
                    server => Error::ReplayCache(server),
                })?;
        }
        Ok(proof)
    }

    /// Every check but the replay cache. Returns the proof and the last
    /// second at which it passes the `iat` window.
    fn check(&self, request: &Request<'_>) -> Result<(VerifiedProof, u64), Error> {
        let config = &self.config;
        // The caller's URL first: a misconfigured server should hear about
        // it whatever the client sends.
        let expected_url = match request.url {
            Target::Str(url) => htu::normalize(url),
            Target::Url(url) => htu::normalize_url(url),
        }
        .ok_or(Error::InvalidUrl)?;

        let token = single_proof(request.proofs, config.max_proof_len)?;
        let mut limits = Limits::new();
        limits.max_token_len(config.max_proof_len);
        let jws = Jws::parse_with(token, &limits).map_err(Error::Malformed)?;

        let header = jws.header();
        if header.typ() != Some(PROOF_TYPE) {
            return Err(Error::InvalidType {
                typ: header.typ().map(excerpt),
            });
        }
        let alg = header
            .algorithm(&config.algorithms)
            .map_err(Error::AlgorithmNotAllowed)?;
        // Every claim check below is cheaper than the P-256 signature, and
        // than building the key (its point is checked to be on the curve),
        // so they run first: a stale, misdirected or unbound proof is
        // refused without paying for either. Nothing they read is trusted
        // until the signature is checked, and nothing is returned or stored
        // before it: a proof that fails both checks is refused either way,
        // only the reason named differs.
        let claims = jws.unverified_payload_object().map_err(Error::Malformed)?;
        let jti = string_claim(&claims, "jti")?;
        if jti.is_empty() {
            return Err(Error::EmptyJti);
        }
        if jti.len() > config.max_jti_len {
            return Err(Error::JtiTooLong {
                len: jti.len(),
                max: config.max_jti_len,
            });
        }
        let htm = string_claim(&claims, "htm")?;
        if htm != request.method {
            return Err(Error::MethodMismatch {
                expected: excerpt(request.method),
                found: excerpt(htm),
            });
        }
        let htu = string_claim(&claims, "htu")?;
        let found_url = htu::normalize(htu).ok_or(Error::InvalidHtu)?;
        if found_url != expected_url {
            return Err(Error::UrlMismatch {
                expected: excerpt(&expected_url),
                found: excerpt(&found_url),
            });
        }
        let iat = self.check_iat(&claims)?;
        if let Some(token) = request.access_token
            && string_claim(&claims, "ath")? != access_token_hash(token)
        {
            return Err(Error::AthMismatch);
        }
        let key = proof_key(header.get("jwk"))?;
        let jkt = key.thumbprint();
        if let Some(expected) = request.expected_jkt
            && expected != jkt
        {
            return Err(Error::ThumbprintMismatch {
                expected: excerpt(expected),
                found: jkt,
            });
        }
        verify_signature(&jws, &key, alg)?;

        // After the signature: a fresh nonce is handed only to a client
        // that holds the key it signed with.
        let nonce = optional_string_claim(&claims, "nonce")?;
        if let Some(source) = &config.nonces {
            let checked = nonce.map_or(Err(NonceError::Missing), |n| source.check(n));
            if let Err(reason) = checked {
                return Err(Error::UseNonce {
                    nonce: source.issue(),
                    reason,
                });
            }
        }

        let expires_at = iat
            .saturating_add_unsigned(config.iat_offset)
            .saturating_add_unsigned(config.iat_leeway);
        let proof = VerifiedProof {
            algorithm: alg,
            jti: jti.to_owned(),
            htm: htm.to_owned(),
            htu: htu.to_owned(),
            iat,
            nonce: nonce.map(str::to_owned),
            jkt,
            claims,
        };
        Ok((proof, u64::try_from(expires_at).unwrap_or(0)))
    }

    /// `iat` must lie in `[now - offset - leeway, now + leeway]`.
    fn check_iat(&self, claims: &Map<String, Value>) -> Result<i64, Error> {
        let config = &self.config;
        let iat = match claims.get("iat") {
            None => return Err(Error::MissingClaim { claim: "iat" }),
            // RFC 7519 NumericDate may have a fraction; whole seconds count,
            // as in jose-core's claim validation.
            Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f.floor() as i64)),
            Some(_) => None,
        }
        .ok_or(Error::InvalidClaim {
            claim: "iat",
            expected: "a number",
        })?;
        let now = config.clock.unix_seconds();
        if iat > now.saturating_add_unsigned(config.iat_leeway) {
            return Err(Error::IatInFuture {
                iat,
                now,
                leeway: config.iat_leeway,
            });
        }
        let oldest = now
            .saturating_sub_unsigned(config.iat_offset)
            .saturating_sub_unsigned(config.iat_leeway);
        if iat < oldest {
            return Err(Error::IatTooOld {
                iat,
                now,
                offset: config.iat_offset,
                leeway: config.iat_leeway,
            });
        }
        Ok(iat)
    }
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

/// Exactly one header field, holding one value, within the size cap.
fn single_proof<'a>(proofs: &[&'a str], max_len: usize) -> Result<&'a str, Error> {
    let proof = match proofs {
        [] => return Err(Error::MissingProof),
        [one] => *one,
        more => return Err(Error::MultipleHeaders { count: more.len() }),
    };
    if proof.len() > max_len {
        return Err(Error::TooLarge {
            len: proof.len(),
            max: max_len,
        });
    }
    // RFC 9110 section 5.5: optional whitespace around a field value is not
    // part of it.
    let proof = proof.trim_matches([' ', '\t']);
    if proof.contains(',') {
        return Err(Error::MultipleValues);
    }
    Ok(proof)
}

/// The header's `jwk` as a public key.
fn proof_key(jwk: Option<&Value>) -> Result<VerifyingKey, Error> {
    let jwk = Jwk::from_value(jwk.ok_or(Error::MissingJwk)?).map_err(Error::InvalidJwk)?;
    if let Some(member) = jwk.private_member() {
        return Err(Error::PrivateJwk { member });
    }
    VerifyingKey::from_jwk(&jwk).map_err(|e| match e {
        KeyError::PrivateKeyMaterial { member } => Error::PrivateJwk { member },
        other => Error::InvalidJwk(other),
    })
}

fn verify_signature(jws: &Jws<'_>, key: &VerifyingKey, alg: Algorithm) -> Result<(), Error> {
    jws.verify(key, &[alg]).map(|_| ()).map_err(|e| match e {
        jose_core::Error::Signature(e) => Error::InvalidSignature(e),
        jose_core::Error::Key(e) => Error::InvalidJwk(e),
        jose_core::Error::Header(e) => Error::AlgorithmNotAllowed(e),
        other => Error::Malformed(other),
    })
}

fn optional_string_claim<'c>(
    claims: &'c Map<String, Value>,
    claim: &'static str,
) -> Result<Option<&'c str>, Error> {
    match claims.get(claim) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::InvalidClaim {
            claim,
            expected: "a string",
        }),
    }
}

fn string_claim<'c>(claims: &'c Map<String, Value>, claim: &'static str) -> Result<&'c str, Error> {
    optional_string_claim(claims, claim)?.ok_or(Error::MissingClaim { claim })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_proof_counts_headers_and_values() {
        assert!(matches!(single_proof(&[], 10), Err(Error::MissingProof)));
        assert!(matches!(
            single_proof(&["a", "b"], 10),
            Err(Error::MultipleHeaders { count: 2 })
        ));
        assert!(matches!(
            single_proof(&["a, b"], 10),
            Err(Error::MultipleValues)
        ));
        assert!(matches!(
            single_proof(&["abcdefghijk"], 10),
            Err(Error::TooLarge { len: 11, max: 10 })
        ));
        assert_eq!(single_proof(&[" a.b.c\t"], 10).unwrap(), "a.b.c");
    }

    #[test]
    fn verify_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let verifier = Verifier::new();
        let proofs = ["x"];
        let request = Request::new(&proofs, "GET", "https://a.example/");
        let future = verifier.verify(&request);
        assert_send(&future);
    }
}
