//! Step 3b: the aggregator's signed transcript head (to observers) and each member's list
//! (to that member only).

use gradseal_core::{Codec, DecodeError, Reader, Transcript, Writer, bulk_digest, hash};

use super::contribution::read_sealed_seeds;
use super::entry::EntryRef;
use super::{
    Digest, MAX_AGGREGATE, MAX_REJECTED, MAX_SEALED_SEEDS, MAX_SIGNATURE, put_digest, read_digest,
    sealed_seed_digest, usize_of,
};
use crate::params::{MAX_CLIENTS, MAX_RELAYS, RoundId};
use crate::reason::{BadRelay, RejectReason};
use crate::tags;

/// A rejected item as the transcript records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectedEntry {
    /// Roster index, when the aggregator could authenticate the client.
    pub client: Option<u32>,
    /// Digest of the rejected item (the body digest once the contribution decodes, else
    /// the envelope's).
    pub item: Digest,
    /// Why.
    pub reason: RejectReason,
}

impl Codec for RejectedEntry {
    fn encode(&self, w: &mut Writer) {
        match self.client {
            Some(c) => {
                w.put_bool(true);
                w.put_u32(c);
            }
            None => w.put_bool(false),
        }
        put_digest(w, &self.item);
        self.reason.encode(w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let client = if r.read_bool("rejected.has_client")? {
            Some(r.read_u32("rejected.client")?)
        } else {
            None
        };
        Ok(RejectedEntry {
            client,
            item: read_digest(r, "rejected.item")?,
            reason: RejectReason::decode(r)?,
        })
    }
}

/// The transcript head: the aggregator's signed account of the round, sent to observers at
/// the close. It lists every accepted contribution by its digests (the bodies and sealed
/// seeds went to the observers in [`super::EntryMsg`]s as they were accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptMsg {
    /// The round.
    pub round: RoundId,
    /// Digest of the announcement.
    pub announcement: Digest,
    /// Accepted contributions, strictly increasing by client index.
    pub accepted: Vec<EntryRef>,
    /// Rejected items with reasons.
    pub rejected: Vec<RejectedEntry>,
    /// Relays that delivered corrupt shards (advisory, see [`BadRelay`]).
    pub bad_relays: Vec<BadRelay>,
    /// Encoded gradseal-agg aggregate (the claimed sum of `accepted`).
    pub aggregate: Vec<u8>,
    /// The aggregator's signature over [`TranscriptMsg::digest`].
    pub signature: Vec<u8>,
}

impl TranscriptMsg {
    /// The transcript digest `T` (`spec/protocol.md` §4.3): every field but the signature,
    /// the aggregate by its bulk digest.
    pub fn digest(&self) -> Digest {
        let mut t = Transcript::new(tags::TAG_TRANSCRIPT);
        t.append_u64("round", self.round.0);
        t.append("announcement", &self.announcement);
        t.append_u64("accepted", self.accepted.len() as u64);
        for e in &self.accepted {
            t.append_u64("client", u64::from(e.client));
            t.append("body", &e.digests.body);
            t.append_u64("seeds", e.digests.seeds.len() as u64);
            for s in &e.digests.seeds {
                t.append("seed", s);
            }
            t.append("signature", &e.signature);
        }
        let mut w = Writer::new();
        w.put_list(&self.rejected, |w, e| e.encode(w));
        w.put_list(&self.bad_relays, |w, e| e.encode(w));
        t.append("rejected-and-relays", w.as_slice());
        t.append("aggregate", &bulk_digest(tags::TAG_AGGREGATE, &self.aggregate));
        t.finalize()
    }

