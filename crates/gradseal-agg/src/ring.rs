//! Arithmetic in R_q = Z_q[X]/(X^n + 1), q = 2^64, and the expansions of the public masks and
//! the key seeds (`spec/agg.md`, sections 3 and 4).
//!
//! Two products: one with a binary operand (a client's a_i · s_c) on tfhe's
//! `NttNativeBinary64`, and one of two uniform operands (a member's a_i · S_j, the combiner's
//! a_i · D) on `tfhe_ntt::native64::Plan32`, five 32-bit-prime NTTs and a CRT back to 2^64,
//! whose forward transform of the fixed operand is computed once for all polynomials.

use std::sync::OnceLock;

use tfhe::core_crypto::commons::math::ntt::ntt_native_binary64::NttNativeBinary64;
use tfhe::core_crypto::commons::parameters::PolynomialSize;
use tfhe_ntt::native64::Plan32;
use turboshake::TurboShake128;
use turboshake::digest::{ExtendableOutput, Update, XofReader};
use zeroize::Zeroizing;

use crate::tags;

/// `out = lhs · rhs` in R_q for a binary `rhs` (0/1 words).
pub(crate) fn mul_binary(out: &mut [u64], lhs: &[u64], rhs: &[u64]) {
    NttNativeBinary64::new(PolynomialSize(lhs.len())).as_view().negacyclic_polymul(out, lhs, rhs);
}

/// The five-prime plan for ring dimension `n`, built once per process.
fn plan(n: usize) -> Option<&'static Plan32> {
    static PLAN_4096: OnceLock<Option<Plan32>> = OnceLock::new();
    (n == 4096).then(|| PLAN_4096.get_or_init(|| Plan32::try_new(4096)).as_ref()).flatten()
}

/// Multiplication by a fixed polynomial with uniform coefficients (kept transformed, and
/// zeroized on drop: it is a member's secret sum S_j or the public correction sum D).
pub(crate) struct FixedOperand {
    plan: &'static Plan32,
    transformed: [Zeroizing<Vec<u32>>; 5],
}

impl FixedOperand {
    /// Transforms `rhs` (n words; n = 4096 is the only ring dimension of the profiles).
    pub(crate) fn new(rhs: &[u64]) -> Option<Self> {
        let plan = plan(rhs.len())?;
        let n = rhs.len();
        let mut t: [Zeroizing<Vec<u32>>; 5] = core::array::from_fn(|_| Zeroizing::new(vec![0; n]));
        let [t0, t1, t2, t3, t4] = &mut t;
        plan.fwd(rhs, t0, t1, t2, t3, t4);
        Some(FixedOperand { plan, transformed: t })
    }

    /// `out = lhs · rhs` in R_q; `scratch` holds five n-word buffers between calls.
    pub(crate) fn mul(&self, out: &mut [u64], lhs: &[u64], scratch: &mut [Vec<u32>; 5]) {
        let [s0, s1, s2, s3, s4] = scratch;
        self.plan.fwd(lhs, s0, s1, s2, s3, s4);
        let planes = [
            self.plan.ntt_0(),
            self.plan.ntt_1(),
            self.plan.ntt_2(),
            self.plan.ntt_3(),
            self.plan.ntt_4(),
        ];
        for ((p, s), t) in planes.iter().zip(scratch.iter_mut()).zip(&self.transformed) {
            p.mul_assign_normalize(s, t);
        }
        let [s0, s1, s2, s3, s4] = scratch;
        self.plan.inv(out, s0, s1, s2, s3, s4);
    }

    /// Fresh scratch space for [`FixedOperand::mul`].
    pub(crate) fn scratch(&self) -> [Vec<u32>; 5] {
        let n = self.transformed[0].len();
        core::array::from_fn(|_| vec![0; n])
    }
}

