//! Placeholder replaced by the clsc benchmark.
fn main() {}
