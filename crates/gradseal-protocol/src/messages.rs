//! The wire messages of a round (byte layouts in `spec/protocol.md`, "Messages").
//!
//! Every message starts with a one-byte kind and names its round. Scheme objects (public
//! bundles, signatures, key bodies, ciphertexts, partial decryptions, manifests, shards) are
//! carried as bounded opaque byte strings here and decoded by their own crates' canonical
//! codecs when a role uses them, against the shapes fixed by the round parameters.
//!
//! Signed messages: the signer signs [`Announcement::digest`] (and the other `digest`s), a
//! domain-separated hash of the message's encoding *without* its signature field.

use gradseal_core::{Codec, DecodeError, Reader, Transcript, Writer, bulk_digest, hash};

use crate::params::{
    MAX_CLIENTS, MAX_COMMITTEE, MAX_DIMENSION, MAX_RELAYS, NodeId, RoundId, RoundParams,
};
use crate::reason::{BadRelay, RejectReason, TranscriptFault};
use crate::tags;

/// A 32-byte digest.
pub type Digest = [u8; 32];

/// Bound on an encoded public key bundle.
pub const MAX_BUNDLE: usize = 512;
/// Bound on an encoded signature.
pub const MAX_SIGNATURE: usize = 256;
/// Bound on an encoded key body.
pub const MAX_KEY_BODY: usize = 1 << 20;
/// Bound on an encoded ciphertext with its range proofs (16 bytes per coordinate for the
/// compact lists plus up to 64 KiB of proof per 2048 coordinates, at MAX_DIMENSION).
pub const MAX_CIPHERTEXT: usize = 192 << 20;
/// Bound on an encoded partial decryption.
pub const MAX_PARTIAL: usize = 40 << 20;
/// Bound on an encoded shard manifest.
pub const MAX_MANIFEST: usize = 64 << 10;
/// Bound on one encoded shard.
pub const MAX_SHARD: usize = MAX_CIPHERTEXT;
/// Bound on the list of rejected items in a transcript.
pub const MAX_REJECTED: usize = 4 * MAX_CLIENTS as usize;

const KIND_ANNOUNCEMENT: u8 = 1;
const KIND_KEY_BODY: u8 = 2;
const KIND_SHARD: u8 = 3;
const KIND_TRANSCRIPT: u8 = 4;
const KIND_PARTIAL: u8 = 5;
const KIND_REFUSAL: u8 = 6;
const KIND_REJECTION: u8 = 7;
const KIND_RESULT: u8 = 8;

fn put_digest(w: &mut Writer, d: &Digest) {
    w.put_bytes(d);
}

fn read_digest(r: &mut Reader<'_>, field: &'static str) -> Result<Digest, DecodeError> {
    r.read_array::<32>(field)
}

fn usize_of(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// A node named in the announcement: its address and its certificateless public bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Network address.
    pub node: NodeId,
    /// Encoded `gradseal_clsc` public bundle.
    pub bundle: Vec<u8>,
}

impl Codec for Party {
    fn encode(&self, w: &mut Writer) {
        w.put_u32(self.node.0);
        w.put_var_bytes(&self.bundle);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let node = NodeId(r.read_u32("party.node")?);
        let bundle = r.read_var_bytes("party.bundle", MAX_BUNDLE)?.to_vec();
        Ok(Party { node, bundle })
    }
}

/// Step 1: the authority announces the round. Signed by the authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The round.
    pub round: RoundId,
    /// Its parameters.
    pub params: RoundParams,
    /// The aggregator.
    pub aggregator: Party,
    /// Relay addresses; a client sends shard `i` through relay `i mod len`.
    pub relays: Vec<NodeId>,
    /// Addresses that receive the transcript, partial decryptions and result (auditors).
    pub observers: Vec<NodeId>,
    /// The decryption committee, in committee-index order.
    pub committee: Vec<Party>,
    /// The enrolled clients admitted to this round, in roster-index order.
    pub roster: Vec<Party>,
    /// The authority's signature over [`Announcement::digest`].
    pub signature: Vec<u8>,
}

