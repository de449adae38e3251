//! The aggregator's decision phase, after the lists are sent: members' agreements (and
//! evidence of equivocation), the quorum certificate, the quorum's partial decryptions,
//! refusals, and the combination into the signed result.

use super::{Aggregator, Phase};
use crate::io::Event;
use crate::messages::{
    Agreement, Digest, Equivocation, MemberSignature, Message, PartialDecryption,
    QuorumCertificate, Refusal, RoundResult,
};
use crate::params::NodeId;
use crate::reason::{ProtocolError, RoundFailure};
use crate::round::agreement_signed;
use crate::suite::Suite;

/// After the lists are sent: agreements, then the quorum's partial decryptions.
pub(super) struct Decision {
    /// The transcript digest `T`.
    pub(super) digest: Digest,
    /// Accepted contributions.
    pub(super) count: u32,
    /// The list digest `L_j` sent to each member.
    pub(super) lists: Vec<Digest>,
    /// The agreement digest `E` of the transcript (and of every list sent).
    pub(super) agreed: Digest,
    /// Per member, its valid agreements on distinct digests (at most two: two are the
    /// evidence of equivocation).
    pub(super) seen: Vec<Vec<Agreement>>,
    /// Members whose agreement on `E` arrived, in arrival order.
    pub(super) arrival: Vec<u32>,
    /// Evidence of every equivocating member, ascending by member.
    pub(super) equivocations: Vec<Equivocation>,
    /// Members that sent a signed refusal naming `T`.
    pub(super) refused: Vec<u32>,
    /// The certificate sent, with its quorum mask.
    pub(super) certificate: Option<(QuorumCertificate, u64)>,
    /// Per member, its partial decryption (members of the quorum only).
    pub(super) partials: Vec<Option<PartialDecryption>>,
}

impl Decision {
    /// The member signed two different digests.
    fn equivocated(&self, member: u32) -> bool {
        self.equivocations.iter().any(|e| e.member() == member)
    }

    /// Members eligible for the quorum: agreed on `E`, not caught equivocating, in arrival
    /// order.
    pub(super) fn eligible(&self) -> Vec<u32> {
        self.arrival.iter().copied().filter(|&m| !self.equivocated(m)).collect()
    }
}

