//! Differential test: jose-core's P-256 point check (its own Montgomery
//! arithmetic, `src/jwk/p256.rs`) against ring's.
//!
//! Design. The question is "does ring accept this point as a public key?",
//! and ring answers it only while using the point. ECDSA verification is the
//! obvious place to ask, but on its own it cannot tell a refused point from
//! a valid point that is simply not the signer's key: a signature made by
//! the real key fails under every other point, on the curve or not. Used
//! alone as "ring cannot verify", it would agree with jose-core refusing a
//! good point (say, the negation of the real key), so the test could not
//! fail on that side. So each candidate point is judged three ways:
//!
//! 1. ring, through ECDH (`support::ring_accepts_p256_point`): the same
//!    point parser as ECDSA verification, and after it the agreement cannot
//!    fail, so it is an exact yes/no. jose-core must give the same verdict,
//!    both ways: a too-strict jose-core fails on valid candidates (the
//!    unchanged key, its negation), a too-lax one on the near misses.
//! 2. ring, through ECDSA verification, as the brief describes: a signature
//!    made by the real key verifies under the candidate exactly when the
//!    candidate is the real key's point. When it does verify, ring has
//!    parsed the point, so jose-core must accept it (this does not depend on
//!    the ECDH route); and jose-core's own `verify` must give ring's result.
//! 3. Algebra, independent of both libraries, where it is known: with `x`
//!    unchanged, the only points are `(x, y)` and `(x, p - y)`, so a
//!    candidate that only changes `y` is valid iff its `y` is one of those
//!    two; a wrong prefix or length is never valid.
//!
//! Both libraries agreeing on a wrong answer would need them to be wrong the
//! same way on the same input; (3) rules that out wherever it applies, and
//! the run must see both verdicts (it checks it did) or it proves nothing.
//!
//! Candidates start from ring-generated keys and from Wycheproof's valid
//! edge-case points (small coordinates such as `x = 0` or `y = 1`, where
//! `c - 1` wraps and `c + p` still fits in 32 bytes: the range check's
//! boundary), and are mutated: unchanged, negated, a coordinate +-1 or
//! +p, one bit of 512 flipped, a coordinate or both replaced at random,
//! another prefix byte, another length.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use jose_core::{Algorithm, Jwk, VerifyingKey, base64url};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use serde_json::json;
use wycheproof::TestResult;

use crate::support::{
    P256_P, add_256, coordinates, ring_accepts_p256_point, sub_256, uncompressed,
};

const MESSAGE: &[u8] = b"differential test message";

/// A valid point to start from, with a signature over `MESSAGE` by its
/// private key when we have one.
struct Base {
    point: [u8; 65],
    signature: Option<Vec<u8>>,
}

fn bases() -> &'static [Base] {
    static BASES: OnceLock<Vec<Base>> = OnceLock::new();
    BASES.get_or_init(|| {
        let rng = SystemRandom::new();
        let mut bases: Vec<Base> = (0..8)
            .map(|_| {
                let pkcs8 =
                    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
                let pair = EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    pkcs8.as_ref(),
                    &rng,
                )
                .unwrap();
                Base {
                    point: pair.public_key().as_ref().try_into().unwrap(),
                    signature: Some(pair.sign(&rng, MESSAGE).unwrap().as_ref().to_vec()),
                }
            })
            .collect();
        let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint)
            .unwrap();
        for test in set.test_groups.iter().flat_map(|g| &g.tests) {
            let Ok(point) = <[u8; 65]>::try_from(&test.public_key[..]) else {
                continue;
            };
            let (x, y) = coordinates(&point);
            let small = !add_256(&x, &P256_P).1 || !add_256(&y, &P256_P).1;
            if test.result == TestResult::Valid && small {
                bases.push(Base {
                    point,
                    signature: None,
                });
            }
        }
        assert!(bases.len() > 8, "no Wycheproof edge points found");
        bases
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Unchanged,
    /// `(x, p - y)`: on the curve, but not the signer's key.
    Negated,
    XPlusOne,
    XMinusOne,
    YPlusOne,
    YMinusOne,
    /// `c + p` (mod 2^256): the same residue if it fits, unreduced.
    XPlusP,
    YPlusP,
    /// Bit 0..256 of x or 256..512 of y, from the most significant.
    FlipBit(usize),
    RandomX([u8; 32]),
    RandomY([u8; 32]),
    RandomXy([u8; 32], [u8; 32]),
    /// Any first byte but 04.
    Prefix(u8),
    /// Truncated or zero-extended to another length.
    Length(usize),
}