impl Announcement {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        self.params.encode(w);
        self.aggregator.encode(w);
        w.put_list(&self.relays, |w, n| w.put_u32(n.0));
        w.put_list(&self.observers, |w, n| w.put_u32(n.0));
        w.put_list(&self.committee, |w, p| p.encode(w));
        w.put_list(&self.roster, |w, p| p.encode(w));
    }

    /// The digest the authority signs and every later message binds.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::new();
        self.encode_body(&mut w);
        hash(tags::TAG_ANNOUNCEMENT, &[w.as_slice()])
    }

    /// The seed of the round's common mask (joint-key compression seed).
    pub fn mask_seed(&self) -> Digest {
        hash(tags::TAG_MASK_SEED, &[&self.digest()])
    }
}

impl Codec for Announcement {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let round = RoundId(r.read_u64("announcement.round")?);
        let params = RoundParams::decode(r)?;
        let aggregator = Party::decode(r)?;
        let relays = r.read_list("announcement.relays", usize_of(MAX_RELAYS), |r| {
            Ok(NodeId(r.read_u32("announcement.relay")?))
        })?;
        if relays.is_empty() {
            return Err(DecodeError::InvalidValue { field: "announcement.relays" });
        }
        let observers = r.read_list("announcement.observers", usize_of(MAX_RELAYS), |r| {
            Ok(NodeId(r.read_u32("announcement.observer")?))
        })?;
        let committee =
            r.read_list("announcement.committee", usize_of(MAX_COMMITTEE), Party::decode)?;
        if committee.is_empty() {
            return Err(DecodeError::InvalidValue { field: "announcement.committee" });
        }
        let roster = r.read_list("announcement.roster", usize_of(MAX_CLIENTS), Party::decode)?;
        if roster.len() < usize_of(params.min_clients) {
            return Err(DecodeError::InvalidValue { field: "announcement.roster" });
        }
        let signature = r.read_var_bytes("announcement.signature", MAX_SIGNATURE)?.to_vec();
        Ok(Announcement {
            round,
            params,
            aggregator,
            relays,
            observers,
            committee,
            roster,
            signature,
        })
    }
}

/// Step 2: a committee member publishes its key body. Signed by the member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBody {
    /// The round.
    pub round: RoundId,
    /// Digest of the announcement.
    pub announcement: Digest,
    /// Committee index.
    pub member: u32,
    /// Encoded `gradseal_agg` key body.
    pub body: Vec<u8>,
    /// The member's signature over [`KeyBody::digest`].
    pub signature: Vec<u8>,
}

impl KeyBody {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.announcement);
        w.put_u32(self.member);
        w.put_var_bytes(&self.body);
    }

    /// The digest the member signs.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::new();
        self.encode_body(&mut w);
        hash(tags::TAG_KEY_BODY, &[w.as_slice()])
    }
}

