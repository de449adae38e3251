//! # gradseal-agg
//!
//! Lattice (LWE compact public-key) encryption for summing model updates under a per-round committee key.
//! (Under construction.)

#![forbid(unsafe_code)]
#![warn(missing_docs)]
