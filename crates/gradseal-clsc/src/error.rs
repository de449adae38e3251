//! The crate's one error type.

use gradseal_core::DecodeError;
use thiserror::Error;

/// Why a gradseal-clsc operation failed.
///
/// Variants name public facts (a malformed encoding, a proof that does not verify against
/// public values). A failure that could depend on a recipient's secret is the single opaque
/// [`Error::Unsigncrypt`]: it says nothing about which check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A byte string is not the canonical encoding of the expected type.
    #[error("malformed encoding: {0}")]
    Decode(#[from] DecodeError),
    /// An identity is empty or longer than [`crate::MAX_IDENTITY_LEN`] bytes.
    #[error("identity must be 1..=64 bytes")]
    InvalidIdentity,
    /// The enrolment request's proof of possession does not verify.
    #[error("proof of possession does not verify")]
    InvalidProofOfPossession,
    /// The KGC's enrolment policy does not authorise the requested identity.
    #[error("identity not authorised for enrolment")]
    NotAuthorised,
    /// The KGC already issued a partial key for the requested identity.
    #[error("identity already enrolled")]
    AlreadyEnrolled,
    /// The KGC's enrolment policy could not record the issuance, so the partial key was
    /// withheld.
    #[error("enrolment could not be recorded; partial key withheld")]
    EnrolmentNotRecorded,
    /// The partial key does not satisfy `d·G = R + h·Ppub` for this identity and public value,
    /// or yields a degenerate key.
    #[error("partial key does not match this identity, public value and KGC")]
    InvalidPartialKey,
    /// A public key bundle derives the identity point (never produced honestly).
    #[error("public key bundle derives the identity point")]
    DegeneratePublicKey,
    /// Two keys were derived under different KGC parameters.
    #[error("keys belong to different KGCs")]
    KgcMismatch,
    /// A certificateless signature does not verify.
    #[error("signature does not verify")]
    InvalidSignature,
    /// The message exceeds what one signcryption carries.
    #[error("message of {len} bytes exceeds the maximum of {max}")]
    MessageTooLong {
        /// The message length.
        len: usize,
        /// The bound, [`crate::MAX_MESSAGE_LEN`].
        max: usize,
    },
    /// Unsigncryption failed. Deliberately opaque: decryption, parsing of the decrypted
    /// bytes, padding and the inner signature all fail with this one variant.
    #[error("unsigncrypt failed")]
    Unsigncrypt,
}
