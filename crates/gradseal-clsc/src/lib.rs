//! # gradseal-clsc
//!
//! Certificateless signcryption and Schnorr signatures on ristretto255.
//! (Under construction.)

#![forbid(unsafe_code)]
#![warn(missing_docs)]
