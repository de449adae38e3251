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
    /// The contribution does not decode, has the wrong shape, or does not carry exactly one
    /// sealed seed per committee member.
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
            RejectReason::Malformed => 6,
            RejectReason::Unopenable => 7,
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
            6 => RejectReason::Malformed,
            7 => RejectReason::Unopenable,
            t => return Err(DecodeError::UnknownTag { field: "reject_reason", tag: t.into() }),
        })
    }
}

/// Why a committee member refuses its list, or an observer fails its audit. Each names the
/// first failed check of the list check (members) or the transcript verification
/// (observers) in `spec/protocol.md` §6, in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TranscriptFault {
    /// The list or transcript names another round, announcement or member.
    WrongRound,
    /// The aggregator's signature does not verify.
    BadAggregatorSignature,
    /// An entry names a client index outside the roster.
    UnknownClient {
        /// Roster index.
        client: u32,
    },
    /// An entry repeats the previous client index: the aggregator counted a client twice.
    DuplicateClient {
        /// Roster index.
        client: u32,
    },
    /// Entries are not sorted by client index.
    Unsorted,
    /// A client's signature over its contribution statement does not verify (an injected
    /// or altered entry).
    BadClientSignature {
        /// Roster index.
        client: u32,
    },
    /// An entry's contribution does not decode or has the wrong shape, or it does not
    /// carry one sealed seed (one seed digest) per committee member.
    MalformedEntry {
        /// Roster index.
        client: u32,
    },
    /// Member: the entry's sealed seed does not open under the context (round, client,
    /// this member), was not signcrypted by that roster client, or is not a seed (a seed
    /// copied from another client's contribution, or replayed from another round).
    BadSealedSeed {
        /// Roster index.
        client: u32,
    },
    /// Fewer entries than `min_clients`.
    TooFewClients {
        /// Entries.
        accepted: u32,
        /// Required.
        min: u32,
    },
    /// Observer: the claimed aggregate is not the sum of the accepted contributions.
    AggregateMismatch,
    /// Observer: the aggregate does not decode or has the wrong shape.
    MalformedAggregate,
    /// Observer: a member's signed partial decryption names a list other than the one the
    /// transcript gives that member: the aggregator sent different lists to different
    /// members (equivocation), and this member is the one it named.
    ListMismatch {
        /// Committee index of the member whose list differs.
        member: u32,
    },
    /// Observer: the partial decryptions do not combine into a valid sum although every
    /// member's list matches the transcript: a member sent a wrong partial, or a client's
    /// contribution spoils the sum (inputs are unverified in scheme v2). The protocol cannot
    /// tell which; nothing is released either way.
    CombineFailed,
    /// Observer: the published result does not match the transcript and the partial
    /// decryptions (wrong sum or count, a partial missing, unsigned or for another list).
    ResultMismatch,
    /// Member: a second, different list for a round it already answered, with a partial
    /// decryption or a refusal (a member answers once per round: a second decryption would
    /// reveal the difference of the two lists).
    AlreadyAnswered,
    /// Observer: a quorum certificate with `q` valid member signatures names an agreement
    /// digest other than the transcript's: a quorum agreed to lists the transcript does not
    /// imply (the aggregator equivocated).
    CertificateMismatch,
    /// Observer: a member's signed partial decryption names a quorum other than the
    /// certificate's, or the member is outside it: the aggregator handed out more than one
    /// certificate (duplicate decryption, `spec/protocol.md` §7.8), and this member is the
    /// one that decrypted under another.
    QuorumMismatch {
        /// Committee index.
        member: u32,
    },
    /// Observer: the entry the aggregator streamed for this client is not the one its
    /// signed transcript head lists (other digests), or it streamed an entry the head does
    /// not list.
    EntryMismatch {
        /// Roster index.
        client: u32,
    },
    /// Observer: the transcript head lists a client whose entry never arrived (by the
    /// decryption deadline).
    MissingEntry {
        /// Roster index.
        client: u32,
    },
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
            TranscriptFault::MalformedEntry { client } => {
                w.put_u8(7);
                w.put_u32(client);
            }
            TranscriptFault::BadSealedSeed { client } => {
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
            TranscriptFault::ListMismatch { member } => {
                w.put_u8(12);
                w.put_u32(member);
            }
            TranscriptFault::CombineFailed => w.put_u8(13),
            TranscriptFault::ResultMismatch => w.put_u8(14),
            TranscriptFault::AlreadyAnswered => w.put_u8(15),
            TranscriptFault::CertificateMismatch => w.put_u8(16),
            TranscriptFault::QuorumMismatch { member } => {
                w.put_u8(17);
                w.put_u32(member);
            }
            TranscriptFault::EntryMismatch { client } => {
                w.put_u8(18);
                w.put_u32(client);
            }
            TranscriptFault::MissingEntry { client } => {
                w.put_u8(19);
                w.put_u32(client);
            }
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
            7 => TranscriptFault::MalformedEntry { client: r.read_u32(F)? },
            8 => TranscriptFault::BadSealedSeed { client: r.read_u32(F)? },
            9 => TranscriptFault::TooFewClients { accepted: r.read_u32(F)?, min: r.read_u32(F)? },
            10 => TranscriptFault::AggregateMismatch,
            11 => TranscriptFault::MalformedAggregate,
            12 => TranscriptFault::ListMismatch { member: r.read_u32(F)? },
            13 => TranscriptFault::CombineFailed,
            14 => TranscriptFault::ResultMismatch,
            15 => TranscriptFault::AlreadyAnswered,
            16 => TranscriptFault::CertificateMismatch,
            17 => TranscriptFault::QuorumMismatch { member: r.read_u32(F)? },
            18 => TranscriptFault::EntryMismatch { client: r.read_u32(F)? },
            19 => TranscriptFault::MissingEntry { client: r.read_u32(F)? },
            t => return Err(DecodeError::UnknownTag { field: F, tag: t.into() }),
        })
    }
}

