//! Placeholder replaced by the shard benchmark.
fn main() {}
