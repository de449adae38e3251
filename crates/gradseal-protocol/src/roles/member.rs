//! A committee member: sends nothing until the aggregator's list for it arrives, checks it
//! (`spec/protocol.md` §6.1), and answers it exactly once: with a signed refusal naming the
//! failed check, or, if every check passes, with a signed agreement on the list's agreement
//! digest `E`. It keeps the share built from the list's seeds until a quorum certificate on
//! its own `E` (q valid member signatures, its own among them) arrives, then decrypts once
//! for that quorum; a second certificate is ignored and a second, different list refused:
//! a second decryption would reveal the difference of the two lists. With `q = n` (n-of-n)
//! the only quorum is the whole committee, so it decrypts for it at once, with its
//! agreement, without waiting for a certificate (`spec/protocol.md` §5.5, §7.8).

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;

use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{
    Agreement, Announcement, Digest, MemberList, Message, PartialDecryption, QuorumCertificate,
    Refusal,
};
use crate::params::{Millis, NodeId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::roles::{NodeConfig, node_rng};
use crate::round::{RoundContext, authenticate_list, check_certificate, check_list};
use crate::suite::Suite;

/// The list a member agreed to, and the share it keeps until a certificate.
struct AgreedList<S: Suite> {
    /// `L_j`.
    list: Digest,
    /// The aggregator's signature over `L_j`, copied into the partial.
    list_signature: Vec<u8>,
    /// The transcript digest the list names.
    transcript: Digest,
    /// The agreement digest `E`.
    agreed: Digest,
    /// The share, consumed by the one decryption.
    share: S::MemberShare,
}

enum Phase<S: Suite> {
    Announcement,
    /// On the committee; waiting for its list.
    Waiting,
    /// Agreed to one list; waiting for a certificate on its `E`.
    Agreed(Box<AgreedList<S>>),
    /// Answered the list with this digest (refused it, or decrypted it): no share is left.
    Answered {
        list: Digest,
    },
    /// Not a member, or past the decryption deadline without decrypting.
    Done,
}

impl<S: Suite> Phase<S> {
    /// The list digest this member already answered or agreed to.
    fn answered(&self) -> Option<Digest> {
        match self {
            Phase::Agreed(a) => Some(a.list),
            Phase::Answered { list } => Some(*list),
            _ => None,
        }
    }
}

/// A committee member of one round.
pub struct Member<S: Suite> {
    cfg: NodeConfig<S>,
    rng: ChaCha20Rng,
    out: Outbox,
    early: Early,
    ctx: Option<RoundContext<S>>,
    index: u32,
    phase: Phase<S>,
    equivocate: bool,
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
            equivocate: false,
        }
    }

    /// **Danger**: after its honest agreement, also sign and send an agreement on another
    /// digest (adversary tests of equivocating members).
    pub fn danger_equivocate(&mut self) {
        self.equivocate = true;
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

    /// The aggregator and the observers: where agreements, partials and refusals go.
    fn audience(ctx: &RoundContext<S>) -> Vec<NodeId> {
        std::iter::once(ctx.ann.aggregator.node).chain(ctx.ann.observers.iter().copied()).collect()
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
        self.out.broadcast(Self::audience(ctx), &Message::Refusal(r));
        self.out.event(Event::Refused { member: self.index, fault });
    }

    fn agree(&mut self, agreed: &Digest) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let mut a =
            Agreement { round: ctx.round(), member: self.index, list: *agreed, signature: vec![] };
        a.signature = S::sign(&self.cfg.key, &a.digest(), &mut self.rng);
        self.out.broadcast(Self::audience(ctx), &Message::Agreement(a));
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
        match (&self.phase, self.phase.answered()) {
            (Phase::Waiting, _) => {}
            // The same list again (the network duplicates): nothing to do.
            (_, Some(answered)) if answered == digest => {
                return self.out.drop_msg(from, ProtocolError::Duplicate);
            }
            // A different list signed by the aggregator for a round already answered: the
            // member agrees to one list per round (and decrypts at most that one).
            (_, Some(_)) => {
                return self.refuse(&list, digest, TranscriptFault::AlreadyAnswered);
            }
            _ => return self.out.drop_msg(from, ProtocolError::Late),
        }
        let checked = match check_list(ctx, &self.cfg.key, self.index, &list) {
            Ok(c) => c,
            Err(fault) => {
                self.phase = Phase::Answered { list: digest };
                return self.refuse(&list, digest, fault);
            }
        };
        let agreed = checked.agreed;
        self.phase = Phase::Agreed(Box::new(AgreedList {
            list: digest,
            list_signature: list.signature,
            transcript: checked.transcript,
            agreed,
            share: checked.share,
        }));
        self.agree(&agreed);
        self.out.event(Event::Agreed { agreed });
        if self.equivocate {
            let mut other = agreed;
            other[0] ^= 1;
            self.agree(&other);
        }
        if let Some(everyone) = self.ctx.as_ref().and_then(RoundContext::sole_quorum) {
            // n-of-n: the one possible quorum; nothing to wait for (§7.8).
            self.decrypt(from, everyone);
        }
    }

    fn on_certificate(&mut self, from: NodeId, cert: QuorumCertificate) {
        let Some(ctx) = self.ctx.as_ref() else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        let Phase::Agreed(agreed) = &self.phase else {
            // Decrypted already (once per round), refused, or nothing agreed to.
            let error = match self.phase {
                Phase::Answered { .. } => ProtocolError::Duplicate,
                Phase::Done => ProtocolError::Late,
                _ => ProtocolError::Unexpected,
            };
            return self.out.drop_msg(from, error);
        };
        let quorum = match check_certificate(ctx, &cert, &agreed.agreed) {
            Ok(q) => q,
            Err(fault) => return self.out.drop_msg(from, fault.into()),
        };
        if quorum & 1u64.checked_shl(self.index).unwrap_or(0) == 0 {
            // Not in the quorum: nothing more to do (the quorum decrypts without it).
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        }
        self.decrypt(from, quorum);
    }

    /// Decrypts the agreed list once, for `quorum`, and sends the partial.
    fn decrypt(&mut self, from: NodeId, quorum: u64) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let Phase::Agreed(agreed) = std::mem::replace(&mut self.phase, Phase::Done) else {
            return;
        };
        let AgreedList { list, list_signature, transcript, agreed, share } = *agreed;
        self.phase = Phase::Answered { list };
        let Some(partial) = S::partial_decrypt(&ctx.params, share, quorum, &mut self.rng) else {
            return self.out.drop_msg(from, ProtocolError::Crypto);
        };
        let mut p = PartialDecryption {
            round: ctx.round(),
            transcript,
            list,
            list_signature,
            agreed,
            quorum,
            member: self.index,
            partial,
            signature: Vec::new(),
        };
        p.signature = S::sign(&self.cfg.key, &p.digest(), &mut self.rng);
        self.out.broadcast(Self::audience(ctx), &Message::Partial(p));
        self.out.event(Event::Decrypted { list });
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
            if !matches!(msg, Message::List(_) | Message::Certificate(_)) {
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
            Message::Certificate(c) => self.on_certificate(from, c),
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
        let waiting = matches!(self.phase, Phase::Waiting | Phase::Agreed(_));
        if waiting && now >= ctx.ann.params.decryption_deadline {
            // Past the deadline nobody may ask this member to decrypt any more: a held share
            // is dropped (zeroized) unused.
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
            (Some(ctx), Phase::Waiting | Phase::Agreed(_)) => {
                Some(ctx.ann.params.decryption_deadline)
            }
            _ => None,
        }
    }
}
