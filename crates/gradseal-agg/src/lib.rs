//! # gradseal-agg
//!
//! One-shot key-additive aggregation of model updates on RLWE (n = 4096, q = 2^64), with
//! [`tfhe`]'s `core_crypto` NTTs, decrypted by a t-of-n committee. Each client encrypts under
//! its own fresh secret against a public mask derived from the round, and shares that secret
//! with the committee: one 32-byte seed per set of f members (sealed to every member outside
//! the set) plus a public correction. The aggregator sums bodies and corrections; each member
//! of a quorum of q = ⌊(n + f)/2⌋ + 1 members expands the seeds of the sets assigned to it
//! over the list it checked and returns one flooded partial decryption; anyone combines the q
//! partials into the sum, and nothing else. No f members learn anything of a client. The
//! scheme, its wire formats, noise budget and security argument are written down in
//! `spec/agg.md`.
//!
//! A round, in calling order:
//! 1. Everyone builds the same [`RoundParams`] from a [`RoundConfig`] (validated: the
//!    [`Committee`] (n, f) is in range and seals at most [`MAX_SEALED_SEEDS`] seeds, the sum
//!    of `max_clients` B-bit contributions cannot wrap, every noise bound fits below Δ/4, the
//!    flooding is far above the aggregate's noise; see [`NoiseBudget`]).
//! 2. Each client runs [`encode_update`] then [`encrypt`]: a public [`Contribution`] and one
//!    [`KeySeed`] per set, which the protocol signcrypts to each holder of the set.
//! 3. The aggregator runs [`Aggregate::add`] (or [`recompute_aggregate`]).
//! 4. Each member adds each client's seeds of its held sets to a [`MemberShare`]
//!    ([`MemberShare::add_client`]); once a quorum Q is fixed, each member of Q runs
//!    [`MemberShare::partial_decrypt`] once (it consumes the share).
//! 5. Anyone runs [`combine`] on the q partials of Q, then [`decode_sum`] / [`decode_mean`].
//!
//! ```
//! use chacha20::ChaCha20Rng;
//! use gradseal_agg::*;
//! use rand_core::SeedableRng;
//!
//! let mut rng = ChaCha20Rng::from_seed([7; 32]);
//! let mut config = RoundConfig::new([1; 32], 10);
//! (config.committee_size, config.privacy_threshold) = (4, 1); // any 3 of 4 decrypt
//! config.min_clients = 2;
//! let params = RoundParams::new(config)?;
//! let committee = params.committee();
//!
//! let mut aggregate = Aggregate::new(&params);
//! let mut shares: Vec<MemberShare> =
//!     (0..4).map(|j| MemberShare::new(&params, j)).collect::<Result<_, _>>()?;
//! for x in [0.5f32, -0.25] {
//!     let encoded = encode_update(&params, &[x; 10], &mut rng)?;
//!     let (contribution, seeds) = encrypt(&params, &encoded, &mut rng)?;
//!     aggregate.add(&params, &contribution)?;
//!     for share in &mut shares {
//!         // Member j receives the seeds of the sets it holds, ascending.
//!         let mine: Vec<KeySeed> = committee
//!             .held_sets(share.member())
//!             .into_iter()
//!             .map(|t| KeySeed::from_bytes(t, seeds[usize::from(t)].to_bytes().as_ref()))
//!             .collect::<Result<_, _>>()?;
//!         share.add_client(&mine)?;
//!     }
//! }
//! // Member 2 is gone: the quorum {0, 1, 3} decrypts.
//! let quorum: MemberSet = [0, 1, 3].into_iter().collect();
//! let partials = shares
//!     .into_iter()
//!     .filter(|s| quorum.contains(s.member()))
//!     .map(|s| s.partial_decrypt(&params, quorum, &mut rng))
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
mod committee;
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
pub use committee::{Committee, MAX_SEALED_SEEDS, MemberSet};
pub use encoding::{DecryptedSum, EncodedUpdate, decode_mean, decode_sum, encode_update};
pub use encrypt::{Contribution, KeySeed, SEED_LEN, encrypt};
pub use error::AggError;
pub use member::{MemberShare, PartialDecryption};
pub use params::{NoiseBudget, Profile, RoundConfig, RoundParams};
