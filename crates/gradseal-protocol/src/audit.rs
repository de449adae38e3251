//! The transcript verification an observer runs (`spec/protocol.md` §6.2), over the entries
//! the aggregator streams as it accepts them and the signed head it sends at the close.
//! Each entry is digested and added to a running sum as it arrives and its body dropped:
//! an observer holds the sum, the digests and the sealed seeds, never every body at once.

use std::collections::BTreeMap;

use crate::messages::{
    AcceptedEntry, Digest, EntryDigests, TranscriptMsg, agreed_list_digest, contribution_statement,
};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::round::{RoundContext, check_order};
use crate::suite::Suite;

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
    /// The agreement digest `E` of the transcript's accepted contributions.
    pub agreed: Digest,
}

/// What an observer keeps of one streamed entry.
struct Streamed {
    digests: EntryDigests,
    sealed_seeds: Vec<Vec<u8>>,
    /// Its body decoded to the round's shape and was added to the running sum.
    summed: bool,
}

/// A head that passed steps 1–4, with its digest and its entries' statements.
struct Head {
    t: TranscriptMsg,
    digest: Digest,
    statements: Vec<(u32, Digest)>,
}

/// One round's transcript as it arrives at an observer: streamed entries (at most one per
/// roster client) and, once it passes its own checks, the head.
pub struct TranscriptAudit<S: Suite> {
    entries: BTreeMap<u32, Streamed>,
    sum: Option<S::Aggregate>,
    head: Option<Head>,
}

impl<S: Suite> Default for TranscriptAudit<S> {
    fn default() -> Self {
        TranscriptAudit { entries: BTreeMap::new(), sum: None, head: None }
    }
}

impl<S: Suite> TranscriptAudit<S> {
    /// Nothing received yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Digests a streamed entry and adds its body to the running sum (a body that does not
    /// decode to the round's shape is remembered as such: a fault only if the head lists it).
    ///
    /// # Errors
    /// `Unexpected` for a client outside the roster, `Duplicate` for a second entry of a
    /// client (dropped, as any message that says nothing new).
    pub fn add_entry(
        &mut self,
        ctx: &RoundContext<S>,
        e: &AcceptedEntry,
    ) -> Result<(), ProtocolError> {
        if ctx.client_bundle(e.client).is_none() {
            return Err(ProtocolError::Unexpected);
        }
        if self.entries.contains_key(&e.client) {
            return Err(ProtocolError::Duplicate);
        }
        let sum = self.sum.get_or_insert_with(|| S::new_aggregate(&ctx.params));
        let summed = S::decode_contribution(&ctx.params, &e.body)
            .is_some_and(|c| S::add(&ctx.params, sum, &c));
        let streamed =
            Streamed { digests: EntryDigests::of(e), sealed_seeds: e.sealed_seeds.clone(), summed };
        self.entries.insert(e.client, streamed);
        Ok(())
    }

    /// Whether a head passed its checks.
    pub fn has_head(&self) -> bool {
        self.head.is_some()
    }

