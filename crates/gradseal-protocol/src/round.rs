//! What every role knows after accepting an announcement, and the verification algorithms
//! of `spec/protocol.md` §6: the list check a member runs before it agrees, the
//! certificate check before it decrypts, and the transcript verification an observer runs.

use std::collections::HashMap;

use gradseal_agg::{Committee, MemberSet};
use gradseal_core::Codec;
use zeroize::Zeroizing;

use crate::messages::{
    Agreement, Announcement, Digest, MemberList, Message, QuorumCertificate, agreed_list_digest,
    contribution_statement, seed_context,
};
use crate::params::{NodeId, RoundId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::suite::{AggShape, SEED_LEN, SeedBytes, Suite};

/// A verified announcement and the values derived from it.
pub struct RoundContext<S: Suite> {
    /// System parameters.
    pub sys: S::System,
    /// The announcement.
    pub ann: Announcement,
    /// Its digest `A`.
    pub digest: Digest,
    /// The aggregation shape.
    pub shape: AggShape,
    /// gradseal-agg's round id (`Announcement::agg_round_id`).
    pub agg_round_id: Digest,
    /// The aggregation parameters.
    pub params: S::Params,
    /// The committee's combinatorics (sets of `f` members, holders, quorum, assignment).
    pub committee: Committee,
    /// The member each canonical sealed-seed position is for: for each set `t` ascending,
    /// its holders ascending.
    pub holders: Vec<u32>,
    roster_index: HashMap<Vec<u8>, u32>,
}

impl<S: Suite> core::fmt::Debug for RoundContext<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RoundContext").field("round", &self.ann.round).finish_non_exhaustive()
    }
}

impl<S: Suite> RoundContext<S> {
    /// Accepts an announcement signed by the holder of `authority` (strict checks: the
    /// signature, the round parameters, a privacy threshold that fits the committee, distinct
    /// committee and roster bundles, a shape the suite supports).
    ///
    /// # Errors
    /// [`ProtocolError::BadSignature`] or [`ProtocolError::WrongShape`].
    pub fn new(sys: S::System, authority: &[u8], ann: Announcement) -> Result<Self, ProtocolError> {
        let digest = ann.digest();
        if !S::verify(&sys, authority, &digest, &ann.signature) {
            return Err(ProtocolError::BadSignature);
        }
        if ann.params.check().is_err()
            || ann.roster.len() < usize::try_from(ann.params.min_clients).unwrap_or(usize::MAX)
        {
            return Err(ProtocolError::WrongShape);
        }
        let mut roster_index = HashMap::new();
        for (i, p) in ann.roster.iter().enumerate() {
            let i = u32::try_from(i).map_err(|_| ProtocolError::WrongShape)?;
            if roster_index.insert(p.bundle.clone(), i).is_some() {
                return Err(ProtocolError::WrongShape);
            }
        }
        let mut seen = std::collections::HashSet::new();
        if !ann.committee.iter().all(|p| seen.insert(&p.bundle)) {
            return Err(ProtocolError::WrongShape);
        }
        let committee =
            ann.params.committee(ann.committee.len()).map_err(|_| ProtocolError::WrongShape)?;
        let holders = seed_holders(&committee);
        let shape = AggShape::of(&ann.params, ann.committee.len(), ann.roster.len());
        let agg_round_id = ann.agg_round_id();
        let params = S::params(&sys, shape, &agg_round_id).ok_or(ProtocolError::WrongShape)?;
        Ok(RoundContext {
            sys,
            ann,
            digest,
            shape,
            agg_round_id,
            params,
            committee,
            holders,
            roster_index,
        })
    }

    /// The round.
    pub fn round(&self) -> RoundId {
        self.ann.round
    }

    /// The committee size n.
    pub fn committee_size(&self) -> usize {
        self.ann.committee.len()
    }

    /// The quorum size q.
    pub fn quorum_size(&self) -> usize {
        usize::from(self.committee.quorum_size())
    }

    /// With `q = n` (n-of-n) the whole committee is the only quorum: its mask, with which
    /// members decrypt at once, with their agreements (`spec/protocol.md` §5.5); `None`
    /// for t-of-n.
    pub fn sole_quorum(&self) -> Option<u64> {
        let n = self.committee.size();
        (self.committee.quorum_size() == n).then(|| MemberSet::all(n).0)
    }

    /// The sealed seeds of one contribution, `(n − f)·C(n, f)`.
    pub fn sealed_seed_count(&self) -> usize {
        self.holders.len()
    }

    /// The roster index of a public bundle.
    pub fn client_index(&self, bundle: &[u8]) -> Option<u32> {
        self.roster_index.get(bundle).copied()
    }

    /// The committee index of a public bundle.
    pub fn member_index(&self, bundle: &[u8]) -> Option<u32> {
        let i = self.ann.committee.iter().position(|p| p.bundle == bundle)?;
        u32::try_from(i).ok()
    }

