//! Wycheproof ECDH P-256 public keys against jose-core's load-time point
//! check (the hand-written Montgomery arithmetic in `src/jwk/p256.rs`).
//!
//! The ECDH suites are the Wycheproof sets with invalid public points (the
//! signature suites only carry good keys). ECDH "valid" and "invalid" are
//! about the whole key agreement, but in these two P-256 files every invalid
//! vector is invalid because of its public key, so the public key alone gives
//! the expected verdict for loading it as a verifying key.
//!
//! Each public key is loaded the way a JWKS entry would be: as an EC JWK with
//! `crv` from the key's curve and `x`/`y` from its uncompressed point, through
//! `VerifyingKey::from_jwk`; for P-256, `VerifyingKey::from_p256_point` on
//! the raw SEC1 bytes must give the same result, and ring (asked through
//! ECDH, see `support::ring_accepts_p256_point`) must agree with both.
//! A point a JWK cannot express (compressed, empty) is asked of the raw SEC1
//! entry point only. Curves given as explicit parameters, and SPKI documents
//! that are not strict DER, have no JWK form at all: those vectors are
//! skipped, with the reason counted, and none of them is a valid vector.

use std::collections::BTreeMap;

use jose_core::{Jwk, KeyError, VerifyingKey, base64url};
use serde_json::json;
use wycheproof::TestResult;
use wycheproof::ecdh::{TestFlag, TestName, TestSet};

use crate::support::{P256_P, add_256, coordinates, ring_accepts_p256_point, uncompressed};

/// Refused by the curve equation or the `x, y < p` range check: the
/// coordinates were 32 bytes each, so nothing else could refuse them.
const CURVE_CHECK: &str = "InvalidEcPoint: 32-byte x and y, not a point on P-256";
const NOT_UNCOMPRESSED: &str = "InvalidEcPoint: not 04 || x || y (raw SEC1 path)";
const WRONG_LENGTH: &str = "InvalidEcPoint: coordinates not 32 bytes";
const OTHER_CURVE: &str = "UnsupportedCurve: crv is not P-256";
const EXPLICIT_PARAMETERS: &str = "explicit EC parameters (no JWK form)";
const NOT_DER: &str = "SPKI is not strict DER (no JWK form; jose-core reads no DER)";

/// What key loading made of one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Refused(&'static str),
    Skipped(&'static str),
}

#[derive(Default, Debug)]
struct Tally {
    valid_accepted: usize,
    invalid_refused: BTreeMap<&'static str, usize>,
    acceptable_accepted: usize,
    acceptable_refused: BTreeMap<&'static str, usize>,
    skipped: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn record(&mut self, expected: TestResult, outcome: Outcome, id: usize) {
        match (expected, outcome) {
            (TestResult::Valid, Outcome::Accepted) => self.valid_accepted += 1,
            (TestResult::Valid, other) => panic!("tcId {id}: valid point not accepted: {other:?}"),
            (TestResult::Invalid, Outcome::Accepted) => {
                panic!("tcId {id}: invalid point accepted");
            }
            (TestResult::Invalid, Outcome::Refused(reason)) => {
                *self.invalid_refused.entry(reason).or_default() += 1;
            }
            (TestResult::Acceptable, Outcome::Accepted) => self.acceptable_accepted += 1,
            (TestResult::Acceptable, Outcome::Refused(reason)) => {
                *self.acceptable_refused.entry(reason).or_default() += 1;
            }
            (_, Outcome::Skipped(reason)) => *self.skipped.entry(reason).or_default() += 1,
        }
    }

    fn total(&self) -> usize {
        self.valid_accepted
            + self.invalid_refused.values().sum::<usize>()
            + self.acceptable_accepted
            + self.acceptable_refused.values().sum::<usize>()
            + self.skipped.values().sum::<usize>()
    }
}

