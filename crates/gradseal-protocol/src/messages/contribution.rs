//! Step 2: a client's one-shot contribution (the plaintext of its envelope), the digests and
//! signcryption contexts that bind it, and the shard messages that carry the envelope.

use gradseal_core::{Codec, DecodeError, Reader, Writer, bulk_digest, hash};

use super::{
    Digest, MAX_CONTRIBUTION, MAX_MANIFEST, MAX_SEALED_SEED, MAX_SEALED_SEEDS, MAX_SHARD,
    MAX_SIGNATURE,
};
use crate::params::RoundId;
use crate::tags;

/// The plaintext of a contribution envelope (signcrypted by the client to the aggregator,
/// never sent in the clear). Its `signature` is the client's transferable signature over
/// [`Contribution::statement`], which the aggregator copies into the transcript and into
/// every member's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// The round.
    pub round: RoundId,
    /// The client's roster index.
    pub client: u32,
    /// Encoded gradseal-agg `Contribution`: the bodies and the public correction.
    pub body: Vec<u8>,
    /// The sealed key seeds in canonical order: for each set `t` of `f` members ascending,
    /// for each holder `j` of `t` (member outside it) ascending, the seed of set `t`
    /// signcrypted by the client to member `j` under [`seed_context`]`(A, round, client, t,
    /// j)`: `(n − f)·C(n, f)` of them.
    pub sealed_seeds: Vec<Vec<u8>>,
    /// The client's signature over the contribution statement.
    pub signature: Vec<u8>,
}

impl Contribution {
    /// The digest of every sealed seed, in canonical order.
    pub fn seed_digests(&self) -> Vec<Digest> {
        self.sealed_seeds.iter().map(|s| sealed_seed_digest(s)).collect()
    }

    /// The statement the client signs, for announcement digest `announcement` (hashes the
    /// body; see [`contribution_statement`]).
    pub fn statement(&self, announcement: &Digest) -> Digest {
        contribution_statement(
            announcement,
            self.round,
            self.client,
            &body_digest(&self.body),
            &self.seed_digests(),
        )
    }
}