impl<S: Suite> Aggregator<S> {
    /// A member's signed agreement: kept (at most two distinct digests per member); two
    /// distinct digests are evidence of equivocation and exclude the member; with `q`
    /// eligible agreements on `E` the certificate goes out.
    pub(super) fn on_agreement(&mut self, from: NodeId, a: Agreement) {
        let (Some(ctx), Phase::Deciding(d)) = (self.ctx.as_ref(), &mut self.phase) else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        if !agreement_signed(ctx, &a) {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        let Some(seen) = usize::try_from(a.member).ok().and_then(|i| d.seen.get_mut(i)) else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if seen.iter().any(|s| s.list == a.list) || seen.len() >= 2 {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        let member = a.member;
        if a.list == d.agreed {
            d.arrival.push(member);
        }
        seen.push(a);
        if let [x, y] = seen.as_slice()
            && let Some(e) = Equivocation::of(x.clone(), y.clone())
        {
            let at = d.equivocations.partition_point(|e| e.member() < member);
            d.equivocations.insert(at, e);
            self.out.event(Event::Equivocated { member });
        }
        if d.certificate.is_none() {
            self.certify();
        }
    }

    /// With `q` eligible agreements on `E`: the quorum is the first `q` eligible members by
    /// arrival; the certificate goes to them and the observers.
    pub(super) fn certify(&mut self) {
        let (Some(ctx), Phase::Deciding(d)) = (self.ctx.as_ref(), &mut self.phase) else {
            return;
        };
        let q = ctx.quorum_size();
        let mut quorum: Vec<u32> = d.eligible().into_iter().take(q).collect();
        if quorum.len() < q {
            return;
        }
        quorum.sort_unstable();
        let signatures: Option<Vec<MemberSignature>> = quorum
            .iter()
            .map(|&m| {
                let seen = d.seen.get(usize::try_from(m).ok()?)?;
                let a = seen.iter().find(|a| a.list == d.agreed)?;
                Some(MemberSignature { member: m, signature: a.signature.clone() })
            })
            .collect();
        let Some(signatures) = signatures else { return };
        let cert = QuorumCertificate { round: ctx.round(), list: d.agreed, signatures };
        let Some(mask) = cert.quorum_mask() else { return };
        // n-of-n: the members decrypted with their agreements (§5.5); only observers need it.
        let members = if q == ctx.committee_size() { &[][..] } else { &quorum[..] };
        let to: Vec<NodeId> = members
            .iter()
            .filter_map(|&m| ctx.ann.committee.get(usize::try_from(m).ok()?).map(|p| p.node))
            .chain(ctx.ann.observers.iter().copied())
            .collect();
        self.out.broadcast(to, &Message::Certificate(cert.clone()));
        self.out.event(Event::Certified { quorum: mask });
        d.certificate = Some((cert, mask));
        if d.partials.iter().flatten().count() == q {
            self.combine();
        }
    }

    pub(super) fn on_partial(&mut self, from: NodeId, p: PartialDecryption) {
        let (Some(ctx), Phase::Deciding(d)) = (self.ctx.as_ref(), &mut self.phase) else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        // Before the certificate only n-of-n partials (for the whole committee, the one
        // possible quorum) can be genuine; they wait in their slots for it.
        let Some(quorum) = d.certificate.as_ref().map(|(_, q)| *q).or(ctx.sole_quorum()) else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        let sent = usize::try_from(p.member).ok().and_then(|i| d.lists.get(i));
        let in_quorum = 1u64.checked_shl(p.member).is_some_and(|bit| quorum & bit != 0);
        if p.transcript != d.digest
            || sent != Some(&p.list)
            || p.agreed != d.agreed
            || p.quorum != quorum
            || !in_quorum
        {
            return self.out.drop_msg(from, ProtocolError::WrongRound);
        }
        let Some(bundle) = ctx.member_bundle(p.member) else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if !S::verify(&ctx.sys, bundle, &p.digest(), &p.signature) {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        let Some(slot) = usize::try_from(p.member).ok().and_then(|i| d.partials.get_mut(i)) else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if slot.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        *slot = Some(p);
        if d.certificate.is_some() && d.partials.iter().flatten().count() == ctx.quorum_size() {
            self.combine();
        }
    }

    pub(super) fn combine(&mut self) {
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        let (Some(ctx), Phase::Deciding(d), Some(sum)) =
            (self.ctx.as_ref(), phase, self.sum.as_ref())
        else {
            return;
        };
        let Decision { digest, count, partials, certificate, equivocations, .. } = *d;
        let Some((certificate, _)) = certificate else { return };
        // Ascending member order: the quorum's partials, one each.
        let partials: Vec<PartialDecryption> = partials.into_iter().flatten().collect();
        let shares: Vec<&[u8]> = partials.iter().map(|p| p.partial.as_slice()).collect();
        let Some(values) = S::combine(&ctx.params, sum, &shares) else {
            self.out.event(Event::Failed(RoundFailure::Undecodable));
            return;
        };
        let mut result = RoundResult {
            round: ctx.round(),
            transcript: digest,
            count,
            sum: values,
            partials: partials.iter().map(PartialDecryption::to_ref).collect(),
            certificate,
            equivocations,
            signature: Vec::new(),
        };
        result.signature = S::sign(&self.cfg.key, &result.digest(), &mut self.rng);
        let to: Vec<NodeId> = ctx
            .roster_nodes()
            .chain(ctx.committee_nodes())
            .chain(ctx.ann.observers.iter().copied())
            .collect();
        self.out.broadcast(to, &Message::Result(result.clone()));
        self.out.event(Event::Completed(Box::new(result)));
    }

    /// A member's signed refusal naming `T`: reported; the round fails once so many members
    /// refused the list sent to them that no quorum can form without them (n-of-n: at the
    /// first), unless the quorum is already certified.
    pub(super) fn on_refusal(&mut self, from: NodeId, r: Refusal) {
        let (Some(ctx), Phase::Deciding(d)) = (self.ctx.as_ref(), &mut self.phase) else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        if r.transcript != d.digest {
            return self.out.drop_msg(from, ProtocolError::WrongRound);
        }
        let Some(bundle) = ctx.member_bundle(r.member) else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if !S::verify(&ctx.sys, bundle, &r.digest(), &r.signature) {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        self.out.event(Event::Refused { member: r.member, fault: r.fault });
        // Only a refusal of the list sent to the member counts against the quorum: one of
        // another list (`AlreadyAnswered` after it agreed to this one) does not.
        let sent = usize::try_from(r.member).ok().and_then(|i| d.lists.get(i));
        if sent == Some(&r.list) && !d.refused.contains(&r.member) {
            d.refused.push(r.member);
        }
        let spare = ctx.committee_size().saturating_sub(ctx.quorum_size());
        if d.certificate.is_none() && d.refused.len() > spare {
            let failure = RoundFailure::Refused { member: r.member, fault: r.fault };
            self.out.event(Event::Failed(failure));
            self.phase = Phase::Done;
        }
    }
}