    /// The committee member's public bundle.
    pub fn member_bundle(&self, member: u32) -> Option<&[u8]> {
        self.ann.committee.get(usize::try_from(member).ok()?).map(|p| p.bundle.as_slice())
    }

    /// The client's public bundle.
    pub fn client_bundle(&self, client: u32) -> Option<&[u8]> {
        self.ann.roster.get(usize::try_from(client).ok()?).map(|p| p.bundle.as_slice())
    }

    /// Committee addresses.
    pub fn committee_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ann.committee.iter().map(|p| p.node)
    }

    /// Roster addresses.
    pub fn roster_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ann.roster.iter().map(|p| p.node)
    }

    /// The signcryption context of the seed of set `set` that `client` seals to `member` in
    /// this round.
    pub fn seed_context(&self, client: u32, set: u32, member: u32) -> Digest {
        seed_context(&self.digest, self.round(), client, set, member)
    }

    /// The largest envelope a client of this round can produce (bounds shard reassembly):
    /// 8 bytes per coordinate, the correction (at most 2^12 words) and framing, and every
    /// sealed seed. Generous: it only bounds memory.
    pub fn max_envelope(&self) -> usize {
        let d = usize::try_from(self.ann.params.dimension).unwrap_or(usize::MAX);
        let seeds = self.sealed_seed_count().saturating_mul(crate::messages::MAX_SEALED_SEED + 4);
        d.saturating_mul(8).saturating_add(seeds).saturating_add(1 << 17)
    }

    /// Decodes a message and checks that it names this round.
    ///
    /// # Errors
    /// [`ProtocolError::Decode`] or [`ProtocolError::WrongRound`].
    pub fn decode(&self, bytes: &[u8]) -> Result<Message, ProtocolError> {
        let msg = Message::from_bytes(bytes)?;
        if msg.round() != self.round() {
            return Err(ProtocolError::WrongRound);
        }
        Ok(msg)
    }
}

/// The member each canonical sealed-seed position is for: for each set `t` ascending, its
/// holders (the members outside it) ascending; `(n − f)·C(n, f)` positions.
pub fn seed_holders(committee: &Committee) -> Vec<u32> {
    (0..committee.set_count())
        .flat_map(|t| committee.holders(t).into_iter().flat_map(MemberSet::iter))
        .map(u32::from)
        .collect()
}

/// A member's list that passed the list check, with the share of its seeds.
pub struct CheckedList<S: Suite> {
    /// The list digest `L_j`.
    pub digest: Digest,
    /// The transcript digest the list names.
    pub transcript: Digest,
    /// The agreement digest `E` of the list (member-independent).
    pub agreed: Digest,
    /// The member's share: the seeds of every entry for the sets it holds.
    pub share: S::MemberShare,
}

/// Steps 1–2 of the list check (`spec/protocol.md` §6.1), cheap and free of secrets: the
/// list names this round, announcement and member, and the aggregator signed it. A list
/// failing them is not the aggregator's list for this member: it is dropped without
/// spending the share, so that a network attacker cannot burn it.
///
/// # Errors
/// [`TranscriptFault::WrongRound`] or [`TranscriptFault::BadAggregatorSignature`].
pub fn authenticate_list<S: Suite>(
    ctx: &RoundContext<S>,
    member: u32,
    list: &MemberList,
) -> Result<Digest, TranscriptFault> {
    if list.round != ctx.round() || list.announcement != ctx.digest || list.member != member {
        return Err(TranscriptFault::WrongRound);
    }
    let digest = list.digest();
    if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &digest, &list.signature) {
        return Err(TranscriptFault::BadAggregatorSignature);
    }
    Ok(digest)
}

/// The list check a member runs before it agrees (`spec/protocol.md` §6.1): steps 1–2
/// ([`authenticate_list`]), then enough entries, distinct roster clients in increasing
/// order, each client's signature over the statement rebuilt from the entry, and each
/// sealed seed (one per set the member holds) opened under (round, client, set, member)
/// and signcrypted by that client. Each client's seeds are added to a fresh share as they
/// open; the agreement digest `E` is computed over the entries' statements.
///
/// # Errors
/// The first [`TranscriptFault`] found, in that order.
pub fn check_list<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    member: u32,
    list: &MemberList,
) -> Result<CheckedList<S>, TranscriptFault> {
    let digest = authenticate_list(ctx, member, list)?;
    let min = ctx.ann.params.min_clients;
    let count = u32::try_from(list.entries.len()).unwrap_or(u32::MAX);
    if count < min {
        return Err(TranscriptFault::TooFewClients { accepted: count, min });
    }
    let mut share = S::new_share(&ctx.params, member).ok_or(TranscriptFault::WrongRound)?;
    let held =
        ctx.committee.held_sets(u16::try_from(member).map_err(|_| TranscriptFault::WrongRound)?);
    let mut previous: Option<u32> = None;
    let mut statements = Vec::with_capacity(list.entries.len());
    for e in &list.entries {
        let client = e.client;
        let bundle = check_order(ctx, &mut previous, client)?;
        let seeds = e
            .seed_digests(member, &ctx.holders)
            .ok_or(TranscriptFault::MalformedEntry { client })?;
        let statement =
            contribution_statement(&ctx.digest, ctx.round(), client, &e.body_digest, &seeds);
        if !S::verify(&ctx.sys, bundle, &statement, &e.signature) {
            return Err(TranscriptFault::BadClientSignature { client });
        }
        let opened = held
            .iter()
            .zip(&e.sealed_seeds)
            .map(|(&t, sealed)| open_seed(ctx, key, bundle, client, t, member, sealed))
            .collect::<Option<Vec<_>>>();
        let added = opened.is_some_and(|seeds| S::add_client(&ctx.params, &mut share, &seeds));
        if !added {
            return Err(TranscriptFault::BadSealedSeed { client });
        }
        statements.push((client, statement));
    }
    let agreed = agreed_list_digest(&ctx.digest, ctx.round(), statements.into_iter());
    Ok(CheckedList { digest, transcript: list.transcript, agreed, share })
}

