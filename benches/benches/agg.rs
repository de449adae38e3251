//! Placeholder replaced by the agg benchmark.
fn main() {}
