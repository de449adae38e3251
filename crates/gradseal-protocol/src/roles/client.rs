//! The client: waits for the announcement and every committee key body, then encrypts its
//! quantized update, signs the contribution statement, signcrypts the contribution to the
//! aggregator, shards the envelope and sends shard `i` through relay `i mod relays`.

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;

use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{
    Contribution, Digest, KeyBody, Message, RoundResult, ShardMsg, ciphertext_digest,
    contribution_statement, envelope_context,
};
use crate::params::{Millis, NodeId};
use crate::reason::{ProtocolError, RoundFailure};
use crate::roles::{NodeConfig, node_rng};
use crate::round::RoundContext;
use crate::suite::{ProofContext, Suite};

/// Deliberate faults for adversarial tests (`danger`: produces contributions an honest
/// client never sends).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tamper {
    /// Flip a bit of the client's statement signature.
    pub corrupt_signature: bool,
    /// Flip a bit of the last byte of the encoded update (where the last list's proof
    /// ends when the policy asks for proofs) before signing it.
    pub corrupt_proof: bool,
    /// `(offset, count, value)`: add `value` (wrapping) to `count` big-endian u64 words of
    /// the encoded update starting at byte `offset`, after encryption (and proving) and
    /// before signing. Aimed at the body words of a compact list, this turns the encryption
    /// of `m` into one of `m + value / Δ`: an out-of-range update that only a range proof
    /// can catch.
    pub add_to_words: Option<(usize, usize, u64)>,
}

/// Builds the shards of one contribution: encrypt (and prove, per policy), sign the
/// statement, signcrypt to the aggregator, shard. Returns (the contribution statement's
/// ciphertext digest, the shard messages each paired with its relay).
///
/// Exposed so that tests can build adversarial nodes from honest parts.
pub fn seal_contribution<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    client: u32,
    joint: &S::JointKey,
    values: &[i64],
    tamper: Tamper,
    rng: &mut ChaCha20Rng,
) -> Option<(Digest, Vec<(NodeId, Message)>)> {
    let proof_ctx = ProofContext { announcement: ctx.digest, client };
    let mut ciphertext = S::encrypt(&ctx.params, joint, values, &proof_ctx, rng)?;
    if tamper.corrupt_proof
        && let Some(b) = ciphertext.last_mut()
    {
        *b ^= 1;
    }
    if let Some((offset, count, value)) = tamper.add_to_words {
        add_to_words(&mut ciphertext, offset, count, value);
    }
    let ct_digest = ciphertext_digest(&ciphertext);
    let statement = contribution_statement(&ctx.digest, ctx.round(), client, &ct_digest);
    let mut signature = S::sign(key, &statement, rng);
    if tamper.corrupt_signature
        && let Some(b) = signature.last_mut()
    {
        *b ^= 1;
    }
    let contribution = Contribution { round: ctx.round(), client, ciphertext, signature };
    let context = envelope_context(&ctx.ann.aggregator.bundle);
    let envelope = S::signcrypt(
        &ctx.sys,
        key,
        &ctx.ann.aggregator.bundle,
        &context,
        &contribution.to_bytes(),
        rng,
    )?;
    let (manifest, shards) = S::shard(&envelope, ctx.ann.params.shards)?;
    let relays = &ctx.ann.relays;
    let msgs = shards
        .into_iter()
        .enumerate()
        .filter_map(|(i, shard)| {
            let relay = *relays.get(i % relays.len())?;
            Some((
                relay,
                Message::Shard(ShardMsg { round: ctx.round(), manifest: manifest.clone(), shard }),
            ))
        })
        .collect();
    Some((ct_digest, msgs))
}

/// Adds `value` (wrapping) to `count` big-endian u64 words of `bytes` from byte `offset`
/// (words past the end are left alone).
fn add_to_words(bytes: &mut [u8], offset: usize, count: usize, value: u64) {
    let Some(tail) = bytes.get_mut(offset..) else { return };
    for chunk in tail.chunks_exact_mut(8).take(count) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        chunk.copy_from_slice(&u64::from_be_bytes(w).wrapping_add(value).to_be_bytes());
    }
}

enum Phase {
    /// Waiting for the announcement.
    Announcement,
    /// Waiting for the committee's key bodies.
    Keys { bodies: Vec<Option<Vec<u8>>> },
    /// Contribution sent; waiting for a rejection or the result.
    Sent,
    /// Finished (result, failure, or not on the roster).
    Done,
}

/// A client of one round.
pub struct Client<S: Suite> {
    cfg: NodeConfig<S>,
    rng: ChaCha20Rng,
    out: Outbox,
    early: Early,
    update: Vec<i64>,
    ctx: Option<RoundContext<S>>,
    index: u32,
    joint: Option<S::JointKey>,
    phase: Phase,
    tamper: Tamper,
    claim: Option<u32>,
}

impl<S: Suite> core::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client").field("round", &self.cfg.round).finish_non_exhaustive()
    }
}

impl<S: Suite> Client<S> {
    /// A client that will contribute `update` (already quantized: one signed integer of at
    /// most `bits` bits per coordinate).
    pub fn new(cfg: NodeConfig<S>, update: Vec<i64>) -> Self {
        let rng = node_rng(&cfg.seed, cfg.round);
        Client {
            cfg,
            rng,
            out: Outbox::default(),
            early: Early::default(),
            update,
            ctx: None,
            index: 0,
            joint: None,
            phase: Phase::Announcement,
            tamper: Tamper::default(),
            claim: None,
        }
    }

