//! Keeping a node's per-round buffers mapped between rounds.
//!
//! A round allocates a few buffers of 0.2 to 2 MB in every node (a client's encoded update,
//! ciphertext, signcryption and shards; the messages a relay or the aggregator reads) and
//! frees them at its end. glibc's malloc adjusts its thresholds to the largest mmapped block
//! freed so far (mallopt(3), `M_MMAP_THRESHOLD`, dynamic threshold, up to 32 MiB): the mmap
//! threshold to that block's size, the trim threshold to twice it. With ~1 MB buffers that
//! is ~2 MB of trim threshold, below the several MB a round frees at the top of the heap, so
//! glibc hands them back to the kernel and the next round faults every page in again: in the
//! 100 × 10^5 cluster, 280 000 of 670 000 page faults, and a client's CPU to handle the
//! announcement (its whole contribution) was 6.0 ms in round 2 against 4.2 ms without them
//! (measured with the thread's schedstat). One block of [`ROUND_BUFFERS`] allocated and freed
//! at start-up raises the trim threshold to twice that, so a round's buffers stay in the
//! heap for the next. The block is never written (a zeroed allocation that large is fresh
//! `mmap` memory), so it costs no resident memory; peak RSS in the cluster did not change
//! (clients 21-23 MiB, aggregator 72-77 MiB). Other allocators see one allocation and its
//! release.

/// The block allocated and freed at start-up: above every per-round buffer of a 10^5
/// coordinate round (the largest, a client's contribution and a result, are 0.8-1.3 MB).
/// Buffers of larger rounds above it are still mapped and unmapped each round.
pub const ROUND_BUFFERS: usize = 4 << 20;

/// Allocates and frees one zeroed block of `bytes` (see the module docs: with glibc, later
/// blocks below `bytes` are served from the heap and kept between rounds).
pub fn keep_round_buffers(bytes: usize) {
    let block = vec![0u8; bytes];
    // Through black_box so that the allocation is not elided.
    drop(std::hint::black_box(block));
}