/// Opens the seed of set `set` sealed to `member` by `client` (whose bundle is `bundle`):
/// it must open under (round, client, set, member), come from that client and be a seed.
fn open_seed<S: Suite>(
    ctx: &RoundContext<S>,
    key: &S::NodeKey,
    bundle: &[u8],
    client: u32,
    set: u16,
    member: u32,
    sealed: &[u8],
) -> Option<SeedBytes> {
    let context = ctx.seed_context(client, u32::from(set), member);
    let (sender, seed) = S::unsigncrypt(&ctx.sys, key, &context, sealed, SEED_LEN)?;
    if sender.as_slice() != bundle {
        return None;
    }
    let mut out = Zeroizing::new([0u8; SEED_LEN]);
    (seed.len() == SEED_LEN).then(|| {
        out.copy_from_slice(&seed);
        out
    })
}

/// Why a quorum certificate is not one a role may act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateFault {
    /// It names another round or another agreement digest than the one expected.
    WrongList,
    /// Not exactly `q` signers, a signer outside the committee, or not a quorum.
    NotAQuorum,
    /// A signer's signature does not verify.
    BadSignature,
}

impl From<CertificateFault> for ProtocolError {
    /// The reason a role drops a certificate it may not act on.
    fn from(f: CertificateFault) -> ProtocolError {
        match f {
            CertificateFault::WrongList => ProtocolError::WrongRound,
            CertificateFault::NotAQuorum => ProtocolError::WrongShape,
            CertificateFault::BadSignature => ProtocolError::BadSignature,
        }
    }
}

/// Checks a quorum certificate on the agreement digest `expected` (`spec/protocol.md`
/// §6.3): this round and digest, exactly `q` distinct committee members (the decoder
/// enforces ascending order), each signature valid over its agreement statement. Returns
/// the quorum `Q` (bit j = member j).
///
/// # Errors
/// The first [`CertificateFault`] found, in that order.
pub fn check_certificate<S: Suite>(
    ctx: &RoundContext<S>,
    cert: &QuorumCertificate,
    expected: &Digest,
) -> Result<u64, CertificateFault> {
    if cert.round != ctx.round() || cert.list != *expected {
        return Err(CertificateFault::WrongList);
    }
    let quorum = cert.quorum_mask().ok_or(CertificateFault::NotAQuorum)?;
    if cert.signatures.len() != ctx.quorum_size()
        || ctx.committee.check_quorum(MemberSet(quorum)).is_err()
    {
        return Err(CertificateFault::NotAQuorum);
    }
    for s in &cert.signatures {
        let bundle = ctx.member_bundle(s.member).ok_or(CertificateFault::NotAQuorum)?;
        let statement = Agreement::statement(cert.round, s.member, &cert.list);
        if !S::verify(&ctx.sys, bundle, &statement, &s.signature) {
            return Err(CertificateFault::BadSignature);
        }
    }
    Ok(quorum)
}

/// The agreement is signed by its member, for this round.
pub fn agreement_signed<S: Suite>(ctx: &RoundContext<S>, a: &Agreement) -> bool {
    a.round == ctx.round()
        && ctx
            .member_bundle(a.member)
            .is_some_and(|b| S::verify(&ctx.sys, b, &a.digest(), &a.signature))
}

/// The client is enrolled and comes strictly after the previous entry; its bundle.
pub(crate) fn check_order<'a, S: Suite>(
    ctx: &'a RoundContext<S>,
    previous: &mut Option<u32>,
    client: u32,
) -> Result<&'a [u8], TranscriptFault> {
    let bundle = ctx.client_bundle(client).ok_or(TranscriptFault::UnknownClient { client })?;
    match *previous {
        Some(p) if p == client => return Err(TranscriptFault::DuplicateClient { client }),
        Some(p) if p > client => return Err(TranscriptFault::Unsorted),
        _ => {}
    }
    *previous = Some(client);
    Ok(bundle)
}