/// Fills `out` from TurboSHAKE128 (D = 0x1F) over the length-framed tag and parts, read as
/// little-endian u64 words: `TurboSHAKE128(lp(tag) ‖ lp(part_0) ‖ … , 8·len(out))` with
/// `lp(x) = u32be(len x) ‖ x`.
pub(crate) fn expand(tag: &str, parts: &[&[u8]], out: &mut [u64]) {
    let mut h = TurboShake128::default();
    for part in core::iter::once(tag.as_bytes()).chain(parts.iter().copied()) {
        h.update(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        h.update(part);
    }
    let mut reader = h.finalize_xof();
    let mut buf = [0u8; 4096];
    for block in out.chunks_mut(buf.len() / 8) {
        let bytes = &mut buf[..block.len() * 8];
        reader.read(bytes);
        for (word, chunk) in block.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            *word = u64::from_le_bytes(w);
        }
    }
}

/// The public mask a_i of polynomial `i`: `expand(MASK, [round digest, u32be(i)])`.
pub(crate) fn expand_mask(round: &[u8; 32], i: usize, n: usize) -> Vec<u64> {
    let mut out = vec![0u64; n];
    let index = u32::try_from(i).unwrap_or(u32::MAX).to_be_bytes();
    expand(tags::MASK, &[round, &index], &mut out);
    out
}

/// Adds the expansion r = `expand(SEED, [round digest, u16be(member), seed])` of one key seed
/// into `acc` (and returns nothing of r itself, which is zeroized).
pub(crate) fn add_seed_expansion(acc: &mut [u64], round: &[u8; 32], member: u16, seed: &[u8; 32]) {
    let mut r = Zeroizing::new(vec![0u64; acc.len()]);
    expand(tags::SEED, &[round, &member.to_be_bytes(), seed], &mut r);
    for (a, x) in acc.iter_mut().zip(r.iter()) {
        *a = a.wrapping_add(*x);
    }
}

#[cfg(test)]
pub(crate) fn naive_mul(lhs: &[u64], rhs: &[u64]) -> Vec<u64> {
    let n = lhs.len();
    let mut out = vec![0u64; n];
    for (i, &a) in lhs.iter().enumerate() {
        for (j, &b) in rhs.iter().enumerate() {
            let p = a.wrapping_mul(b);
            let k = i + j;
            if k < n {
                out[k] = out[k].wrapping_add(p);
            } else {
                out[k - n] = out[k - n].wrapping_sub(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudo(n: usize, seed: u64) -> Vec<u64> {
        let mut out = vec![0; n];
        expand("test", &[&seed.to_be_bytes()], &mut out);
        out
    }

    #[test]
    fn products_match_the_naive_negacyclic_product() {
        let n = 4096;
        let a = pseudo(n, 1);
        let b = pseudo(n, 2);
        let s: Vec<u64> = pseudo(n, 3).iter().map(|x| x & 1).collect();
        let mut out = vec![0; n];
        mul_binary(&mut out, &a, &s);
        assert_eq!(out, naive_mul(&a, &s));
        let fixed = FixedOperand::new(&b).unwrap();
        let mut scratch = fixed.scratch();
        fixed.mul(&mut out, &a, &mut scratch);
        assert_eq!(out, naive_mul(&a, &b));
        // The scratch is reusable.
        fixed.mul(&mut out, &b, &mut scratch);
        assert_eq!(out, naive_mul(&b, &b));
    }

    #[test]
    fn only_n_4096_has_a_plan() {
        assert!(FixedOperand::new(&[0; 2048]).is_none());
    }

    #[test]
    fn expansions_are_bound_to_every_input() {
        let a = expand_mask(&[1; 32], 0, 64);
        assert_eq!(a, expand_mask(&[1; 32], 0, 64));
        assert_ne!(a, expand_mask(&[2; 32], 0, 64));
        assert_ne!(a, expand_mask(&[1; 32], 1, 64));
        let mut x = vec![0; 64];
        add_seed_expansion(&mut x, &[1; 32], 0, &[9; 32]);
        let mut y = vec![0; 64];
        add_seed_expansion(&mut y, &[1; 32], 1, &[9; 32]);
        assert_ne!(x, y);
        assert_ne!(x, a);
        // A prefix of a longer expansion is the shorter expansion (one XOF stream).
        assert_eq!(&expand_mask(&[1; 32], 0, 1000)[..64], &a[..]);
    }
}
