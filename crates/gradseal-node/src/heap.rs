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

/// Heap written and freed at start-up, after [`keep_round_buffers`]: glibc keeps it (it is
/// below the trim threshold, twice [`ROUND_BUFFERS`]), so round 1's buffers come from pages
/// already mapped, as every later round's do. Round 1 used to fault them in: clients' kernel
/// time in round 1 was twice round 2's, and round 1 took 0.1-0.2 s longer in the 100-client
/// cluster. About what a client's round uses at 10^5 coordinates, so peak RSS is unchanged.
pub const PREFAULT: usize = 6 << 20;

/// Allocates and frees one zeroed block of `bytes` (see the module docs: with glibc, later
/// blocks below `bytes` are served from the heap and kept between rounds).
pub fn keep_round_buffers(bytes: usize) {
    let block = vec![0u8; bytes];
    // Through black_box so that the allocation is not elided.
    drop(std::hint::black_box(block));
}

/// Writes `total` bytes of heap in blocks of at most `ROUND_BUFFERS / 2` (below the mmap
/// threshold [`keep_round_buffers`] set) and frees them: with glibc they merge back into the
/// top of the heap and stay mapped ([`PREFAULT`]).
pub fn prefault(total: usize) {
    let piece = ROUND_BUFFERS / 2;
    let blocks: Vec<Vec<u8>> =
        (0..total.div_ceil(piece)).map(|i| vec![1u8; piece.min(total - i * piece)]).collect();
    // Freed last block first, so that each merges with the top of the heap.
    for b in std::hint::black_box(blocks).into_iter().rev() {
        drop(b);
    }
}
