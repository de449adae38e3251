//! A committee member: sends nothing until the aggregator's list for it arrives, checks it
//! (`spec/protocol.md` §6.1), and answers exactly once, with a partial decryption if every
//! check passes or a signed refusal naming the failed check. The share built from the
//! list's seeds is consumed by that one decryption: a second decryption on another list
//! would reveal the difference of the two, so a second, different list is refused.

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;

use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{Announcement, Digest, MemberList, Message, PartialDecryption, Refusal};
use crate::params::{Millis, NodeId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::roles::{NodeConfig, node_rng};
use crate::round::{RoundContext, authenticate_list, check_list};
use crate::suite::Suite;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Announcement,
    /// On the committee; waiting for its list.
    Waiting,
    /// Answered the list with this digest: no share is left.
    Answered {
        list: Digest,
    },
    /// Not a member, or past the decryption deadline without a list.
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
        match ctx.member_index(&S::bundle(&self.cfg.key)) {
            Some(index) => {
                self.index = index;
                self.phase = Phase::Waiting;
            }
            None => {
                self.out.event(Event::NotParticipating);
                self.phase = Phase::Done;
            }
        }
        self.ctx = Some(ctx);
    }

    fn refuse(&mut self, list: &MemberList, digest: Digest, fault: TranscriptFault) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let mut r = Refusal {
            round: ctx.round(),
            transcript: list.transcript,
            list: digest,
            list_signature: list.signature.clone(),
            member: self.index,
            fault,
            signature: Vec::new(),
        };
        r.signature = S::sign(&self.cfg.key, &r.digest(), &mut self.rng);
        let to: Vec<NodeId> = std::iter::once(ctx.ann.aggregator.node)
            .chain(ctx.ann.observers.iter().copied())
            .collect();
        self.out.broadcast(to, &Message::Refusal(r));
        self.out.event(Event::Refused { member: self.index, fault });
    }

    fn on_list(&mut self, from: NodeId, list: MemberList) {
        let Some(ctx) = self.ctx.as_ref() else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        // Steps 1-2 first, for every phase: what fails them is not the aggregator's list for
        // this member (a network attacker can send it), so it is dropped without a word and
        // without spending anything.
        let digest = match authenticate_list(ctx, self.index, &list) {
            Ok(d) => d,
            Err(TranscriptFault::WrongRound) => {
                return self.out.drop_msg(from, ProtocolError::WrongRound);
            }
            Err(_) => return self.out.drop_msg(from, ProtocolError::BadSignature),
        };
        match self.phase {
            Phase::Waiting => {}
            // The same list again (the network duplicates): nothing to do.
            Phase::Answered { list: answered } if answered == digest => {
                return self.out.drop_msg(from, ProtocolError::Duplicate);
            }
            // A different list signed by the aggregator for a round already answered: the
            // share is gone, and the aggregator is trying for a second decryption.
            Phase::Answered { .. } => {
                return self.refuse(&list, digest, TranscriptFault::AlreadyAnswered);
            }
            Phase::Announcement | Phase::Done => {
                return self.out.drop_msg(from, ProtocolError::Late);
            }
        }
        self.phase = Phase::Answered { list: digest };
        let checked = match check_list(ctx, &self.cfg.key, self.index, &list) {
            Ok(c) => c,
            Err(fault) => return self.refuse(&list, digest, fault),
        };
        let Some(partial) = S::partial_decrypt(&ctx.params, checked.share, &mut self.rng) else {
            return self.out.drop_msg(from, ProtocolError::Crypto);
        };
        let mut p = PartialDecryption {
            round: ctx.round(),
            transcript: checked.transcript,
            list: digest,
            list_signature: list.signature.clone(),
            member: self.index,
            partial,
            signature: Vec::new(),
        };
        p.signature = S::sign(&self.cfg.key, &p.digest(), &mut self.rng);
        let to: Vec<NodeId> = std::iter::once(ctx.ann.aggregator.node)
            .chain(ctx.ann.observers.iter().copied())
            .collect();
        self.out.broadcast(to, &Message::Partial(p));
        self.out.event(Event::Decrypted { list: digest });
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
            // Held unchecked (the keys that check it come with the announcement), so only
            // the kinds this role uses: others cannot take the bounded hold.
            if !matches!(msg, Message::List(_)) {
                return self.out.drop_msg(from, ProtocolError::Unexpected);
            }
            if !self.early.hold(from, bytes) {
                self.out.drop_msg(from, ProtocolError::Capacity);
            }
            return;
        }
        let before = self.ctx.is_some();
        match msg {
            Message::Announcement(a) => self.on_announcement(from, a),
            Message::List(l) => self.on_list(from, l),
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
        if self.phase == Phase::Waiting && now >= ctx.ann.params.decryption_deadline {
            // Past the deadline nobody may ask this member to decrypt any more.
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
        match (&self.ctx, self.phase) {
            (Some(ctx), Phase::Waiting) => Some(ctx.ann.params.decryption_deadline),
            _ => None,
        }
    }
}
