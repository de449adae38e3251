//! Combination of the partial decryptions and decoding of the sum (`spec/agg.md`, section 6).
//!
//! ```text
//! M_i = B_i − a_i · D − Σ_{j in Q} p_j,i  =  Δ · Σ_c m_c + Σ_c e_c − Σ_{j in Q} f_j
//! v   = ⌊M / Δ⌉ mod t,  accepted iff |M − v·Δ| < Δ/4 and count ≤ v ≤ count · (2^B − 1)
//! ```

use crate::committee::MemberSet;
use crate::ring::{FixedOperand, masks};
use crate::{AggError, Aggregate, DecryptedSum, PartialDecryption, RoundParams};

/// Combines the partial decryptions of the q members of one quorum Q (every partial names the
/// same Q, exactly one per member of Q, in any order) into the decrypted sum of the
/// aggregate's list. Anyone can run it: it uses public values only.
///
/// # Errors
/// Shape errors of any input; [`AggError::TooFewContributions`] below `min_clients`;
/// [`AggError::InvalidQuorum`] (no partial, or a quorum that is not one),
/// [`AggError::QuorumMismatch`] (partials naming different quorums),
/// [`AggError::MemberOutOfRange`], [`AggError::NotInQuorum`], [`AggError::DuplicateMember`],
/// [`AggError::MissingMember`] (a member of Q without its partial);
/// [`AggError::CountMismatch`] if a member summed another number of seeds; and the opaque
/// [`AggError::DecryptionFailed`] if a coordinate does not decode to an in-range sum (the
/// members decrypted other lists, or a partial or a contribution is corrupt).
pub fn combine(
    params: &RoundParams,
    aggregate: &Aggregate,
    partials: &[PartialDecryption],
) -> Result<DecryptedSum, AggError> {
    check_inputs(params, aggregate, partials)?;
    decode_residue(params, aggregate.count, &residue(params, aggregate, partials)?)
}

/// M = B − a·D − Σ_j p_j on every coordinate (no checks: [`combine`] checks first; the attack
/// and noise tests read M directly, as an adversary skipping the decoder's checks would).
pub(crate) fn residue(
    params: &RoundParams,
    aggregate: &Aggregate,
    partials: &[PartialDecryption],
) -> Result<Vec<u64>, AggError> {
    let n = params.n();
    let fixed = FixedOperand::new(&aggregate.correction)
        .ok_or(AggError::InvalidParams("no NTT plan for the ring dimension"))?;
    let mut scratch = fixed.scratch();
    let mut product = vec![0u64; n];
    let mut residue = aggregate.bodies.clone();
    let masks = masks(params.digest(), n, residue.len().div_ceil(n));
    for (out, mask) in residue.chunks_mut(n).zip(masks) {
        fixed.mul(&mut product, &mask, &mut scratch);
        for (m, p) in out.iter_mut().zip(&product) {
            *m = m.wrapping_sub(*p);
        }
    }
    for p in partials {
        for (m, v) in residue.iter_mut().zip(&p.values) {
            *m = m.wrapping_sub(*v);
        }
    }
    Ok(residue)
}

fn check_inputs(
    params: &RoundParams,
    aggregate: &Aggregate,
    partials: &[PartialDecryption],
) -> Result<(), AggError> {
    aggregate.check(params)?;
    let min = params.config().min_clients;
    if aggregate.count < min {
        return Err(AggError::TooFewContributions { count: aggregate.count, min });
    }
    let quorum = partials.first().ok_or(AggError::InvalidQuorum)?.quorum;
    let mut seen = MemberSet::EMPTY;
    for p in partials {
        p.check(params)?;
        if p.quorum != quorum {
            return Err(AggError::QuorumMismatch);
        }
        if seen.contains(p.member) {
            return Err(AggError::DuplicateMember { member: p.member });
        }
        seen = seen.with(p.member);
        if p.count != aggregate.count {
            return Err(AggError::CountMismatch {
                member: p.member,
                expected: aggregate.count,
                got: p.count,
            });
        }
    }
    if let Some(member) = quorum.minus(seen).iter().next() {
        return Err(AggError::MissingMember { member });
    }
    Ok(())
}

/// Rounds each M to the nearest multiple of Δ, refusing residuals of Δ/4 or more and sums
/// outside `[count, count · (2^B − 1)]`; returns the signed sums Σ v = Σ m − count · 2^(B−1).
fn decode_residue(
    params: &RoundParams,
    count: u32,
    residue: &[u64],
) -> Result<DecryptedSum, AggError> {
    let delta_log2 = params.delta_log2();
    let half = 1u64 << (delta_log2 - 1);
    let bound = params.noise_budget().decode_bound;
    let low = u64::from(count);
    let high = u64::from(count) * ((1u64 << params.config().bits) - 1);
    let offset = u64::from(count) * params.offset();
    let mut ok = true;
    let sums = residue
        .iter()
        .map(|&m| {
            let v = m.wrapping_add(half) >> delta_log2;
            let residual = m.wrapping_sub(v << delta_log2).cast_signed();
            ok &= residual.unsigned_abs() < bound && (low..=high).contains(&v);
            v.wrapping_sub(offset).cast_signed()
        })
        .collect();
    if !ok {
        return Err(AggError::DecryptionFailed);
    }
    Ok(DecryptedSum { count, sums })
}
