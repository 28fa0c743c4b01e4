//! What the cache's hash tables hash with, and what they cost.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};
use std::mem::size_of;

/// Tables at most this large are kept while non-empty, to avoid churn.
const KEEP_SLOTS: usize = 1024;

/// Hashes a [`Fingerprint`](super::fingerprint::Fingerprint) or a
/// [`KeyId`](super::fingerprint::KeyId) by taking its low 64 bits: they
/// are already keyed, uniform hashes, so hashing them again would only cost
/// time.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PassThrough;

impl BuildHasher for PassThrough {
    type Hasher = PassThroughHasher;

    fn build_hasher(&self) -> PassThroughHasher {
        PassThroughHasher(0)
    }
}

#[derive(Debug)]
pub(super) struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn write_u128(&mut self, value: u128) {
        self.0 = value as u64;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached if another type were hashed; mix rather than drop.
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// The heap bytes of a standard-library hash table (`HashMap`/`HashSet`,
/// hashbrown inside) whose `capacity()` is `capacity`, holding elements of
/// `element` bytes.
///
/// hashbrown allocates a power-of-two number of slots and fills at most
/// 7/8 of them (all but one below 8 slots), so `capacity()` gives the slot
/// count back exactly. Each slot holds the element and one control byte,
/// plus 16 trailing control bytes (one SIMD group).
pub(super) fn table_bytes(capacity: usize, element: usize) -> usize {
    const GROUP_WIDTH: usize = 16;
    let slots = match capacity {
        0 => return 0,
        1..8 => capacity + 1,
        _ => (capacity / 7).saturating_mul(8),
    };
    slots
        .saturating_mul(element + 1)
        .saturating_add(GROUP_WIDTH)
}

/// [`table_bytes`] for a table of `T`.
pub(super) fn table_bytes_of<T>(capacity: usize) -> usize {
    table_bytes(capacity, size_of::<T>())
}

/// Gives back the space a burst left in `set`: all of it once empty, and
/// half of the slack once three quarters of it are unused.
pub(super) fn shrink_set<T: Eq + Hash, S: BuildHasher>(set: &mut HashSet<T, S>) {
    if should_shrink(set.len(), set.capacity()) {
        set.shrink_to(set.len() * 2);
    }
}

/// [`shrink_set`] for a map.
pub(super) fn shrink_map<K: Eq + Hash, V, S: BuildHasher>(map: &mut HashMap<K, V, S>) {
    if should_shrink(map.len(), map.capacity()) {
        map.shrink_to(map.len() * 2);
    }
}

fn should_shrink(len: usize, capacity: usize) -> bool {
    (len == 0 && capacity > 0) || (capacity > KEEP_SLOTS && len < capacity / 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slots_follow_from_capacity() {
        assert_eq!(table_bytes(0, 16), 0);
        assert_eq!(table_bytes(3, 16), 4 * 17 + 16);
        assert_eq!(table_bytes(7, 16), 8 * 17 + 16);
        assert_eq!(table_bytes(917_504, 16), 1_048_576 * 17 + 16);
        // The standard library still sizes tables this way: the capacity of
        // a table asked for n elements is 7/8 of a power of two.
        for n in [8, 100, 1_000, 720_000] {
            let set: HashSet<u128, PassThrough> = HashSet::with_capacity_and_hasher(n, PassThrough);
            let slots = set.capacity() / 7 * 8;
            assert!(
                slots.is_power_of_two() && set.capacity() >= n,
                "{n}: {slots}"
            );
        }
    }

    #[test]
    fn pass_through_keeps_the_low_bits() {
        let build = PassThrough;
        assert_eq!(build.hash_one(7u64), 7);
        assert_eq!(build.hash_one((5u128 << 64) | 9), 9);
        assert_ne!(build.hash_one([1u8, 2]), build.hash_one([2u8, 1]));
    }
}
