//! The observer (auditor): re-runs the transcript verification algorithm on the entries the
//! aggregator streams (summed as they arrive, bodies dropped) and its signed head, checks
//! that every member's signed partial decryption names the list the transcript gives that
//! member, and so does every signed refusal (so an aggregator that
//! sent different lists to different members, or two lists to one, is named), checks the
//! quorum certificate against the transcript's agreement digest and every partial against
//! the certificate's quorum, names every member that signed two agreement digests (from the
//! agreements it receives and the result's evidence), combines the quorum's partials itself
//! and checks the result against it.
//! Anyone holding the public messages of a round can run it.

use gradseal_core::Codec;

use crate::audit::{TranscriptAudit, Verified};
use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{
    Agreement, Digest, EntryMsg, Message, PartialDecryption, PartialRef, QuorumCertificate,
    Refusal, RoundResult, TranscriptMsg,
};
use crate::params::{Millis, NodeId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::roles::NodeConfig;
use crate::round::{RoundContext, agreement_signed, check_certificate};
use crate::suite::Suite;

/// Refusals an observer keeps per member: one of the member's list and one of a second
/// list (more say nothing new, and the bound is per member so that no member, and no
/// aggregator sending one member many lists, can crowd out another member's refusal).
pub const MAX_REFUSALS_PER_MEMBER: usize = 2;

/// An observer of one round. Its `key` in [`NodeConfig`] is unused (observers sign nothing).
pub struct Observer<S: Suite> {
    cfg: NodeConfig<S>,
    out: Outbox,
    early: Early,
    ctx: Option<RoundContext<S>>,
    /// The streamed entries and the head, until the transcript is verified.
    audit: TranscriptAudit<S>,
    verified: Option<Verified<S>>,
    /// Each member's signed partial decryption (checked against the transcript once it is
    /// verified; they can overtake it in transit).
    partials: Vec<Option<PartialDecryption>>,
    /// Each stored partial by reference (its share digested once, on arrival), to compare
    /// with the result's.
    references: Vec<Option<PartialRef>>,
    /// Members' signed refusals that name the verified transcript: (member, transcript
    /// digest, list digest), at most [`MAX_REFUSALS_PER_MEMBER`] per member.
    refusals: Vec<(u32, Digest, Digest)>,
    /// Member-signed refusals that arrived before the transcript was verified, with their
    /// sender: at most [`MAX_REFUSALS_PER_MEMBER`] per member, decided once it is.
    held_refusals: Vec<(NodeId, Refusal)>,
    /// Per member, its valid agreements on distinct digests (at most two: the evidence).
    agreements: Vec<Vec<Agreement>>,
    /// A valid certificate that arrived before the transcript was verified.
    held_certificate: Option<(NodeId, QuorumCertificate)>,
    /// The certificate on the verified transcript's agreement digest, and its quorum.
    certificate: Option<(QuorumCertificate, u64)>,
    /// The sum the observer combined itself from the quorum's partials.
    combined: Option<Vec<i64>>,
    /// A result that arrived before the observer could check it.
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
            audit: TranscriptAudit::new(),
            verified: None,
            partials: Vec::new(),
            references: Vec::new(),
            refusals: Vec::new(),
            held_refusals: Vec::new(),
            agreements: Vec::new(),
            held_certificate: None,
            certificate: None,
            combined: None,
            held_result: None,
            done: false,
        }
    }

    fn fail(&mut self, fault: TranscriptFault) {
        self.done = true;
        self.out.event(Event::AuditFailed(fault));
    }

    /// An entry streamed by the aggregator (from its node only: entries are unsigned until
    /// the head lists them), digested and summed.
    fn on_entry(&mut self, from: NodeId, e: &EntryMsg) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        if from != ctx.ann.aggregator.node {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        }
        if self.verified.is_some() {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        }
        if let Err(error) = self.audit.add_entry(ctx, &e.entry) {
            return self.out.drop_msg(from, error);
        }
        self.try_verify();
    }

    /// The signed head: checked on its own, then the transcript is verified once every
    /// entry it lists is in.
    fn on_transcript(&mut self, from: NodeId, t: TranscriptMsg) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        if self.verified.is_some() || self.audit.has_head() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        match self.audit.set_head(ctx, t) {
            Ok(()) => self.try_verify(),
            Err(TranscriptFault::WrongRound) => self.out.drop_msg(from, ProtocolError::WrongRound),
            Err(TranscriptFault::BadAggregatorSignature) => {
                self.out.drop_msg(from, ProtocolError::BadSignature);
            }
            Err(fault) => self.fail(fault),
        }
    }

    /// With the head and every entry it lists: the verified transcript, then what was held
    /// for it.
    fn try_verify(&mut self) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        match self.audit.finish(ctx) {
            None => {}
            Some(Err(fault)) => self.fail(fault),
            Some(Ok(v)) => {
                self.verified = Some(v);
                self.audit = TranscriptAudit::new();
                for (from, r) in std::mem::take(&mut self.held_refusals) {
                    self.tie_refusal(from, &r);
                }
                if let Some((from, c)) = self.held_certificate.take() {
                    self.on_certificate(from, c);
                    if self.done {
                        return;
                    }
                }
                self.progress();
            }
        }
    }

    /// Stores a member-signed partial decryption (one per member).
    fn on_partial(&mut self, from: NodeId, p: PartialDecryption) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let reference = p.to_ref();
        let signed = p.round == ctx.round()
            && ctx
                .member_bundle(p.member)
                .is_some_and(|b| S::verify(&ctx.sys, b, &reference.digest(), &p.signature))
            && aggregator_signed(ctx, &p.list, &p.list_signature);
        if !signed {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        let j = usize::try_from(p.member).unwrap_or(usize::MAX);
        let (Some(slot), Some(kept)) = (self.partials.get_mut(j), self.references.get_mut(j))
        else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if slot.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        *slot = Some(p);
        *kept = Some(reference);
        self.progress();
    }

    /// A member-signed agreement: kept (two distinct digests per member at most); a member
    /// with two is named (`Equivocated`, once).
    fn on_agreement(&mut self, from: NodeId, a: Agreement) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        if !agreement_signed(ctx, &a) {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        self.record_agreement(from, a);
    }

    /// Stores a signed agreement; `Equivocated` when it is the member's second digest.
    fn record_agreement(&mut self, from: NodeId, a: Agreement) {
        let member = a.member;
        let Some(seen) = usize::try_from(member).ok().and_then(|i| self.agreements.get_mut(i))
        else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if seen.iter().any(|s| s.list == a.list) || seen.len() >= 2 {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        seen.push(a);
        if seen.len() == 2 {
            self.out.event(Event::Equivocated { member });
        }
    }

    /// A quorum certificate with `q` valid signatures: held until the transcript is
    /// verified, then it must name the transcript's agreement digest (else
    /// `CertificateMismatch`) and be the only one (another quorum: `QuorumMismatch`).
    fn on_certificate(&mut self, from: NodeId, cert: QuorumCertificate) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let quorum = match check_certificate(ctx, &cert, &cert.list) {
            Ok(q) => q,
            Err(fault) => return self.out.drop_msg(from, fault.into()),
        };
        let Some(v) = self.verified.as_ref() else {
            return self.out.hold_one(&mut self.held_certificate, from, cert);
        };
        if cert.list != v.agreed {
            return self.fail(TranscriptFault::CertificateMismatch);
        }
        match &self.certificate {
            None => self.certificate = Some((cert, quorum)),
            Some((_, mine)) if *mine == quorum => {
                return self.out.drop_msg(from, ProtocolError::Duplicate);
            }
            Some((_, mine)) => {
                let member = (mine ^ quorum).trailing_zeros();
                return self.fail(TranscriptFault::QuorumMismatch { member });
            }
        }
        self.progress();
    }

    /// A member-signed refusal: held until the transcript is verified, then recorded only if
    /// it names that transcript (and its list checked against the transcript's).
    fn on_refusal(&mut self, from: NodeId, r: Refusal) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let signed = ctx
            .member_bundle(r.member)
            .is_some_and(|b| S::verify(&ctx.sys, b, &r.digest(), &r.signature))
            && aggregator_signed(ctx, &r.list, &r.list_signature);
        if !signed {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        if self.verified.is_none() {
            let held = self.held_refusals.iter().filter(|(_, h)| h.member == r.member).count();
            if held >= MAX_REFUSALS_PER_MEMBER {
                return self.out.drop_msg(from, ProtocolError::Capacity);
            }
            self.held_refusals.push((from, r));
            return;
        }
        self.tie_refusal(from, &r);
        self.progress();
    }

    /// With the transcript verified: records a refusal naming it (`Refused`), drops one
    /// naming another transcript (`WrongRound`). A refusal is a member's word about a list
    /// it was sent; one naming another transcript is not about this one (the aggregator can
    /// sign lists naming any digest, and members refuse them), so it cannot end or fail
    /// this audit. One naming this transcript but another list than the transcript gives
    /// that member fails it with `ListMismatch` in [`Observer::progress`].
    fn tie_refusal(&mut self, from: NodeId, r: &Refusal) {
        let Some(v) = self.verified.as_ref() else { return };
        if r.transcript != v.digest {
            return self.out.drop_msg(from, ProtocolError::WrongRound);
        }
        let kept = self.refusals.iter().filter(|(m, _, _)| *m == r.member).count();
        if kept >= MAX_REFUSALS_PER_MEMBER {
            return self.out.drop_msg(from, ProtocolError::Capacity);
        }
        self.refusals.push((r.member, r.transcript, r.list));
        self.out.event(Event::Refused { member: r.member, fault: r.fault });
    }

    /// With the transcript verified: checks every stored partial and refusal against the
    /// list the transcript gives its member (and partials against the transcript's
    /// agreement digest and the certificate's quorum), combines once the quorum's partials
    /// are all in, then checks a held result.
    fn progress(&mut self) {
        let (Some(ctx), Some(v)) = (self.ctx.as_ref(), self.verified.as_ref()) else { return };
        let named = self.partials.iter().flatten().map(|p| (p.member, p.transcript, p.list));
        let mut answers = named.chain(self.refusals.iter().copied());
        let not_the_transcripts = |(member, t, l): &(u32, Digest, Digest)| {
            *t != v.digest || usize::try_from(*member).ok().and_then(|j| v.lists.get(j)) != Some(l)
        };
        if let Some((member, _, _)) = answers.find(not_the_transcripts) {
            return self.fail(TranscriptFault::ListMismatch { member });
        }
        if let Some(p) = self.partials.iter().flatten().find(|p| p.agreed != v.agreed) {
            let member = p.member;
            return self.fail(TranscriptFault::ListMismatch { member });
        }
        let Some((_, quorum)) = self.certificate.as_ref() else {
            return self.check_held_result();
        };
        let outside = |p: &&PartialDecryption| {
            p.quorum != *quorum || 1u64.checked_shl(p.member).is_none_or(|bit| quorum & bit == 0)
        };
        if let Some(p) = self.partials.iter().flatten().find(outside) {
            let member = p.member;
            return self.fail(TranscriptFault::QuorumMismatch { member });
        }
        if self.combined.is_none() && self.partials.iter().flatten().count() == ctx.quorum_size() {
            let refs: Vec<&[u8]> = self.partials.iter().flatten().map(|p| &p.partial[..]).collect();
            match S::combine(&ctx.params, &v.aggregate, &refs) {
                Some(sum) => self.combined = Some(sum),
                None => return self.fail(TranscriptFault::CombineFailed),
            }
        }
        self.check_held_result();
    }

    fn check_held_result(&mut self) {
        if let Some((from, r)) = self.held_result.take() {
            self.on_result(from, r);
        }
    }

    /// Checks an aggregator-signed result: the certificate must be valid on the transcript's
    /// agreement digest (and the one the observer holds, if any); the partial references
    /// exactly one per member of its quorum, ascending, each the one the observer checked
    /// (the result waits for partials not yet received from their members); every
    /// piece of equivocation evidence valid (each member it names is reported); the
    /// transcript, count and sum the ones the observer checked and combined.
    fn on_result(&mut self, from: NodeId, r: RoundResult) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        if self.verified.is_none() {
            return self.out.hold_one(&mut self.held_result, from, r);
        }
        let valid_evidence = r
            .equivocations
            .iter()
            .all(|e| agreement_signed(ctx, &e.first) && agreement_signed(ctx, &e.second));
        if !valid_evidence || check_certificate(ctx, &r.certificate, &r.certificate.list).is_err() {
            return self.fail(TranscriptFault::ResultMismatch);
        }
        for e in &r.equivocations {
            for a in [&e.first, &e.second] {
                let known = usize::try_from(a.member)
                    .ok()
                    .and_then(|i| self.agreements.get(i))
                    .is_some_and(|seen| seen.iter().any(|s| s.list == a.list));
                if !known {
                    self.record_agreement(from, a.clone());
                }
            }
        }
        if self.certificate.as_ref().is_none_or(|(c, _)| *c != r.certificate) {
            self.on_certificate(from, r.certificate.clone());
            if self.done {
                return;
            }
        }
        let Some((cert, _)) = self.certificate.as_ref() else { return };
        let signers: Vec<u32> = cert.signatures.iter().map(|s| s.member).collect();
        if r.partials.len() != signers.len() {
            return self.fail(TranscriptFault::ResultMismatch);
        }
        let mut waiting = false;
        for (p, member) in r.partials.iter().zip(signers) {
            match usize::try_from(member).ok().and_then(|j| self.references.get(j)) {
                Some(Some(mine)) if mine == p => {}
                // Not yet here from its member: the result waits for it.
                Some(None) if p.member == member => waiting = true,
                _ => return self.fail(TranscriptFault::ResultMismatch),
            }
        }
        if waiting {
            return self.out.hold_one(&mut self.held_result, from, r);
        }
        let Some(v) = self.verified.as_ref() else { return };
        let matches = r.transcript == v.digest
            && r.count == v.count
            && self.combined.as_ref().is_some_and(|sum| *sum == r.sum);
        if matches {
            self.done = true;
            self.out.event(Event::AuditPassed { count: r.count });
            self.out.event(Event::Completed(Box::new(r)));
        } else {
            self.fail(TranscriptFault::ResultMismatch);
        }
    }
}

