//! Partial decryption with flooding noise, and combination (`spec/agg.md`, section 6).
//!
//! Member i returns, for coordinate j of list l (local index j'):
//! ```text
//! p_i[j] = conv(mask_l, s_i)[n-1-j'] + round(c · w_i[n-1-j'] / 2) + f_i[j],
//! f_i[j] ← rounded Gaussian of deviation σ_f (the noise budget's `flood_sigma`)
//! ```
//! where c is the aggregate's count and w_i = conv(e_i, 1) removes the mean c/2 · Σ r of the
//! key-noise term. Without f_i, one partial decryption is a noiseless linear system in s_i
//! (see the attack test): the flooding is the only thing that hides the share.

use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::keys::check_member;
use crate::noise::fill_gaussian;
use crate::poly::conv_binary_prereversed;
use crate::wire::{Shape, put_words, read_words};
use crate::{AggError, Aggregate, DecryptedSum, KeyShare, RoundParams};

/// One member's partial decryption of one aggregate.
///
/// Wire form: `shape ‖ member u16 ‖ aggregate digest [32] ‖ dimension × u64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDecryption {
    shape: Shape,
    member: u16,
    aggregate: [u8; 32],
    pub(crate) values: Vec<u64>,
}

impl PartialDecryption {
    /// The member who computed it.
    pub fn member(&self) -> u16 {
        self.member
    }

    /// The digest of the aggregate it decrypts.
    pub fn aggregate_digest(&self) -> &[u8; 32] {
        &self.aggregate
    }

    /// Checks profile, round, dimension and member index against the round.
    ///
    /// # Errors
    /// Shape errors, [`AggError::MemberOutOfRange`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        self.shape.check(params)?;
        check_member(params, self.member)
    }
}

impl Codec for PartialDecryption {
    fn encode(&self, w: &mut Writer) {
        self.shape.encode(w);
        w.put_u16(self.member);
        w.put_bytes(&self.aggregate);
        put_words(w, &self.values);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let shape = Shape::decode(r)?;
        let member = r.read_u16("agg.partial.member")?;
        let aggregate = r.read_array("agg.partial.aggregate")?;
        let values = read_words(r, "agg.partial.values", shape.dimension())?;
        Ok(PartialDecryption { shape, member, aggregate, values })
    }
}

impl KeyShare {
    /// Checks, without touching the secret, that this share may decrypt `aggregate`: same
    /// round, valid shape, and `min_clients <= count <= max_clients`.
    ///
    /// # Errors
    /// [`AggError::WrongRound`], shape errors, [`AggError::TooFewContributions`],
    /// [`AggError::TooManyContributions`], [`AggError::MemberOutOfRange`].
    pub fn check_aggregate(
        &self,
        params: &RoundParams,
        aggregate: &Aggregate,
    ) -> Result<(), AggError> {
        if &self.round != params.digest() {
            return Err(AggError::WrongRound);
        }
        check_member(params, self.member)?;
        aggregate.check(params)?;
        let min = params.config().min_clients;
        if aggregate.count < min {
            return Err(AggError::TooFewContributions { count: aggregate.count, min });
        }
        Ok(())
    }

    /// Decrypts `aggregate` partially, adding fresh flooding noise, and consumes the share.
    ///
    /// The caller must have checked that `aggregate` is the sum of the round's accepted
    /// contributions ([`recompute_aggregate`](crate::recompute_aggregate)); this function
    /// re-runs [`KeyShare::check_aggregate`] first. On error the share is dropped (zeroized)
    /// all the same: call `check_aggregate` first to keep it.
    ///
    /// # Errors
    /// As [`KeyShare::check_aggregate`].
    pub fn partial_decrypt<R: CryptoRng + ?Sized>(
        self,
        params: &RoundParams,
        aggregate: &Aggregate,
        rng: &mut R,
    ) -> Result<PartialDecryption, AggError> {
        self.check_aggregate(params, aggregate)?;
        let mut values = self.unflooded_partial(params, aggregate, true);
        let mut flood = Zeroizing::new(vec![0i64; values.len()]);
        fill_gaussian(rng, &mut flood, params.noise_budget().flood_sigma);
        for (v, f) in values.iter_mut().zip(flood.iter()) {
            *v = v.wrapping_add_signed(*f);
        }
        Ok(PartialDecryption {
            shape: aggregate.shape,
            member: self.member,
            aggregate: aggregate.digest(),
            values: core::mem::take(&mut *values),
        })
    }

