//! The aggregator: reassembles envelopes from authenticated shards, opens them, checks each
//! contribution (round, enrolment, uniqueness, signature, shape), sums the accepted
//! contributions, and at the contribution deadline (or as soon as every roster client's
//! contribution is accepted) publishes the signed transcript to the observers and sends
//! each committee member only its own signed list. It then collects the members' signed
//! agreements on the list's agreement digest `E`, sends a quorum certificate to the first
//! `q` members to agree (members caught signing two digests excluded), collects their `q`
//! partial decryptions and publishes the result with the certificate and the evidence of
//! every equivocating member. With `q = n` members decrypt with their agreements, so their
//! partials are taken before the certificate, which then goes to the observers only.
//!
//! Untrusted by everyone else: members check their lists before decrypting and observers
//! re-check the transcript and every list. The `danger_misbehave` hook makes it cheat in the
//! ways the adversary tests exercise.

use std::collections::{BTreeMap, HashMap};

use chacha20::ChaCha20Rng;
use gradseal_core::{Codec, bulk_digest};

use crate::audit::transcript_agreed_digest;
use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{
    AcceptedEntry, Announcement, Contribution, Digest, EntryDigests, EntryMsg, EntryRef, Message,
    RejectedEntry, Rejection, ShardMsg, TranscriptMsg, contribution_statement, envelope_context,
};
use crate::params::{Millis, NodeId};
use crate::reason::{BadRelay, ProtocolError, RejectReason, RelayFault, RoundFailure};
use crate::roles::{NodeConfig, node_rng};
use crate::round::RoundContext;
use crate::suite::Suite;
use crate::tags;

mod danger;
mod decide;
mod window;

pub use danger::Misbehave;
use danger::{cheat_and_stream, member_list};
use decide::Decision;
use window::Window;
pub use window::{AGE as WINDOW_AGE, WINDOW as SHARD_WINDOW};

/// Shards of one manifest: pending until `data` valid shards arrive, then kept (manifest
/// only) so that late corrupt shards are still blamed.
struct Group<S: Suite> {
    manifest: S::Manifest,
    /// Per index, the shard accepted for it (authenticated on arrival).
    shards: Vec<Option<S::CheckedShard>>,
    /// Who delivered each shard held and when (for the window).
    arrivals: Vec<(NodeId, Millis)>,
    /// Relays that delivered shards failing this manifest (blamed once the envelope opens,
    /// which proves the manifest genuine).
    suspects: Vec<NodeId>,
    opened: bool,
    complete: bool,
}

impl<S: Suite> Group<S> {
    /// No shard is needed any more (the payload was rebuilt, or cannot be): drops the held
    /// shards and frees their relays' window.
    fn close(&mut self, window: &mut Window, now: Millis) {
        self.complete = true;
        self.shards = Vec::new();
        window.release_all(std::mem::take(&mut self.arrivals), now);
    }
}

/// An accepted contribution once its body is summed and streamed to the observers: what the
/// head and the members' lists need of it (the aggregator's memory does not grow with the
/// bodies).
struct Accepted {
    /// The entry as the head lists it (digests computed once, at acceptance).
    reference: EntryRef,
    /// Its sealed seeds, for the members' lists.
    sealed_seeds: Vec<Vec<u8>>,
    /// Its body, kept only by a cheating aggregator (adversary tests), which streams at
    /// the close.
    body: Option<Vec<u8>>,
}

enum Phase {
    Announcement,
    Collecting,
    Deciding(Box<Decision>),
    Done,
}

/// The aggregator of one round.
pub struct Aggregator<S: Suite> {
    cfg: NodeConfig<S>,
    rng: ChaCha20Rng,
    out: Outbox,
    early: Early,
    ctx: Option<RoundContext<S>>,
    phase: Phase,
    groups: HashMap<Digest, Group<S>>,
    pending_per_relay: HashMap<NodeId, usize>,
    window: Window,
    groups_opened: HashMap<NodeId, usize>,
    accepted: BTreeMap<u32, Accepted>,
    sum: Option<S::Aggregate>,
    rejected: Vec<RejectedEntry>,
    bad_relays: Vec<BadRelay>,
    misbehave: Option<Misbehave>,
}

