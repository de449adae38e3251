//! Splitting work over the cores with `std::thread::scope` (no thread pool, no rayon).

use std::ops::Range;

/// Below this many bytes of work, threads cost more than they save: measured on 2 shared
/// cores (load 1.6-2), a 10^5-coordinate contribution (834 KB, layout (4, 2)) verified one
/// 208 KB shard in 65 µs on one thread against 150-290 µs on two, encoded in 0.50-0.57 ms
/// against 0.65-0.99 ms, decoded in 0.56-0.58 ms against 0.80-1.17 ms; from a few MB two
/// threads only sometimes win (gradseal-core's bulk digest found the same from 2 MiB).
const PAR_THRESHOLD: usize = 2 << 20;
/// Never start more workers than this, whatever the machine reports.
const MAX_WORKERS: usize = 8;

/// How many workers to use for `bytes` of work that splits into `units` independent parts.
pub(crate) fn workers(bytes: usize, units: usize) -> usize {
    if bytes < PAR_THRESHOLD || units < 2 {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    cores.min(MAX_WORKERS).min(units).max(1)
}

/// `parts` near-equal contiguous ranges covering `0..units` in order: range `t` is
/// `units · t / parts .. units · (t + 1) / parts`.
pub(crate) fn ranges(units: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1);
    (0..parts).map(|t| units * t / parts..units * (t + 1) / parts).collect()
}

/// Runs every job, the first on the calling thread and the others on scoped threads, and
/// returns their results in order. A panicking job re-raises its panic here.
pub(crate) fn run_all<T: Send, F: FnOnce() -> T + Send>(jobs: Vec<F>) -> Vec<T> {
    let mut jobs = jobs.into_iter();
    let Some(first) = jobs.next() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs.map(|job| scope.spawn(job)).collect();
        let mut out = Vec::with_capacity(handles.len() + 1);
        out.push(first());
        for h in handles {
            out.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}
