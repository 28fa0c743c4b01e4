//! The P-256 curve equation, checked on public coordinates.
//!
//! ring validates a public point only inside `verify`, where an invalid point
//! and a bad signature are the same error. A JWKS entry should fail at load
//! time, with a clear reason, and cheaply (a DPoP proof brings a new key with
//! every request), so this module checks `y^2 = x^3 - 3x + b (mod p)` itself.
//! The inputs are public, so nothing here needs to be constant-time.
//! Arithmetic is Montgomery multiplication over four little-endian 64-bit
//! limbs; for this prime `-p^-1 mod 2^64 = 1`, which keeps REDC short.

type Fe = [u64; 4];

/// p = 2^256 - 2^224 + 2^192 + 2^96 - 1
const P: Fe = [
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0x0000_0000_0000_0000,
    0xffff_ffff_0000_0001,
];

/// The curve coefficient b.
const B: Fe = [
    0x3bce_3c3e_27d2_604b,
    0x651d_06b0_cc53_b0f6,
    0xb3eb_bd55_7698_86bc,
    0x5ac6_35d8_aa3a_93e7,
];

/// R^2 mod p with R = 2^256, to move values into Montgomery form.
const R2: Fe = [
    0x0000_0000_0000_0003,
    0xffff_fffb_ffff_ffff,
    0xffff_ffff_ffff_fffe,
    0x0000_0004_ffff_fffd,
];

/// Whether big-endian `x` and `y` are the affine coordinates of a point on
/// P-256 (each reduced modulo p).
pub(crate) fn is_on_curve(x: &[u8; 32], y: &[u8; 32]) -> bool {
    let (x, y) = (from_be(x), from_be(y));
    if !less_than_p(&x) || !less_than_p(&y) {
        return false;
    }
    let (x, y, b) = (mont_mul(&x, &R2), mont_mul(&y, &R2), mont_mul(&B, &R2));
    let lhs = mont_mul(&y, &y);
    let x3 = mont_mul(&mont_mul(&x, &x), &x);
    let three_x = add_mod(&add_mod(&x, &x), &x);
    let rhs = add_mod(&sub_mod(&x3, &three_x), &b);
    lhs == rhs
}

fn from_be(bytes: &[u8; 32]) -> Fe {
    let mut limbs = [0u64; 4];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        limbs[3 - i] = u64::from_be_bytes(word);
    }
    limbs
}

fn less_than_p(a: &Fe) -> bool {
    for i in (0..4).rev() {
        if a[i] != P[i] {
            return a[i] < P[i];
        }
    }
    false
}

/// `a - b` over 256 bits, returning the borrow.
fn sub_raw(a: &Fe, b: &Fe) -> (Fe, bool) {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out[i] = d2;
        borrow = b1 || b2;
    }
    (out, borrow)
}

/// `a + b` over 256 bits, returning the carry.
fn add_raw(a: &Fe, b: &Fe) -> (Fe, bool) {
    let mut out = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        out[i] = s2;
        carry = c1 || c2;
    }
    (out, carry)
}

fn add_mod(a: &Fe, b: &Fe) -> Fe {
    let (sum, carry) = add_raw(a, b);
    if carry || !less_than_p(&sum) {
        sub_raw(&sum, &P).0
    } else {
        sum
    }
}

fn sub_mod(a: &Fe, b: &Fe) -> Fe {
    let (diff, borrow) = sub_raw(a, b);
    if borrow { add_raw(&diff, &P).0 } else { diff }
}

/// Adds `carry` into `t` from limb `from` upwards.
fn propagate(t: &mut [u64; 9], from: usize, mut carry: u128) {
    let mut k = from;
    while carry != 0 && k < t.len() {
        let v = u128::from(t[k]) + carry;
        t[k] = v as u64;
        carry = v >> 64;
        k += 1;
    }
}

/// Montgomery product `a * b * R^-1 mod p` for `a, b < p`.
fn mont_mul(a: &Fe, b: &Fe) -> Fe {
    let mut t = [0u64; 9];
    for i in 0..4 {
        let mut carry = 0u128;
        for j in 0..4 {
            let v = u128::from(t[i + j]) + u128::from(a[i]) * u128::from(b[j]) + carry;
            t[i + j] = v as u64;
            carry = v >> 64;
        }
        propagate(&mut t, i + 4, carry);
    }
    for i in 0..4 {
        // m = t[i] * (-p^-1 mod 2^64) = t[i], since p = -1 mod 2^64.
        let m = t[i];
        let mut carry = 0u128;
        for j in 0..4 {
            let v = u128::from(t[i + j]) + u128::from(m) * u128::from(P[j]) + carry;
            t[i + j] = v as u64;
            carry = v >> 64;
        }
        propagate(&mut t, i + 4, carry);
    }
    let out = [t[4], t[5], t[6], t[7]];
    if t[8] != 0 || !less_than_p(&out) {
        sub_raw(&out, &P).0
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    fn coordinates(point: &[u8]) -> ([u8; 32], [u8; 32]) {
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        x.copy_from_slice(&point[1..33]);
        y.copy_from_slice(&point[33..65]);
        (x, y)
    }

    #[test]
    fn r2_is_r_squared_mod_p() {
        // mont_mul(1, R2) = R mod p, and mont_mul(R mod p, 1) = 1.
        let one = [1, 0, 0, 0];
        let r = mont_mul(&one, &R2);
        assert_eq!(mont_mul(&r, &one), one);
        // R mod p = 2^256 - p
        assert_eq!(r, sub_raw(&[0; 4], &P).0);
    }

    #[test]
    fn generated_public_keys_are_on_the_curve() {
        let rng = SystemRandom::new();
        for _ in 0..64 {
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                    .unwrap();
            let (x, mut y) = coordinates(pair.public_key().as_ref());
            assert!(is_on_curve(&x, &y));
            y[31] ^= 1;
            assert!(!is_on_curve(&x, &y), "a flipped bit leaves the curve");
        }
    }

    #[test]
    fn rejects_unreduced_and_trivial_coordinates() {
        assert!(!is_on_curve(&[0; 32], &[0; 32]));
        assert!(!is_on_curve(&[0xff; 32], &[0xff; 32]));
        // the generator is on the curve
        let gx: [u8; 32] = [
            0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4,
            0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45,
            0xd8, 0x98, 0xc2, 0x96,
        ];
        let gy: [u8; 32] = [
            0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f,
            0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68,
            0x37, 0xbf, 0x51, 0xf5,
        ];
        assert!(is_on_curve(&gx, &gy));
        // p itself reduces to 0 but is not a canonical coordinate
        let mut p_bytes = [0u8; 32];
        for (i, limb) in P.iter().enumerate() {
            p_bytes[(3 - i) * 8..(4 - i) * 8].copy_from_slice(&limb.to_be_bytes());
        }
        assert!(!is_on_curve(&p_bytes, &gy));
        assert!(!is_on_curve(&gx, &p_bytes));
    }
}