impl<S: Suite> core::fmt::Debug for Aggregator<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Aggregator").field("round", &self.cfg.round).finish_non_exhaustive()
    }
}

impl<S: Suite> Aggregator<S> {
    /// An aggregator for the round named in `cfg`.
    pub fn new(cfg: NodeConfig<S>) -> Self {
        let rng = node_rng(&cfg.seed, cfg.round);
        Aggregator {
            cfg,
            rng,
            out: Outbox::default(),
            early: Early::default(),
            ctx: None,
            phase: Phase::Announcement,
            groups: HashMap::new(),
            pending_per_relay: HashMap::new(),
            window: Window::default(),
            groups_opened: HashMap::new(),
            accepted: BTreeMap::new(),
            sum: None,
            rejected: Vec::new(),
            bad_relays: Vec::new(),
            misbehave: None,
        }
    }

    /// **Danger**: cheat when building the transcript (adversary tests).
    pub fn danger_misbehave(&mut self, how: Misbehave) {
        self.misbehave = Some(how);
    }

    /// Shard groups any one relay may open: every honest client's manifest plus slack, so
    /// that a relay flooding forged manifests cannot crowd out the others'.
    fn max_groups_per_relay(ctx: &RoundContext<S>) -> usize {
        ctx.ann.roster.len() + 8
    }

    fn on_announcement(&mut self, from: NodeId, ann: Announcement) {
        if self.ctx.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        match RoundContext::<S>::new(self.cfg.sys.clone(), &self.cfg.authority, ann) {
            Ok(ctx) if ctx.ann.aggregator.bundle == S::bundle(&self.cfg.key) => {
                self.out.event(Event::Announced { round: ctx.round() });
                self.ctx = Some(ctx);
                self.phase = Phase::Collecting;
            }
            Ok(ctx) => {
                self.out.event(Event::NotParticipating);
                self.ctx = Some(ctx);
                self.phase = Phase::Done;
            }
            Err(e) => self.out.drop_msg(from, e),
        }
    }

    fn on_shard(&mut self, now: Millis, from: NodeId, msg: ShardMsg) {
        let Some(ctx) = self.ctx.as_ref() else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        if !ctx.ann.relays.contains(&from) {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        }
        if now >= ctx.ann.params.contribution_deadline || !matches!(self.phase, Phase::Collecting) {
            return self.out.drop_msg(from, ProtocolError::Late);
        }
        let layout = ctx.ann.params.shards;
        let Some(manifest) = S::decode_manifest(&msg.manifest, layout, ctx.max_envelope()) else {
            return self.out.drop_msg(from, ProtocolError::WrongShape);
        };
        let key = S::manifest_digest(&manifest);
        if !self.groups.contains_key(&key) {
            let opened = self.groups_opened.entry(from).or_insert(0);
            if *opened >= Self::max_groups_per_relay(ctx) {
                return self.out.drop_msg(from, ProtocolError::Capacity);
            }
            *opened += 1;
            let group = Group {
                manifest,
                shards: (0..layout.total()).map(|_| None).collect(),
                arrivals: Vec::new(),
                suspects: Vec::new(),
                opened: false,
                complete: false,
            };
            self.groups.insert(key, group);
        }
        let cap = 2 * layout.total() * ctx.ann.roster.len().max(1);
        let Some(group) = self.groups.get_mut(&key) else { return };
        let Some((index, shard)) = S::check_shard(&group.manifest, msg.shard) else {
            if group.opened {
                blame(&mut self.bad_relays, &mut self.out, from);
            } else if !group.suspects.contains(&from) && group.suspects.len() < layout.total() {
                group.suspects.push(from);
            }
            return self.out.drop_msg(from, ProtocolError::Crypto);
        };
        if group.complete {
            return; // a valid shard of a payload already rebuilt: nothing to do
        }
        let Some(slot) = group.shards.get_mut(index) else { return };
        if slot.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        let pending = self.pending_per_relay.entry(from).or_insert(0);
        if *pending >= cap {
            return self.out.drop_msg(from, ProtocolError::Capacity);
        }
        *pending += 1;
        *slot = Some(shard);
        group.arrivals.push((from, now));
        self.window.hold(from, now);
        let have: Vec<&S::CheckedShard> = group.shards.iter().flatten().collect();
        if have.len() < usize::from(layout.data) {
            return;
        }
        let rebuilt = S::reconstruct(&group.manifest, &have);
        let all_in = have.len() == group.shards.len();
        let Some(envelope) = rebuilt else {
            if all_in {
                // Every shard valid yet no payload: the manifest itself is bogus.
                group.close(&mut self.window, now);
                return self.out.drop_msg(from, ProtocolError::Crypto);
            }
            return; // wait for more shards
        };
        group.close(&mut self.window, now);
        let opened = self.on_envelope(&envelope);
        if let Some(group) = self.groups.get_mut(&key) {
            group.opened = opened;
            if opened {
                for relay in std::mem::take(&mut group.suspects) {
                    blame(&mut self.bad_relays, &mut self.out, relay);
                }
            }
        }
        if self.everyone_in() {
            // Every roster client has an accepted contribution: nothing more can be
            // accepted (a second one is a duplicate), so waiting for the deadline would
            // only delay the round.
            self.finalize();
        }
    }

