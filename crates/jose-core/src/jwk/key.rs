//! A public key checked once and kept ready to verify signatures.

use std::fmt;

use ring::digest;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA256,
    RsaPublicKeyComponents, UnparsedPublicKey,
};

use super::{Jwk, p256, pem, roca};
use crate::alg::Algorithm;
use crate::base64url;
use crate::error::{KeyError, SignatureError, excerpt};

const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// A public key that passed every structural check and is ready to verify.
///
/// Converting from a [`Jwk`] happens once per key set, not once per token:
/// base64url decoding, size and curve checks are all done here, so the hot
/// path is only the signature operation.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    kid: Option<String>,
    key_alg: Option<String>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    material: Material,
}

#[derive(Clone, PartialEq, Eq)]
enum Material {
    /// Big-endian modulus and exponent, without leading zero bytes.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// Big-endian affine coordinates, already checked to be on the curve.
    P256 { x: [u8; 32], y: [u8; 32] },
}

impl VerifyingKey {
    /// Checks a JWK and converts it.
    ///
    /// RSA: `n` and `e` strict base64url, leading zero bytes stripped,
    /// modulus 2048 to 8192 bits, odd and without the ROCA fingerprint, exponent odd and from 3 to
    /// 2^33 - 1 (ring's bounds). EC: `crv` P-256, `x` and `y` exactly 32
    /// bytes each, the point on the curve. Any private member (`d`, `p`,
    /// `q`, `dp`, `dq`, `qi`, `oth`, `k`) is refused.
    ///
    /// # Errors
    ///
    /// The [`KeyError`] naming the first problem found.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        if let Some(member) = jwk.private_member() {
            return Err(KeyError::PrivateKeyMaterial { member });
        }
        let material = match jwk.kty.as_str() {
            "RSA" => rsa_material(jwk)?,
            "EC" => p256_material(jwk)?,
            other => {
                return Err(KeyError::UnsupportedKeyType {
                    kty: excerpt(other),
                });
            }
        };
        Ok(Self {
            kid: jwk.kid.clone(),
            key_alg: jwk.alg.clone(),
            key_use: jwk.key_use.clone(),
            key_ops: jwk.key_ops.clone(),
            material,
        })
    }

    /// A P-256 key from an uncompressed SEC1 point (`04 || x || y`), as
    /// ring's `KeyPair::public_key()` returns it.
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidEcPoint`] if the bytes are not such a point.
    pub fn from_p256_point(point: &[u8]) -> Result<Self, KeyError> {
        let [4, coordinates @ ..] = point else {
            return Err(KeyError::InvalidEcPoint);
        };
        let (x, y) = coordinates.split_at(coordinates.len() / 2);
        Ok(Self::bare(p256_checked(x, y)?))
    }

    /// A public key from PEM text: a SubjectPublicKeyInfo `PUBLIC KEY`
    /// block (RSA or P-256), or a PKCS#1 `RSA PUBLIC KEY` block.
    ///
    /// The DER inside is read strictly (shortest-form lengths, bounds,
    /// no trailing bytes), the text is capped at 16 KiB, and the key goes
    /// through the same checks as a JWK's (modulus size, ROCA, exponent,
    /// point on the curve). The key has no `kid`: set one with
    /// [`VerifyingKey::set_kid`] so tokens can name it.
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidPem`] for malformed text or DER,
    /// [`KeyError::PrivateKeyMaterial`] for a private key block, else as
    /// [`VerifyingKey::from_jwk`].
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        pem::from_pem(pem)
    }

    /// A public key from a DER SubjectPublicKeyInfo (RSA or P-256), read as
    /// strictly as [`VerifyingKey::from_pem`] reads the PEM's contents.
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_pem`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        pem::from_spki_der(der)
    }

    /// An RSA key from big-endian modulus and exponent bytes.
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_jwk`] for RSA keys.
    pub fn from_rsa_components(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        Ok(Self::bare(rsa_checked(n, e)?))
    }

    fn bare(material: Material) -> Self {
        Self {
            kid: None,
            key_alg: None,
            key_use: None,
            key_ops: None,
            material,
        }
    }

    /// The key type's first algorithm: `RS256` for an RSA key, `ES256` for
    /// a P-256 key. An RSA key can also verify `PS256`: see
    /// [`VerifyingKey::algorithms`].
    pub fn algorithm(&self) -> Algorithm {
        match self.material {
            Material::Rsa { .. } => Algorithm::Rs256,
            Material::P256 { .. } => Algorithm::Es256,
        }
    }

    /// Every algorithm this key's type can verify: `RS256` and `PS256` for
    /// an RSA key, `ES256` for a P-256 key, never `HS256`. The key decides,
    /// never a token's header; the key's own `alg` member, when present,
    /// narrows this to one ([`VerifyingKey::check_usable_for`]).
    pub fn algorithms(&self) -> &'static [Algorithm] {
        match self.material {
            Material::Rsa { .. } => &[Algorithm::Rs256, Algorithm::Ps256],
            Material::P256 { .. } => &[Algorithm::Es256],
        }
    }

    /// The key's `kid`, if it had one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public JWK for this key: `kty` and the key members, plus `kid`,
    /// `use` and `alg` when known.
    pub fn to_jwk(&self) -> Jwk {
        let mut jwk = match &self.material {
            Material::Rsa { n, e } => {
                let mut jwk = Jwk::public("RSA");
                jwk.n = Some(base64url::encode(n));
                jwk.e = Some(base64url::encode(e));
                jwk
            }
            Material::P256 { x, y } => {
                let mut jwk = Jwk::public("EC");
                jwk.crv = Some("P-256".to_owned());
                jwk.x = Some(base64url::encode(x));
                jwk.y = Some(base64url::encode(y));
                jwk
            }
        };
        jwk.kid.clone_from(&self.kid);
        jwk.key_use.clone_from(&self.key_use);
        jwk.alg.clone_from(&self.key_alg);
        jwk.key_ops.clone_from(&self.key_ops);
        jwk
    }

    /// Sets the `kid` this key is published under.
    pub fn set_kid(&mut self, kid: impl Into<String>) -> &mut Self {
        self.kid = Some(kid.into());
        self
    }

    /// The RFC 7638 JWK thumbprint: base64url(SHA-256) of the canonical
    /// JSON of the required members in lexicographic order.
    pub fn thumbprint(&self) -> String {
        // The member values are base64url, which never needs JSON escaping,
        // so formatting yields exactly the canonical form.
        let canonical = match &self.material {
            Material::Rsa { n, e } => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                base64url::encode(e),
                base64url::encode(n)
            ),
            Material::P256 { x, y } => {
                format!(
                    r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                    base64url::encode(x),
                    base64url::encode(y)
                )
            }
        };
        base64url::encode(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    }

    /// Checks that the key may verify `alg`: the key type fits (an RSA key
    /// `RS256` or `PS256`, a P-256 key `ES256`, no key `HS256`), `use` (when
    /// present) is `sig`, `alg` (when present) is the same, and `key_ops`
    /// (when present) contains `verify`.
    ///
    /// # Errors
    ///
    /// The [`KeyError`] for the first rule broken.
    pub fn check_usable_for(&self, alg: Algorithm) -> Result<(), KeyError> {
        if !self.algorithms().contains(&alg) {
            return Err(KeyError::IncompatibleAlgorithm { alg });
        }
        if let Some(key_use) = self.key_use.as_deref().filter(|u| *u != "sig") {
            return Err(KeyError::NotForSignatures {
                key_use: excerpt(key_use),
            });
        }
        if let Some(key_alg) = self.key_alg.as_deref().filter(|a| *a != alg.name()) {
            return Err(KeyError::AlgorithmMismatch {
                key_alg: excerpt(key_alg),
                alg,
            });
        }
        if self
            .key_ops
            .as_ref()
            .is_some_and(|ops| !ops.iter().any(|op| op == "verify"))
        {
            return Err(KeyError::VerifyNotPermitted);
        }
        Ok(())
    }

    /// Verifies `signature` over `message` with `alg`.
    ///
    /// Only the key type is checked here, not `use`/`alg`/`key_ops`: see
    /// [`VerifyingKey::check_usable_for`], which
    /// [`Jws::verify`](crate::Jws::verify) calls first.
    ///
    /// # Errors
    ///
    /// [`KeyError::IncompatibleAlgorithm`] when the key type cannot verify
    /// `alg`; [`SignatureError`] when the signature is malformed or invalid.
    pub fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), crate::Error> {
        let verified =
            match (&self.material, alg) {
                (Material::Rsa { n, e }, Algorithm::Rs256) => RsaPublicKeyComponents { n, e }
                    .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature),
                // MGF1-SHA256 and a salt as long as the hash (32 bytes), as
                // RFC 7518 section 3.5 requires and ring verifies.
                (Material::Rsa { n, e }, Algorithm::Ps256) => RsaPublicKeyComponents { n, e }
                    .verify(&RSA_PSS_2048_8192_SHA256, message, signature),
                (Material::P256 { x, y }, Algorithm::Es256) => {
                    // JWS carries raw r || s; a DER signature (70-72 bytes) or
                    // any other length is refused before ring sees it.
                    if signature.len() != 64 {
                        return Err(SignatureError::Length {
                            alg,
                            expected: 64,
                            found: signature.len(),
                        }
                        .into());
                    }
                    let mut point = [4u8; 65];
                    point[1..33].copy_from_slice(x);
                    point[33..].copy_from_slice(y);
                    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
                        .verify(message, signature)
                }
                _ => return Err(KeyError::IncompatibleAlgorithm { alg }.into()),
            };
        verified.map_err(|_| SignatureError::Invalid.into())
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

