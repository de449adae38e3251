//! Crate-internal tests that need private access: attacks played with unflooded partials,
//! noise measured against the model.

mod attack;
mod correctness;
mod noise;
mod tofn;
