//! A committee member's share of the round and its one flooded partial decryption
//! (`spec/agg.md`, section 6).
//!
//! ```text
//! member j keeps σ_{c,t} for every client c on its list and every set t it holds (j ∉ T_t)
//! under quorum Q:  A_j = the sets assigned to j (Committee::assigned_sets)
//! S_j = Σ_{c in the list} Σ_{t in A_j} r_{c,t}          r_{c,t} = XOF(SEED, round, t, σ_{c,t})
//! p_j[i·n + t] = (a_i · S_j)[t] + f_j[i·n + t],   f ← rounded Gaussian of deviation σ_f
//! ```
//! A second decryption on another list would reveal a_i · r_{v,t} for the difference, so the
//! share is consumed by [`MemberShare::partial_decrypt`].

use std::collections::BTreeSet;

use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::committee::MemberSet;
use crate::encrypt::SEED_LEN;
use crate::noise::fill_gaussian;
use crate::ring::{FixedOperand, add_seed_expansions, masks};
use crate::wire::{SHAPE_LEN, Shape, put_words, read_words};
use crate::{AggError, KeySeed, RoundParams, tags};

/// Member j's key seeds: for every client on its list, the seeds of the sets it holds.
/// Secret: zeroized on drop, redacted in `Debug`; consumed by its one decryption, which
/// expands only the sets assigned to the member under the decryption's quorum.
pub struct MemberShare {
    shape: Shape,
    member: u16,
    /// The sets the member holds, ascending: what each client's seeds must be.
    held: Vec<u16>,
    max_clients: u32,
    /// Per client, its seeds in the order of `held` (each vector allocated at its final
    /// size, so no secret is left behind by a reallocation).
    clients: Vec<Zeroizing<Vec<[u8; SEED_LEN]>>>,
    /// `hash(SEED_ID, [seed])` of every seed added.
    seen: BTreeSet<[u8; 32]>,
}

impl core::fmt::Debug for MemberShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemberShare")
            .field("member", &self.member)
            .field("count", &self.count())
            .finish_non_exhaustive()
    }
}

pub(crate) fn check_member(params: &RoundParams, member: u16) -> Result<(), AggError> {
    if member >= params.committee_size() {
        return Err(AggError::MemberOutOfRange { member, committee_size: params.committee_size() });
    }
    Ok(())
}

/// Checks `quorum` against the committee and that it contains `member`.
fn check_in_quorum(params: &RoundParams, quorum: MemberSet, member: u16) -> Result<(), AggError> {
    params.committee().check_quorum(quorum)?;
    if !quorum.contains(member) {
        return Err(AggError::NotInQuorum { member });
    }
    Ok(())
}

impl MemberShare {
    /// The empty share of member `member` for the round.
    ///
    /// # Errors
    /// [`AggError::MemberOutOfRange`].
    pub fn new(params: &RoundParams, member: u16) -> Result<MemberShare, AggError> {
        check_member(params, member)?;
        Ok(MemberShare {
            shape: Shape::of(params),
            member,
            held: params.committee().held_sets(member),
            max_clients: params.config().max_clients,
            clients: Vec::new(),
            seen: BTreeSet::new(),
        })
    }

    /// The member index.
    pub fn member(&self) -> u16 {
        self.member
    }

    /// The sets whose seeds this member holds (ascending): what
    /// [`MemberShare::add_client`] expects of every client.
    pub fn held_sets(&self) -> &[u16] {
        &self.held
    }

    /// Number of clients added (the length of the member's list).
    pub fn count(&self) -> u32 {
        u32::try_from(self.clients.len()).unwrap_or(u32::MAX)
    }

