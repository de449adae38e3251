//! What every role knows after accepting an announcement, and the two verification
//! algorithms of `spec/protocol.md` §6: the list check a member runs before it decrypts,
//! and the transcript verification an observer runs.

use std::collections::HashMap;

use gradseal_core::Codec;

use crate::messages::{
    Announcement, Digest, EntryDigests, MemberList, Message, TranscriptMsg, contribution_statement,
    seed_context,
};
use crate::params::{NodeId, RoundId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::suite::{AggShape, SEED_LEN, Suite};

/// A verified announcement and the values derived from it.
pub struct RoundContext<S: Suite> {
    /// System parameters.
    pub sys: S::System,
    /// The announcement.
    pub ann: Announcement,
    /// Its digest `A`.
    pub digest: Digest,
    /// The aggregation shape.
    pub shape: AggShape,
    /// gradseal-agg's round id (`Announcement::agg_round_id`).
    pub agg_round_id: Digest,
    /// The aggregation parameters.
    pub params: S::Params,
    roster_index: HashMap<Vec<u8>, u32>,
}

impl<S: Suite> core::fmt::Debug for RoundContext<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RoundContext").field("round", &self.ann.round).finish_non_exhaustive()
    }
}

impl<S: Suite> RoundContext<S> {
    /// Accepts an announcement signed by the holder of `authority` (strict checks: the
    /// signature, the round parameters, distinct committee and roster bundles, a shape the
    /// suite supports).
    ///
    /// # Errors
    /// [`ProtocolError::BadSignature`] or [`ProtocolError::WrongShape`].
    pub fn new(sys: S::System, authority: &[u8], ann: Announcement) -> Result<Self, ProtocolError> {
        let digest = ann.digest();
        if !S::verify(&sys, authority, &digest, &ann.signature) {
            return Err(ProtocolError::BadSignature);
        }
        if ann.params.check().is_err()
            || ann.roster.len() < usize::try_from(ann.params.min_clients).unwrap_or(usize::MAX)
        {
            return Err(ProtocolError::WrongShape);
        }
        let mut roster_index = HashMap::new();
        for (i, p) in ann.roster.iter().enumerate() {
            let i = u32::try_from(i).map_err(|_| ProtocolError::WrongShape)?;
            if roster_index.insert(p.bundle.clone(), i).is_some() {
                return Err(ProtocolError::WrongShape);
            }
        }
        let mut seen = std::collections::HashSet::new();
        if !ann.committee.iter().all(|p| seen.insert(&p.bundle)) {
            return Err(ProtocolError::WrongShape);
        }
        let shape = AggShape::of(&ann.params, ann.committee.len(), ann.roster.len());
        let agg_round_id = ann.agg_round_id();
        let params = S::params(&sys, shape, &agg_round_id).ok_or(ProtocolError::WrongShape)?;
        Ok(RoundContext { sys, ann, digest, shape, agg_round_id, params, roster_index })
    }

    /// The round.
    pub fn round(&self) -> RoundId {
        self.ann.round
    }

    /// The committee size k.
    pub fn committee_size(&self) -> usize {
        self.ann.committee.len()
    }

    /// The roster index of a public bundle.
    pub fn client_index(&self, bundle: &[u8]) -> Option<u32> {
        self.roster_index.get(bundle).copied()
    }

    /// The committee index of a public bundle.
    pub fn member_index(&self, bundle: &[u8]) -> Option<u32> {
        let i = self.ann.committee.iter().position(|p| p.bundle == bundle)?;
        u32::try_from(i).ok()
    }

    /// The committee member's public bundle.
    pub fn member_bundle(&self, member: u32) -> Option<&[u8]> {
        self.ann.committee.get(usize::try_from(member).ok()?).map(|p| p.bundle.as_slice())
    }

    /// The client's public bundle.
    pub fn client_bundle(&self, client: u32) -> Option<&[u8]> {
        self.ann.roster.get(usize::try_from(client).ok()?).map(|p| p.bundle.as_slice())
    }

