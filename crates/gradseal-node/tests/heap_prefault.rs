//! `heap::prefault` does what its docs claim under glibc: after it, the first round's worth
//! of buffers (three of 1 MiB, allocated, written and freed) takes (nearly) no page fault;
//! without it that first cycle faults its 768 pages in (`tests/heap.rs` shows the cold
//! cycles). Its own test binary: no other test's allocations touch the heap first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod faults;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
use faults::{cycle, minor_faults};

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_first_rounds_buffers_find_their_pages_mapped() {
    use gradseal_node::heap::{PREFAULT, ROUND_BUFFERS, keep_round_buffers, prefault};
    keep_round_buffers(ROUND_BUFFERS);
    let before = minor_faults();
    prefault(PREFAULT);
    let written = minor_faults() - before;
    assert!(written >= 1000, "prefault wrote its 1536 pages: {written} faults");
    let first = cycle();
    assert!(first < 32, "the first buffers come from prefaulted pages: {first} faults");
}