    /// Every roster client has an accepted contribution (contributions close early).
    fn everyone_in(&self) -> bool {
        matches!(self.phase, Phase::Collecting)
            && self.ctx.as_ref().is_some_and(|ctx| self.accepted.len() >= ctx.ann.roster.len())
    }

    fn reject(&mut self, client: Option<u32>, item: Digest, reason: RejectReason) {
        if self.rejected.len() < crate::messages::MAX_REJECTED {
            self.rejected.push(RejectedEntry { client, item, reason });
        }
        self.out.event(Event::Rejected { client, reason });
        let Some(ctx) = self.ctx.as_ref() else { return };
        let Some(c) = client else { return };
        let Some(node) =
            ctx.ann.roster.get(usize::try_from(c).unwrap_or(usize::MAX)).map(|p| p.node)
        else {
            return;
        };
        let mut rej =
            Rejection { round: ctx.round(), client: c, item, reason, signature: Vec::new() };
        rej.signature = S::sign(&self.cfg.key, &rej.digest(), &mut self.rng);
        self.out.send(node, &Message::Rejection(rej));
    }

    /// Opens and checks one rebuilt envelope. Returns whether it opened (which authenticates
    /// the manifest it came from).
    fn on_envelope(&mut self, envelope: &[u8]) -> bool {
        let Some(ctx) = self.ctx.as_ref() else { return false };
        // The envelope's digest names it only in a rejection before the body digest is
        // known: computed there, not for every envelope.
        let item = || bulk_digest(tags::TAG_SHARD, envelope);
        let context = envelope_context(&ctx.ann.aggregator.bundle);
        let max = ctx.max_envelope();
        let Some((sender, mut plaintext)) =
            S::unsigncrypt(&ctx.sys, &self.cfg.key, &context, envelope, max)
        else {
            self.reject(None, item(), RejectReason::Unopenable);
            return false;
        };
        let Some(client) = ctx.client_index(&sender) else {
            self.reject(None, item(), RejectReason::NotEnrolled);
            return true;
        };
        let (round, body, sealed_seeds, signature) = match parse_contribution(&plaintext) {
            Ok(c) if c.client == client => (c.round, c.body, c.sealed_seeds, c.signature),
            _ => {
                self.reject(Some(client), item(), RejectReason::Malformed);
                return true;
            }
        };
        // The contribution is public (the transcript carries its body, sealed seeds and
        // signature verbatim), not a secret: its buffer becomes the entry's body in place,
        // neither copied out nor zeroized.
        let mut body_bytes = std::mem::take(&mut *plaintext);
        body_bytes.truncate(body.end);
        body_bytes.drain(..body.start);
        let entry = AcceptedEntry { client, body: body_bytes, sealed_seeds, signature };
        let digests = EntryDigests::of(&entry);
        if let Err(reason) = self.check_entry(round, &sender, &entry, &digests) {
            self.reject(Some(client), digests.body, reason);
            return true;
        }
        let reference = EntryRef { client, digests, signature: entry.signature.clone() };
        let sealed_seeds = entry.sealed_seeds.clone();
        let body = if self.misbehave.is_some() {
            Some(entry.body)
        } else {
            let msg = Message::Entry(EntryMsg { round, entry });
            if let Some(ctx) = self.ctx.as_ref() {
                self.out.broadcast(ctx.ann.observers.iter().copied(), &msg);
            }
            None
        };
        self.accepted.insert(client, Accepted { reference, sealed_seeds, body });
        self.out.event(Event::Accepted { client });
        true
    }