    /// Committee addresses.
    pub fn committee_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ann.committee.iter().map(|p| p.node)
    }

    /// Roster addresses.
    pub fn roster_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ann.roster.iter().map(|p| p.node)
    }

    /// The signcryption context of the seed `client` seals to `member` in this round.
    pub fn seed_context(&self, client: u32, member: u32) -> Digest {
        seed_context(&self.digest, self.round(), client, member)
    }

    /// The largest envelope a client of this round can produce (bounds shard reassembly):
    /// 8 bytes per coordinate, the correction (at most 2^12 words) and framing, and one
    /// sealed seed per member. Generous: it only bounds memory.
    pub fn max_envelope(&self) -> usize {
        let d = usize::try_from(self.ann.params.dimension).unwrap_or(usize::MAX);
        let seeds = self.committee_size().saturating_mul(crate::messages::MAX_SEALED_SEED + 4);
        d.saturating_mul(8).saturating_add(seeds).saturating_add(1 << 17)
    }

    /// Decodes a message and checks that it names this round.
    ///
    /// # Errors
    /// [`ProtocolError::Decode`] or [`ProtocolError::WrongRound`].
    pub fn decode(&self, bytes: &[u8]) -> Result<Message, ProtocolError> {
        let msg = Message::from_bytes(bytes)?;
        if msg.round() != self.round() {
            return Err(ProtocolError::WrongRound);
        }
        Ok(msg)
    }
}

/// A member's list that passed the list check, with the share of its seeds.
pub struct CheckedList<S: Suite> {
    /// The list digest `L_j`.
    pub digest: Digest,
    /// The transcript digest the list names.
    pub transcript: Digest,
    /// The member's share: the sum of every entry's key-share expansion.
    pub share: S::MemberShare,
}

/// Steps 1–2 of the list check (`spec/protocol.md` §6.1), cheap and free of secrets: the
/// list names this round, announcement and member, and the aggregator signed it. A list
/// failing them is not the aggregator's list for this member: it is dropped without
/// spending the share, so that a network attacker cannot burn it.
///
/// # Errors
/// [`TranscriptFault::WrongRound`] or [`TranscriptFault::BadAggregatorSignature`].
pub fn authenticate_list<S: Suite>(
    ctx: &RoundContext<S>,
    member: u32,
    list: &MemberList,
) -> Result<Digest, TranscriptFault> {
    if list.round != ctx.round() || list.announcement != ctx.digest || list.member != member {
        return Err(TranscriptFault::WrongRound);
    }
    let digest = list.digest();
    if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &digest, &list.signature) {
        return Err(TranscriptFault::BadAggregatorSignature);
    }
    Ok(digest)
}

/// The list check a member runs before it decrypts (`spec/protocol.md` §6.1): steps 1–2
/// ([`authenticate_list`]), then enough entries, distinct roster clients in increasing
/// order, each client's signature over the statement rebuilt from the entry, and each
/// sealed seed opened under (round, client, member) and signcrypted by that client. The
/// seeds are added to a fresh share as they open.
///
/// # Errors
/// The first [`TranscriptFault`] found, in that order.
pub fn check_list<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    member: u32,
    list: &MemberList,
) -> Result<CheckedList<S>, TranscriptFault> {
    let digest = authenticate_list(ctx, member, list)?;
    let min = ctx.ann.params.min_clients;
    let count = u32::try_from(list.entries.len()).unwrap_or(u32::MAX);
    if count < min {
        return Err(TranscriptFault::TooFewClients { accepted: count, min });
    }
    let mut share = S::new_share(&ctx.params, member).ok_or(TranscriptFault::WrongRound)?;
    let k = ctx.committee_size();
    let mut previous: Option<u32> = None;
    for e in &list.entries {
        let client = e.client;
        let bundle = check_order(ctx, &mut previous, client)?;
        let seeds = e
            .seed_digests(member)
            .filter(|s| s.len() == k)
            .ok_or(TranscriptFault::MalformedEntry { client })?;
        let statement =
            contribution_statement(&ctx.digest, ctx.round(), client, &e.body_digest, &seeds);
        if !S::verify(&ctx.sys, bundle, &statement, &e.signature) {
            return Err(TranscriptFault::BadClientSignature { client });
        }
        let context = ctx.seed_context(client, member);
        let opened = S::unsigncrypt(&ctx.sys, key, &context, &e.sealed_seed, SEED_LEN)
            .filter(|(sender, _)| sender.as_slice() == bundle);
        let added = opened.is_some_and(|(_, seed)| S::add_seed(&ctx.params, &mut share, &seed));
        if !added {
            return Err(TranscriptFault::BadSealedSeed { client });
        }
    }
    Ok(CheckedList { digest, transcript: list.transcript, share })
}