    /// Steps 1–4 on the head alone: round, the aggregator's signature, the count, and each
    /// listed entry enrolled, in strictly increasing order, with one seed digest per
    /// position and its client's signature over the digests the head lists.
    ///
    /// # Errors
    /// The first [`TranscriptFault`] found, in the order of the algorithm.
    pub fn set_head(
        &mut self,
        ctx: &RoundContext<S>,
        t: TranscriptMsg,
    ) -> Result<(), TranscriptFault> {
        if t.round != ctx.round() || t.announcement != ctx.digest {
            return Err(TranscriptFault::WrongRound);
        }
        let digest = t.digest();
        if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &digest, &t.signature) {
            return Err(TranscriptFault::BadAggregatorSignature);
        }
        let count = u32::try_from(t.accepted.len()).unwrap_or(u32::MAX);
        let min = ctx.ann.params.min_clients;
        if count < min {
            return Err(TranscriptFault::TooFewClients { accepted: count, min });
        }
        let mut previous: Option<u32> = None;
        let mut statements = Vec::with_capacity(t.accepted.len());
        for e in &t.accepted {
            let client = e.client;
            let bundle = check_order(ctx, &mut previous, client)?;
            if e.digests.seeds.len() != ctx.sealed_seed_count() {
                return Err(TranscriptFault::MalformedEntry { client });
            }
            let d = &e.digests;
            let statement =
                contribution_statement(&ctx.digest, ctx.round(), client, &d.body, &d.seeds);
            if !S::verify(&ctx.sys, bundle, &statement, &e.signature) {
                return Err(TranscriptFault::BadClientSignature { client });
            }
            statements.push((client, statement));
        }
        self.head = Some(Head { t, digest, statements });
        Ok(())
    }

    /// The first client the head lists whose entry has not arrived.
    pub fn missing(&self) -> Option<u32> {
        let head = self.head.as_ref()?;
        head.t.accepted.iter().map(|e| e.client).find(|c| !self.entries.contains_key(c))
    }

    /// Steps 5–7, once the head is in and every entry it lists has arrived (`None` before):
    /// every streamed entry is the one the head lists and decodes, the claimed aggregate is
    /// the running sum, and the lists and agreement digest the transcript implies.
    pub fn finish(
        &mut self,
        ctx: &RoundContext<S>,
    ) -> Option<Result<Verified<S>, TranscriptFault>> {
        if self.head.is_none() || self.missing().is_some() {
            return None;
        }
        Some(self.complete(ctx))
    }

    fn complete(&mut self, ctx: &RoundContext<S>) -> Result<Verified<S>, TranscriptFault> {
        let head = self.head.as_ref().ok_or(TranscriptFault::MalformedAggregate)?;
        let mut sealed = Vec::with_capacity(head.t.accepted.len());
        for e in &head.t.accepted {
            let client = e.client;
            let s = self.entries.get(&client).ok_or(TranscriptFault::MissingEntry { client })?;
            if s.digests != e.digests {
                return Err(TranscriptFault::EntryMismatch { client });
            }
            if !s.summed {
                return Err(TranscriptFault::MalformedEntry { client });
            }
            sealed.push(&s.sealed_seeds[..]);
        }
        // A streamed entry the head does not list is in the running sum but not the claim.
        let listed = |c: &u32| head.t.accepted.binary_search_by_key(c, |e| e.client).is_ok();
        if let Some(&client) = self.entries.keys().find(|c| !listed(c)) {
            return Err(TranscriptFault::EntryMismatch { client });
        }
        let claimed = S::decode_aggregate(&ctx.params, &head.t.aggregate)
            .ok_or(TranscriptFault::MalformedAggregate)?;
        let sum = self.sum.take().unwrap_or_else(|| S::new_aggregate(&ctx.params));
        if !S::aggregate_eq(&sum, &claimed) {
            return Err(TranscriptFault::AggregateMismatch);
        }
        let lists =
            member_list_digests(&head.t, &head.digest, &sealed, ctx.committee_size(), &ctx.holders)
                .ok_or(TranscriptFault::MalformedAggregate)?;
        let agreed = agreed_list_digest(&ctx.digest, ctx.round(), head.statements.iter().copied());
        let count = u32::try_from(head.t.accepted.len()).unwrap_or(u32::MAX);
        Ok(Verified { digest: head.digest, aggregate: sum, count, lists, agreed })
    }
}

/// The whole verification at once, over a head and the entries streamed before it (what
/// an observer does incrementally; entries of unknown or repeated clients are ignored, as
/// an observer drops them).
///
/// # Errors
/// The first [`TranscriptFault`] found, in the order of the algorithm; `MissingEntry` for
/// a listed client without an entry.
pub fn verify_transcript<S: Suite>(
    ctx: &RoundContext<S>,
    t: &TranscriptMsg,
    entries: &[AcceptedEntry],
) -> Result<Verified<S>, TranscriptFault> {
    let mut audit = TranscriptAudit::new();
    for e in entries {
        let _ignored = audit.add_entry(ctx, e);
    }
    audit.set_head(ctx, t.clone())?;
    if let Some(client) = audit.missing() {
        return Err(TranscriptFault::MissingEntry { client });
    }
    audit.finish(ctx).unwrap_or(Err(TranscriptFault::MalformedAggregate))
}

/// The digest of every member's list as the transcript determines it (`sealed[i]` the
/// sealed seeds of `t.accepted[i]`, `holders` as in [`RoundContext::holders`]).
pub fn member_list_digests(
    t: &TranscriptMsg,
    digest: &Digest,
    sealed: &[&[Vec<u8>]],
    committee: usize,
    holders: &[u32],
) -> Option<Vec<Digest>> {
    (0..committee)
        .map(|j| {
            let j = u32::try_from(j).ok()?;
            Some(t.member_list(digest, sealed, j, holders)?.digest())
        })
        .collect()
}

/// The agreement digest `E` of a transcript head's accepted entries (what the aggregator
/// and observers compute; a member computes the same from its checked list).
pub fn transcript_agreed_digest<S: Suite>(ctx: &RoundContext<S>, t: &TranscriptMsg) -> Digest {
    let statements = t.accepted.iter().map(|e| {
        let d = &e.digests;
        (e.client, contribution_statement(&ctx.digest, ctx.round(), e.client, &d.body, &d.seeds))
    });
    agreed_list_digest(&ctx.digest, ctx.round(), statements)
}
