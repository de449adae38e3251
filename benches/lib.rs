//! Benchmark crate: the benches live in `benches/`.