/// Why a round ended without a result. Nothing that reveals a client was decrypted in any
/// of these cases: without a quorum nobody decrypts (n-of-n: the members that agreed
/// decrypted, and fewer than n partials, or partials on different lists, form no sum), with
/// a partial of the quorum missing the sum stays hidden, and a combination that fails its
/// decoding check is refused as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoundFailure {
    /// Fewer than `min_clients` contributions were accepted by the deadline.
    TooFewContributions {
        /// Accepted.
        accepted: u32,
        /// Required.
        min: u32,
    },
    /// A member refused its list, and with it too many members refused for a quorum to
    /// form (n-of-n: any refusal).
    Refused {
        /// Committee index.
        member: u32,
        /// Its reason.
        fault: TranscriptFault,
    },
    /// Fewer than `q` members agreed to the aggregator's list by the decryption deadline:
    /// no quorum certificate, no sum (t-of-n: nothing decrypted).
    NoQuorum {
        /// Members whose agreement on the list arrived (equivocators excluded).
        agreed: u32,
        /// The quorum size q.
        quorum: u32,
    },
    /// A member of the quorum did not send its partial decryption before the decryption
    /// deadline (no second quorum is formed: the list is decrypted once).
    MissingPartial {
        /// Committee index.
        member: u32,
    },
    /// The partial decryptions did not combine into a valid sum (gradseal-agg's opaque
    /// `DecryptionFailed`: members decrypted different lists, or a partial is wrong).
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

/// Why a relay was blamed by the aggregator (advisory, see [`BadRelay`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RelayFault {
    /// A shard it delivered fails the manifest (which the envelope proved genuine). The
    /// relay may not have altered it: the envelope's own client can send it corrupted.
    CorruptShard,
}

/// A relay named in the transcript as having delivered a corrupt shard. **Advisory**, not
/// proof: a malicious client can send a corrupted shard of its own genuine envelope through
/// an honest relay and get that relay named, and blame is by delivering address, which the
/// transport must authenticate (`spec/protocol.md` §7.5). It never affects the sum.
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
