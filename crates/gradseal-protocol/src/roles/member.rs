//! A committee member: publishes its key body for the round, then verifies the aggregator's
//! transcript and answers it exactly once, with a partial decryption if every check passes
//! or a signed refusal naming the failed check. Either way its key share is gone afterwards:
//! a second decryption under the same share would be a second leak.

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;

use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{Announcement, KeyBody, Message, PartialDecryption, Refusal, TranscriptMsg};
use crate::params::{Millis, NodeId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::roles::{NodeConfig, node_rng};
use crate::round::{RoundContext, verify_transcript};
use crate::suite::Suite;

enum Phase {
    Announcement,
    /// Key body sent; waiting for the transcript.
    Waiting,
    /// Answered (or not a member, or past the deadline): the share is destroyed.
    Done,
}

/// A committee member of one round.
pub struct Member<S: Suite> {
    cfg: NodeConfig<S>,
    rng: ChaCha20Rng,
    out: Outbox,
    early: Early,
    ctx: Option<RoundContext<S>>,
    index: u32,
    share: Option<S::KeyShare>,
    bodies: Vec<Option<Vec<u8>>>,
    joint: Option<S::JointKey>,
    /// A transcript that arrived before the joint key was complete.
    held: Option<(NodeId, TranscriptMsg)>,
    phase: Phase,
}

impl<S: Suite> core::fmt::Debug for Member<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Member").field("round", &self.cfg.round).finish_non_exhaustive()
    }
}

impl<S: Suite> Member<S> {
    /// A member for the round named in `cfg`.
    pub fn new(cfg: NodeConfig<S>) -> Self {
        let rng = node_rng(&cfg.seed, cfg.round);
        Member {
            cfg,
            rng,
            out: Outbox::default(),
            early: Early::default(),
            ctx: None,
            index: 0,
            share: None,
            bodies: Vec::new(),
            joint: None,
            held: None,
            phase: Phase::Announcement,
        }
    }

    fn on_announcement(&mut self, from: NodeId, ann: Announcement) {
        if self.ctx.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        let ctx = match RoundContext::<S>::new(self.cfg.sys.clone(), &self.cfg.authority, ann) {
            Ok(c) => c,
            Err(e) => return self.out.drop_msg(from, e),
        };
        self.out.event(Event::Announced { round: ctx.round() });
        let Some(index) = ctx.member_index(&S::bundle(&self.cfg.key)) else {
            self.out.event(Event::NotParticipating);
            self.phase = Phase::Done;
            self.ctx = Some(ctx);
            return;
        };
        let Some((share, body)) = S::key_share(&ctx.params, index, &mut self.rng) else {
            self.out.event(Event::NotParticipating);
            self.phase = Phase::Done;
            self.ctx = Some(ctx);
            return;
        };
        let mut kb = KeyBody {
            round: ctx.round(),
            announcement: ctx.digest,
            member: index,
            body,
            signature: Vec::new(),
        };
        kb.signature = S::sign(&self.cfg.key, &kb.digest(), &mut self.rng);
        let to: Vec<NodeId> = std::iter::once(ctx.ann.aggregator.node)
            .chain(
                ctx.committee_nodes()
                    .filter(|n| ctx.ann.committee.get(index as usize).is_none_or(|p| p.node != *n)),
            )
            .chain(ctx.ann.observers.iter().copied())
            .chain(ctx.roster_nodes())
            .collect();
        self.out.broadcast(to, &Message::KeyBody(kb.clone()));
        self.bodies = vec![None; ctx.ann.committee.len()];
        if let Some(slot) = self.bodies.get_mut(index as usize) {
            *slot = Some(kb.body);
        }
        self.index = index;
        self.share = Some(share);
        self.phase = Phase::Waiting;
        self.ctx = Some(ctx);
    }