    /// Adds one client on the list: its seeds for this member, exactly the member's held sets
    /// in ascending order. The caller has checked that every seed was signcrypted by that
    /// client for this round, set and member. Atomic: on error nothing is added.
    ///
    /// # Errors
    /// [`AggError::SeedSetMismatch`] (a seed of another set, out of order, missing or extra),
    /// [`AggError::TooManyContributions`], [`AggError::DuplicateSeed`] (a seed already added,
    /// or twice in `seeds`).
    pub fn add_client(&mut self, seeds: &[KeySeed]) -> Result<(), AggError> {
        for i in 0..self.held.len().max(seeds.len()) {
            let expected = self.held.get(i).copied();
            let got = seeds.get(i).map(KeySeed::set);
            if expected != got {
                return Err(AggError::SeedSetMismatch {
                    member: self.member,
                    expected: expected.unwrap_or(u16::MAX),
                    got: got.unwrap_or(u16::MAX),
                });
            }
        }
        if self.count() >= self.max_clients {
            return Err(AggError::TooManyContributions { max: self.max_clients });
        }
        let ids: Vec<[u8; 32]> =
            seeds.iter().map(|s| gradseal_core::hash(tags::SEED_ID, &[s.bytes()])).collect();
        let fresh: BTreeSet<&[u8; 32]> = ids.iter().collect();
        if fresh.len() != ids.len() || ids.iter().any(|id| self.seen.contains(id)) {
            return Err(AggError::DuplicateSeed);
        }
        let mut client = Zeroizing::new(Vec::with_capacity(seeds.len()));
        client.extend(seeds.iter().map(|s| *s.bytes()));
        self.clients.push(client);
        self.seen.extend(ids);
        Ok(())
    }

    /// The member's one partial decryption under `quorum`, flooded with the round's σ_f;
    /// consumes the share. It expands and sums only the sets assigned to the member under
    /// `quorum` ([`crate::Committee::assigned_sets`]); a member with no assigned set sends
    /// pure flooding.
    ///
    /// # Errors
    /// Shape errors if `params` are not the round the share was made for;
    /// [`AggError::InvalidQuorum`], [`AggError::NotInQuorum`];
    /// [`AggError::TooFewContributions`] below `min_clients` clients.
    pub fn partial_decrypt<R: CryptoRng + ?Sized>(
        self,
        params: &RoundParams,
        quorum: MemberSet,
        rng: &mut R,
    ) -> Result<PartialDecryption, AggError> {
        let sigma = params.noise_budget().flood_sigma;
        self.decrypt_with_flooding(params, quorum, sigma, rng)
    }

    /// The partial decryption with flooding of deviation `sigma` (0 for the attack tests that
    /// show what flooding hides; never exposed).
    pub(crate) fn decrypt_with_flooding<R: CryptoRng + ?Sized>(
        self,
        params: &RoundParams,
        quorum: MemberSet,
        sigma: f64,
        rng: &mut R,
    ) -> Result<PartialDecryption, AggError> {
        self.shape.check(params)?;
        check_in_quorum(params, quorum, self.member)?;
        let min = params.config().min_clients;
        let count = self.count();
        if count < min {
            return Err(AggError::TooFewContributions { count, min });
        }
        let n = params.n();
        let assigned = params.committee().assigned_sets(quorum, self.member);
        let positions: Vec<(usize, u16)> = self
            .held
            .iter()
            .enumerate()
            .filter(|(_, t)| assigned.contains(t))
            .map(|(i, &t)| (i, t))
            .collect();
        let mut values = vec![0i64; params.dimension()];
        fill_gaussian(rng, &mut values, sigma);
        let mut values: Vec<u64> = values.into_iter().map(i64::cast_unsigned).collect();
        if !positions.is_empty() {
            // Every (client, assigned set) seed in one list: expanded four at a time.
            let list: Vec<(u16, &[u8; SEED_LEN])> = self
                .clients
                .iter()
                .flat_map(|client| {
                    positions.iter().filter_map(|&(i, t)| client.get(i).map(|seed| (t, seed)))
                })
                .collect();
            let mut sum = Zeroizing::new(vec![0u64; n]);
            add_seed_expansions(&mut sum, &self.shape.round, &list);
            let fixed = FixedOperand::new(&sum)
                .ok_or(AggError::InvalidParams("no NTT plan for the ring dimension"))?;
            let mut scratch = fixed.scratch();
            let mut product = Zeroizing::new(vec![0u64; n]);
            let masks = masks(&self.shape.round, n, values.len().div_ceil(n));
            for (out, mask) in values.chunks_mut(n).zip(masks) {
                fixed.mul(&mut product, &mask, &mut scratch);
                for (v, p) in out.iter_mut().zip(product.iter()) {
                    *v = v.wrapping_add(*p);
                }
            }
            for s in &mut scratch {
                zeroize::Zeroize::zeroize(s);
            }
        }
        Ok(PartialDecryption { shape: self.shape, member: self.member, quorum, count, values })
    }
}

