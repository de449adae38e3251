//! Step 1: the round announcement and the parties it names.

use gradseal_core::{Codec, DecodeError, Reader, Writer, hash};

use super::{Digest, MAX_BUNDLE, MAX_SIGNATURE, usize_of};
use crate::params::{MAX_CLIENTS, MAX_COMMITTEE, MAX_RELAYS, NodeId, RoundId, RoundParams};
use crate::tags;

/// A node named in the announcement: its address and its certificateless public bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Network address.
    pub node: NodeId,
    /// Encoded `gradseal_clsc` public bundle.
    pub bundle: Vec<u8>,
}

impl Codec for Party {
    fn encode(&self, w: &mut Writer) {
        w.put_u32(self.node.0);
        w.put_var_bytes(&self.bundle);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let node = NodeId(r.read_u32("party.node")?);
        let bundle = r.read_var_bytes("party.bundle", MAX_BUNDLE)?.to_vec();
        Ok(Party { node, bundle })
    }
}

/// Step 1: the authority announces the round. Signed by the authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The round.
    pub round: RoundId,
    /// Its parameters.
    pub params: RoundParams,
    /// The aggregator.
    pub aggregator: Party,
    /// Relay addresses; a client sends shard `i` through relay `i mod len`.
    pub relays: Vec<NodeId>,
    /// Addresses that receive the full transcript, partial decryptions and result
    /// (auditors).
    pub observers: Vec<NodeId>,
    /// The decryption committee, in committee-index order.
    pub committee: Vec<Party>,
    /// The enrolled clients admitted to this round, in roster-index order.
    pub roster: Vec<Party>,
    /// The authority's signature over [`Announcement::digest`].
    pub signature: Vec<u8>,
}

impl Announcement {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        self.params.encode(w);
        self.aggregator.encode(w);
        w.put_list(&self.relays, |w, n| w.put_u32(n.0));
        w.put_list(&self.observers, |w, n| w.put_u32(n.0));
        w.put_list(&self.committee, |w, p| p.encode(w));
        w.put_list(&self.roster, |w, p| p.encode(w));
    }

    /// The digest `A` the authority signs and every later message binds.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::new();
        self.encode_body(&mut w);
        hash(tags::TAG_ANNOUNCEMENT, &[w.as_slice()])
    }

    /// gradseal-agg's `round_id` for this round: `H("…/agg-round-id", A)`. The public masks
    /// and every seed expansion derive from it, so every scheme value is bound to `A`.
    pub fn agg_round_id(&self) -> Digest {
        hash(tags::TAG_AGG_ROUND, &[&self.digest()])
    }
}

impl Codec for Announcement {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let round = RoundId(r.read_u64("announcement.round")?);
        let params = RoundParams::decode(r)?;
        let aggregator = Party::decode(r)?;
        let relays = r.read_list("announcement.relays", usize_of(MAX_RELAYS), |r| {
            Ok(NodeId(r.read_u32("announcement.relay")?))
        })?;
        if relays.is_empty() {
            return Err(DecodeError::InvalidValue { field: "announcement.relays" });
        }
        let observers = r.read_list("announcement.observers", usize_of(MAX_RELAYS), |r| {
            Ok(NodeId(r.read_u32("announcement.observer")?))
        })?;
        let committee =
            r.read_list("announcement.committee", usize_of(MAX_COMMITTEE), Party::decode)?;
        if committee.is_empty() {
            return Err(DecodeError::InvalidValue { field: "announcement.committee" });
        }
        params
            .check_committee(committee.len())
            .map_err(|e| DecodeError::InvalidValue { field: e.field() })?;
        let roster = r.read_list("announcement.roster", usize_of(MAX_CLIENTS), Party::decode)?;
        if roster.len() < usize_of(params.min_clients) {
            return Err(DecodeError::InvalidValue { field: "announcement.roster" });
        }
        let signature = r.read_var_bytes("announcement.signature", MAX_SIGNATURE)?.to_vec();
        Ok(Announcement {
            round,
            params,
            aggregator,
            relays,
            observers,
            committee,
            roster,
            signature,
        })
    }
}