    fn on_key_body(&mut self, from: NodeId, kb: KeyBody) {
        let Some(ctx) = self.ctx.as_ref() else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        if kb.announcement != ctx.digest {
            return self.out.drop_msg(from, ProtocolError::WrongRound);
        }
        let Some(bundle) = ctx.member_bundle(kb.member) else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if !S::verify(&ctx.sys, bundle, &kb.digest(), &kb.signature) {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        let Some(slot) = usize::try_from(kb.member).ok().and_then(|i| self.bodies.get_mut(i))
        else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if slot.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        *slot = Some(kb.body);
        if self.bodies.iter().all(Option::is_some) {
            let refs: Vec<&[u8]> = self.bodies.iter().flatten().map(Vec::as_slice).collect();
            self.joint = S::joint_key(&ctx.params, &refs);
            if self.joint.is_some() {
                self.out.event(Event::JointKeyReady);
                if let Some((from, t)) = self.held.take() {
                    self.on_transcript(from, t);
                }
            }
        }
    }

    fn on_transcript(&mut self, from: NodeId, t: TranscriptMsg) {
        let (Some(ctx), Phase::Waiting) = (self.ctx.as_ref(), &self.phase) else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        if self.joint.is_none() {
            // The joint key is needed to check proofs: hold one transcript until every key
            // body is in (the network may reorder), rather than refuse and burn the share.
            return self.out.hold_one(&mut self.held, from, t);
        }
        let verdict = verify_transcript(ctx, self.joint.as_ref(), &t);
        let digest = match &verdict {
            // Not the aggregator's transcript for this round: ignore it without spending the
            // share, so that a network attacker cannot burn it.
            Err(TranscriptFault::WrongRound) => {
                return self.out.drop_msg(from, ProtocolError::WrongRound);
            }
            Err(TranscriptFault::BadAggregatorSignature) => {
                return self.out.drop_msg(from, ProtocolError::BadSignature);
            }
            Ok(v) => v.digest,
            Err(_) => t.digest(),
        };
        self.phase = Phase::Done;
        let share = self.share.take();
        let aggregator = ctx.ann.aggregator.node;
        let to: Vec<NodeId> =
            std::iter::once(aggregator).chain(ctx.ann.observers.iter().copied()).collect();
        let verified = match verdict {
            Ok(v) => v,
            Err(fault) => {
                let mut r = Refusal {
                    round: ctx.round(),
                    transcript: digest,
                    member: self.index,
                    fault,
                    signature: Vec::new(),
                };
                r.signature = S::sign(&self.cfg.key, &r.digest(), &mut self.rng);
                self.out.broadcast(to, &Message::Refusal(r));
                self.out.event(Event::Refused { member: self.index, fault });
                return;
            }
        };
        let Some(partial) = share
            .and_then(|s| S::partial_decrypt(&ctx.params, s, &verified.aggregate, &mut self.rng))
        else {
            return self.out.drop_msg(from, ProtocolError::Crypto);
        };
        let mut p = PartialDecryption {
            round: ctx.round(),
            transcript: digest,
            member: self.index,
            partial,
            signature: Vec::new(),
        };
        p.signature = S::sign(&self.cfg.key, &p.digest(), &mut self.rng);
        self.out.broadcast(to, &Message::Partial(p));
        self.out.event(Event::Decrypted { transcript: digest });
    }
}

impl<S: Suite> Role for Member<S> {
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
            if !self.early.hold(from, bytes) {
                self.out.drop_msg(from, ProtocolError::Capacity);
            }
            return;
        }
        let before = self.ctx.is_some();
        match msg {
            Message::Announcement(a) => self.on_announcement(from, a),
            Message::KeyBody(kb) => self.on_key_body(from, kb),
            Message::Transcript(t) => self.on_transcript(from, t),
            // The result is informational for members.
            Message::Result(_) => {}
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
        if matches!(self.phase, Phase::Waiting) && now >= ctx.ann.params.decryption_deadline {
            // Past the deadline nobody may ask for this share any more: destroy it.
            self.share = None;
            self.phase = Phase::Done;
        }
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.out.poll_event()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        match (&self.ctx, &self.phase) {
            (Some(ctx), Phase::Waiting) => Some(ctx.ann.params.decryption_deadline),
            _ => None,
        }
    }
}
