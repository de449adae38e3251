//! # gradseal-agg
//!
//! Homomorphic aggregation of model updates under a per-round committee key, on the LWE
//! *compact* public-key encryption of [`tfhe`]'s `core_crypto` layer. The scheme, its wire
//! formats, noise budget and security argument are written down in `spec/agg.md`.
//!
//! A round, in calling order:
//! 1. Everyone builds the same [`RoundParams`] from a [`RoundConfig`] (validated: the sum of
//!    `max_clients` B-bit contributions cannot wrap, decryption fails with probability below
//!    2^-64 per coordinate, flooding leaves at least 64 bits; see [`NoiseBudget`]).
//! 2. Each committee member runs [`KeyShare::generate`] and publishes its [`KeyBody`]; anyone
//!    runs [`JointPublicKey::combine`].
//! 3. Each client runs [`encode_update`] then [`encrypt`] (or [`encrypt_and_prove`] when the
//!    round's [`ProofPolicy`] requires proofs; the authority made the [`Crs`]).
//! 4. The aggregator runs [`verify_update`] and [`Aggregate::add`]; anyone can check its claim
//!    with [`recompute_aggregate`].
//! 5. Each member checks the aggregate and runs [`KeyShare::partial_decrypt`], which consumes
//!    its share; anyone runs [`combine_partials`] and [`decode_sum`] / [`decode_mean`].
//!
//! ```
//! use chacha20::ChaCha20Rng;
//! use gradseal_agg::*;
//! use rand_core::SeedableRng;
//!
//! let mut rng = ChaCha20Rng::from_seed([7; 32]);
//! let mut config = RoundConfig::new([1; 32], 10);
//! config.committee_size = 2;
//! let params = RoundParams::new(config)?;
//! let (s0, b0) = KeyShare::generate(&params, 0, &mut rng)?;
//! let (s1, b1) = KeyShare::generate(&params, 1, &mut rng)?;
//! let key = JointPublicKey::combine(&params, &[b0, b1])?;
//!
//! let mut aggregate = Aggregate::new(&params);
//! for x in [0.5f32, -0.25] {
//!     let encoded = encode_update(&params, &[x; 10], &mut rng)?;
//!     aggregate.add(&params, &encrypt(&params, &key, &encoded, &mut rng)?)?;
//! }
//! let p0 = s0.partial_decrypt(&params, &aggregate, &mut rng)?;
//! let p1 = s1.partial_decrypt(&params, &aggregate, &mut rng)?;
//! let sum = combine_partials(&params, &aggregate, &[p0, p1])?;
//! let mean = decode_mean(&params, &sum);
//! assert!((mean[0] - 0.125).abs() < 1e-4);
//! # Ok::<(), AggError>(())
//! ```
//!
//! Licence note: tfhe-rs is free for research and prototyping; commercial use needs a patent
//! licence from Zama.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aggregate;
mod decrypt;
mod encoding;
mod encrypt;
mod error;
mod keys;
mod noise;
pub mod params;
mod poly;
pub mod tags;
mod wire;
mod zk;

#[cfg(feature = "vectors")]
#[doc(hidden)]
pub mod vectors;

#[cfg(test)]
mod tests;

pub use aggregate::{Aggregate, recompute_aggregate};
pub use decrypt::{PartialDecryption, combine_partials};
pub use encoding::{DecryptedSum, EncodedUpdate, decode_mean, decode_sum, encode_update};
pub use encrypt::{EncryptedUpdate, encrypt, encrypt_and_prove, verify_update};
pub use error::AggError;
pub use keys::{JointPublicKey, KeyBody, KeyShare};
pub use params::{NoiseBudget, Profile, ProofPolicy, RoundConfig, RoundParams};
pub use zk::{Crs, ListProof, MAX_CRS_BYTES, MAX_PROOF_BYTES};
