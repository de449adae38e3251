//! Step 3a: the accepted contributions the aggregator streams to observers as it accepts
//! them, so that no process but an observer ever holds the whole transcript; the signed
//! head ([`super::TranscriptMsg`]) lists them by digest at the close.

use gradseal_core::{Codec, DecodeError, Reader, Writer};

use super::contribution::read_sealed_seeds;
use super::{
    Digest, MAX_CONTRIBUTION, MAX_SEALED_SEEDS, MAX_SIGNATURE, body_digest, put_digest,
    read_digest, sealed_seed_digest,
};
use crate::params::RoundId;

/// An accepted contribution: everything the client signed, and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedEntry {
    /// Roster index.
    pub client: u32,
    /// Encoded gradseal-agg contribution (bodies and correction).
    pub body: Vec<u8>,
    /// The client's sealed seeds, in canonical (set, holder) order.
    pub sealed_seeds: Vec<Vec<u8>>,
    /// The client's signature over its contribution statement.
    pub signature: Vec<u8>,
}

impl AcceptedEntry {
    /// The entry as the transcript head lists it (hashes the body once).
    pub fn to_ref(&self) -> EntryRef {
        EntryRef {
            client: self.client,
            digests: EntryDigests::of(self),
            signature: self.signature.clone(),
        }
    }
}

impl Codec for AcceptedEntry {
    fn encoded_len_hint(&self) -> usize {
        let seeds: usize = self.sealed_seeds.iter().map(|s| 4 + s.len()).sum();
        16 + self.body.len() + seeds + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u32(self.client);
        w.put_var_bytes(&self.body);
        w.put_list(&self.sealed_seeds, |w, s| w.put_var_bytes(s));
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(AcceptedEntry {
            client: r.read_u32("accepted.client")?,
            body: r.read_var_bytes("accepted.body", MAX_CONTRIBUTION)?.to_vec(),
            sealed_seeds: read_sealed_seeds(r, "accepted.sealed_seeds")?,
            signature: r.read_var_bytes("accepted.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// The digests of one accepted entry: its body digest `C` and its seed digests `s_i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDigests {
    /// `C`, the body digest.
    pub body: Digest,
    /// `s_i` for every sealed seed, in canonical order.
    pub seeds: Vec<Digest>,
}

impl EntryDigests {
    /// Hashes an entry (its body once).
    pub fn of(e: &AcceptedEntry) -> Self {
        EntryDigests {
            body: body_digest(&e.body),
            seeds: e.sealed_seeds.iter().map(|s| sealed_seed_digest(s)).collect(),
        }
    }
}

/// An accepted entry as the transcript head lists it: the client, the digests it signed and
/// its signature (everything the transcript digest `T` and the client's statement cover,
/// without the body and sealed seeds, which travel in the [`EntryMsg`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef {
    /// Roster index.
    pub client: u32,
    /// The body digest `C` and the seed digests `s_i`.
    pub digests: EntryDigests,
    /// The client's signature over its contribution statement.
    pub signature: Vec<u8>,
}

impl Codec for EntryRef {
    fn encoded_len_hint(&self) -> usize {
        44 + 32 * self.digests.seeds.len() + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u32(self.client);
        put_digest(w, &self.digests.body);
        w.put_list(&self.digests.seeds, put_digest);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(EntryRef {
            client: r.read_u32("entry_ref.client")?,
            digests: EntryDigests {
                body: read_digest(r, "entry_ref.body")?,
                seeds: r.read_list("entry_ref.seeds", MAX_SEALED_SEEDS, |r| {
                    read_digest(r, "entry_ref.seed")
                })?,
            },
            signature: r.read_var_bytes("entry_ref.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// One accepted contribution, sent by the aggregator to every observer when it accepts it.
/// Unsigned: the transcript head the aggregator signs at the close lists each entry by its
/// digests, and an observer matches the two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMsg {
    /// The round.
    pub round: RoundId,
    /// The entry.
    pub entry: AcceptedEntry,
}

impl Codec for EntryMsg {
    fn encoded_len_hint(&self) -> usize {
        8 + self.entry.encoded_len_hint()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        self.entry.encode(w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(EntryMsg {
            round: RoundId(r.read_u64("entry.round")?),
            entry: AcceptedEntry::decode(r)?,
        })
    }
}
