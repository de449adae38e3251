//! Typed outcomes: why a contribution was rejected, why a member refused a transcript, why a
//! round failed. These go on the wire (transcripts, refusals, rejections) and into events.

use gradseal_core::{Codec, DecodeError, Reader, Writer};

use crate::params::NodeId;

/// Why the aggregator left a contribution out. Recorded in the transcript and sent to the
/// client when the aggregator can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// Rebuilt after the contribution deadline.
    Late,
    /// The client already has an accepted contribution this round.
    Duplicate,
    /// The contribution names another round (a replay).
    WrongRound,
    /// The sender's key is valid but it is not on this round's roster.
    NotEnrolled,
    /// The client's signature over the contribution statement does not verify.
    BadSignature,
    /// The range proof is missing or does not verify.
    BadProof,
    /// The contribution does not decode, or has the wrong shape.
    Malformed,
    /// The envelope could not be opened (one opaque reason: AEAD or inner signature).
    Unopenable,
}

impl RejectReason {
    fn tag(self) -> u8 {
        match self {
            RejectReason::Late => 1,
            RejectReason::Duplicate => 2,
            RejectReason::WrongRound => 3,
            RejectReason::NotEnrolled => 4,
            RejectReason::BadSignature => 5,
            RejectReason::BadProof => 6,
            RejectReason::Malformed => 7,
            RejectReason::Unopenable => 8,
        }
    }
}

impl Codec for RejectReason {
    fn encode(&self, w: &mut Writer) {
        w.put_u8(self.tag());
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.read_u8("reject_reason")? {
            1 => RejectReason::Late,
            2 => RejectReason::Duplicate,
            3 => RejectReason::WrongRound,
            4 => RejectReason::NotEnrolled,
            5 => RejectReason::BadSignature,
            6 => RejectReason::BadProof,
            7 => RejectReason::Malformed,
            8 => RejectReason::Unopenable,
            t => return Err(DecodeError::UnknownTag { field: "reject_reason", tag: t.into() }),
        })
    }
}

/// Why a committee member (or an observer) refuses a transcript. Each names the first check
/// of the verification algorithm (`spec/protocol.md`, "Transcript verification") that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TranscriptFault {
    /// The transcript names another round or another announcement.
    WrongRound,
    /// The aggregator's signature over the transcript does not verify.
    BadAggregatorSignature,
    /// An accepted entry names a client index outside the roster.
    UnknownClient {
        /// Roster index.
        client: u32,
    },
    /// Accepted entries are not in strictly increasing client order and one repeats: the
    /// aggregator counted a client twice.
    DuplicateClient {
        /// Roster index.
        client: u32,
    },
    /// Accepted entries are not sorted by client index.
    Unsorted,
    /// A client's signature over its contribution does not verify (injected contribution).
    BadClientSignature {
        /// Roster index.
        client: u32,
    },
    /// A ciphertext does not decode or has the wrong shape.
    MalformedCiphertext {
        /// Roster index.
        client: u32,
    },
    /// The round's policy requires a proof and it is missing or does not verify.
    BadProof {
        /// Roster index.
        client: u32,
    },
    /// Fewer accepted contributions than `min_clients`.
    TooFewClients {
        /// Accepted.
        accepted: u32,
        /// Required.
        min: u32,
    },
    /// The claimed aggregate is not the sum of the accepted ciphertexts.
    AggregateMismatch,
    /// The aggregate does not decode or has the wrong shape.
    MalformedAggregate,
    /// Observer: the published result does not match the transcript and the partial
    /// decryptions (wrong sum or count, a partial missing, unsigned or for another transcript).
    ResultMismatch,
}