/// Loads a public point published for curve `crv` as jose-core would, and
/// checks that every route to the verdict (JWK, raw SEC1, ring) agrees.
fn load(crv: &str, point: &[u8], id: usize) -> Outcome {
    let p256 = crv == "P-256";
    let raw = p256.then(|| VerifyingKey::from_p256_point(point));
    if p256 {
        assert_eq!(
            raw.as_ref().is_some_and(Result::is_ok),
            ring_accepts_p256_point(point),
            "tcId {id}: jose-core and ring disagree on the point"
        );
    }
    let [4, coordinates @ ..] = point else {
        // Compressed (02/03), infinity (00) or empty: a JWK cannot write
        // these, so only the raw SEC1 entry point can be asked.
        return match raw {
            None => Outcome::Skipped("not uncompressed and not P-256 (no JWK form)"),
            Some(Ok(_)) => Outcome::Accepted,
            Some(Err(KeyError::InvalidEcPoint)) => Outcome::Refused(NOT_UNCOMPRESSED),
            Some(Err(other)) => panic!("tcId {id}: unexpected error {other:?}"),
        };
    };
    let (x, y) = coordinates.split_at(coordinates.len() / 2);
    let jwk = Jwk::from_value(&json!({
        "kty": "EC",
        "crv": crv,
        "x": base64url::encode(x),
        "y": base64url::encode(y),
    }))
    .unwrap();
    let from_jwk = VerifyingKey::from_jwk(&jwk);
    if let Some(raw) = raw {
        assert_eq!(from_jwk, raw, "tcId {id}: JWK and SEC1 loading disagree");
    }
    match from_jwk {
        Ok(_) => Outcome::Accepted,
        Err(KeyError::InvalidEcPoint) if x.len() == 32 && y.len() == 32 => {
            Outcome::Refused(CURVE_CHECK)
        }
        Err(KeyError::InvalidEcPoint) => Outcome::Refused(WRONG_LENGTH),
        Err(KeyError::UnsupportedCurve { .. }) => Outcome::Refused(OTHER_CURVE),
        Err(other) => panic!("tcId {id}: unexpected error {other:?}"),
    }
}

/// Flags whose vectors must be refused by the curve check itself, not by a
/// framing check before it.
fn needs_curve_check(flags: &[TestFlag]) -> bool {
    flags.iter().any(|f| {
        matches!(
            f,
            TestFlag::InvalidCurveAttack | TestFlag::ModifiedPublicPoint
        )
    })
}

/// `ecdh_secp256r1_ecpoint_test.json`: public keys as raw SEC1 points.
#[test]
fn wycheproof_ecdh_p256_ecpoint_public_keys() {
    let set = TestSet::load(TestName::EcdhSecp256r1Ecpoint).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(group.curve, wycheproof::EllipticCurve::Secp256r1);
        for test in &group.tests {
            let outcome = load("P-256", &test.public_key, test.tc_id);
            if needs_curve_check(&test.flags) {
                assert_eq!(
                    outcome,
                    Outcome::Refused(CURVE_CHECK),
                    "tcId {}",
                    test.tc_id
                );
            }
            tally.record(test.result, outcome, test.tc_id);
        }
    }
    println!("wycheproof ecdh_secp256r1_ecpoint public keys: {tally:#?}");
    assert_eq!(tally.total(), set.number_of_tests);
    assert!(tally.skipped.is_empty());
    assert!(tally.valid_accepted > 0);
    assert!(
        tally
            .invalid_refused
            .get(CURVE_CHECK)
            .is_some_and(|n| *n > 0)
    );
}

/// `ecdh_secp256r1_test.json`: public keys as DER SubjectPublicKeyInfo, which
/// adds points on other named curves and a few more off-curve points.
#[test]
fn wycheproof_ecdh_p256_spki_public_keys() {
    let set = TestSet::load(TestName::EcdhSecp256r1).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        for test in &group.tests {
            let id = test.tc_id;
            let outcome = match spki::parse(&test.public_key) {
                Err(()) => {
                    // Our reader is strict; make sure it skips only what
                    // Wycheproof itself calls bad ASN.1.
                    assert!(test.flags.contains(&TestFlag::InvalidAsn), "tcId {id}");
                    Outcome::Skipped(NOT_DER)
                }
                Ok(spki::Spki { curve: None, .. }) => Outcome::Skipped(EXPLICIT_PARAMETERS),
                Ok(spki::Spki {
                    curve: Some(crv),
                    point,
                }) => load(&crv, point, id),
            };
            if needs_curve_check(&test.flags) {
                assert_eq!(outcome, Outcome::Refused(CURVE_CHECK), "tcId {id}");
            }
            tally.record(test.result, outcome, id);
        }
    }
    println!("wycheproof ecdh_secp256r1 (SPKI) public keys: {tally:#?}");
    assert_eq!(tally.total(), set.number_of_tests);
    assert!(tally.valid_accepted > 0);
    assert!(
        tally
            .invalid_refused
            .get(CURVE_CHECK)
            .is_some_and(|n| *n > 0)
    );
    assert!(
        tally
            .invalid_refused
            .get(OTHER_CURVE)
            .is_some_and(|n| *n > 0)
    );
}