    /// `conv(mask_l, s_i)[n-1-j']` (+ the mean correction if `corrected`) for every
    /// coordinate, **without flooding**: never leaves the crate (the attack test shows why).
    pub(crate) fn unflooded_partial(
        &self,
        params: &RoundParams,
        aggregate: &Aggregate,
        corrected: bool,
    ) -> Zeroizing<Vec<u64>> {
        let n = params.n();
        let count = i64::from(aggregate.count);
        let mut out = Zeroizing::new(Vec::with_capacity(params.dimension()));
        let mut product = Zeroizing::new(vec![0u64; n]);
        for (l, mask) in aggregate.masks.chunks(n).enumerate() {
            conv_binary_prereversed(&mut product, mask, &self.secret_reversed);
            for j in 0..params.list_coords(l) {
                let idx = n - 1 - j;
                let mut v = product.get(idx).copied().unwrap_or(0);
                if corrected {
                    let w = self.noise_mean.get(idx).copied().unwrap_or(0);
                    // round(c·w/2); |c·w| < 2^20 · 2^28.
                    v = v.wrapping_add_signed((count * w + 1) >> 1);
                }
                out.push(v);
            }
        }
        out
    }
}

/// Combines the partial decryptions of the whole committee and decodes the integer sums.
///
/// # Errors
/// [`AggError::MissingMember`] if a member's partial decryption is absent (never a wrong
/// answer), [`AggError::DuplicateMember`], [`AggError::AggregateMismatch`], shape errors, and
/// the opaque [`AggError::DecryptionFailed`] if a coordinate is not a possible sum.
pub fn combine_partials(
    params: &RoundParams,
    aggregate: &Aggregate,
    partials: &[PartialDecryption],
) -> Result<DecryptedSum, AggError> {
    aggregate.check(params)?;
    let digest = aggregate.digest();
    let k = usize::from(params.committee_size());
    let mut by_member: Vec<Option<&PartialDecryption>> = vec![None; k];
    for p in partials {
        p.check(params)?;
        if p.aggregate != digest {
            return Err(AggError::AggregateMismatch { member: p.member });
        }
        let slot = by_member.get_mut(usize::from(p.member)).ok_or(AggError::MemberOutOfRange {
            member: p.member,
            committee_size: params.committee_size(),
        })?;
        if slot.is_some() {
            return Err(AggError::DuplicateMember { member: p.member });
        }
        *slot = Some(p);
    }
    let mut phases = aggregate.bodies.clone();
    for (member, p) in by_member.iter().enumerate() {
        let p =
            p.ok_or(AggError::MissingMember { member: u16::try_from(member).unwrap_or(u16::MAX) })?;
        for (x, v) in phases.iter_mut().zip(&p.values) {
            *x = x.wrapping_sub(*v);
        }
    }
    decode_phases(params, aggregate.count, &phases)
}

/// Rounds phases to multiples of Δ and removes the offsets.
pub(crate) fn decode_phases(
    params: &RoundParams,
    count: u32,
    phases: &[u64],
) -> Result<DecryptedSum, AggError> {
    let delta_log = params.delta_log2();
    let half = 1u64 << (delta_log - 1);
    let max_sum = u64::from(count) * ((1u64 << params.config().bits) - 1);
    let total_offset = u64::from(count) * params.offset();
    let mut sums = Vec::with_capacity(phases.len());
    let mut ok = true;
    for &x in phases {
        let v = x.wrapping_add(half) >> delta_log;
        ok &= v <= max_sum;
        sums.push(v.wrapping_sub(total_offset).cast_signed());
    }
    if !ok {
        return Err(AggError::DecryptionFailed);
    }
    Ok(DecryptedSum { count, sums })
}