impl Codec for TranscriptFault {
    fn encode(&self, w: &mut Writer) {
        match *self {
            TranscriptFault::WrongRound => w.put_u8(1),
            TranscriptFault::BadAggregatorSignature => w.put_u8(2),
            TranscriptFault::UnknownClient { client } => {
                w.put_u8(3);
                w.put_u32(client);
            }
            TranscriptFault::DuplicateClient { client } => {
                w.put_u8(4);
                w.put_u32(client);
            }
            TranscriptFault::Unsorted => w.put_u8(5),
            TranscriptFault::BadClientSignature { client } => {
                w.put_u8(6);
                w.put_u32(client);
            }
            TranscriptFault::MalformedCiphertext { client } => {
                w.put_u8(7);
                w.put_u32(client);
            }
            TranscriptFault::BadProof { client } => {
                w.put_u8(8);
                w.put_u32(client);
            }
            TranscriptFault::TooFewClients { accepted, min } => {
                w.put_u8(9);
                w.put_u32(accepted);
                w.put_u32(min);
            }
            TranscriptFault::AggregateMismatch => w.put_u8(10),
            TranscriptFault::MalformedAggregate => w.put_u8(11),
            TranscriptFault::ResultMismatch => w.put_u8(12),
        }
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        const F: &str = "transcript_fault";
        Ok(match r.read_u8(F)? {
            1 => TranscriptFault::WrongRound,
            2 => TranscriptFault::BadAggregatorSignature,
            3 => TranscriptFault::UnknownClient { client: r.read_u32(F)? },
            4 => TranscriptFault::DuplicateClient { client: r.read_u32(F)? },
            5 => TranscriptFault::Unsorted,
            6 => TranscriptFault::BadClientSignature { client: r.read_u32(F)? },
            7 => TranscriptFault::MalformedCiphertext { client: r.read_u32(F)? },
            8 => TranscriptFault::BadProof { client: r.read_u32(F)? },
            9 => TranscriptFault::TooFewClients { accepted: r.read_u32(F)?, min: r.read_u32(F)? },
            10 => TranscriptFault::AggregateMismatch,
            11 => TranscriptFault::MalformedAggregate,
            12 => TranscriptFault::ResultMismatch,
            t => return Err(DecodeError::UnknownTag { field: F, tag: t.into() }),
        })
    }
}

/// Why a round ended without a result. Nothing was decrypted in any of these cases except
/// [`RoundFailure::MissingPartial`], where fewer than all partial decryptions exist and the
/// n-of-n key reveals nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoundFailure {
    /// A committee member's key body did not arrive before the contribution deadline.
    MissingKeyBody {
        /// Committee index.
        member: u32,
    },
    /// Fewer than `min_clients` contributions were accepted by the deadline.
    TooFewContributions {
        /// Accepted.
        accepted: u32,
        /// Required.
        min: u32,
    },
    /// A member refused the transcript.
    Refused {
        /// Committee index.
        member: u32,
        /// Its reason.
        fault: TranscriptFault,
    },
    /// A member's partial decryption did not arrive before the decryption deadline.
    MissingPartial {
        /// Committee index.
        member: u32,
    },
    /// The combined sum did not decode (a member sent a wrong partial decryption).
    Undecodable,
}

/// Why a role dropped an incoming message (reported as an event, never sent back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The bytes do not decode.
    #[error("malformed message: {0}")]
    Decode(#[from] DecodeError),
    /// The message names another round.
    #[error("message for another round")]
    WrongRound,
    /// The message is not one this role accepts, or not in its current phase.
    #[error("unexpected message in this phase")]
    Unexpected,
    /// The sender is not who the message claims, or not allowed to send it.
    #[error("sender not allowed")]
    UnknownSender,
    /// A signature does not verify.
    #[error("bad signature")]
    BadSignature,
    /// The message's shape does not match the round parameters.
    #[error("shape does not match the round")]
    WrongShape,
    /// A per-sender or global bound was reached; the message was dropped.
    #[error("capacity reached")]
    Capacity,
    /// A cryptographic operation failed (one opaque reason).
    #[error("cryptographic failure")]
    Crypto,
    /// A duplicate of something already received.
    #[error("duplicate")]
    Duplicate,
    /// It arrived after the deadline of its phase.
    #[error("late")]
    Late,
}

/// Why a relay was blamed by the aggregator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RelayFault {
    /// It delivered a shard that fails its authenticated manifest.
    CorruptShard,
}

/// A relay named as faulty in the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BadRelay {
    /// The relay's address.
    pub relay: NodeId,
    /// What it did.
    pub fault: RelayFault,
}

impl Codec for BadRelay {
    fn encode(&self, w: &mut Writer) {
        w.put_u32(self.relay.0);
        w.put_u8(match self.fault {
            RelayFault::CorruptShard => 1,
        });
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let relay = NodeId(r.read_u32("bad_relay.node")?);
        let fault = match r.read_u8("bad_relay.fault")? {
            1 => RelayFault::CorruptShard,
            t => return Err(DecodeError::UnknownTag { field: "bad_relay.fault", tag: t.into() }),
        };
        Ok(BadRelay { relay, fault })
    }
}