/// Wycheproof's invalid points all fail the curve equation, so they do not
/// show that the range check (`x, y < p`) matters. Its valid edge-case points
/// include some with a small coordinate `c` (`x = 0`, `y = 1`, ...), where
/// `c + p` still fits in 32 bytes: the same residue, so the curve equation
/// mod p still holds, but SEC1 and SP 800-56A require `0 <= c < p`. Every
/// such variant must be refused by jose-core and by ring, while the original
/// is accepted by both. The SEC1 point at infinity is refused too.
#[test]
fn wycheproof_p256_edge_points_with_unreduced_coordinates() {
    let set = TestSet::load(TestName::EcdhSecp256r1Ecpoint).unwrap();
    let mut unreduced = 0;
    for test in set.test_groups.iter().flat_map(|g| &g.tests) {
        let Ok(point) = <[u8; 65]>::try_from(&test.public_key[..]) else {
            continue;
        };
        if test.result != TestResult::Valid {
            continue;
        }
        let (x, y) = coordinates(&point);
        let variants = [(add_256(&x, &P256_P), true), (add_256(&y, &P256_P), false)];
        for ((shifted, carried), is_x) in variants {
            if carried {
                continue;
            }
            assert!(VerifyingKey::from_p256_point(&point).is_ok());
            assert!(ring_accepts_p256_point(&point));
            let variant = if is_x {
                uncompressed(&shifted, &y)
            } else {
                uncompressed(&x, &shifted)
            };
            let id = test.tc_id;
            assert_eq!(
                VerifyingKey::from_p256_point(&variant),
                Err(KeyError::InvalidEcPoint),
                "tcId {id} with {} + p",
                if is_x { "x" } else { "y" }
            );
            assert!(!ring_accepts_p256_point(&variant), "tcId {id}: ring");
            unreduced += 1;
        }
    }
    // SEC1's encoding of the point at infinity, and (0, 0), which some
    // libraries use for it internally.
    for infinity in [&[0u8][..], &uncompressed(&[0; 32], &[0; 32])[..]] {
        assert_eq!(
            VerifyingKey::from_p256_point(infinity),
            Err(KeyError::InvalidEcPoint)
        );
        assert!(!ring_accepts_p256_point(infinity));
    }
    println!("wycheproof P-256 edge points with a coordinate + p: {unreduced} refused");
    assert!(unreduced > 0);
}

/// Just enough strict DER to take a SubjectPublicKeyInfo apart.
mod spki {
    use jose_core::base64url;

    /// id-ecPublicKey, 1.2.840.10045.2.1
    const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

    pub(super) struct Spki<'a> {
        /// The JOSE `crv` for a named curve (a placeholder for curves JOSE
        /// does not name); `None` for explicit parameters.
        pub(super) curve: Option<String>,
        pub(super) point: &'a [u8],
    }

    /// `SEQUENCE { SEQUENCE { OID ecPublicKey, params }, BIT STRING }`,
    /// each length in its shortest form, nothing left over.
    pub(super) fn parse(der: &[u8]) -> Result<Spki<'_>, ()> {
        let body = only(der, 0x30)?;
        let (algorithm, rest) = tlv(body, 0x30)?;
        let bits = only(rest, 0x03)?;
        let (oid, params) = tlv(algorithm, 0x06)?;
        if oid != EC_PUBLIC_KEY {
            return Err(());
        }
        let curve = match params.first() {
            Some(0x06) => Some(crv(only(params, 0x06)?)),
            Some(0x30) => {
                only(params, 0x30)?;
                None
            }
            _ => return Err(()),
        };
        let [0, point @ ..] = bits else {
            return Err(());
        };
        Ok(Spki { curve, point })
    }

    fn crv(oid: &[u8]) -> String {
        match oid {
            [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] => "P-256".to_owned(),
            [0x2b, 0x81, 0x04, 0x00, 0x22] => "P-384".to_owned(),
            [0x2b, 0x81, 0x04, 0x00, 0x23] => "P-521".to_owned(),
            [0x2b, 0x81, 0x04, 0x00, 0x0a] => "secp256k1".to_owned(),
            other => format!("oid:{}", base64url::encode(other)),
        }
    }

    /// One element with tag `tag` and nothing after it.
    fn only(input: &[u8], tag: u8) -> Result<&[u8], ()> {
        match tlv(input, tag)? {
            (value, []) => Ok(value),
            _ => Err(()),
        }
    }

    /// The value of a leading element with tag `tag`, and what follows it.
    fn tlv(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), ()> {
        let [t, first, rest @ ..] = input else {
            return Err(());
        };
        if *t != tag {
            return Err(());
        }
        let (len, rest) = match *first {
            n @ 0..=0x7f => (usize::from(n), rest),
            0x81 => match rest {
                [n @ 0x80..=0xff, rest @ ..] => (usize::from(*n), rest),
                _ => return Err(()),
            },
            0x82 => match rest {
                [hi @ 1..=0xff, lo, rest @ ..] => (usize::from(*hi) << 8 | usize::from(*lo), rest),
                _ => return Err(()),
            },
            _ => return Err(()),
        };
        if rest.len() < len {
            return Err(());
        }
        Ok(rest.split_at(len))
    }
}
