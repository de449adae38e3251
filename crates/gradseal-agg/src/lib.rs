//! # gradseal-agg
//!
//! One-shot key-additive aggregation of model updates on RLWE (n = 4096, q = 2^64), with
//! [`tfhe`]'s `core_crypto` NTTs. Each client encrypts under its own fresh secret against a
//! public mask derived from the round, and shares that secret with the committee: one 32-byte
//! seed per member plus a public correction. The aggregator sums bodies and corrections; each
//! member sums its seeds' expansions over the list it checked and returns one flooded partial
//! decryption; anyone combines them into the sum, and nothing else. The scheme, its wire
//! formats, noise budget and security argument are written down in `spec/agg.md`.
//!
//! A round, in calling order:
//! 1. Everyone builds the same [`RoundParams`] from a [`RoundConfig`] (validated: the sum of
//!    `max_clients` B-bit contributions cannot wrap, every noise bound fits below Δ/4, the
//!    flooding is far above the aggregate's noise; see [`NoiseBudget`]).
//! 2. Each client runs [`encode_update`] then [`encrypt`]: a public [`Contribution`] and one
//!    [`KeySeed`] per member, which the protocol signcrypts to that member.
//! 3. The aggregator runs [`Aggregate::add`] (or [`recompute_aggregate`]).
//! 4. Each member adds the seeds of its list to a [`MemberShare`] and runs
//!    [`MemberShare::partial_decrypt`] once (it consumes the share).
//! 5. Anyone runs [`combine`] and [`decode_sum`] / [`decode_mean`].
//!
//! ```
//! use chacha20::ChaCha20Rng;
//! use gradseal_agg::*;
//! use rand_core::SeedableRng;
//!
//! let mut rng = ChaCha20Rng::from_seed([7; 32]);
//! let mut config = RoundConfig::new([1; 32], 10);
//! config.committee_size = 2;
//! config.min_clients = 2;
//! let params = RoundParams::new(config)?;
//!
//! let mut aggregate = Aggregate::new(&params);
//! let mut shares = [MemberShare::new(&params, 0)?, MemberShare::new(&params, 1)?];
//! for x in [0.5f32, -0.25] {
//!     let encoded = encode_update(&params, &[x; 10], &mut rng)?;
//!     let (contribution, seeds) = encrypt(&params, &encoded, &mut rng)?;
//!     aggregate.add(&params, &contribution)?;
//!     for (share, seed) in shares.iter_mut().zip(&seeds) {
//!         share.add_seed(seed)?;
//!     }
//! }
//! let partials = shares
//!     .into_iter()
//!     .map(|s| s.partial_decrypt(&params, &mut rng))
//!     .collect::<Result<Vec<_>, _>>()?;
//! let sum = combine(&params, &aggregate, &partials)?;
//! let mean = decode_mean(&params, &sum);
//! assert!((mean[0] - 0.125).abs() < 1e-4);
//! # Ok::<(), AggError>(())
//! ```
//!
//! Licence note: tfhe-rs is free for research and prototyping; commercial use needs a patent
//! licence from Zama.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

mod aggregate;
mod combine;
mod encoding;
mod encrypt;
mod error;
mod member;
mod noise;
pub mod params;
mod ring;
pub mod tags;
mod wire;

#[cfg(feature = "vectors")]
#[doc(hidden)]
pub mod vectors;

#[cfg(test)]
mod tests;

pub use aggregate::{Aggregate, recompute_aggregate};
pub use combine::combine;
pub use encoding::{DecryptedSum, EncodedUpdate, decode_mean, decode_sum, encode_update};
pub use encrypt::{Contribution, KeySeed, SEED_LEN, encrypt};
pub use error::AggError;
pub use member::{MemberShare, PartialDecryption};
pub use params::{NoiseBudget, Profile, RoundConfig, RoundParams};
