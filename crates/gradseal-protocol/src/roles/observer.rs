//! The observer (auditor): re-runs the transcript verification algorithm, then checks the
//! result against the transcript and every member's signed partial decryption by combining
//! them itself. Anyone holding the public messages of a round can run it.

use gradseal_core::Codec;

use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{Message, RoundResult, TranscriptMsg};
use crate::params::{Millis, NodeId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::roles::NodeConfig;
use crate::round::{RoundContext, Verified, verify_transcript};
use crate::suite::Suite;

/// An observer of one round. Its `key` in [`NodeConfig`] is unused (observers sign nothing).
pub struct Observer<S: Suite> {
    cfg: NodeConfig<S>,
    out: Outbox,
    early: Early,
    ctx: Option<RoundContext<S>>,
    bodies: Vec<Option<Vec<u8>>>,
    joint: Option<S::JointKey>,
    verified: Option<Verified<S>>,
    /// A transcript that arrived before every key body (its proofs need the joint key).
    held_transcript: Option<(NodeId, TranscriptMsg)>,
    /// A result that arrived before the transcript it refers to had been verified.
    held_result: Option<(NodeId, RoundResult)>,
    done: bool,
}

impl<S: Suite> core::fmt::Debug for Observer<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Observer").field("round", &self.cfg.round).finish_non_exhaustive()
    }
}

impl<S: Suite> Observer<S> {
    /// An observer for the round named in `cfg`.
    pub fn new(cfg: NodeConfig<S>) -> Self {
        Observer {
            cfg,
            out: Outbox::default(),
            early: Early::default(),
            ctx: None,
            bodies: Vec::new(),
            joint: None,
            verified: None,
            held_transcript: None,
            held_result: None,
            done: false,
        }
    }

    fn fail(&mut self, fault: TranscriptFault) {
        self.done = true;
        self.out.event(Event::AuditFailed(fault));
    }

    /// Checks a result against the verified transcript (see `spec/protocol.md`, "Audit").
    fn check_result(ctx: &RoundContext<S>, v: &Verified<S>, r: &RoundResult) -> bool {
        if r.transcript != v.digest
            || r.count != v.count
            || r.partials.len() != ctx.ann.committee.len()
        {
            return false;
        }
        for (i, p) in r.partials.iter().enumerate() {
            let ok = u32::try_from(i).is_ok_and(|i| i == p.member)
                && p.round == ctx.round()
                && p.transcript == v.digest
                && ctx
                    .member_bundle(p.member)
                    .is_some_and(|b| S::verify(&ctx.sys, b, &p.digest(), &p.signature));
            if !ok {
                return false;
            }
        }
        let refs: Vec<&[u8]> = r.partials.iter().map(|p| p.partial.as_slice()).collect();
        S::combine(&ctx.params, &v.aggregate, &refs).is_some_and(|sum| sum == r.sum)
    }
}

impl<S: Suite> Observer<S> {
    /// Verifies a transcript once the joint key is known (messages are reordered in transit:
    /// a transcript can overtake a key body). Holds one; later ones wait their turn.
    fn on_transcript(&mut self, from: NodeId, t: TranscriptMsg) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        if self.joint.is_none() {
            return self.out.hold_one(&mut self.held_transcript, from, t);
        }
        match verify_transcript(ctx, self.joint.as_ref(), &t) {
            Ok(v) => {
                self.verified = Some(v);
                if let Some((from, r)) = self.held_result.take() {
                    self.on_result(from, r);
                }
            }
            Err(TranscriptFault::WrongRound) => self.out.drop_msg(from, ProtocolError::WrongRound),
            Err(TranscriptFault::BadAggregatorSignature) => {
                self.out.drop_msg(from, ProtocolError::BadSignature);
            }
            Err(fault) => self.fail(fault),
        }
    }

    /// Checks an aggregator-signed result, or holds it until the transcript is verified (the
    /// result can overtake the transcript in transit).
    fn on_result(&mut self, from: NodeId, r: RoundResult) {
        let (Some(ctx), Some(v)) = (self.ctx.as_ref(), self.verified.as_ref()) else {
            return self.out.hold_one(&mut self.held_result, from, r);
        };
        if Self::check_result(ctx, v, &r) {
            self.done = true;
            self.out.event(Event::AuditPassed { count: r.count });
            self.out.event(Event::Completed(Box::new(r)));
        } else {
            self.fail(TranscriptFault::ResultMismatch);
        }
    }
}

impl<S: Suite> Role for Observer<S> {
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
        if self.done {
            return;
        }
        match (msg, self.ctx.as_ref()) {
            (Message::Announcement(a), None) => {
                match RoundContext::<S>::new(self.cfg.sys.clone(), &self.cfg.authority, a) {
                    Ok(ctx) => {
                        self.bodies = vec![None; ctx.ann.committee.len()];
                        self.out.event(Event::Announced { round: ctx.round() });
                        self.ctx = Some(ctx);
                    }
                    Err(e) => self.out.drop_msg(from, e),
                }
            }
            (Message::KeyBody(kb), Some(ctx)) => {
                let ok = kb.announcement == ctx.digest
                    && ctx
                        .member_bundle(kb.member)
                        .is_some_and(|b| S::verify(&ctx.sys, b, &kb.digest(), &kb.signature));
                let slot = usize::try_from(kb.member).ok().and_then(|i| self.bodies.get_mut(i));
                match (ok, slot) {
                    (true, Some(slot @ None)) => *slot = Some(kb.body),
                    (true, Some(Some(_))) => {
                        return self.out.drop_msg(from, ProtocolError::Duplicate);
                    }
                    _ => return self.out.drop_msg(from, ProtocolError::BadSignature),
                }
                if self.bodies.iter().all(Option::is_some) {
                    let refs: Vec<&[u8]> =
                        self.bodies.iter().flatten().map(Vec::as_slice).collect();
                    self.joint = S::joint_key(&ctx.params, &refs);
                    if let Some((from, t)) = self.held_transcript.take() {
                        self.on_transcript(from, t);
                    }
                }
            }
            (Message::Transcript(t), Some(_)) if self.verified.is_none() => {
                self.on_transcript(from, t);
            }
            (Message::Refusal(r), Some(ctx)) => {
                let ok = ctx
                    .member_bundle(r.member)
                    .is_some_and(|b| S::verify(&ctx.sys, b, &r.digest(), &r.signature));
                if ok {
                    self.out.event(Event::Refused { member: r.member, fault: r.fault });
                } else {
                    self.out.drop_msg(from, ProtocolError::BadSignature);
                }
            }
            (Message::Partial(_), Some(_)) => {} // checked inside the result
            (Message::Result(r), Some(ctx)) => {
                if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &r.digest(), &r.signature) {
                    return self.out.drop_msg(from, ProtocolError::BadSignature);
                }
                self.on_result(from, r);
            }
            _ => self.out.drop_msg(from, ProtocolError::Unexpected),
        }
        if !before && self.ctx.is_some() {
            for (from, bytes) in self.early.take() {
                self.handle_message(now, from, &bytes);
            }
        }
    }

    fn handle_timeout(&mut self, _now: Millis) {}

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.out.poll_event()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
}
