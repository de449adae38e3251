//! Crate-internal tests that need private access (the attack demonstration, noise
//! measurements, equivalence with tfhe's own decryption).

mod attack;
mod correctness;
mod noise;
mod proofs;
