//! The crate's error type and the per-shard rejection reasons reported by the decoder.

use gradseal_core::DecodeError;
use thiserror::Error;

/// Why one received shard was not used. Reported per input position, so the caller can
/// name the relay that delivered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ShardRejection {
    /// The bytes are not a well-formed shard encoding.
    #[error("malformed shard: {0}")]
    Malformed(DecodeError),
    /// The index is not below `k + m`.
    #[error("shard index out of range")]
    IndexOutOfRange,
    /// The data length differs from the manifest's shard size.
    #[error("shard length differs from the manifest")]
    WrongSize,
    /// The inclusion proof has the wrong number of nodes for the manifest's tree.
    #[error("inclusion proof has the wrong length")]
    WrongProofLength,
    /// The shard does not hash to the manifest's root at its index (corrupted, forged,
    /// wrong index, or a proof for another root).
    #[error("shard is not authenticated by the manifest")]
    NotAuthentic,
    /// Another copy of the same index was already verified and this copy differs from it
    /// (so it cannot be authentic without a hash collision).
    #[error("conflicting copy of an already verified shard")]
    ConflictingDuplicate,
}

/// Everything gradseal-shard can fail with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ShardError {
    /// A wire encoding was rejected.
    #[error("decoding failed: {0}")]
    Decode(#[from] DecodeError),
    /// The coding parameters are not allowed (`k = 0`, `k + m > 256`, stripe size 0 or
    /// above the maximum).
    #[error("invalid coding parameters: {0}")]
    InvalidParams(&'static str),
    /// The payload is longer than [`crate::MAX_PAYLOAD_LEN`] or its shards would exceed
    /// [`crate::MAX_SHARD_SIZE`].
    #[error("payload of {len} bytes is too large for these parameters")]
    PayloadTooLarge {
        /// The payload length.
        len: u64,
    },
    /// One shard checked on its own (relay API) was rejected.
    #[error("shard rejected: {0}")]
    Rejected(ShardRejection),
    /// Fewer than `k` distinct valid shards were supplied.
    #[error("{valid} valid shard(s), {needed} needed")]
    NotEnoughShards {
        /// Distinct indices with a verified shard.
        valid: usize,
        /// The manifest's `k`.
        needed: usize,
        /// Which indices were missing and which copies were rejected, and why.
        report: Box<crate::DecodeReport>,
    },
    /// The authenticated shards are not one Reed-Solomon codeword, or the rebuilt shards do
    /// not hash to the root, or the padding is not zero: the issuer of the manifest
    /// produced inconsistent shards. No payload is returned, and no report: the fault is the
    /// issuer's (the manifest commits to it), not that of whoever delivered the shards, and
    /// which of the three checks fails depends on which `k` shards a receiver holds, so
    /// none is named (`spec/shard.md` §6).
    #[error("the shards committed by the manifest are inconsistent")]
    Inconsistent,
    /// reed-solomon-erasure refused a shape (unreachable for validated layouts; kept so
    /// that no path panics).
    #[error("erasure coder refused the shard shapes")]
    Coding,
}

impl From<ShardRejection> for ShardError {
    fn from(r: ShardRejection) -> Self {
        ShardError::Rejected(r)
    }
}
