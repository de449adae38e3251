//! Page-fault counting for the heap tests (each its own test binary, so that no other
//! test's allocations move glibc's thresholds first).
#![cfg(all(target_os = "linux", target_env = "gnu"))]

/// Minor page faults of this process so far (`/proc/self/stat`, field 10).
pub(crate) fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    rest.split_whitespace().nth(7).unwrap().parse().unwrap()
}

/// Faults taken by one round's buffers: three of 1 MiB allocated, written, freed.
pub(crate) fn cycle() -> u64 {
    let before = minor_faults();
    let bufs: Vec<Vec<u8>> = (0..3).map(|i| vec![i; 1 << 20]).collect();
    drop(std::hint::black_box(bufs));
    minor_faults() - before
}
