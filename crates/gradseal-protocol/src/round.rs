//! What every role knows after accepting an announcement, and the transcript verification
//! algorithm that members and observers run (`spec/protocol.md`, "Transcript verification").

use std::collections::HashMap;

use gradseal_core::Codec;

use crate::messages::{Announcement, Digest, Message, TranscriptMsg, contribution_statement};
use crate::params::{NodeId, ProofPolicy, RoundId};
use crate::reason::{ProtocolError, TranscriptFault};
use crate::suite::{AggShape, ProofContext, Suite};

/// A verified announcement and the values derived from it.
pub struct RoundContext<S: Suite> {
    /// System parameters.
    pub sys: S::System,
    /// The announcement.
    pub ann: Announcement,
    /// Its digest.
    pub digest: Digest,
    /// The aggregation shape.
    pub shape: AggShape,
    /// The joint key's mask seed.
    pub mask_seed: Digest,
    /// The aggregation parameters.
    pub params: S::Params,
    roster_index: HashMap<Vec<u8>, u32>,
}

impl<S: Suite> core::fmt::Debug for RoundContext<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RoundContext").field("round", &self.ann.round).finish_non_exhaustive()
    }
}

impl<S: Suite> RoundContext<S> {
    /// Accepts an announcement signed by the holder of `authority` (strict checks: the
    /// signature, distinct committee and roster bundles, a usable shard layout).
    ///
    /// # Errors
    /// [`ProtocolError::BadSignature`] or [`ProtocolError::WrongShape`].
    pub fn new(sys: S::System, authority: &[u8], ann: Announcement) -> Result<Self, ProtocolError> {
        let digest = ann.digest();
        if !S::verify(&sys, authority, &digest, &ann.signature) {
            return Err(ProtocolError::BadSignature);
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
        let shape = AggShape::of(&ann.params, ann.committee.len(), ann.roster.len());
        let mask_seed = ann.mask_seed();
        let params = S::params(&sys, shape, ann.params.proof_policy, &mask_seed)
            .ok_or(ProtocolError::WrongShape)?;
        Ok(RoundContext { sys, ann, digest, shape, mask_seed, params, roster_index })
    }

    /// The round.
    pub fn round(&self) -> RoundId {
        self.ann.round
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

    /// The largest envelope a client of this round can produce (bounds shard reassembly).
    pub fn max_envelope(&self) -> usize {
        // 16 bytes per coordinate for the compact lists, proofs per policy, and room for the
        // envelope and contribution framing. Generous: it only bounds memory.
        let d = usize::try_from(self.ann.params.dimension).unwrap_or(usize::MAX);
        let proofs = match self.ann.params.proof_policy {
            ProofPolicy::None => 0,
            ProofPolicy::Every => d.saturating_mul(64).saturating_add(1 << 16),
        };
        d.saturating_mul(24).saturating_add(proofs).saturating_add(1 << 16)
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

/// A transcript that passed verification.
pub struct Verified<S: Suite> {
    /// Its digest.
    pub digest: Digest,
    /// The aggregate, recomputed from the accepted ciphertexts (equal to the claimed one).
    pub aggregate: S::Aggregate,
    /// Accepted contributions.
    pub count: u32,
}

/// Runs the transcript verification algorithm of `spec/protocol.md`. `joint_key` is the
/// round's joint key as this verifier computed it from the signed key bodies (`None` if it
/// could not: every entry then fails its proof check).
///
/// # Errors
/// The first [`TranscriptFault`] found, in the order of the algorithm.
pub fn verify_transcript<S: Suite>(
    ctx: &RoundContext<S>,
    joint_key: Option<&S::JointKey>,
    t: &TranscriptMsg,
) -> Result<Verified<S>, TranscriptFault> {
    // 1. Round and announcement.
    if t.round != ctx.round() || t.announcement != ctx.digest {
        return Err(TranscriptFault::WrongRound);
    }
    // 2. The aggregator signed exactly this transcript.
    let entry_digests = t.entry_digests();
    let digest = t.digest_with(&entry_digests);
    if !S::verify(&ctx.sys, &ctx.ann.aggregator.bundle, &digest, &t.signature) {
        return Err(TranscriptFault::BadAggregatorSignature);
    }
    // 3. Enough contributions (cheap; checked before the per-entry work).
    let count = u32::try_from(t.accepted.len()).unwrap_or(u32::MAX);
    if count < ctx.ann.params.min_clients {
        return Err(TranscriptFault::TooFewClients {
            accepted: count,
            min: ctx.ann.params.min_clients,
        });
    }
    // 4. Each entry: enrolled, unique (strictly increasing), signed by its client, well
    //    formed, proved as the policy says; then summed.
    let mut sum = S::new_aggregate(&ctx.params);
    let mut previous: Option<u32> = None;
    for (e, d) in t.accepted.iter().zip(&entry_digests) {
        let client = e.client;
        let bundle = ctx.client_bundle(client).ok_or(TranscriptFault::UnknownClient { client })?;
        match previous {
            Some(p) if p == client => return Err(TranscriptFault::DuplicateClient { client }),
            Some(p) if p > client => return Err(TranscriptFault::Unsorted),
            _ => {}
        }
        previous = Some(client);
        let statement = contribution_statement(&ctx.digest, ctx.round(), client, d);
        if !S::verify(&ctx.sys, bundle, &statement, &e.signature) {
            return Err(TranscriptFault::BadClientSignature { client });
        }
        let update = S::decode_update(&ctx.params, &e.ciphertext)
            .ok_or(TranscriptFault::MalformedCiphertext { client })?;
        let pc = ProofContext { announcement: ctx.digest, client };
        if !joint_key.is_some_and(|k| S::verify_proofs(&ctx.params, k, &update, &pc)) {
            return Err(TranscriptFault::BadProof { client });
        }
        if !S::add(&ctx.params, &mut sum, &update) {
            return Err(TranscriptFault::MalformedCiphertext { client });
        }
    }
    // 5. The claimed aggregate is the recomputed sum.
    let claimed = S::decode_aggregate(&ctx.params, &t.aggregate)
        .ok_or(TranscriptFault::MalformedAggregate)?;
    if !S::aggregate_eq(&sum, &claimed) {
        return Err(TranscriptFault::AggregateMismatch);
    }
    Ok(Verified { digest, aggregate: sum, count })
}
