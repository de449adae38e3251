//! The client: on the announcement, and with no message from anyone else, encrypts its
//! quantized update, seals the key seed of each set of `f` members to every member outside
//! the set, signs the contribution
//! statement, signcrypts the contribution to the aggregator, shards the envelope and sends
//! shard `i` through relay `i mod relays`. Then it only listens for a rejection or the
//! result.

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;

use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::{
    Announcement, Contribution, Digest, Message, Rejection, RoundResult, ShardMsg, envelope_context,
};
use crate::params::{Millis, NodeId};
use crate::reason::ProtocolError;
use crate::roles::{NodeConfig, node_rng};
use crate::round::{CertificateFault, RoundContext, check_certificate};
use crate::suite::Suite;

/// Deliberate faults for adversarial tests (`danger`: produces contributions an honest
/// client never sends).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tamper {
    /// Flip a bit of the client's statement signature.
    pub corrupt_signature: bool,
    /// Seal member `j`'s seeds under the context of client index `c` instead of its own
    /// (`Some((j, c))`): the signature still covers them, so only member j can tell.
    pub seal_as: Option<(u32, u32)>,
    /// Leave the last sealed seed out (the aggregator must reject the shape).
    pub drop_seed: bool,
}

/// Builds and signs one contribution: encrypt (one seed per set), seal the seed of each set
/// `t` to each of its holders `j` under the context (round, client, t, j) in canonical
/// order, sign the statement. Exposed so that tests can build adversarial nodes from honest
/// parts. `None` if the values do not fit the round.
pub fn build_contribution<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    client: u32,
    values: &[i64],
    tamper: Tamper,
    rng: &mut ChaCha20Rng,
) -> Option<Contribution> {
    let (body, seeds) = S::encrypt(&ctx.params, values, rng)?;
    if seeds.len() != usize::from(ctx.committee.set_count()) {
        return None;
    }
    let mut sealed_seeds = Vec::with_capacity(ctx.sealed_seed_count());
    for (t, seed) in (0u16..).zip(&seeds) {
        for j in ctx.committee.holders(t)?.iter() {
            let j = u32::from(j);
            let as_client = match tamper.seal_as {
                Some((m, c)) if m == j => c,
                _ => client,
            };
            let context = ctx.seed_context(as_client, u32::from(t), j);
            let bundle = ctx.member_bundle(j)?;
            sealed_seeds.push(S::signcrypt(&ctx.sys, key, bundle, &context, &seed[..], rng)?);
        }
    }
    if tamper.drop_seed {
        sealed_seeds.pop();
    }
    let mut c = Contribution { round: ctx.round(), client, body, sealed_seeds, signature: vec![] };
    sign_contribution(ctx, key, &mut c, rng);
    if tamper.corrupt_signature
        && let Some(b) = c.signature.last_mut()
    {
        *b ^= 1;
    }
    Some(c)
}

/// (Re-)signs a contribution's statement with `key` (tests that alter a contribution and
/// sign it as a colluding client would).
pub fn sign_contribution<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    c: &mut Contribution,
    rng: &mut ChaCha20Rng,
) {
    c.signature = S::sign(key, &c.statement(&ctx.digest), rng);
}

/// Signcrypts a contribution to the aggregator and shards the envelope: the shard
/// messages, each paired with its relay.
pub fn send_contribution<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    c: &Contribution,
    rng: &mut ChaCha20Rng,
) -> Option<Vec<(NodeId, Message)>> {
    let aggregator = &ctx.ann.aggregator.bundle;
    let context = envelope_context(aggregator);
    let envelope = S::signcrypt(&ctx.sys, key, aggregator, &context, &c.to_bytes(), rng)?;
    let (manifest, shards) = S::shard(&envelope, ctx.ann.params.shards)?;
    let relays = &ctx.ann.relays;
    let msgs = shards
        .into_iter()
        .enumerate()
        .filter_map(|(i, shard)| {
            let relay = *relays.get(i % relays.len())?;
            let msg = ShardMsg { round: ctx.round(), manifest: manifest.clone(), shard };
            Some((relay, Message::Shard(msg)))
        })
        .collect();
    Some(msgs)
}

/// [`build_contribution`] then [`send_contribution`]: the contribution and its shards.
pub fn seal_contribution<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    client: u32,
    values: &[i64],
    tamper: Tamper,
    rng: &mut ChaCha20Rng,
) -> Option<(Contribution, Vec<(NodeId, Message)>)> {
    let c = build_contribution(ctx, key, client, values, tamper, rng)?;
    let msgs = send_contribution(ctx, key, &c, rng)?;
    Some((c, msgs))
}

/// What a client can check of a result (`spec/protocol.md` §5.2) without the transcript:
/// the aggregator signed it; the count is within `[min_clients, |roster|]`; the sum has
/// one entry per coordinate; its quorum certificate holds `q` valid member signatures on
/// one agreement digest; and it carries exactly one partial decryption per member of that
/// quorum, in ascending order, each naming this round, the result's transcript, the
/// certificate's digest and quorum, and signed by that member. It cannot recompute the sum
/// (the aggregate is in the transcript, which only observers receive) nor tell which lists
/// the members were sent: an observer's `AuditPassed` is what verifies a result.
///
/// # Errors
/// [`ProtocolError::BadSignature`] if the aggregator's, a signer's or a member's signature
/// fails, [`ProtocolError::WrongShape`] if the count, the sum's length, the certificate's
/// signers, or the partials' number, order, round, transcript, digest or quorum do not
/// fit.
pub fn check_result<S: Suite>(
    ctx: &RoundContext<S>,
    result: &RoundResult,
) -> Result<(), ProtocolError> {
    check_result_digested(ctx, result, &result.digest())
}