fn member<'a>(value: Option<&'a String>, member: &'static str) -> Result<&'a str, KeyError> {
    value
        .map(String::as_str)
        .ok_or(KeyError::MissingMember { member })
}

fn decoded(value: Option<&String>, name: &'static str) -> Result<Vec<u8>, KeyError> {
    base64url::decode(member(value, name)?).map_err(|_| KeyError::InvalidMember { member: name })
}

fn rsa_material(jwk: &Jwk) -> Result<Material, KeyError> {
    let n = decoded(jwk.n.as_ref(), "n")?;
    let e = decoded(jwk.e.as_ref(), "e")?;
    rsa_checked(&n, &e)
}

fn rsa_checked(n: &[u8], e: &[u8]) -> Result<Material, KeyError> {
    let n = strip_leading_zeros(n);
    let e = strip_leading_zeros(e);
    let bits = bit_len(n);
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(KeyError::RsaModulusSize { bits });
    }
    if n.last().is_none_or(|b| b & 1 == 0) {
        return Err(KeyError::RsaModulusEven);
    }
    if roca::is_vulnerable(n) {
        return Err(KeyError::RsaRocaVulnerable);
    }
    // ring accepts odd exponents from 3 to 2^33 - 1.
    let exponent_ok = bit_len(e) <= 33 && e.last().is_some_and(|b| b & 1 == 1) && bit_len(e) >= 2;
    if !exponent_ok {
        return Err(KeyError::RsaExponent);
    }
    Ok(Material::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
    })
}

fn p256_material(jwk: &Jwk) -> Result<Material, KeyError> {
    let crv = jwk.crv.as_deref().unwrap_or_default();
    if crv != "P-256" {
        return Err(KeyError::UnsupportedCurve { crv: excerpt(crv) });
    }
    let x = decoded(jwk.x.as_ref(), "x")?;
    let y = decoded(jwk.y.as_ref(), "y")?;
    p256_checked(&x, &y)
}

fn p256_checked(x: &[u8], y: &[u8]) -> Result<Material, KeyError> {
    let (Ok(x), Ok(y)) = (<[u8; 32]>::try_from(x), <[u8; 32]>::try_from(y)) else {
        return Err(KeyError::InvalidEcPoint);
    };
    if !p256::is_on_curve(&x, &y) {
        return Err(KeyError::InvalidEcPoint);
    }
    Ok(Material::P256 { x, y })
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Bit length of a big-endian unsigned integer without leading zero bytes.
fn bit_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(top) => (bytes.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}
