//! Placeholder: replaced by the two-node example.
fn main() {}