    /// This client's roster index, once announced.
    pub fn index(&self) -> Option<u32> {
        self.ctx.as_ref().map(|_| self.index)
    }

    /// **Danger**: tamper with this client's contribution (adversary tests).
    pub fn danger_tamper(&mut self, tamper: Tamper) {
        self.tamper = tamper;
    }

    /// **Danger**: contribute under roster index `index` whether or not this node's key is
    /// the one on the roster there (tests of non-enrolled senders).
    pub fn danger_claim_index(&mut self, index: u32) {
        self.claim = Some(index);
    }

    /// **Danger**: seal and send another contribution now (tests of double submission and
    /// tampering). Does nothing before the joint key is known.
    pub fn danger_contribute(&mut self, values: &[i64], tamper: Tamper) {
        let (Some(ctx), Some(joint)) = (self.ctx.as_ref(), self.joint.as_ref()) else { return };
        if let Some((_, msgs)) =
            seal_contribution(ctx, &self.cfg.key, self.index, joint, values, tamper, &mut self.rng)
        {
            for (to, m) in &msgs {
                self.out.send(*to, m);
            }
        }
    }

    fn on_announcement(&mut self, from: NodeId, ann: crate::messages::Announcement) {
        if self.ctx.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        let ctx = match RoundContext::<S>::new(self.cfg.sys.clone(), &self.cfg.authority, ann) {
            Ok(c) => c,
            Err(e) => return self.out.drop_msg(from, e),
        };
        self.out.event(Event::Announced { round: ctx.round() });
        let p = &ctx.ann.params;
        let fits = self.update.len() == usize::try_from(p.dimension).unwrap_or(0)
            && self.update.iter().all(|v| v.unsigned_abs() < (1u64 << (p.bits - 1)));
        match self.claim.or_else(|| ctx.client_index(&S::bundle(&self.cfg.key))) {
            Some(i) if fits => {
                self.index = i;
                self.phase = Phase::Keys { bodies: vec![None; ctx.ann.committee.len()] };
            }
            _ => {
                self.out.event(Event::NotParticipating);
                self.phase = Phase::Done;
            }
        }
        self.ctx = Some(ctx);
    }

    fn on_key_body(&mut self, from: NodeId, kb: KeyBody) {
        let (Some(ctx), Phase::Keys { bodies }) = (self.ctx.as_ref(), &mut self.phase) else {
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
        let Some(slot) = usize::try_from(kb.member).ok().and_then(|i| bodies.get_mut(i)) else {
            return self.out.drop_msg(from, ProtocolError::UnknownSender);
        };
        if slot.is_some() {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        *slot = Some(kb.body);
        if bodies.iter().all(Option::is_some) {
            let refs: Vec<&[u8]> = bodies.iter().flatten().map(Vec::as_slice).collect();
            let Some(joint) = S::joint_key(&ctx.params, &refs) else {
                self.phase = Phase::Done;
                self.out.event(Event::Failed(RoundFailure::MissingKeyBody { member: kb.member }));
                return;
            };
            self.out.event(Event::JointKeyReady);
            self.joint = Some(joint);
            self.contribute();
        }
    }

    fn contribute(&mut self) {
        let (Some(ctx), Some(joint)) = (self.ctx.as_ref(), self.joint.as_ref()) else { return };
        let sealed = seal_contribution(
            ctx,
            &self.cfg.key,
            self.index,
            joint,
            &self.update,
            self.tamper,
            &mut self.rng,
        );
        match sealed {
            Some((_, msgs)) => {
                for (to, m) in &msgs {
                    self.out.send(*to, m);
                }
                self.out.event(Event::Contributed { shards: msgs.len() });
                self.phase = Phase::Sent;
            }
            None => {
                self.out.event(Event::NotParticipating);
                self.phase = Phase::Done;
            }
        }
    }

    fn on_result(&mut self, from: NodeId, result: RoundResult) {
        let Some(ctx) = self.ctx.as_ref() else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &result.digest(), &result.signature) {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        if matches!(self.phase, Phase::Done) {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        self.phase = Phase::Done;
        self.out.event(Event::Completed(Box::new(result)));
    }
}

impl<S: Suite> Role for Client<S> {
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
            Message::Rejection(rej) => {
                let Some(ctx) = self.ctx.as_ref() else {
                    return self.out.drop_msg(from, ProtocolError::Unexpected);
                };
                if rej.client != self.index
                    || !S::verify(
                        &ctx.sys,
                        &ctx.ann.aggregator.bundle,
                        &rej.digest(),
                        &rej.signature,
                    )
                {
                    return self.out.drop_msg(from, ProtocolError::BadSignature);
                }
                self.out.event(Event::Rejected { client: Some(rej.client), reason: rej.reason });
            }
            Message::Result(r) => self.on_result(from, r),
            _ => self.out.drop_msg(from, ProtocolError::Unexpected),
        }
        if !before && self.ctx.is_some() {
            for (from, bytes) in self.early.take() {
                self.handle_message(now, from, &bytes);
            }
        }
    }

    fn handle_timeout(&mut self, now: Millis) {
        let (Some(ctx), Phase::Keys { bodies }) = (self.ctx.as_ref(), &self.phase) else { return };
        if now >= ctx.ann.params.contribution_deadline {
            let member = bodies
                .iter()
                .position(Option::is_none)
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(0);
            self.out.event(Event::Failed(RoundFailure::MissingKeyBody { member }));
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
            (Some(ctx), Phase::Keys { .. }) => Some(ctx.ann.params.contribution_deadline),
            _ => None,
        }
    }
}
