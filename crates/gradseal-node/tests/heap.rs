//! `heap::keep_round_buffers` does what its docs claim under glibc: a round's worth of
//! buffers (three of 1 MiB) allocated, written and freed again faults its pages in on every
//! cycle before (glibc trims the freed 3 MiB off its heap), and (nearly) never after. Its
//! own test binary: no other test's allocations move glibc's thresholds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod faults;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
use faults::cycle;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn round_buffers_stay_mapped_once_kept() {
    let _ = cycle();
    let cold = cycle();
    assert!(cold >= 400, "each cycle faults most of its 768 pages in again, saw {cold}");
    gradseal_node::heap::keep_round_buffers(gradseal_node::heap::ROUND_BUFFERS);
    let _ = cycle();
    let warm = cycle();
    assert!(warm < 32, "after the hint the buffers are reused from the heap: {warm} faults");
}
