//! # gradseal-shard
//!
//! Authenticated Reed-Solomon sharding of payloads over untrusted relays
//! (specification: `spec/shard.md`).
//!
//! A payload is split into `k` data and `m` parity shards (`k + m ≤ 256`, GF(2^8),
//! `reed-solomon-erasure`) so that any `k` intact shards rebuild it. Every shard is
//! authenticated on its own by a Merkle inclusion proof against the root held in a small
//! [`Manifest`]; the higher layer signs (or binds into a signcrypted envelope) the
//! manifest's [`Manifest::digest`]. A relay checks one shard with
//! [`Manifest::verify_shard`]; a receiver rebuilds with [`decode`], which checks every
//! shard before use, names the missing and invalid ones ([`DecodeReport`]), rebuilds from
//! any `k` valid ones, and confirms the result against the root, so it returns the payload
//! the manifest commits to, or a typed error, never another payload.
//!
//! ```
//! use gradseal_core::Codec;
//! use gradseal_shard::{Params, decode_bytes, encode};
//!
//! let payload = b"an encrypted model update".repeat(100);
//! let (manifest, shards) = encode(&Params::new(4, 2)?, &payload)?;
//! let wire: Vec<Vec<u8>> = shards.iter().map(|s| s.to_bytes()).collect();
//! // Shard 3 is lost on the way and a relay corrupts shard 1.
//! let mut corrupted = wire[1].clone();
//! *corrupted.last_mut().unwrap() ^= 1;
//! let received = vec![corrupted, wire[2].clone(), wire[5].clone(), wire[4].clone(), wire[0].clone()];
//! let out = decode_bytes(&manifest, &received)?;
//! assert_eq!(out.payload, payload);
//! assert_eq!(out.report.missing, vec![1, 3]);
//! assert_eq!(out.report.invalid, vec![1]);
//! assert_eq!(out.report.rejected[0].position, 0); // blame whoever delivered item 0
//! # Ok::<(), gradseal_shard::ShardError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

mod decode;
mod encode;
mod error;
mod hashing;
mod layout;
mod manifest;
mod par;
mod shard;
pub mod tags;

#[cfg(feature = "vectors")]
#[doc(hidden)]
pub mod vectors;

pub use decode::{
    DecodeReport, Decoded, Rejected, decode, decode_bytes, decode_reusing, decode_verified,
};
pub use encode::{encode, encode_reusing};
pub use error::{ShardError, ShardRejection};
pub use layout::{
    DEFAULT_MAX_STRIPE_SIZE, MAX_PAYLOAD_LEN, MAX_PROOF_LEN, MAX_SHARD_SIZE, MAX_SHARDS,
    MAX_STRIPE_SIZE, Params,
};
pub use manifest::{MANIFEST_LEN, MANIFEST_VERSION, Manifest};
pub use shard::{Shard, ShardRef, VerifiedShard};
