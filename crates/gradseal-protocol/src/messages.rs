//! The wire messages of a round (byte layouts in `spec/protocol.md` §4).
//!
//! Every message starts with a one-byte kind and names its round. Scheme objects (public
//! bundles, signatures, gradseal-agg contributions, aggregates and partial decryptions,
//! sealed seeds, manifests, shards) are carried as bounded opaque byte strings here and
//! decoded by their own crates' canonical codecs when a role uses them, against the shapes
//! fixed by the round parameters.
//!
//! Signed messages: the signer signs the message's `digest()`, a domain-separated hash of
//! the message's encoding *without* its signature field. The submodules hold one family
//! each: [`announce`] (step 1), [`contribution`] (step 2, the client's one shot),
//! [`entry`] (step 3a, accepted contributions streamed to observers), [`transcript`] (step
//! 3b, the aggregator's signed transcript head and per-member lists), [`agree`]
//! (step 4a, t-of-n agreement: members' agreements and the quorum certificate) and
//! [`decrypt`] (steps 4b and 5, partial decryptions, refusals, rejections, the result).

use gradseal_core::{Codec, DecodeError, Reader, Writer};

use crate::params::{MAX_CLIENTS, MAX_COMMITTEE, RoundId};

pub mod agree;
pub mod announce;
pub mod contribution;
pub mod decrypt;
pub mod entry;
pub mod transcript;

pub use agree::{Agreement, Equivocation, MemberSignature, QuorumCertificate, agreed_list_digest};
pub use announce::{Announcement, Party};
pub use contribution::{
    Contribution, ShardMsg, body_digest, contribution_statement, envelope_context,
    sealed_seed_digest, seed_context,
};
pub use decrypt::{PartialDecryption, PartialRef, Refusal, Rejection, RoundResult};
pub use entry::{AcceptedEntry, EntryDigests, EntryMsg, EntryRef};
pub use transcript::{ListEntry, MemberList, RejectedEntry, TranscriptMsg};

/// A 32-byte digest.
pub type Digest = [u8; 32];

/// Bound on an encoded public key bundle.
pub const MAX_BUNDLE: usize = 512;
/// Bound on an encoded signature.
pub const MAX_SIGNATURE: usize = 256;
/// Bound on an encoded gradseal-agg contribution (8 bytes per coordinate plus the n-word
/// correction and a header, at `MAX_DIMENSION`).
pub const MAX_CONTRIBUTION: usize = 40 << 20;
/// Bound on one sealed (signcrypted) key seed.
pub const MAX_SEALED_SEED: usize = 1024;
/// Bound on the sealed seeds of one contribution, and on the seed digests of a list entry:
/// gradseal-agg's cap on `(n − f)·C(n, f)`.
pub const MAX_SEALED_SEEDS: usize = gradseal_agg::MAX_SEALED_SEEDS;
/// Bound on the equivocation evidence in a result (one pair per member at most).
pub const MAX_EQUIVOCATIONS: usize = MAX_COMMITTEE as usize;
/// Bound on an encoded gradseal-agg aggregate.
pub const MAX_AGGREGATE: usize = 40 << 20;
/// Bound on an encoded gradseal-agg partial decryption.
pub const MAX_PARTIAL: usize = 40 << 20;
/// Bound on an encoded shard manifest.
pub const MAX_MANIFEST: usize = 64 << 10;
/// Bound on one encoded shard (at most a whole envelope).
pub const MAX_SHARD: usize = 48 << 20;
/// Bound on the list of rejected items in a transcript.
pub const MAX_REJECTED: usize = 4 * MAX_CLIENTS as usize;

/// The first byte of an encoded [`Message::Announcement`] (a driver opens a round on it).
pub const KIND_ANNOUNCEMENT: u8 = 1;
const KIND_SHARD: u8 = 2;
const KIND_TRANSCRIPT: u8 = 3;
const KIND_LIST: u8 = 4;
const KIND_PARTIAL: u8 = 5;
const KIND_REFUSAL: u8 = 6;
const KIND_REJECTION: u8 = 7;
/// The first byte of an encoded [`Message::Result`] (a node closes a client's connection
/// once its result is delivered, `spec/node.md` §1).
pub const KIND_RESULT: u8 = 8;
const KIND_AGREEMENT: u8 = 9;
const KIND_CERTIFICATE: u8 = 10;
const KIND_ENTRY: u8 = 11;

pub(crate) fn put_digest(w: &mut Writer, d: &Digest) {
    w.put_bytes(d);
}

pub(crate) fn read_digest(r: &mut Reader<'_>, field: &'static str) -> Result<Digest, DecodeError> {
    r.read_array::<32>(field)
}

