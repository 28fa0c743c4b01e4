//! PEM public keys: SubjectPublicKeyInfo (`PUBLIC KEY`, RFC 5280 and RFC
//! 7468) for RSA and P-256, and PKCS#1 `RSA PUBLIC KEY` (RFC 8017).
//!
//! The DER is read minimally and strictly: definite lengths in their
//! shortest form, every length within its parent, no trailing bytes, and
//! the algorithm identifiers matched byte for byte. The key material then
//! goes through the same checks as a JWK's.

use base64ct::{Base64, Encoding};

use super::VerifyingKey;
use crate::error::KeyError;

/// The longest PEM text accepted: an 8192-bit RSA key is about 1.5 KiB.
const MAX_PEM_LEN: usize = 16 * 1024;

/// `rsaEncryption` (1.2.840.113549.1.1.1) with NULL parameters.
const RSA_ALGORITHM: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
/// `id-ecPublicKey` (1.2.840.10045.2.1) with `prime256v1`
/// (1.2.840.10045.3.1.7).
const P256_ALGORITHM: &[u8] = &[
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x03, 0x01, 0x07,
];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;

fn invalid(reason: &'static str) -> KeyError {
    KeyError::InvalidPem { reason }
}

pub(super) fn from_pem(pem: &str) -> Result<VerifyingKey, KeyError> {
    if pem.len() > MAX_PEM_LEN {
        return Err(invalid("longer than 16 KiB"));
    }
    let pem = pem.trim();
    let (label, rest) = pem
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.split_once("-----"))
        .ok_or(invalid("no BEGIN line"))?;
    let end = format!("-----END {label}-----");
    let body = rest
        .strip_suffix(end.as_str())
        .ok_or(invalid("no matching END line, or text after it"))?;
    if body.contains("-----") || body.contains(':') {
        return Err(invalid("several blocks or headers"));
    }
    let base64: String = body.split_ascii_whitespace().collect();
    let der = Base64::decode_vec(&base64).map_err(|_| invalid("body is not base64"))?;
    match label {
        "PUBLIC KEY" => from_spki_der(&der),
        "RSA PUBLIC KEY" => rsa_public_key(&der),
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
            Err(KeyError::PrivateKeyMaterial { member: "PEM" })
        }
        _ => Err(invalid("not a PUBLIC KEY or RSA PUBLIC KEY block")),
    }
}