    /// Checks 4–8 of `spec/protocol.md` §5.3 on an opened contribution from `sender`,
    /// adding it to the sum if they pass; the rejection reason otherwise.
    fn check_entry(
        &mut self,
        round: crate::params::RoundId,
        sender: &[u8],
        e: &AcceptedEntry,
        d: &EntryDigests,
    ) -> Result<(), RejectReason> {
        let ctx = self.ctx.as_ref().ok_or(RejectReason::Malformed)?;
        if round != ctx.round() {
            return Err(RejectReason::WrongRound);
        }
        if self.accepted.contains_key(&e.client) {
            return Err(RejectReason::Duplicate);
        }
        let statement = contribution_statement(&ctx.digest, round, e.client, &d.body, &d.seeds);
        if !S::verify(&ctx.sys, sender, &statement, &e.signature) {
            return Err(RejectReason::BadSignature);
        }
        if e.sealed_seeds.len() != ctx.sealed_seed_count() {
            return Err(RejectReason::Malformed);
        }
        let c = S::decode_contribution(&ctx.params, &e.body).ok_or(RejectReason::Malformed)?;
        let sum = self.sum.get_or_insert_with(|| S::new_aggregate(&ctx.params));
        if !S::add(&ctx.params, sum, &c) {
            return Err(RejectReason::Malformed);
        }
        Ok(())
    }

    /// The contribution deadline, or every roster client in: publish the transcript and send
    /// each member its list.
    fn finalize(&mut self) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        self.groups.clear();
        self.pending_per_relay.clear();
        self.window.clear();
        let accepted = std::mem::take(&mut self.accepted).into_values();
        let mut sum = self.sum.take().unwrap_or_else(|| S::new_aggregate(&ctx.params));
        let (accepted, sealed): (Vec<EntryRef>, Vec<Vec<Vec<u8>>>) = match self.misbehave {
            Some(how) => {
                let full = accepted.map(|a| AcceptedEntry {
                    client: a.reference.client,
                    body: a.body.unwrap_or_default(),
                    sealed_seeds: a.sealed_seeds,
                    signature: a.reference.signature,
                });
                cheat_and_stream::<S>(ctx, how, full.collect(), &mut sum, &mut self.out)
            }
            None => accepted.map(|a| (a.reference, a.sealed_seeds)).unzip(),
        };
        let sealed: Vec<&[Vec<u8>]> = sealed.iter().map(Vec::as_slice).collect();
        let mut t = TranscriptMsg {
            round: ctx.round(),
            announcement: ctx.digest,
            accepted,
            rejected: std::mem::take(&mut self.rejected),
            bad_relays: std::mem::take(&mut self.bad_relays),
            aggregate: S::encode_aggregate(&sum),
            signature: Vec::new(),
        };
        let digest = t.digest();
        let agreed = transcript_agreed_digest(ctx, &t);
        t.signature = S::sign(&self.cfg.key, &digest, &mut self.rng);
        let count = u32::try_from(t.accepted.len()).unwrap_or(u32::MAX);
        let min = ctx.ann.params.min_clients;
        // A cheating aggregator (tests) presses on to ask for decryption regardless.
        let decrypt = count >= min || self.misbehave.is_some();
        let mut lists = Vec::new();
        if decrypt {
            for (j, node) in ctx.committee_nodes().enumerate() {
                let j = u32::try_from(j).unwrap_or(u32::MAX);
                let list = member_list(ctx, &t, &digest, &sealed, j, self.misbehave);
                let Some(mut list) = list else {
                    // Unreachable for accepted entries (each has k seeds); keeps the slots
                    // aligned with the committee, and no partial can name this digest.
                    lists.push([0; 32]);
                    continue;
                };
                list.signature = S::sign(&self.cfg.key, &list.digest(), &mut self.rng);
                lists.push(list.digest());
                self.out.send(node, &Message::List(list));
                if j == 0 && self.misbehave == Some(Misbehave::SecondList) {
                    let second =
                        member_list(ctx, &t, &digest, &sealed, 0, Some(Misbehave::Equivocate));
                    if let Some(mut second) = second {
                        second.signature = S::sign(&self.cfg.key, &second.digest(), &mut self.rng);
                        self.out.send(node, &Message::List(second));
                    }
                }
            }
        }
        self.out.broadcast(ctx.ann.observers.iter().copied(), &Message::Transcript(t));
        self.out.event(Event::TranscriptPublished { digest, accepted: count });
        self.sum = Some(sum);
        if !decrypt {
            self.out
                .event(Event::Failed(RoundFailure::TooFewContributions { accepted: count, min }));
            self.phase = Phase::Done;
            return;
        }
        let n = ctx.committee_size();
        self.phase = Phase::Deciding(Box::new(Decision {
            digest,
            count,
            lists,
            agreed,
            seen: vec![Vec::new(); n],
            arrival: Vec::new(),
            equivocations: Vec::new(),
            refused: Vec::new(),
            certificate: None,
            partials: vec![None; n],
        }));
    }
}

