//! Each key's live entries: how many, and when the soonest expires.
//!
//! Entries are forgotten in expiry order (the purge walks the seconds in
//! order), so the entry a key loses is always its soonest-expiring one: a
//! min-heap of expiries per key answers "when does this key's oldest entry
//! expire" in O(1) and follows every insert and purge in O(log n).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::mem::size_of;

use super::fingerprint::KeyId;
use super::table::{PassThrough, shrink_map, table_bytes_of};

/// Per-key bookkeeping for the live entries.
#[derive(Debug, Default)]
pub(super) struct Keys {
    /// Every key with at least one live entry.
    live: HashMap<KeyId, KeyState, PassThrough>,
    /// The heaps of keys with two or more entries, packed without gaps in a
    /// vector rather than a second hash table (no control bytes, no 1/8 kept
    /// free); a key's state holds its index. Most keys hold one entry at a
    /// time and never get a heap.
    heaps: Vec<(KeyId, Expiries)>,
    /// Sum of the heaps' capacities, in expiries.
    heap_slots: usize,
}

/// A key's expiries, soonest on top.
type Expiries = BinaryHeap<Reverse<u32>>;

#[derive(Debug, Clone, Copy)]
struct KeyState {
    /// Live entries.
    count: u32,
    /// With one live entry, its expiry; with more, the index of the key's
    /// heap in `heaps`.
    value: u32,
}

/// Expiries as 32-bit Unix seconds (enough until 2106); later ones are
/// kept as the latest representable second, which only lengthens the wait
/// a refusal announces.
fn compact(expires_at: u64) -> u32 {
    u32::try_from(expires_at).unwrap_or(u32::MAX)
}

impl Keys {
    /// How many live entries `key` holds.
    pub(super) fn count(&self, key: KeyId) -> usize {
        self.live.get(&key).map_or(0, |state| state.count as usize)
    }

    /// When `key`'s soonest-expiring entry expires.
    pub(super) fn oldest(&self, key: KeyId) -> Option<u64> {
        let state = self.live.get(&key)?;
        let soonest = match state.count {
            0 => return None,
            1 => state.value,
            _ => self.heaps.get(state.value as usize)?.1.peek()?.0,
        };
        Some(u64::from(soonest))
    }

    /// Counts a new entry of `key`, kept until `expires_at`. The caller
    /// keeps the number of entries, and so of heaps, under 2^32.
    pub(super) fn add(&mut self, key: KeyId, expires_at: u64) {
        let expires_at = compact(expires_at);
        let state = self.live.entry(key).or_insert(KeyState {
            count: 0,
            value: expires_at,
        });
        state.count = state.count.saturating_add(1);
        match state.count {
            1 => {}
            2 => {
                let heap = Expiries::from(vec![Reverse(state.value), Reverse(expires_at)]);
                self.heap_slots += heap.capacity();
                state.value = state_index(self.heaps.len());
                self.heaps.push((key, heap));
            }
            _ => {
                if let Some((_, heap)) = self.heaps.get_mut(state.value as usize) {
                    let before = heap.capacity();
                    heap.push(Reverse(expires_at));
                    self.heap_slots += heap.capacity() - before;
                }
            }
        }
    }

    /// Forgets `key`'s soonest-expiring entry (the purge's order makes it
    /// the one being purged).
    pub(super) fn forget_oldest(&mut self, key: KeyId) {
        let Some(state) = self.live.get_mut(&key) else {
            return;
        };
        state.count = state.count.saturating_sub(1);
        let (count, index) = (state.count, state.value as usize);
        match count {
            0 => {
                self.live.remove(&key);
            }
            1 => {
                // Back to the compact form: the remaining expiry moves out of
                // the heap.
                if let Some(remaining) = self.take_heap(index)
                    && let Some(state) = self.live.get_mut(&key)
                {
                    state.value = remaining;
                }
            }
            _ => {
                if let Some((_, heap)) = self.heaps.get_mut(index) {
                    let before = heap.capacity();
                    heap.pop();
                    // A key that slowed down gives back what its burst took.
                    if before >= 64 && heap.len() < before / 4 {
                        heap.shrink_to(heap.len() * 2);
                    }
                    self.heap_slots -= before - heap.capacity();
                }
            }
        }
    }