/// The entry's client is on the roster and strictly after the previous entry's.
fn check_order<'a, S: Suite>(
    ctx: &'a RoundContext<S>,
    previous: &mut Option<u32>,
    client: u32,
) -> Result<&'a [u8], TranscriptFault> {
    let bundle = ctx.client_bundle(client).ok_or(TranscriptFault::UnknownClient { client })?;
    match *previous {
        Some(p) if p == client => return Err(TranscriptFault::DuplicateClient { client }),
        Some(p) if p > client => return Err(TranscriptFault::Unsorted),
        _ => {}
    }
    *previous = Some(client);
    Ok(bundle)
}

/// A transcript that passed verification.
pub struct Verified<S: Suite> {
    /// Its digest `T`.
    pub digest: Digest,
    /// The aggregate, recomputed from the accepted contributions (equal to the claimed one).
    pub aggregate: S::Aggregate,
    /// Accepted contributions.
    pub count: u32,
    /// The digest `L_j` of the list the transcript gives each member j, in committee order.
    pub lists: Vec<Digest>,
}

/// The transcript verification an observer runs (`spec/protocol.md` §6.2).
///
/// # Errors
/// The first [`TranscriptFault`] found, in the order of the algorithm.
pub fn verify_transcript<S: Suite>(
    ctx: &RoundContext<S>,
    t: &TranscriptMsg,
) -> Result<Verified<S>, TranscriptFault> {
    // 1. Round and announcement.
    if t.round != ctx.round() || t.announcement != ctx.digest {
        return Err(TranscriptFault::WrongRound);
    }
    // 2. The aggregator signed exactly this transcript.
    let entry_digests = t.entry_digests();
    let digest = t.digest_with(&entry_digests);
    if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &digest, &t.signature) {
        return Err(TranscriptFault::BadAggregatorSignature);
    }
    // 3. Enough contributions (cheap; checked before the per-entry work).
    let count = u32::try_from(t.accepted.len()).unwrap_or(u32::MAX);
    let min = ctx.ann.params.min_clients;
    if count < min {
        return Err(TranscriptFault::TooFewClients { accepted: count, min });
    }
    // 4. Each entry: enrolled, unique (strictly increasing), one sealed seed per member,
    //    signed by its client, well formed; summed as it is decoded (one decoded body at a
    //    time: the sum of 5 below, without holding every decoded contribution at once).
    let k = ctx.committee_size();
    let mut previous: Option<u32> = None;
    let mut sum = S::new_aggregate(&ctx.params);
    let mut summed = true;
    for (e, d) in t.accepted.iter().zip(&entry_digests) {
        let client = e.client;
        let bundle = check_order(ctx, &mut previous, client)?;
        if d.seeds.len() != k {
            return Err(TranscriptFault::MalformedEntry { client });
        }
        let statement = contribution_statement(&ctx.digest, ctx.round(), client, &d.body, &d.seeds);
        if !S::verify(&ctx.sys, bundle, &statement, &e.signature) {
            return Err(TranscriptFault::BadClientSignature { client });
        }
        let c = S::decode_contribution(&ctx.params, &e.body)
            .ok_or(TranscriptFault::MalformedEntry { client })?;
        summed = summed && S::add(&ctx.params, &mut sum, &c);
    }
    // 5. The claimed aggregate is the recomputed sum.
    if !summed {
        return Err(TranscriptFault::AggregateMismatch);
    }
    let claimed = S::decode_aggregate(&ctx.params, &t.aggregate)
        .ok_or(TranscriptFault::MalformedAggregate)?;
    if !S::aggregate_eq(&sum, &claimed) {
        return Err(TranscriptFault::AggregateMismatch);
    }
    // 6. The list each member must have been sent.
    let lists = member_list_digests(t, &digest, &entry_digests, k)
        .ok_or(TranscriptFault::MalformedAggregate)?;
    Ok(Verified { digest, aggregate: sum, count, lists })
}

/// The digest of every member's list as the transcript determines it.
pub fn member_list_digests(
    t: &TranscriptMsg,
    digest: &Digest,
    entry_digests: &[EntryDigests],
    committee: usize,
) -> Option<Vec<Digest>> {
    (0..committee)
        .map(|j| {
            let j = u32::try_from(j).ok()?;
            Some(t.member_list(digest, entry_digests, j)?.digest())
        })
        .collect()
}