impl Mutation {
    fn name(&self) -> &'static str {
        match self {
            Self::Unchanged => "unchanged",
            Self::Negated => "negated",
            Self::XPlusOne | Self::XMinusOne => "x +- 1",
            Self::YPlusOne | Self::YMinusOne => "y +- 1",
            Self::XPlusP => "x + p",
            Self::YPlusP => "y + p",
            Self::FlipBit(_) => "bit flip",
            Self::RandomX(_) => "random x",
            Self::RandomY(_) => "random y",
            Self::RandomXy(..) => "random x, y",
            Self::Prefix(_) => "prefix",
            Self::Length(_) => "length",
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Unchanged),
        2 => Just(Mutation::Negated),
        1 => Just(Mutation::XPlusOne),
        1 => Just(Mutation::XMinusOne),
        1 => Just(Mutation::YPlusOne),
        1 => Just(Mutation::YMinusOne),
        1 => Just(Mutation::XPlusP),
        1 => Just(Mutation::YPlusP),
        2 => (0usize..512).prop_map(Mutation::FlipBit),
        1 => any::<[u8; 32]>().prop_map(Mutation::RandomX),
        1 => any::<[u8; 32]>().prop_map(Mutation::RandomY),
        1 => any::<([u8; 32], [u8; 32])>().prop_map(|(x, y)| Mutation::RandomXy(x, y)),
        1 => any::<u8>()
            .prop_filter("04 is the real prefix", |b| *b != 4)
            .prop_map(Mutation::Prefix),
        1 => (0usize..130)
            .prop_filter("65 is the real length", |n| *n != 65)
            .prop_map(Mutation::Length),
    ]
}

const ONE: [u8; 32] = {
    let mut one = [0u8; 32];
    one[31] = 1;
    one
};

/// The candidate point, and the algebraic verdict when one is known (3).
fn apply(base: &[u8; 65], mutation: &Mutation) -> (Vec<u8>, Option<bool>) {
    let (x, y) = coordinates(base);
    let negated_y = sub_256(&P256_P, &y).0;
    // With x unchanged, exactly (x, y) and (x, p - y) are on the curve
    // (y != 0 on a prime-order curve, so these are two distinct points).
    let with_y = |new_y: [u8; 32]| {
        let valid = new_y == y || new_y == negated_y;
        (uncompressed(&x, &new_y).to_vec(), Some(valid))
    };
    let with_x = |new_x: [u8; 32]| (uncompressed(&new_x, &y).to_vec(), None);
    match mutation {
        Mutation::Unchanged => with_y(y),
        Mutation::Negated => with_y(negated_y),
        Mutation::XPlusOne => with_x(add_256(&x, &ONE).0),
        Mutation::XMinusOne => with_x(sub_256(&x, &ONE).0),
        Mutation::YPlusOne => with_y(add_256(&y, &ONE).0),
        Mutation::YMinusOne => with_y(sub_256(&y, &ONE).0),
        Mutation::XPlusP => {
            let (new_x, wrapped) = add_256(&x, &P256_P);
            // Unwrapped, it is x's residue written unreduced: never valid.
            let (point, _) = with_x(new_x);
            (point, (!wrapped).then_some(false))
        }
        Mutation::YPlusP => with_y(add_256(&y, &P256_P).0),
        Mutation::FlipBit(bit) => {
            let mut point = *base;
            point[1 + bit / 8] ^= 0x80 >> (bit % 8);
            if *bit < 256 {
                (point.to_vec(), None)
            } else {
                with_y(coordinates(&point).1)
            }
        }
        Mutation::RandomX(new_x) => with_x(*new_x),
        Mutation::RandomY(new_y) => with_y(*new_y),
        Mutation::RandomXy(new_x, new_y) => (uncompressed(new_x, new_y).to_vec(), None),
        Mutation::Prefix(prefix) => {
            let mut point = *base;
            point[0] = *prefix;
            (point.to_vec(), Some(false))
        }
        Mutation::Length(len) => {
            let mut point = base.to_vec();
            point.resize(*len, 0);
            (point, Some(false))
        }
    }
}