    /// Member `member`'s list as this transcript determines it (unsigned), given the
    /// transcript's digest, each accepted entry's sealed seeds (`sealed[i]` those of
    /// `accepted[i]`) and the holder of every canonical seed position (`holders[i]` is the
    /// member the `i`-th sealed seed is for); `None` if an entry does not have one sealed
    /// seed and one seed digest per position.
    pub fn member_list(
        &self,
        digest: &Digest,
        sealed: &[&[Vec<u8>]],
        member: u32,
        holders: &[u32],
    ) -> Option<MemberList> {
        if sealed.len() != self.accepted.len() {
            return None;
        }
        let entries = self
            .accepted
            .iter()
            .zip(sealed)
            .map(|(e, seeds)| {
                if seeds.len() != holders.len() || e.digests.seeds.len() != holders.len() {
                    return None;
                }
                let mut sealed_seeds = Vec::new();
                let mut other_seeds = Vec::new();
                for ((sealed, seed_digest), &holder) in
                    seeds.iter().zip(&e.digests.seeds).zip(holders)
                {
                    if holder == member {
                        sealed_seeds.push(sealed.clone());
                    } else {
                        other_seeds.push(*seed_digest);
                    }
                }
                Some(ListEntry {
                    client: e.client,
                    body_digest: e.digests.body,
                    other_seeds,
                    sealed_seeds,
                    signature: e.signature.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(MemberList {
            round: self.round,
            announcement: self.announcement,
            transcript: *digest,
            member,
            entries,
            signature: Vec::new(),
        })
    }
}

impl Codec for TranscriptMsg {
    fn encoded_len_hint(&self) -> usize {
        let accepted: usize = self.accepted.iter().map(Codec::encoded_len_hint).sum();
        256 + accepted + 64 * self.rejected.len() + self.aggregate.len() + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.announcement);
        w.put_list(&self.accepted, |w, e| e.encode(w));
        w.put_list(&self.rejected, |w, e| e.encode(w));
        w.put_list(&self.bad_relays, |w, e| e.encode(w));
        w.put_var_bytes(&self.aggregate);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(TranscriptMsg {
            round: RoundId(r.read_u64("transcript.round")?),
            announcement: read_digest(r, "transcript.announcement")?,
            accepted: r.read_list(
                "transcript.accepted",
                usize_of(MAX_CLIENTS),
                EntryRef::decode,
            )?,
            rejected: r.read_list("transcript.rejected", MAX_REJECTED, RejectedEntry::decode)?,
            bad_relays: r.read_list(
                "transcript.bad_relays",
                usize_of(MAX_RELAYS),
                BadRelay::decode,
            )?,
            aggregate: r.read_var_bytes("transcript.aggregate", MAX_AGGREGATE)?.to_vec(),
            signature: r.read_var_bytes("transcript.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// One entry of a member's list: what member j needs to check the client's signature and
/// to open the seeds of the sets it holds, and nothing of the other seeds but their digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// Roster index.
    pub client: u32,
    /// The client's body digest `C`.
    pub body_digest: Digest,
    /// The digests `s_i` of the seeds sealed to other members, in canonical order (every
    /// position whose holder is not j).
    pub other_seeds: Vec<Digest>,
    /// The seeds sealed to this member, one per set it holds, ascending by set.
    pub sealed_seeds: Vec<Vec<u8>>,
    /// The client's signature over its contribution statement.
    pub signature: Vec<u8>,
}

impl ListEntry {
    /// Every seed digest in canonical order, given the holder of each position: this
    /// member's positions computed from its sealed seeds, the others' taken from
    /// `other_seeds`; `None` unless the counts fit `holders` exactly.
    pub fn seed_digests(&self, member: u32, holders: &[u32]) -> Option<Vec<Digest>> {
        let mut own = self.sealed_seeds.iter();
        let mut other = self.other_seeds.iter();
        let all = holders
            .iter()
            .map(|&h| {
                if h == member {
                    own.next().map(|s| sealed_seed_digest(s))
                } else {
                    other.next().copied()
                }
            })
            .collect::<Option<Vec<_>>>()?;
        (own.next().is_none() && other.next().is_none()).then_some(all)
    }
}

impl Codec for ListEntry {
    fn encode(&self, w: &mut Writer) {
        w.put_u32(self.client);
        put_digest(w, &self.body_digest);
        w.put_list(&self.other_seeds, put_digest);
        w.put_list(&self.sealed_seeds, |w, s| w.put_var_bytes(s));
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ListEntry {
            client: r.read_u32("list_entry.client")?,
            body_digest: read_digest(r, "list_entry.body_digest")?,
            other_seeds: r.read_list("list_entry.other_seeds", MAX_SEALED_SEEDS, |r| {
                read_digest(r, "list_entry.other_seed")
            })?,
            sealed_seeds: read_sealed_seeds(r, "list_entry.sealed_seeds")?,
            signature: r.read_var_bytes("list_entry.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// The list the aggregator sends member j: the accepted entries as member j sees them,
/// derived from transcript `T`. Signed by the aggregator; the member's partial decryption
/// names its digest, so an observer holding the transcript can tell whether every member
/// was sent the list the transcript implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberList {
    /// The round.
    pub round: RoundId,
    /// Digest of the announcement.
    pub announcement: Digest,
    /// Digest of the transcript this list is derived from.
    pub transcript: Digest,
    /// The committee index of the member it is for.
    pub member: u32,
    /// Entries, strictly increasing by client index.
    pub entries: Vec<ListEntry>,
    /// The aggregator's signature over [`MemberList::digest`].
    pub signature: Vec<u8>,
}

impl MemberList {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.announcement);
        put_digest(w, &self.transcript);
        w.put_u32(self.member);
        w.put_list(&self.entries, |w, e| e.encode(w));
    }

    /// The list digest `L_j` the aggregator signs and the member's partial names:
    /// `H("…/member-list", body)`.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::with_capacity(self.encoded_len_hint());
        self.encode_body(&mut w);
        hash(tags::TAG_MEMBER_LIST, &[w.as_slice()])
    }
}

impl Codec for MemberList {
    fn encoded_len_hint(&self) -> usize {
        let entries: usize = self
            .entries
            .iter()
            .map(|e| {
                let own: usize = e.sealed_seeds.iter().map(|s| 4 + s.len()).sum();
                52 + 32 * e.other_seeds.len() + own + e.signature.len()
            })
            .sum();
        128 + entries + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(MemberList {
            round: RoundId(r.read_u64("list.round")?),
            announcement: read_digest(r, "list.announcement")?,
            transcript: read_digest(r, "list.transcript")?,
            member: r.read_u32("list.member")?,
            entries: r.read_list("list.entries", usize_of(MAX_CLIENTS), ListEntry::decode)?,
            signature: r.read_var_bytes("list.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::AcceptedEntry;

    fn entries() -> Vec<AcceptedEntry> {
        let entry = |client: u32| AcceptedEntry {
            client,
            body: vec![u8::try_from(client).unwrap_or(0); 40],
            sealed_seeds: (0..12u8).map(|i| vec![i; 20]).collect(),
            signature: vec![7; 64],
        };
        vec![entry(0), entry(2)]
    }

    fn transcript() -> TranscriptMsg {
        TranscriptMsg {
            round: RoundId(4),
            announcement: [1; 32],
            accepted: entries().iter().map(AcceptedEntry::to_ref).collect(),
            rejected: Vec::new(),
            bad_relays: Vec::new(),
            aggregate: vec![9; 16],
            signature: vec![8; 64],
        }
    }

    /// The holder of each canonical seed position of a (4, 2) committee: sets {0,1},
    /// {0,2}, {0,3}, {1,2}, {1,3}, {2,3}, each sealed to the two members outside it.
    const HOLDERS: [u32; 12] = [2, 3, 1, 3, 1, 2, 0, 3, 0, 2, 0, 1];

    /// A member's list carries its own sealed seeds (the sets it holds) and the other
    /// positions' digests, from which the member rebuilds the digests the client signed.
    #[test]
    fn member_lists_rebuild_the_signed_seed_digests() {
        let t = transcript();
        let full = entries();
        let sealed: Vec<&[Vec<u8>]> = full.iter().map(|e| &e.sealed_seeds[..]).collect();
        let digest = t.digest();
        let mut seen = Vec::new();
        for j in 0..4u32 {
            let list =
                t.member_list(&digest, &sealed, j, &HOLDERS).unwrap_or_else(|| unreachable!());
            assert_eq!(list.entries.len(), 2);
            let own: Vec<Vec<u8>> =
                (0..12u8).filter(|&i| HOLDERS[usize::from(i)] == j).map(|i| vec![i; 20]).collect();
            for (e, r) in list.entries.iter().zip(&t.accepted) {
                assert_eq!((e.sealed_seeds.len(), e.other_seeds.len()), (3, 9));
                assert_eq!(e.seed_digests(j, &HOLDERS), Some(r.digests.seeds.clone()));
                assert_eq!(e.sealed_seeds, own);
                assert_eq!(e.seed_digests(j, &HOLDERS[..11]), None);
                assert_ne!(e.seed_digests((j + 1) % 4, &HOLDERS), Some(r.digests.seeds.clone()));
            }
            assert_eq!(MemberList::from_bytes(&list.to_bytes()), Ok(list.clone()));
            seen.push(list.digest());
        }
        seen.dedup();
        assert_eq!(seen.len(), 4, "every member's list digest differs");
        assert!(t.member_list(&digest, &sealed, 0, &HOLDERS[..11]).is_none());
        assert!(t.member_list(&digest, &sealed[..1], 0, &HOLDERS).is_none());
    }

    #[test]
    fn transcript_digest_binds_seeds_and_aggregate() {
        let t = transcript();
        let base = t.digest();
        let mut seeded = entries();
        seeded[1].sealed_seeds[2][0] ^= 1;
        let mut seed = t.clone();
        seed.accepted[1] = seeded[1].to_ref();
        let mut agg = t.clone();
        agg.aggregate[0] ^= 1;
        assert_ne!(seed.digest(), base);
        assert_ne!(agg.digest(), base);
        assert_eq!(TranscriptMsg::from_bytes(&t.to_bytes()), Ok(t));
    }
}
