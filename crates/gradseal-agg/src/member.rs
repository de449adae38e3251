//! A committee member's share of the round and its one flooded partial decryption
//! (`spec/agg.md`, section 6).
//!
//! ```text
//! S_j = Σ_{c in the list} r_{c,j}          r_{c,j} = XOF(SEED, round, j, σ_{c,j})
//! p_j[i·n + t] = (a_i · S_j)[t] + f_j[i·n + t],   f ← rounded Gaussian of deviation σ_f
//! ```
//! A second decryption on another list would reveal a_i · r_{v,j} for the difference, so the
//! share is consumed by [`MemberShare::partial_decrypt`].

use std::collections::BTreeSet;

use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::noise::fill_gaussian;
use crate::ring::{FixedOperand, add_seed_expansion, masks};
use crate::wire::{SHAPE_LEN, Shape, put_words, read_words};
use crate::{AggError, KeySeed, RoundParams, tags};

/// Member j's running sum S_j of the key shares of the clients on its list. Secret: zeroized
/// on drop, redacted in `Debug`; consumed by its one decryption.
pub struct MemberShare {
    shape: Shape,
    member: u16,
    count: u32,
    max_clients: u32,
    sum: Zeroizing<Vec<u64>>,
    /// `hash(SEED_ID, [seed])` of every seed added.
    seen: BTreeSet<[u8; 32]>,
}

impl core::fmt::Debug for MemberShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemberShare")
            .field("member", &self.member)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

pub(crate) fn check_member(params: &RoundParams, member: u16) -> Result<(), AggError> {
    if member >= params.committee_size() {
        return Err(AggError::MemberOutOfRange { member, committee_size: params.committee_size() });
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
            count: 0,
            max_clients: params.config().max_clients,
            sum: Zeroizing::new(vec![0; params.n()]),
            seen: BTreeSet::new(),
        })
    }

    /// The member index.
    pub fn member(&self) -> u16 {
        self.member
    }

    /// Number of seeds added (the length of the member's list).
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Adds the key share of one client on the list. The caller has checked that the seed was
    /// signcrypted by that client for this round and this member.
    ///
    /// # Errors
    /// [`AggError::SeedForAnotherMember`], [`AggError::TooManyContributions`],
    /// [`AggError::DuplicateSeed`] (nothing is added).
    pub fn add_seed(&mut self, seed: &KeySeed) -> Result<(), AggError> {
        if seed.member() != self.member {
            return Err(AggError::SeedForAnotherMember {
                expected: self.member,
                got: seed.member(),
            });
        }
        if self.count >= self.max_clients {
            return Err(AggError::TooManyContributions { max: self.max_clients });
        }
        if !self.seen.insert(gradseal_core::hash(tags::SEED_ID, &[seed.bytes()])) {
            return Err(AggError::DuplicateSeed);
        }
        add_seed_expansion(&mut self.sum, &self.shape.round, self.member, seed.bytes());
        self.count += 1;
        Ok(())
    }

    /// The member's one partial decryption, flooded with the round's σ_f; consumes the share.
    ///
    /// # Errors
    /// [`AggError::TooFewContributions`] below `min_clients` seeds; shape errors if `params`
    /// are not the round the share was made for.
    pub fn partial_decrypt<R: CryptoRng + ?Sized>(
        self,
        params: &RoundParams,
        rng: &mut R,
    ) -> Result<PartialDecryption, AggError> {
        let sigma = params.noise_budget().flood_sigma;
        self.decrypt_with_flooding(params, sigma, rng)
    }

    /// The partial decryption with flooding of deviation `sigma` (0 for the attack tests that
    /// show what flooding hides; never exposed).
    pub(crate) fn decrypt_with_flooding<R: CryptoRng + ?Sized>(
        self,
        params: &RoundParams,
        sigma: f64,
        rng: &mut R,
    ) -> Result<PartialDecryption, AggError> {
        self.shape.check(params)?;
        let min = params.config().min_clients;
        if self.count < min {
            return Err(AggError::TooFewContributions { count: self.count, min });
        }
        let n = params.n();
        let fixed = FixedOperand::new(&self.sum)
            .ok_or(AggError::InvalidParams("no NTT plan for the ring dimension"))?;
        let mut scratch = fixed.scratch();
        let mut values = vec![0i64; params.dimension()];
        fill_gaussian(rng, &mut values, sigma);
        let mut values: Vec<u64> = values.into_iter().map(i64::cast_unsigned).collect();
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
        Ok(PartialDecryption { shape: self.shape, member: self.member, count: self.count, values })
    }
}

/// One member's partial decryption of its list.
///
/// Wire form: `shape ‖ member u16 ‖ count u32 ‖ d × u64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDecryption {
    pub(crate) shape: Shape,
    pub(crate) member: u16,
    pub(crate) count: u32,
    pub(crate) values: Vec<u64>,
}

impl PartialDecryption {
    /// The member who computed it.
    pub fn member(&self) -> u16 {
        self.member
    }

    /// The number of seeds (contributions) the member summed.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The words p_j, one per coordinate.
    pub fn values(&self) -> &[u64] {
        &self.values
    }

    /// Checks profile, round, dimension, member index and count against the round.
    ///
    /// # Errors
    /// Shape errors, [`AggError::MemberOutOfRange`], [`AggError::TooManyContributions`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        self.shape.check(params)?;
        check_member(params, self.member)?;
        if self.count > params.config().max_clients {
            return Err(AggError::TooManyContributions { max: params.config().max_clients });
        }
        Ok(())
    }

    /// Builds a partial decryption from raw words, for adversarial tests (a member publishing
    /// garbage) and tools.
    ///
    /// # Errors
    /// [`AggError::MemberOutOfRange`], [`AggError::DimensionMismatch`].
    pub fn from_parts(
        params: &RoundParams,
        member: u16,
        count: u32,
        values: Vec<u64>,
    ) -> Result<PartialDecryption, AggError> {
        check_member(params, member)?;
        if values.len() != params.dimension() {
            return Err(AggError::DimensionMismatch {
                expected: params.dimension() as u64,
                got: values.len() as u64,
            });
        }
        Ok(PartialDecryption { shape: Shape::of(params), member, count, values })
    }
}

impl Codec for PartialDecryption {
    fn encode(&self, w: &mut Writer) {
        self.shape.encode(w);
        w.put_u16(self.member);
        w.put_u32(self.count);
        put_words(w, &self.values);
    }

    fn encoded_len_hint(&self) -> usize {
        SHAPE_LEN + 6 + 8 * self.values.len()
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let shape = Shape::decode(r)?;
        let member = r.read_u16("agg.partial.member")?;
        let count = r.read_u32("agg.partial.count")?;
        let values = read_words(r, "agg.partial.values", shape.dimension())?;
        Ok(PartialDecryption { shape, member, count, values })
    }
}