impl Codec for Contribution {
    fn encoded_len_hint(&self) -> usize {
        let seeds: usize = self.sealed_seeds.iter().map(|s| 4 + s.len()).sum();
        24 + self.body.len() + seeds + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        w.put_u32(self.client);
        w.put_var_bytes(&self.body);
        w.put_list(&self.sealed_seeds, |w, s| w.put_var_bytes(s));
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Contribution {
            round: RoundId(r.read_u64("contribution.round")?),
            client: r.read_u32("contribution.client")?,
            body: r.read_var_bytes("contribution.body", MAX_CONTRIBUTION)?.to_vec(),
            sealed_seeds: read_sealed_seeds(r, "contribution.sealed_seeds")?,
            signature: r.read_var_bytes("contribution.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// Reads `list(vec(sealed seed))`, at most [`MAX_SEALED_SEEDS`].
pub(crate) fn read_sealed_seeds(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<Vec<Vec<u8>>, DecodeError> {
    r.read_list(field, MAX_SEALED_SEEDS, |r| Ok(r.read_var_bytes(field, MAX_SEALED_SEED)?.to_vec()))
}

/// Digest `C` of a contribution's gradseal-agg bytes: `B("…/contribution-body", body)`
/// (gradseal-core's bulk digest: every verifier hashes every body once).
pub fn body_digest(body: &[u8]) -> Digest {
    bulk_digest(tags::TAG_CONTRIBUTION_BODY, body)
}

/// Digest of one sealed seed: `H("…/sealed-seed", sealed)`.
pub fn sealed_seed_digest(sealed: &[u8]) -> Digest {
    hash(tags::TAG_SEALED_SEED, &[sealed])
}

/// The statement a client signs: `H("…/contribution-v3", A, u64 round, u32 client, C,
/// u32 m, s_0, …, s_{m-1})`, with `C` the body digest and `s_i` the digest of the `i`-th
/// sealed seed in canonical (set, holder) order.
pub fn contribution_statement(
    announcement: &Digest,
    round: RoundId,
    client: u32,
    body_digest: &Digest,
    seed_digests: &[Digest],
) -> Digest {
    let count = u32::try_from(seed_digests.len()).unwrap_or(u32::MAX).to_be_bytes();
    let (round, client) = (round.0.to_be_bytes(), client.to_be_bytes());
    let mut parts: Vec<&[u8]> = vec![announcement, &round, &client, body_digest, &count];
    parts.extend(seed_digests.iter().map(|d| d.as_slice()));
    hash(tags::TAG_CONTRIBUTION, &parts)
}

/// The signcryption context of the seed of set `set` that client `client` seals to member
/// `member`: `H("…/seed-context-v3", A, u64 round, u32 client, u32 set, u32 member)`. A
/// sealed seed opens only under its own (round, client, set, member): one copied into
/// another client's contribution, moved to another set, or replayed from another round,
/// does not open.
pub fn seed_context(
    announcement: &Digest,
    round: RoundId,
    client: u32,
    set: u32,
    member: u32,
) -> Digest {
    hash(
        tags::TAG_SEED_CONTEXT,
        &[
            announcement,
            &round.0.to_be_bytes(),
            &client.to_be_bytes(),
            &set.to_be_bytes(),
            &member.to_be_bytes(),
        ],
    )
}

/// The signcryption context of a contribution envelope: names the protocol and the
/// recipient. The round is bound *inside* the envelope (the signed [`Contribution`] names
/// it), so a replayed envelope opens and is rejected with the typed reason `WrongRound`.
pub fn envelope_context(aggregator_bundle: &[u8]) -> Digest {
    hash(tags::TAG_ENVELOPE_CONTEXT, &[aggregator_bundle])
}

/// One authenticated Reed-Solomon shard of a contribution envelope, sent by a client
/// through a relay. Unsigned (the sender stays anonymous to relays); the manifest
/// authenticates the shard and the envelope authenticates the manifest's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMsg {
    /// The round.
    pub round: RoundId,
    /// Encoded `gradseal_shard` manifest.
    pub manifest: Vec<u8>,
    /// Encoded `gradseal_shard` shard.
    pub shard: Vec<u8>,
}

impl Codec for ShardMsg {
    fn encoded_len_hint(&self) -> usize {
        32 + self.manifest.len() + self.shard.len()
    }

    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        w.put_var_bytes(&self.manifest);
        w.put_var_bytes(&self.shard);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ShardMsg {
            round: RoundId(r.read_u64("shard.round")?),
            manifest: r.read_var_bytes("shard.manifest", MAX_MANIFEST)?.to_vec(),
            shard: r.read_var_bytes("shard.shard", MAX_SHARD)?.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_binds_every_field() {
        let (a, c, s) = ([1u8; 32], [2u8; 32], [[3u8; 32], [4u8; 32]]);
        let base = contribution_statement(&a, RoundId(5), 6, &c, &s);
        let changed = [
            contribution_statement(&[9; 32], RoundId(5), 6, &c, &s),
            contribution_statement(&a, RoundId(7), 6, &c, &s),
            contribution_statement(&a, RoundId(5), 7, &c, &s),
            contribution_statement(&a, RoundId(5), 6, &[9; 32], &s),
            contribution_statement(&a, RoundId(5), 6, &c, &[s[1], s[0]]),
            contribution_statement(&a, RoundId(5), 6, &c, &s[..1]),
        ];
        for x in changed {
            assert_ne!(x, base);
        }
    }

    #[test]
    fn seed_contexts_differ_by_round_client_set_and_member() {
        let a = [1u8; 32];
        let base = seed_context(&a, RoundId(1), 2, 3, 4);
        for other in [
            seed_context(&[0; 32], RoundId(1), 2, 3, 4),
            seed_context(&a, RoundId(2), 2, 3, 4),
            seed_context(&a, RoundId(1), 3, 3, 4),
            seed_context(&a, RoundId(1), 2, 4, 4),
            seed_context(&a, RoundId(1), 2, 3, 5),
            seed_context(&a, RoundId(1), 2, 4, 3),
            envelope_context(&a),
        ] {
            assert_ne!(other, base);
        }
    }

    #[test]
    fn contribution_round_trips_and_rejects_too_many_seeds() {
        let c = Contribution {
            round: RoundId(1),
            client: 2,
            body: vec![1, 2, 3],
            sealed_seeds: vec![vec![4; 10], vec![5; 11]],
            signature: vec![6; 64],
        };
        assert_eq!(Contribution::from_bytes(&c.to_bytes()), Ok(c.clone()));
        let many = Contribution { sealed_seeds: vec![vec![0]; MAX_SEALED_SEEDS + 1], ..c };
        assert!(Contribution::from_bytes(&many.to_bytes()).is_err());
    }
}