/// One member's partial decryption of its list, under the quorum it names.
///
/// Wire form: `shape ‖ member u16 ‖ quorum u64 ‖ count u32 ‖ d × u64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDecryption {
    pub(crate) shape: Shape,
    pub(crate) member: u16,
    pub(crate) quorum: MemberSet,
    pub(crate) count: u32,
    pub(crate) values: Vec<u64>,
}

impl PartialDecryption {
    /// The member who computed it.
    pub fn member(&self) -> u16 {
        self.member
    }

    /// The quorum the member decrypted under (which fixes the sets it decrypted).
    pub fn quorum(&self) -> MemberSet {
        self.quorum
    }

    /// The number of clients (contributions) the member summed.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The words p_j, one per coordinate.
    pub fn values(&self) -> &[u64] {
        &self.values
    }

    /// Checks profile, round, dimension, member index, quorum and count against the round.
    ///
    /// # Errors
    /// Shape errors, [`AggError::MemberOutOfRange`], [`AggError::InvalidQuorum`],
    /// [`AggError::NotInQuorum`], [`AggError::TooManyContributions`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        self.shape.check(params)?;
        check_member(params, self.member)?;
        check_in_quorum(params, self.quorum, self.member)?;
        if self.count > params.config().max_clients {
            return Err(AggError::TooManyContributions { max: params.config().max_clients });
        }
        Ok(())
    }

    /// Builds a partial decryption from raw words, for adversarial tests (a member publishing
    /// garbage) and tools.
    ///
    /// # Errors
    /// [`AggError::MemberOutOfRange`], [`AggError::InvalidQuorum`], [`AggError::NotInQuorum`],
    /// [`AggError::DimensionMismatch`].
    pub fn from_parts(
        params: &RoundParams,
        member: u16,
        quorum: MemberSet,
        count: u32,
        values: Vec<u64>,
    ) -> Result<PartialDecryption, AggError> {
        check_member(params, member)?;
        check_in_quorum(params, quorum, member)?;
        if values.len() != params.dimension() {
            return Err(AggError::DimensionMismatch {
                expected: params.dimension() as u64,
                got: values.len() as u64,
            });
        }
        Ok(PartialDecryption { shape: Shape::of(params), member, quorum, count, values })
    }
}

impl Codec for PartialDecryption {
    fn encode(&self, w: &mut Writer) {
        self.shape.encode(w);
        w.put_u16(self.member);
        w.put_u64(self.quorum.0);
        w.put_u32(self.count);
        put_words(w, &self.values);
    }

    fn encoded_len_hint(&self) -> usize {
        SHAPE_LEN + 14 + 8 * self.values.len()
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let shape = Shape::decode(r)?;
        let member = r.read_u16("agg.partial.member")?;
        let quorum = MemberSet(r.read_u64("agg.partial.quorum")?);
        let count = r.read_u32("agg.partial.count")?;
        let values = read_words(r, "agg.partial.values", shape.dimension())?;
        Ok(PartialDecryption { shape, member, quorum, count, values })
    }
}