pub(super) fn from_spki_der(der: &[u8]) -> Result<VerifyingKey, KeyError> {
    let mut outer = Reader::new(der);
    let mut spki = Reader::new(outer.element(SEQUENCE)?);
    outer.finish()?;
    let algorithm = spki.element(SEQUENCE)?;
    let bits = spki.element(BIT_STRING)?;
    spki.finish()?;
    let [0, key @ ..] = bits else {
        return Err(invalid("public key bit string has unused bits"));
    };
    if algorithm == RSA_ALGORITHM {
        rsa_public_key(key)
    } else if algorithm == P256_ALGORITHM {
        VerifyingKey::from_p256_point(key)
    } else {
        Err(invalid("not an RSA or P-256 public key"))
    }
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
fn rsa_public_key(der: &[u8]) -> Result<VerifyingKey, KeyError> {
    let mut outer = Reader::new(der);
    let mut key = Reader::new(outer.element(SEQUENCE)?);
    outer.finish()?;
    let n = key.unsigned_integer()?;
    let e = key.unsigned_integer()?;
    key.finish()?;
    VerifyingKey::from_rsa_components(n, e)
}

/// A cursor over DER bytes; every read is bounded by what is left.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// The contents of the next element, which must have this tag.
    fn element(&mut self, tag: u8) -> Result<&'a [u8], KeyError> {
        let [found, first, rest @ ..] = self.rest else {
            return Err(invalid("DER ends early"));
        };
        if *found != tag {
            return Err(invalid("unexpected DER element"));
        }
        let (len, rest) = match *first {
            short @ 0..=0x7f => (usize::from(short), rest),
            0x81 => match rest {
                [len @ 0x80..=0xff, rest @ ..] => (usize::from(*len), rest),
                _ => return Err(invalid("DER length not in its shortest form")),
            },
            0x82 => match rest {
                [hi @ 0x01..=0xff, lo, rest @ ..] => {
                    (usize::from(*hi) << 8 | usize::from(*lo), rest)
                }
                _ => return Err(invalid("DER length not in its shortest form")),
            },
            _ => return Err(invalid("DER length too long or indefinite")),
        };
        if len > rest.len() {
            return Err(invalid("DER length past the end"));
        }
        let (contents, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(contents)
    }

    /// A non-negative INTEGER in its minimal encoding, without the sign byte.
    fn unsigned_integer(&mut self) -> Result<&'a [u8], KeyError> {
        match self.element(INTEGER)? {
            [] => Err(invalid("empty INTEGER")),
            [0, next, ..] if *next < 0x80 => Err(invalid("INTEGER not minimally encoded")),
            [0, rest @ ..] => Ok(rest),
            [first, ..] if *first >= 0x80 => Err(invalid("negative INTEGER")),
            bytes => Ok(bytes),
        }
    }

    fn finish(&self) -> Result<(), KeyError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(invalid("trailing bytes after the DER"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Algorithm;

    // RFC 7517 appendix A.1's RSA key ("2011-04-29") as SPKI, and the P-256
    // generator point as SPKI, both made with openssl.
    fn pem(label: &str, der: &[u8]) -> String {
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            Base64::encode_string(der)
        )
    }

    fn rsa_spki() -> Vec<u8> {
        let n = crate::testutil::rsa_modulus();
        let mut key = vec![INTEGER];
        push_len(&mut key, n.len() + 1);
        key.push(0);
        key.extend_from_slice(&n);
        key.extend_from_slice(&[INTEGER, 3, 1, 0, 1]);
        let key = wrap(SEQUENCE, &key);
        let mut bits = vec![0];
        bits.extend_from_slice(&key);
        let mut spki = wrap(SEQUENCE, RSA_ALGORITHM);
        spki.extend(wrap(BIT_STRING, &bits));
        wrap(SEQUENCE, &spki)
    }

    fn push_len(out: &mut Vec<u8>, len: usize) {
        match len {
            0..=0x7f => out.push(len as u8),
            0x80..=0xff => out.extend_from_slice(&[0x81, len as u8]),
            _ => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        }
    }

    fn wrap(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        push_len(&mut out, contents.len());
        out.extend_from_slice(contents);
        out
    }

    #[test]
    fn an_rsa_spki_pem_is_the_same_key_as_its_components() {
        let key = from_pem(&pem("PUBLIC KEY", &rsa_spki())).unwrap();
        let direct =
            VerifyingKey::from_rsa_components(&crate::testutil::rsa_modulus(), &[1, 0, 1]).unwrap();
        assert_eq!(key, direct);
        assert_eq!(key.algorithms(), &[Algorithm::Rs256, Algorithm::Ps256]);
    }

    #[test]
    fn a_p256_spki_pem_is_read_and_checked_on_the_curve() {
        let point = crate::testutil::p256_generator();
        let mut bits = vec![0];
        bits.extend_from_slice(&point);
        let mut spki = wrap(SEQUENCE, P256_ALGORITHM);
        spki.extend(wrap(BIT_STRING, &bits));
        let der = wrap(SEQUENCE, &spki);
        let key = from_pem(&pem("PUBLIC KEY", &der)).unwrap();
        assert_eq!(key.algorithm(), Algorithm::Es256);
        // Off the curve: the same check as a JWK's.
        let mut off = point.clone();
        off[64] ^= 1;
        let mut bits = vec![0];
        bits.extend_from_slice(&off);
        let mut spki = wrap(SEQUENCE, P256_ALGORITHM);
        spki.extend(wrap(BIT_STRING, &bits));
        assert!(matches!(
            from_pem(&pem("PUBLIC KEY", &wrap(SEQUENCE, &spki))),
            Err(KeyError::InvalidEcPoint)
        ));
    }

    #[test]
    fn malformed_pem_and_der_are_refused_without_panicking() {
        let good = rsa_spki();
        let mut trailing = good.clone();
        trailing.push(0);
        let mut long_len = good.clone();
        long_len[1] = 0x83;
        let mut past_end = good.clone();
        past_end[3] = 0xff;
        for der in [
            trailing,
            long_len,
            past_end,
            vec![],
            vec![SEQUENCE],
            good[..40].to_vec(),
        ] {
            assert!(
                matches!(
                    from_pem(&pem("PUBLIC KEY", &der)),
                    Err(KeyError::InvalidPem { .. })
                ),
                "{der:?}"
            );
        }
        for text in [
            String::new(),
            "not pem".to_owned(),
            pem("CERTIFICATE", &good),
            pem("PUBLIC KEY", &good).replace("-----END PUBLIC KEY-----", ""),
            format!("{}{}", pem("PUBLIC KEY", &good), pem("PUBLIC KEY", &good)),
            pem("PUBLIC KEY", &good).replace('M', "!"),
            "x".repeat(MAX_PEM_LEN + 1),
        ] {
            assert!(
                matches!(from_pem(&text), Err(KeyError::InvalidPem { .. })),
                "{text:?}"
            );
        }
        assert!(matches!(
            from_pem(&pem("PRIVATE KEY", &good)),
            Err(KeyError::PrivateKeyMaterial { .. })
        ));
        // Every truncation and every single-byte change of the DER.
        for len in 0..good.len() {
            let _ = from_spki_der(&good[..len]);
        }
        for i in 0..good.len() {
            let mut changed = good.clone();
            changed[i] ^= 0x80;
            let _ = from_spki_der(&changed);
        }
    }

    #[test]
    fn a_pkcs1_rsa_public_key_pem_is_read() {
        let spki = rsa_spki();
        let mut outer = Reader::new(&spki);
        let mut inner = Reader::new(outer.element(SEQUENCE).unwrap());
        inner.element(SEQUENCE).unwrap();
        let bits = inner.element(BIT_STRING).unwrap();
        let key = from_pem(&pem("RSA PUBLIC KEY", &bits[1..])).unwrap();
        assert_eq!(key.algorithm(), Algorithm::Rs256);
    }
}