impl<S: Suite> Role for Aggregator<S> {
    #[allow(clippy::only_used_in_recursion)] // `now` is passed on when held messages replay
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        let msg = match Message::from_bytes(bytes) {
            Ok(m) => m,
            Err(e) => return self.out.drop_msg(from, e.into()),
        };
        if msg.round() != self.cfg.round {
            return self.out.drop_msg(from, ProtocolError::WrongRound);
        }
        let is_announcement = matches!(msg, Message::Announcement(_));
        if self.ctx.is_none() && !is_announcement {
            // Held unchecked (the keys that check it come with the announcement), so only
            // the kinds this role uses: others cannot take the bounded hold.
            let used = matches!(
                msg,
                Message::Shard(_)
                    | Message::Agreement(_)
                    | Message::Partial(_)
                    | Message::Refusal(_)
            );
            if !used {
                return self.out.drop_msg(from, ProtocolError::Unexpected);
            }
            if !self.early.hold(from, bytes) {
                self.out.drop_msg(from, ProtocolError::Capacity);
            }
            return;
        }
        let before = self.ctx.is_some();
        if matches!(self.phase, Phase::Done)
            && !matches!(msg, Message::Announcement(_) | Message::Shard(_))
        {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        }
        match msg {
            Message::Announcement(a) => self.on_announcement(from, a),
            Message::Shard(s) => self.on_shard(now, from, s),
            Message::Agreement(a) => self.on_agreement(from, a),
            Message::Partial(p) => self.on_partial(from, p),
            Message::Refusal(r) => self.on_refusal(from, r),
            _ => self.out.drop_msg(from, ProtocolError::Unexpected),
        }
        if !before && self.ctx.is_some() {
            for (from, bytes) in self.early.take() {
                self.handle_message(now, from, &bytes);
            }
        }
    }

    fn handle_timeout(&mut self, now: Millis) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let p = &ctx.ann.params;
        match &self.phase {
            Phase::Collecting if now >= p.contribution_deadline => self.finalize(),
            Phase::Collecting => self.window.update(now),
            Phase::Deciding(d) if now >= p.decryption_deadline => {
                let failure = match &d.certificate {
                    // No quorum: no sum (t-of-n: nobody decrypted anything).
                    None => RoundFailure::NoQuorum {
                        agreed: u32::try_from(d.eligible().len()).unwrap_or(u32::MAX),
                        quorum: u32::from(ctx.committee.quorum_size()),
                    },
                    Some((_, quorum)) => {
                        let missing = (0u32..64).find(|&m| {
                            quorum & (1u64 << m) != 0
                                && usize::try_from(m)
                                    .ok()
                                    .and_then(|i| d.partials.get(i))
                                    .is_some_and(Option::is_none)
                        });
                        RoundFailure::MissingPartial { member: missing.unwrap_or(0) }
                    }
                };
                self.out.event(Event::Failed(failure));
                self.phase = Phase::Done;
            }
            _ => {}
        }
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.out.poll_event()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        let ctx = self.ctx.as_ref()?;
        match self.phase {
            Phase::Collecting => {
                let close = ctx.ann.params.contribution_deadline;
                Some(self.window.next_change().map_or(close, |t| t.min(close)))
            }
            Phase::Deciding(_) => Some(ctx.ann.params.decryption_deadline),
            _ => None,
        }
    }

    fn paused_senders(&self) -> &[NodeId] {
        self.window.paused()
    }
}