/// The aggregator signed list digest `list`: without it a member's partial or refusal is no
/// evidence about the aggregator (a member could name a list it was never sent and frame the
/// aggregator with `ListMismatch`), and is dropped.
fn aggregator_signed<S: Suite>(ctx: &RoundContext<S>, list: &Digest, signature: &[u8]) -> bool {
    S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, list, signature)
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
            // Held unchecked (the keys that check it come with the announcement), so only
            // the kinds this role uses: others cannot take the bounded hold.
            if !matches!(
                msg,
                Message::Entry(_)
                    | Message::Transcript(_)
                    | Message::Agreement(_)
                    | Message::Certificate(_)
                    | Message::Partial(_)
                    | Message::Refusal(_)
                    | Message::Result(_)
            ) {
                return self.out.drop_msg(from, ProtocolError::Unexpected);
            }
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
                        self.partials = vec![None; ctx.committee_size()];
                        self.references = vec![None; ctx.committee_size()];
                        self.agreements = vec![Vec::new(); ctx.committee_size()];
                        self.out.event(Event::Announced { round: ctx.round() });
                        self.ctx = Some(ctx);
                    }
                    Err(e) => self.out.drop_msg(from, e),
                }
            }
            (Message::Entry(e), Some(_)) => self.on_entry(from, &e),
            (Message::Transcript(t), Some(_)) => self.on_transcript(from, t),
            (Message::Refusal(r), Some(_)) => self.on_refusal(from, r),
            (Message::Partial(p), Some(_)) => self.on_partial(from, p),
            (Message::Agreement(a), Some(_)) => self.on_agreement(from, a),
            (Message::Certificate(c), Some(_)) => self.on_certificate(from, c),
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

    /// At the decryption deadline, a head still waiting for an entry it lists fails the
    /// audit (`MissingEntry`).
    fn handle_timeout(&mut self, now: Millis) {
        let Some(deadline) = self.poll_timeout() else { return };
        if now < deadline {
            return;
        }
        if let Some(client) = self.audit.missing() {
            self.fail(TranscriptFault::MissingEntry { client });
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
        let waiting = !self.done && self.verified.is_none() && self.audit.has_head();
        waiting.then_some(ctx.ann.params.decryption_deadline)
    }
}