/// [`check_result`] given the result's digest (`digest` must be [`RoundResult::digest`],
/// e.g. from [`RoundResult::decode_digested`]).
///
/// # Errors
/// As [`check_result`].
pub fn check_result_digested<S: Suite>(
    ctx: &RoundContext<S>,
    result: &RoundResult,
    digest: &Digest,
) -> Result<(), ProtocolError> {
    if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, digest, &result.signature) {
        return Err(ProtocolError::BadSignature);
    }
    let params = &ctx.ann.params;
    let roster = u32::try_from(ctx.ann.roster.len()).unwrap_or(u32::MAX);
    let dimension = usize::try_from(params.dimension).unwrap_or(usize::MAX);
    if result.round != ctx.round()
        || !(params.min_clients..=roster).contains(&result.count)
        || result.sum.len() != dimension
        || result.partials.len() != ctx.quorum_size()
    {
        return Err(ProtocolError::WrongShape);
    }
    let cert = &result.certificate;
    let quorum = match check_certificate(ctx, cert, &cert.list) {
        Ok(q) => q,
        Err(CertificateFault::BadSignature) => return Err(ProtocolError::BadSignature),
        Err(_) => return Err(ProtocolError::WrongShape),
    };
    let signers = cert.signatures.iter().map(|s| s.member);
    for (p, member) in result.partials.iter().zip(signers) {
        let named = p.member == member && p.agreed == cert.list && p.quorum == quorum;
        if !named || p.round != result.round || p.transcript != result.transcript {
            return Err(ProtocolError::WrongShape);
        }
        let signed = ctx
            .member_bundle(p.member)
            .is_some_and(|b| S::verify(&ctx.sys, b, &p.digest(), &p.signature));
        if !signed {
            return Err(ProtocolError::BadSignature);
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the announcement.
    Announcement,
    /// Contribution sent; waiting for a rejection or the result.
    Sent,
    /// Finished (result, or not on the roster).
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
    /// most `bits` bits per coordinate, |q| < 2^(bits-1)).
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
    /// tampering). Does nothing before the announcement.
    pub fn danger_contribute(&mut self, values: &[i64], tamper: Tamper) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        if let Some((_, msgs)) =
            seal_contribution(ctx, &self.cfg.key, self.index, values, tamper, &mut self.rng)
        {
            for (to, m) in &msgs {
                self.out.send(*to, m);
            }
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
        let index = self.claim.or_else(|| ctx.client_index(&S::bundle(&self.cfg.key)));
        let sealed = index.and_then(|i| {
            seal_contribution(&ctx, &self.cfg.key, i, &self.update, self.tamper, &mut self.rng)
                .map(|(_, msgs)| (i, msgs))
        });
        match sealed {
            Some((i, msgs)) => {
                for (to, m) in &msgs {
                    self.out.send(*to, m);
                }
                self.index = i;
                self.out.event(Event::Contributed { shards: msgs.len() });
                self.phase = Phase::Sent;
            }
            None => {
                self.out.event(Event::NotParticipating);
                self.phase = Phase::Done;
            }
        }
        self.ctx = Some(ctx);
    }

    fn on_rejection(&mut self, from: NodeId, rej: Rejection) {
        let Some(ctx) = self.ctx.as_ref() else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        if rej.client != self.index
            || !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &rej.digest(), &rej.signature)
        {
            return self.out.drop_msg(from, ProtocolError::BadSignature);
        }
        self.out.event(Event::Rejected { client: Some(rej.client), reason: rej.reason });
    }

    fn on_result(&mut self, from: NodeId, result: RoundResult, digest: Option<Digest>) {
        let Some(ctx) = self.ctx.as_ref() else {
            return self.out.drop_msg(from, ProtocolError::Unexpected);
        };
        let digest = digest.unwrap_or_else(|| result.digest());
        if let Err(e) = check_result_digested(ctx, &result, &digest) {
            return self.out.drop_msg(from, e);
        }
        if self.phase == Phase::Done {
            return self.out.drop_msg(from, ProtocolError::Duplicate);
        }
        self.phase = Phase::Done;
        self.out.event(Event::Completed(Box::new(result)));
    }
}

impl<S: Suite> Role for Client<S> {
    #[allow(clippy::only_used_in_recursion)] // `now` is passed on when held messages replay
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        // A result's digest comes from the received bytes: no re-encoding of its sum.
        let (msg, digest) = match Message::from_bytes_digested(bytes) {
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
            if !matches!(msg, Message::Rejection(_) | Message::Result(_)) {
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
            Message::Rejection(rej) => self.on_rejection(from, rej),
            Message::Result(r) => self.on_result(from, r, digest),
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