impl Codec for KeyBody {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(KeyBody {
            round: RoundId(r.read_u64("key_body.round")?),
            announcement: read_digest(r, "key_body.announcement")?,
            member: r.read_u32("key_body.member")?,
            body: r.read_var_bytes("key_body.body", MAX_KEY_BODY)?.to_vec(),
            signature: r.read_var_bytes("key_body.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// The plaintext of a contribution envelope (signcrypted by the client to the aggregator,
/// never sent in the clear). Its `signature` is the client's transferable signature over
/// [`contribution_statement`], which the aggregator copies into the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// The round.
    pub round: RoundId,
    /// The client's roster index.
    pub client: u32,
    /// Encoded `gradseal_agg` ciphertext of the quantized update (with its range proofs
    /// when the round's policy asks for them).
    pub ciphertext: Vec<u8>,
    /// The client's signature over the contribution statement.
    pub signature: Vec<u8>,
}

impl Codec for Contribution {
    fn encoded_len_hint(&self) -> usize {
        64 + self.ciphertext.len() + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        w.put_u32(self.client);
        w.put_var_bytes(&self.ciphertext);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Contribution {
            round: RoundId(r.read_u64("contribution.round")?),
            client: r.read_u32("contribution.client")?,
            ciphertext: r.read_var_bytes("contribution.ciphertext", MAX_CIPHERTEXT)?.to_vec(),
            signature: r.read_var_bytes("contribution.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// Digest of a ciphertext's bytes (what the client's statement and the transcript bind):
/// `bulk_digest(TAG_CIPHERTEXT, c)` (gradseal-core's chunked TurboSHAKE128 tree: every
/// verifier hashes every ciphertext once, so the fastest SHA3-family construction is used).
pub fn ciphertext_digest(ciphertext: &[u8]) -> Digest {
    bulk_digest(tags::TAG_CIPHERTEXT, ciphertext)
}

/// The statement a client signs: (announcement, round, client index, ciphertext digest).
pub fn contribution_statement(
    announcement: &Digest,
    round: RoundId,
    client: u32,
    ciphertext_digest: &Digest,
) -> Digest {
    hash(
        tags::TAG_CONTRIBUTION,
        &[announcement, &round.0.to_be_bytes(), &client.to_be_bytes(), ciphertext_digest],
    )
}

/// The signcryption context of a contribution envelope: names the protocol and the
/// recipient. The round is bound *inside* the envelope (the signed [`Contribution`] names it),
/// so a replayed envelope opens and is rejected with the typed reason `WrongRound`.
pub fn envelope_context(aggregator_bundle: &[u8]) -> Digest {
    hash(tags::TAG_ENVELOPE_CONTEXT, &[aggregator_bundle])
}

/// Step 3: one authenticated Reed-Solomon shard of a contribution envelope, sent by a
/// client through a relay. Unsigned (the sender stays anonymous to relays); the manifest
/// authenticates the shard and the envelope authenticates the manifest's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMsg {
    /// The round.
    pub round: RoundId,
    /// Encoded `gradseal_shard` manifest.
    pub manifest: Vec<u8>,
    /// Encoded `gradseal_shard` shard.
    pub shard: Vec<u8>,
}

impl Codec for ShardMsg {
    fn encoded_len_hint(&self) -> usize {
        32 + self.manifest.len() + self.shard.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        w.put_var_bytes(&self.manifest);
        w.put_var_bytes(&self.shard);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ShardMsg {
            round: RoundId(r.read_u64("shard.round")?),
            manifest: r.read_var_bytes("shard.manifest", MAX_MANIFEST)?.to_vec(),
            shard: r.read_var_bytes("shard.shard", MAX_SHARD)?.to_vec(),
        })
    }
}

/// An accepted contribution as the transcript records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedEntry {
    /// Roster index.
    pub client: u32,
    /// The ciphertext with its proofs (members re-check and re-add them all).
    pub ciphertext: Vec<u8>,
    /// The client's signature over its contribution statement.
    pub signature: Vec<u8>,
}

impl Codec for AcceptedEntry {
    fn encoded_len_hint(&self) -> usize {
        16 + self.ciphertext.len() + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u32(self.client);
        w.put_var_bytes(&self.ciphertext);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(AcceptedEntry {
            client: r.read_u32("accepted.client")?,
            ciphertext: r.read_var_bytes("accepted.ciphertext", MAX_CIPHERTEXT)?.to_vec(),
            signature: r.read_var_bytes("accepted.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// A rejected item as the transcript records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectedEntry {
    /// Roster index, when the aggregator could authenticate the client.
    pub client: Option<u32>,
    /// Digest of the rejected item (envelope or contribution).
    pub item: Digest,
    /// Why.
    pub reason: RejectReason,
}

impl Codec for RejectedEntry {
    fn encode(&self, w: &mut Writer) {
        match self.client {
            Some(c) => {
                w.put_bool(true);
                w.put_u32(c);
            }
            None => w.put_bool(false),
        }
        put_digest(w, &self.item);
        self.reason.encode(w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let client = if r.read_bool("rejected.has_client")? {
            Some(r.read_u32("rejected.client")?)
        } else {
            None
        };
        Ok(RejectedEntry {
            client,
            item: read_digest(r, "rejected.item")?,
            reason: RejectReason::decode(r)?,
        })
    }
}

/// Step 4: the aggregator's transcript of the round. Signed by the aggregator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptMsg {
    /// The round.
    pub round: RoundId,
    /// Digest of the announcement.
    pub announcement: Digest,
    /// Accepted contributions, strictly increasing by client index.
    pub accepted: Vec<AcceptedEntry>,
    /// Rejected items with reasons.
    pub rejected: Vec<RejectedEntry>,
    /// Relays that delivered corrupt shards.
    pub bad_relays: Vec<BadRelay>,
    /// Encoded `gradseal_agg` aggregate ciphertext (the claimed sum of `accepted`).
    pub aggregate: Vec<u8>,
    /// The aggregator's signature over [`TranscriptMsg::digest`].
    pub signature: Vec<u8>,
}

impl TranscriptMsg {
    /// The transcript digest, computed from per-entry ciphertext digests (each ciphertext is
    /// hashed once, and the same digest feeds the client signature check).
    ///
    /// `entry_digests[i]` must be [`ciphertext_digest`] of `accepted[i]`.
    pub fn digest_with(&self, entry_digests: &[Digest]) -> Digest {
        let mut t = Transcript::new(tags::TAG_TRANSCRIPT);
        t.append_u64("round", self.round.0);
        t.append("announcement", &self.announcement);
        t.append_u64("accepted", self.accepted.len() as u64);
        for (e, d) in self.accepted.iter().zip(entry_digests) {
            t.append_u64("client", u64::from(e.client));
            t.append("ciphertext", d);
            t.append("signature", &e.signature);
        }
        let mut w = Writer::new();
        w.put_list(&self.rejected, |w, e| e.encode(w));
        w.put_list(&self.bad_relays, |w, e| e.encode(w));
        t.append("rejected-and-relays", w.as_slice());
        t.append("aggregate", &bulk_digest(tags::TAG_AGGREGATE, &self.aggregate));
        t.finalize()
    }

    /// The per-entry ciphertext digests.
    pub fn entry_digests(&self) -> Vec<Digest> {
        self.accepted.iter().map(|e| ciphertext_digest(&e.ciphertext)).collect()
    }

    /// The transcript digest (hashes every ciphertext; see [`TranscriptMsg::digest_with`]).
    pub fn digest(&self) -> Digest {
        self.digest_with(&self.entry_digests())
    }
}

impl Codec for TranscriptMsg {
    fn encoded_len_hint(&self) -> usize {
        let accepted: usize = self.accepted.iter().map(Codec::encoded_len_hint).sum();
        256 + accepted + 64 * self.rejected.len() + self.aggregate.len() + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.announcement);
        w.put_list(&self.accepted, |w, e| e.encode(w));
        w.put_list(&self.rejected, |w, e| e.encode(w));
        w.put_list(&self.bad_relays, |w, e| e.encode(w));
        w.put_var_bytes(&self.aggregate);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(TranscriptMsg {
            round: RoundId(r.read_u64("transcript.round")?),
            announcement: read_digest(r, "transcript.announcement")?,
            accepted: r.read_list(
                "transcript.accepted",
                usize_of(MAX_CLIENTS),
                AcceptedEntry::decode,
            )?,
            rejected: r.read_list("transcript.rejected", MAX_REJECTED, RejectedEntry::decode)?,
            bad_relays: r.read_list(
                "transcript.bad_relays",
                usize_of(MAX_RELAYS),
                BadRelay::decode,
            )?,
            aggregate: r.read_var_bytes("transcript.aggregate", MAX_CIPHERTEXT)?.to_vec(),
            signature: r.read_var_bytes("transcript.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// Step 5: a member's partial decryption of a verified transcript's aggregate. Signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDecryption {
    /// The round.
    pub round: RoundId,
    /// Digest of the transcript it decrypts.
    pub transcript: Digest,
    /// Committee index.
    pub member: u32,
    /// Encoded `gradseal_agg` partial decryption.
    pub partial: Vec<u8>,
    /// The member's signature over [`PartialDecryption::digest`].
    pub signature: Vec<u8>,
}

impl PartialDecryption {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.transcript);
        w.put_u32(self.member);
        w.put_var_bytes(&self.partial);
    }

    /// The digest the member signs: `bulk_digest(TAG_PARTIAL, body)` (the body holds the
    /// whole partial decryption).
    pub fn digest(&self) -> Digest {
        let mut w = Writer::with_capacity(self.encoded_len_hint());
        self.encode_body(&mut w);
        bulk_digest(tags::TAG_PARTIAL, w.as_slice())
    }
}

impl Codec for PartialDecryption {
    fn encoded_len_hint(&self) -> usize {
        64 + self.partial.len() + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(PartialDecryption {
            round: RoundId(r.read_u64("partial.round")?),
            transcript: read_digest(r, "partial.transcript")?,
            member: r.read_u32("partial.member")?,
            partial: r.read_var_bytes("partial.partial", MAX_PARTIAL)?.to_vec(),
            signature: r.read_var_bytes("partial.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// A member's signed refusal to decrypt a transcript, with the failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The round.
    pub round: RoundId,
    /// Digest of the refused transcript (as received; all-zero if it did not decode).
    pub transcript: Digest,
    /// Committee index.
    pub member: u32,
    /// The failed check.
    pub fault: TranscriptFault,
    /// The member's signature over [`Refusal::digest`].
    pub signature: Vec<u8>,
}

impl Refusal {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.transcript);
        w.put_u32(self.member);
        self.fault.encode(w);
    }

    /// The digest the member signs.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::new();
        self.encode_body(&mut w);
        hash(tags::TAG_REFUSAL, &[w.as_slice()])
    }
}

impl Codec for Refusal {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Refusal {
            round: RoundId(r.read_u64("refusal.round")?),
            transcript: read_digest(r, "refusal.transcript")?,
            member: r.read_u32("refusal.member")?,
            fault: TranscriptFault::decode(r)?,
            signature: r.read_var_bytes("refusal.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// The aggregator tells a client its contribution was rejected. Signed by the aggregator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The round.
    pub round: RoundId,
    /// Roster index of the client.
    pub client: u32,
    /// Digest of the rejected contribution.
    pub item: Digest,
    /// Why.
    pub reason: RejectReason,
    /// The aggregator's signature over [`Rejection::digest`].
    pub signature: Vec<u8>,
}

impl Rejection {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        w.put_u32(self.client);
        put_digest(w, &self.item);
        self.reason.encode(w);
    }

    /// The digest the aggregator signs.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::new();
        self.encode_body(&mut w);
        hash(tags::TAG_REJECTION, &[w.as_slice()])
    }
}

impl Codec for Rejection {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Rejection {
            round: RoundId(r.read_u64("rejection.round")?),
            client: r.read_u32("rejection.client")?,
            item: read_digest(r, "rejection.item")?,
            reason: RejectReason::decode(r)?,
            signature: r.read_var_bytes("rejection.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// Step 6: the result. Carries the partial decryptions so anyone can recombine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundResult {
    /// The round.
    pub round: RoundId,
    /// Digest of the transcript.
    pub transcript: Digest,
    /// Number of accepted contributions summed.
    pub count: u32,
    /// The decrypted sum of the quantized updates, one entry per coordinate.
    pub sum: Vec<i64>,
    /// Every member's partial decryption, in committee order.
    pub partials: Vec<PartialDecryption>,
    /// The aggregator's signature over [`RoundResult::digest`].
    pub signature: Vec<u8>,
}

impl RoundResult {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.transcript);
        w.put_u32(self.count);
        w.put_list(&self.sum, |w, v| w.put_u64(v.cast_unsigned()));
        w.put_list(&self.partials, |w, p| p.encode(w));
    }

    /// The digest the aggregator signs: `bulk_digest(TAG_RESULT, body)` (the body holds
    /// the sum and every partial decryption).
    pub fn digest(&self) -> Digest {
        let mut w = Writer::with_capacity(self.encoded_len_hint());
        self.encode_body(&mut w);
        bulk_digest(tags::TAG_RESULT, w.as_slice())
    }

    /// The mean update in model units: `sum / (count · scale)` per coordinate.
    pub fn mean(&self, scale: u32) -> Vec<f64> {
        let denom = f64::from(self.count.max(1)) * f64::from(scale);
        #[allow(clippy::cast_precision_loss)] // sums are far below 2^53
        self.sum.iter().map(|&s| s as f64 / denom).collect()
    }
}

impl Codec for RoundResult {
    fn encoded_len_hint(&self) -> usize {
        let partials: usize = self.partials.iter().map(Codec::encoded_len_hint).sum();
        64 + 8 * self.sum.len() + partials + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(RoundResult {
            round: RoundId(r.read_u64("result.round")?),
            transcript: read_digest(r, "result.transcript")?,
            count: r.read_u32("result.count")?,
            sum: r.read_list("result.sum", usize_of(MAX_DIMENSION), |r| {
                Ok(r.read_u64("result.sum")?.cast_signed())
            })?,
            partials: r.read_list(
                "result.partials",
                usize_of(MAX_COMMITTEE),
                PartialDecryption::decode,
            )?,
            signature: r.read_var_bytes("result.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// Any message on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// Round announcement.
    Announcement(Announcement),
    /// Committee key body.
    KeyBody(KeyBody),
    /// Contribution shard.
    Shard(ShardMsg),
    /// Round transcript.
    Transcript(TranscriptMsg),
    /// Partial decryption.
    Partial(PartialDecryption),
    /// Refusal to decrypt.
    Refusal(Refusal),
    /// Rejection notice.
    Rejection(Rejection),
    /// Round result.
    Result(RoundResult),
}

impl Message {
    /// The round the message names.
    pub fn round(&self) -> RoundId {
        match self {
            Message::Announcement(m) => m.round,
            Message::KeyBody(m) => m.round,
            Message::Shard(m) => m.round,
            Message::Transcript(m) => m.round,
            Message::Partial(m) => m.round,
            Message::Refusal(m) => m.round,
            Message::Rejection(m) => m.round,
            Message::Result(m) => m.round,
        }
    }
}

impl Codec for Message {
    fn encoded_len_hint(&self) -> usize {
        1 + match self {
            Message::Shard(m) => m.encoded_len_hint(),
            Message::Transcript(m) => m.encoded_len_hint(),
            Message::Partial(m) => m.encoded_len_hint(),
            Message::Result(m) => m.encoded_len_hint(),
            _ => 0,
        }
    }

    fn encode(&self, w: &mut Writer) {
        match self {
            Message::Announcement(m) => {
                w.put_u8(KIND_ANNOUNCEMENT);
                m.encode(w);
            }
            Message::KeyBody(m) => {
                w.put_u8(KIND_KEY_BODY);
                m.encode(w);
            }
            Message::Shard(m) => {
                w.put_u8(KIND_SHARD);
                m.encode(w);
            }
            Message::Transcript(m) => {
                w.put_u8(KIND_TRANSCRIPT);
                m.encode(w);
            }
            Message::Partial(m) => {
                w.put_u8(KIND_PARTIAL);
                m.encode(w);
            }
            Message::Refusal(m) => {
                w.put_u8(KIND_REFUSAL);
                m.encode(w);
            }
            Message::Rejection(m) => {
                w.put_u8(KIND_REJECTION);
                m.encode(w);
            }
            Message::Result(m) => {
                w.put_u8(KIND_RESULT);
                m.encode(w);
            }
        }
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.read_u8("message.kind")? {
            KIND_ANNOUNCEMENT => Message::Announcement(Announcement::decode(r)?),
            KIND_KEY_BODY => Message::KeyBody(KeyBody::decode(r)?),
            KIND_SHARD => Message::Shard(ShardMsg::decode(r)?),
            KIND_TRANSCRIPT => Message::Transcript(TranscriptMsg::decode(r)?),
            KIND_PARTIAL => Message::Partial(PartialDecryption::decode(r)?),
            KIND_REFUSAL => Message::Refusal(Refusal::decode(r)?),
            KIND_REJECTION => Message::Rejection(Rejection::decode(r)?),
            KIND_RESULT => Message::Result(RoundResult::decode(r)?),
            t => return Err(DecodeError::UnknownTag { field: "message.kind", tag: t.into() }),
        })
    }
}
