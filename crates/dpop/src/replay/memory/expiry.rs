//! Fingerprints grouped by the second they expire, so that purging touches
//! only what expired.

use std::collections::BTreeMap;
use std::mem::size_of;

use super::fingerprint::Fingerprint;

/// Fingerprints per chunk: 8 KiB. A second's fingerprints live in chunks
/// rather than one vector so that a busy second never holds a doubled,
/// half-empty allocation: at most one chunk per second is partly empty.
const CHUNK: usize = 512;

/// The fingerprints of live entries, by the last second they count
/// (`expires_at`). One group per second; a group is dropped whole, with its
/// memory, once its second has passed.
#[derive(Debug, Default)]
pub(super) struct Expiries {
    by_second: BTreeMap<u64, Group>,
    /// Sum of every chunk's capacity, in fingerprints.
    chunk_slots: usize,
    /// Sum of every group's chunk-list capacity.
    chunk_lists: usize,
}

#[derive(Debug, Default)]
struct Group {
    chunks: Vec<Vec<Fingerprint>>,
}

impl Expiries {
    /// Files `fingerprint` under `expires_at`.
    pub(super) fn push(&mut self, expires_at: u64, fingerprint: Fingerprint) {
        let group = self.by_second.entry(expires_at).or_default();
        let lists_before = group.chunks.capacity();
        let chunk = match group.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk,
            _ => {
                group.chunks.push(Vec::new());
                let Some(chunk) = group.chunks.last_mut() else {
                    return; // just pushed
                };
                chunk
            }
        };
        // Growth doubles from 4 and stops at CHUNK, a power of two.
        let slots_before = chunk.capacity();
        chunk.push(fingerprint);
        self.chunk_slots += chunk.capacity() - slots_before;
        self.chunk_lists += group.chunks.capacity() - lists_before;
    }

    /// The earliest second any entry is kept until.
    pub(super) fn oldest(&self) -> Option<u64> {
        self.by_second.first_key_value().map(|(&second, _)| second)
    }

    /// Removes every group whose second is before `now`, oldest first,
    /// calling `forget` with each fingerprint and its second.
    pub(super) fn purge(&mut self, now: u64, mut forget: impl FnMut(Fingerprint, u64)) {
        while let Some(entry) = self.by_second.first_entry() {
            if *entry.key() >= now {
                break;
            }
            let (second, group) = entry.remove_entry();
            self.chunk_lists -= group.chunks.capacity();
            for chunk in group.chunks {
                self.chunk_slots -= chunk.capacity();
                for fingerprint in chunk {
                    forget(fingerprint, second);
                }
            }
        }
    }

    /// Heap bytes held: the chunks and chunk lists exactly, the ordered map
    /// of seconds as an upper estimate (std's B-tree nodes hold 11 entries
    /// and are at least half full: a node of 16 bytes of header, 11 entries
    /// and 12 child pointers per 5 entries).
    pub(super) fn memory_usage(&self) -> usize {
        let entry = size_of::<u64>() + size_of::<Group>();
        let nodes = self.by_second.len().div_ceil(5);
        nodes * (16 + 11 * entry + 12 * size_of::<usize>())
            + self.chunk_lists * size_of::<Vec<Fingerprint>>()
            + self.chunk_slots * size_of::<Fingerprint>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_returns_the_expired_in_order_and_frees_their_chunks() {
        let mut expiries = Expiries::default();
        for i in 0..3_000u128 {
            expiries.push(10 + (i % 3) as u64, Fingerprint(i));
        }
        assert_eq!(expiries.oldest(), Some(10));
        // 1,000 entries per second: one full chunk and one partly full.
        assert_eq!(expiries.chunk_slots, 3 * 2 * CHUNK);
        let mut seen = Vec::new();
        expiries.purge(12, |fp, second| seen.push((second, fp.0)));
        assert_eq!(seen.len(), 2_000);
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(
            seen.iter()
                .all(|&(second, fp)| second == 10 + (fp % 3) as u64)
        );
        assert_eq!(expiries.oldest(), Some(12));
        expiries.purge(13, |_, _| {});
        assert_eq!((expiries.oldest(), expiries.memory_usage()), (None, 0));
    }

    #[test]
    fn a_quiet_second_holds_a_small_chunk() {
        let mut expiries = Expiries::default();
        expiries.push(10, Fingerprint(1));
        assert!(
            expiries.memory_usage() < 1024,
            "{}",
            expiries.memory_usage()
        );
    }
}