fn blame(bad: &mut Vec<BadRelay>, out: &mut Outbox, relay: NodeId) {
    let b = BadRelay { relay, fault: RelayFault::CorruptShard };
    if !bad.contains(&b) && bad.len() < usize::try_from(crate::params::MAX_RELAYS).unwrap_or(64) {
        bad.push(b);
        out.event(Event::RelayBlamed(b));
    }
}

/// A [`Contribution`] decoded with its body left in the input: the body's byte range.
struct ParsedContribution {
    round: crate::params::RoundId,
    client: u32,
    body: core::ops::Range<usize>,
    sealed_seeds: Vec<Vec<u8>>,
    signature: Vec<u8>,
}

/// [`Contribution::from_bytes`] without copying the body out (the same fields, bounds and
/// order, and no trailing bytes): the aggregator keeps the opened envelope's buffer as the
/// body instead of copying some 8 bytes per coordinate.
fn parse_contribution(bytes: &[u8]) -> Result<ParsedContribution, gradseal_core::DecodeError> {
    use crate::messages::{MAX_CONTRIBUTION, MAX_SIGNATURE, contribution::read_sealed_seeds};
    let mut r = gradseal_core::Reader::new(bytes);
    let round = crate::params::RoundId(r.read_u64("contribution.round")?);
    let client = r.read_u32("contribution.client")?;
    let len = r.read_var_bytes("contribution.body", MAX_CONTRIBUTION)?.len();
    let end = bytes.len() - r.remaining();
    let body = end - len..end;
    let sealed_seeds = read_sealed_seeds(&mut r, "contribution.sealed_seeds")?;
    let signature = r.read_var_bytes("contribution.signature", MAX_SIGNATURE)?.to_vec();
    r.finish(core::any::type_name::<Contribution>())?;
    Ok(ParsedContribution { round, client, body, sealed_seeds, signature })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::params::RoundId;

    /// What [`parse_contribution`] leaves in place, copied out: the decoder's value.
    fn owned(bytes: &[u8]) -> Option<Contribution> {
        let p = parse_contribution(bytes).ok()?;
        Some(Contribution {
            round: p.round,
            client: p.client,
            body: bytes.get(p.body)?.to_vec(),
            sealed_seeds: p.sealed_seeds,
            signature: p.signature,
        })
    }

    proptest! {
        /// The borrowed parse accepts exactly what `Contribution::from_bytes` accepts, with
        /// the same fields: on encodings, their truncations, extensions and byte flips.
        #[test]
        fn parse_contribution_is_the_decoder(
            round in any::<u64>(),
            client in any::<u32>(),
            body in proptest::collection::vec(any::<u8>(), 0..300),
            seeds in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..4),
            signature in proptest::collection::vec(any::<u8>(), 0..80),
            cut in any::<prop::sample::Index>(),
            flip in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let c = Contribution { round: RoundId(round), client, body, sealed_seeds: seeds, signature };
            let bytes = c.to_bytes();
            prop_assert_eq!(owned(&bytes), Some(c));
            let mut variants = vec![
                bytes[..cut.index(bytes.len())].to_vec(),
                [bytes.as_slice(), &[byte]].concat(),
            ];
            let mut flipped = bytes.clone();
            flipped[flip.index(bytes.len())] ^= byte | 1;
            variants.push(flipped);
            for v in variants {
                prop_assert_eq!(owned(&v), Contribution::from_bytes(&v).ok());
            }
        }
    }
}