    /// Removes the two-entry heap at `index`, moving the last heap into its
    /// place, and returns the later of its two expiries.
    fn take_heap(&mut self, index: usize) -> Option<u32> {
        if index >= self.heaps.len() {
            return None;
        }
        let (_, mut heap) = self.heaps.swap_remove(index);
        self.heap_slots -= heap.capacity();
        if let Some((moved, _)) = self.heaps.get(index)
            && let Some(state) = self.live.get_mut(moved)
        {
            state.value = state_index(index);
        }
        heap.pop();
        heap.pop().map(|Reverse(remaining)| remaining)
    }

    /// Gives back table space left over from a burst.
    pub(super) fn shrink(&mut self) {
        shrink_map(&mut self.live);
        let (len, capacity) = (self.heaps.len(), self.heaps.capacity());
        if (len == 0 && capacity > 0) || (capacity > 1024 && len < capacity / 4) {
            self.heaps.shrink_to(len * 2);
        }
    }

    /// Heap bytes held (see [`table_bytes_of`]).
    pub(super) fn memory_usage(&self) -> usize {
        table_bytes_of::<(KeyId, KeyState)>(self.live.capacity())
            + self.heaps.capacity() * size_of::<(KeyId, Expiries)>()
            + self.heap_slots * size_of::<Reverse<u32>>()
    }

    /// How many keys hold live entries.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.live.len()
    }
}

/// A heap index as stored in a [`KeyState`]; below 2^32 since every heap
/// holds two entries and the cache holds fewer than 2^32.
fn state_index(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_the_oldest_follow_inserts_and_purges_in_expiry_order() {
        let (a, b) = (KeyId(1), KeyId(2));
        let mut keys = Keys::default();
        assert_eq!((keys.count(a), keys.oldest(a)), (0, None));
        keys.add(a, 30);
        assert_eq!((keys.count(a), keys.oldest(a)), (1, Some(30)));
        keys.add(a, 10); // out of order: the client's iat may jump back
        keys.add(a, 20);
        keys.add(b, 5);
        assert_eq!((keys.count(a), keys.oldest(a)), (3, Some(10)));
        assert_eq!((keys.count(b), keys.oldest(b)), (1, Some(5)));
        keys.forget_oldest(b);
        keys.forget_oldest(a); // 10
        assert_eq!((keys.count(a), keys.oldest(a)), (2, Some(20)));
        keys.forget_oldest(a); // 20: back to the compact form
        assert_eq!((keys.count(a), keys.oldest(a)), (1, Some(30)));
        assert!(keys.heaps.is_empty() && keys.heap_slots == 0);
        keys.forget_oldest(a);
        assert_eq!((keys.count(a), keys.len()), (0, 0));
    }

    #[test]
    fn heaps_stay_packed_as_keys_come_and_go() {
        let mut keys = Keys::default();
        for key in 0..4 {
            keys.add(KeyId(key), 10 + key);
            keys.add(KeyId(key), 20 + key);
        }
        assert_eq!(keys.heaps.len(), 4);
        // key 0 drops to one entry: the last heap (key 3's) takes its place
        keys.forget_oldest(KeyId(0));
        assert_eq!(keys.heaps.len(), 3);
        assert_eq!(keys.heaps[0].0, KeyId(3));
        for key in 0..4 {
            let expected = if key == 0 { 20 } else { 10 + key };
            assert_eq!(keys.oldest(KeyId(key)), Some(expected), "{key}");
        }
        keys.add(KeyId(3), 5);
        assert_eq!(keys.oldest(KeyId(3)), Some(5));
        assert_eq!(keys.count(KeyId(3)), 3);
    }

    #[test]
    fn far_expiries_saturate_instead_of_wrapping() {
        let mut keys = Keys::default();
        keys.add(KeyId(1), u64::MAX);
        assert_eq!(keys.oldest(KeyId(1)), Some(u64::from(u32::MAX)));
    }

    #[test]
    fn a_heap_gives_back_its_burst() {
        let mut keys = Keys::default();
        for i in 0..10_000 {
            keys.add(KeyId(1), i);
        }
        assert!(keys.heap_slots >= 10_000);
        for _ in 0..9_990 {
            keys.forget_oldest(KeyId(1));
        }
        assert!(keys.heap_slots <= 64, "{}", keys.heap_slots);
        assert_eq!(keys.oldest(KeyId(1)), Some(9_990));
    }
}