pub(crate) fn usize_of(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Any message on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// Round announcement (authority → everyone).
    Announcement(Announcement),
    /// Contribution shard (client → relay → aggregator).
    Shard(ShardMsg),
    /// One accepted contribution, streamed as it is accepted (aggregator → observers).
    Entry(EntryMsg),
    /// The signed transcript head, at the close (aggregator → observers).
    Transcript(TranscriptMsg),
    /// One member's list (aggregator → that member).
    List(MemberList),
    /// A member's agreement to decrypt its checked list (member → aggregator, observers).
    Agreement(Agreement),
    /// Quorum certificate (aggregator → the members of the quorum, observers).
    Certificate(QuorumCertificate),
    /// Partial decryption (member → aggregator, observers).
    Partial(PartialDecryption),
    /// Refusal to decrypt (member → aggregator, observers).
    Refusal(Refusal),
    /// Rejection notice (aggregator → client).
    Rejection(Rejection),
    /// Round result (aggregator → everyone).
    Result(RoundResult),
}

impl Message {
    /// The round the message names.
    pub fn round(&self) -> RoundId {
        match self {
            Message::Announcement(m) => m.round,
            Message::Shard(m) => m.round,
            Message::Entry(m) => m.round,
            Message::Transcript(m) => m.round,
            Message::List(m) => m.round,
            Message::Agreement(m) => m.round,
            Message::Certificate(m) => m.round,
            Message::Partial(m) => m.round,
            Message::Refusal(m) => m.round,
            Message::Rejection(m) => m.round,
            Message::Result(m) => m.round,
        }
    }

    /// Decodes exactly one message, as [`Codec::from_bytes`]; for a result, also returns its
    /// [`RoundResult::digest`], computed over `bytes` (see [`RoundResult::decode_digested`]).
    ///
    /// # Errors
    /// As [`Codec::from_bytes`].
    pub fn from_bytes_digested(bytes: &[u8]) -> Result<(Message, Option<Digest>), DecodeError> {
        let mut r = Reader::new(bytes);
        let decoded = if bytes.first() == Some(&KIND_RESULT) {
            r.read_u8("message.kind")?;
            let (result, digest) = RoundResult::decode_digested(&mut r)?;
            (Message::Result(result), Some(digest))
        } else {
            (Message::decode(&mut r)?, None)
        };
        r.finish(core::any::type_name::<Message>())?;
        Ok(decoded)
    }

    /// The message's kind byte.
    pub fn kind(&self) -> u8 {
        match self {
            Message::Announcement(_) => KIND_ANNOUNCEMENT,
            Message::Shard(_) => KIND_SHARD,
            Message::Entry(_) => KIND_ENTRY,
            Message::Transcript(_) => KIND_TRANSCRIPT,
            Message::List(_) => KIND_LIST,
            Message::Agreement(_) => KIND_AGREEMENT,
            Message::Certificate(_) => KIND_CERTIFICATE,
            Message::Partial(_) => KIND_PARTIAL,
            Message::Refusal(_) => KIND_REFUSAL,
            Message::Rejection(_) => KIND_REJECTION,
            Message::Result(_) => KIND_RESULT,
        }
    }
}

impl Codec for Message {
    fn encoded_len_hint(&self) -> usize {
        1 + match self {
            Message::Shard(m) => m.encoded_len_hint(),
            Message::Entry(m) => m.encoded_len_hint(),
            Message::Transcript(m) => m.encoded_len_hint(),
            Message::List(m) => m.encoded_len_hint(),
            Message::Partial(m) => m.encoded_len_hint(),
            Message::Result(m) => m.encoded_len_hint(),
            _ => 0,
        }
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u8(self.kind());
        match self {
            Message::Announcement(m) => m.encode(w),
            Message::Shard(m) => m.encode(w),
            Message::Entry(m) => m.encode(w),
            Message::Transcript(m) => m.encode(w),
            Message::List(m) => m.encode(w),
            Message::Agreement(m) => m.encode(w),
            Message::Certificate(m) => m.encode(w),
            Message::Partial(m) => m.encode(w),
            Message::Refusal(m) => m.encode(w),
            Message::Rejection(m) => m.encode(w),
            Message::Result(m) => m.encode(w),
        }
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.read_u8("message.kind")? {
            KIND_ANNOUNCEMENT => Message::Announcement(Announcement::decode(r)?),
            KIND_SHARD => Message::Shard(ShardMsg::decode(r)?),
            KIND_ENTRY => Message::Entry(EntryMsg::decode(r)?),
            KIND_TRANSCRIPT => Message::Transcript(TranscriptMsg::decode(r)?),
            KIND_LIST => Message::List(MemberList::decode(r)?),
            KIND_AGREEMENT => Message::Agreement(Agreement::decode(r)?),
            KIND_CERTIFICATE => Message::Certificate(QuorumCertificate::decode(r)?),
            KIND_PARTIAL => Message::Partial(PartialDecryption::decode(r)?),
            KIND_REFUSAL => Message::Refusal(Refusal::decode(r)?),
            KIND_REJECTION => Message::Rejection(Rejection::decode(r)?),
            KIND_RESULT => Message::Result(RoundResult::decode(r)?),
            t => return Err(DecodeError::UnknownTag { field: "message.kind", tag: t.into() }),
        })
    }
}
