//! SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit PRF for short
//! inputs, the function hash tables use against flooding.
//!
//! ring offers no short-input PRF; HMAC-SHA256 would cost about ten times
//! as much per proof. The standard library's `SipHasher` is this function
//! but deprecated, and its `RandomState` cannot be keyed from ring; the tests
//! check this one against both the reference vectors and `SipHasher`.

/// A 128-bit SipHash key.
#[derive(Clone, Copy)]
pub(super) struct SipKey {
    pub(super) k0: u64,
    pub(super) k1: u64,
}

impl SipKey {
    /// The key whose little-endian bytes are `bytes`.
    pub(super) fn from_bytes(bytes: [u8; 16]) -> Self {
        let key = u128::from_le_bytes(bytes);
        Self {
            k0: key as u64,
            k1: (key >> 64) as u64,
        }
    }
}

/// SipHash-2-4 over the concatenation of every `write`.
pub(super) struct SipHasher24 {
    v: [u64; 4],
    /// Bytes of the current, incomplete word, little-endian.
    tail: u64,
    tail_len: u32,
    len: u64,
}

impl SipHasher24 {
    pub(super) fn new(key: SipKey) -> Self {
        Self {
            v: [
                key.k0 ^ 0x736f_6d65_7073_6575,
                key.k1 ^ 0x646f_7261_6e64_6f6d,
                key.k0 ^ 0x6c79_6765_6e65_7261,
                key.k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            tail_len: 0,
            len: 0,
        }
    }

    pub(super) fn write(&mut self, mut bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u64);
        while self.tail_len != 0 {
            let Some((&byte, rest)) = bytes.split_first() else {
                return;
            };
            self.push_byte(byte);
            bytes = rest;
        }
        let (words, rest) = bytes.as_chunks::<8>();
        for word in words {
            self.compress(u64::from_le_bytes(*word));
        }
        for &byte in rest {
            self.push_byte(byte);
        }
    }

    pub(super) fn finish(mut self) -> u64 {
        self.compress((self.len << 56) | self.tail);
        self.v[2] ^= 0xff;
        for _ in 0..4 {
            self.round();
        }
        self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3]
    }

    fn push_byte(&mut self, byte: u8) {
        self.tail |= u64::from(byte) << (8 * self.tail_len);
        self.tail_len += 1;
        if self.tail_len == 8 {
            self.compress(self.tail);
            self.tail = 0;
            self.tail_len = 0;
        }
    }

    fn compress(&mut self, word: u64) {
        self.v[3] ^= word;
        self.round();
        self.round();
        self.v[0] ^= word;
    }

    fn round(&mut self) {
        let [v0, v1, v2, v3] = &mut self.v;
        *v0 = v0.wrapping_add(*v1);
        *v1 = v1.rotate_left(13) ^ *v0;
        *v0 = v0.rotate_left(32);
        *v2 = v2.wrapping_add(*v3);
        *v3 = v3.rotate_left(16) ^ *v2;
        *v0 = v0.wrapping_add(*v3);
        *v3 = v3.rotate_left(21) ^ *v0;
        *v2 = v2.wrapping_add(*v1);
        *v1 = v1.rotate_left(17) ^ *v2;
        *v2 = v2.rotate_left(32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference key 00 01 .. 0f.
    fn reference_key() -> SipKey {
        let mut bytes = [0u8; 16];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = i as u8;
        }
        SipKey::from_bytes(bytes)
    }

    fn hash(key: SipKey, pieces: &[&[u8]]) -> u64 {
        let mut h = SipHasher24::new(key);
        for piece in pieces {
            h.write(piece);
        }
        h.finish()
    }

    #[test]
    fn reference_vectors() {
        // The paper's appendix A, and the first two of the reference
        // implementation's vectors.h (messages 00 01 .. of length 15, 0, 1).
        let message: Vec<u8> = (0u8..15).collect();
        assert_eq!(hash(reference_key(), &[&message]), 0xa129_ca61_49be_45e5);
        assert_eq!(hash(reference_key(), &[]), 0x726f_db47_dd0e_0e31);
        assert_eq!(hash(reference_key(), &[&[0]]), 0x74f8_39c5_93dc_67fd);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn matches_the_standard_librarys_siphash_in_any_split(
            k0 in any::<u64>(),
            k1 in any::<u64>(),
            message in proptest::collection::vec(any::<u8>(), 0..64),
            split in any::<prop::sample::Index>(),
        ) {
            #[expect(deprecated, reason = "SipHasher is SipHash-2-4, the oracle")]
            let expected = {
                use std::hash::Hasher;
                let mut h = std::hash::SipHasher::new_with_keys(k0, k1);
                h.write(&message);
                h.finish()
            };
            let (a, b) = message.split_at(split.index(message.len() + 1));
            prop_assert_eq!(hash(SipKey { k0, k1 }, &[a, b]), expected);
        }
    }
}
