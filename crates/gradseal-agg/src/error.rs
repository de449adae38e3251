//! The crate's error type.

use gradseal_core::DecodeError;
use thiserror::Error;

/// Why an operation of this crate failed.
///
/// Variants carry only public context (indices, counts, static field names). The one failure
/// that depends on secret values, a combined decryption that does not decode to an in-range
/// sum, is the opaque unit variant [`AggError::DecryptionFailed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AggError {
    /// Bytes did not decode.
    #[error("decoding failed: {0}")]
    Decode(#[from] DecodeError),
    /// A round parameter is out of range, or the set cannot be decrypted correctly or safely.
    #[error("invalid round parameters: {0}")]
    InvalidParams(&'static str),
    /// A value belongs to another round (its round digest differs).
    #[error("value is bound to another round")]
    WrongRound,
    /// A value was made under another parameter profile.
    #[error("value uses another parameter profile")]
    WrongProfile,
    /// A vector has the wrong number of coordinates.
    #[error("dimension mismatch: expected {expected}, got {got}")]
    DimensionMismatch {
        /// What the round parameters require.
        expected: u64,
        /// What was supplied.
        got: u64,
    },
    /// An update coordinate is NaN or infinite.
    #[error("coordinate {index} is not finite")]
    NonFiniteInput {
        /// Index of the first offending coordinate.
        index: u64,
    },
    /// An integer coordinate is outside the signed range of the round's bit width.
    #[error("coordinate {index} is outside the signed {bits}-bit range")]
    ValueOutOfRange {
        /// Index of the first offending coordinate.
        index: u64,
        /// The round's bit width.
        bits: u8,
    },
    /// A committee member index is not below the committee size.
    #[error("member index {member} is not below the committee size {committee_size}")]
    MemberOutOfRange {
        /// The index found.
        member: u16,
        /// The round's committee size.
        committee_size: u16,
    },
    /// Two partial decryptions claim the same committee member.
    #[error("member {member} appears twice")]
    DuplicateMember {
        /// The repeated index.
        member: u16,
    },
    /// The partial decryption of a member of the quorum is missing.
    #[error("member {member} is missing")]
    MissingMember {
        /// The first missing index.
        member: u16,
    },
    /// A client's seeds for a member are not exactly the member's held sets in ascending
    /// order (a seed of another set, out of order, missing or extra).
    #[error("member {member} expected the seed of set {expected}, got set {got}")]
    SeedSetMismatch {
        /// The member accumulating seeds.
        member: u16,
        /// The set index expected at the first offending position (`u16::MAX` past the last
        /// held set: an extra seed).
        expected: u16,
        /// The set index found there (`u16::MAX` if the seed is missing).
        got: u16,
    },
    /// A member was given a key seed it already added (a seed copied from one contribution
    /// into another would otherwise weight the copied client's update twice).
    #[error("key seed already added")]
    DuplicateSeed,
    /// Adding this contribution would exceed the round's `max_clients` (the sum could wrap).
    #[error("the aggregate already holds the maximum of {max} contributions")]
    TooManyContributions {
        /// The round's `max_clients`.
        max: u32,
    },
    /// Fewer contributions than the round's `min_clients`: a member refuses to decrypt.
    #[error("{count} contributions, fewer than the minimum {min}")]
    TooFewContributions {
        /// Contributions summed.
        count: u32,
        /// The round's `min_clients`.
        min: u32,
    },
    /// A partial decryption covers another number of contributions than the aggregate.
    #[error(
        "partial decryption of member {member} covers {got} contributions, the aggregate {expected}"
    )]
    CountMismatch {
        /// The member whose partial decryption does not match.
        member: u16,
        /// The aggregate's count.
        expected: u32,
        /// The partial decryption's count.
        got: u32,
    },
    /// A quorum does not have exactly the committee's quorum size of members, all in the
    /// committee (or no quorum was named: no partial decryption).
    #[error("invalid quorum")]
    InvalidQuorum,
    /// A member outside the quorum was asked to decrypt, or a partial decryption's member is
    /// not in the quorum it names.
    #[error("member {member} is not in the quorum")]
    NotInQuorum {
        /// The member's index.
        member: u16,
    },
    /// Partial decryptions name different quorums.
    #[error("partial decryptions name different quorums")]
    QuorumMismatch,
    /// The combined decryption is not a valid sum (members decrypted other lists than the
    /// aggregate's, a partial decryption or a contribution is corrupt). Deliberately opaque.
    #[error("decryption failed")]
    DecryptionFailed,
}