#[test]
fn p256_point_check_agrees_with_ring() {
    let bases = bases();
    // (mutation, accepted) -> cases
    let seen: RefCell<BTreeMap<(&'static str, bool), usize>> = RefCell::default();
    let mut runner = TestRunner::new(Config {
        cases: 256,
        source_file: Some(file!()),
        ..Config::default()
    });
    let strategy = (0..bases.len(), mutation());
    let result = runner.run(&strategy, |(index, mutation)| {
        let base = &bases[index];
        let (candidate, algebra) = apply(&base.point, &mutation);
        let jose = VerifyingKey::from_p256_point(&candidate);
        let jose_accepts = jose.is_ok();

        // jose-core's JWK route gives the same answer as its SEC1 route.
        if let [4, xy @ ..] = &candidate[..] {
            let (x, y) = xy.split_at(xy.len() / 2);
            let jwk = Jwk::from_value(&json!({
                "kty": "EC",
                "crv": "P-256",
                "x": base64url::encode(x),
                "y": base64url::encode(y),
            }))
            .unwrap();
            prop_assert_eq!(&VerifyingKey::from_jwk(&jwk), &jose, "JWK route");
        }

        // (1) ring's exact verdict, through ECDH.
        let ring_accepts = ring_accepts_p256_point(&candidate);
        prop_assert_eq!(jose_accepts, ring_accepts, "jose-core vs ring (ECDH)");

        // (3) the algebra, where it decides.
        if let Some(valid) = algebra {
            prop_assert_eq!(jose_accepts, valid, "jose-core vs algebra");
        }

        // (2) ring's ECDSA verification with the real key's signature.
        if let Some(signature) = &base.signature {
            let ring_verifies = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &candidate)
                .verify(MESSAGE, signature)
                .is_ok();
            prop_assert_eq!(ring_verifies, candidate[..] == base.point[..]);
            if ring_verifies {
                prop_assert!(
                    jose_accepts,
                    "ring verified under a point jose-core refused"
                );
            }
            if let Ok(key) = &jose {
                let jose_verifies = key.verify(Algorithm::Es256, MESSAGE, signature).is_ok();
                prop_assert_eq!(jose_verifies, ring_verifies, "jose-core verify vs ring");
            }
        }

        *seen
            .borrow_mut()
            .entry((mutation.name(), jose_accepts))
            .or_default() += 1;
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }

    let seen = seen.into_inner();
    let accepted: usize = seen.iter().filter(|(k, _)| k.1).map(|(_, n)| n).sum();
    let refused: usize = seen.iter().filter(|(k, _)| !k.1).map(|(_, n)| n).sum();
    println!("p256 differential: {accepted} accepted, {refused} refused by both");
    for ((name, ok), n) in &seen {
        println!(
            "  {name:<12} {:<8} {n}",
            if *ok { "accepted" } else { "refused" }
        );
    }
    assert!(
        accepted > 0 && refused > 0,
        "the run must see both verdicts"
    );
}
