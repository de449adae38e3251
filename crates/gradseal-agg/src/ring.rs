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
use tfhe_ntt::native_binary64::Plan32 as BinaryPlan32;
use tfhe_ntt::native64::Plan32;
use turboshake::TurboShake128;
use turboshake::digest::{ExtendableOutput, Update, XofReader};
use zeroize::{Zeroize, Zeroizing};

use crate::tags;

/// `out = lhs · rhs` in R_q for a binary `rhs` (0/1 words), through tfhe (any n; transforms
/// both operands on every call).
pub(crate) fn mul_binary(out: &mut [u64], lhs: &[u64], rhs: &[u64]) {
    NttNativeBinary64::new(PolynomialSize(lhs.len())).as_view().negacyclic_polymul(out, lhs, rhs);
}

/// The three-prime plan of binary-operand products for ring dimension `n`, built once per
/// process (the plan tfhe's `NttNativeBinary64` holds).
fn binary_plan(n: usize) -> Option<&'static BinaryPlan32> {
    static PLAN_4096: OnceLock<Option<BinaryPlan32>> = OnceLock::new();
    (n == 4096).then(|| PLAN_4096.get_or_init(|| BinaryPlan32::try_new(4096)).as_ref()).flatten()
}

/// Multiplication by a fixed binary polynomial (a client's secret s), transformed once for
/// every polynomial's product: the same residues, pointwise products and CRT as
/// [`mul_binary`], hence the same words. The transform is secret: zeroized on drop.
pub(crate) struct BinaryOperand {
    plan: &'static BinaryPlan32,
    /// The five-prime plan, whose first three NTTs are those of `plan` (primes P0, P1, P2):
    /// `BinaryPlan32` keeps its pointwise product private.
    pointwise: &'static Plan32,
    transformed: [Zeroizing<Vec<u32>>; 3],
}

impl BinaryOperand {
    /// Transforms the binary `rhs` (n words; n = 4096 only, else `None`).
    pub(crate) fn new(rhs: &[u64]) -> Option<Self> {
        let n = rhs.len();
        let (plan, pointwise) = (binary_plan(n)?, self::plan(n)?);
        let mut t: [Zeroizing<Vec<u32>>; 3] = core::array::from_fn(|_| Zeroizing::new(vec![0; n]));
        let [t0, t1, t2] = &mut t;
        plan.fwd_binary(rhs, t0, t1, t2);
        Some(BinaryOperand { plan, pointwise, transformed: t })
    }

    /// `out = lhs · s` in R_q; `scratch` holds three n-word buffers between calls (they
    /// end up holding the product's residues: zeroizing).
    pub(crate) fn mul(&self, out: &mut [u64], lhs: &[u64], scratch: &mut [Zeroizing<Vec<u32>>; 3]) {
        let [s0, s1, s2] = scratch;
        self.plan.fwd(lhs, s0, s1, s2);
        let planes = [self.pointwise.ntt_0(), self.pointwise.ntt_1(), self.pointwise.ntt_2()];
        for ((p, s), t) in planes.iter().zip(scratch.iter_mut()).zip(&self.transformed) {
            p.mul_assign_normalize(s, t);
        }
        let [s0, s1, s2] = scratch;
        self.plan.inv(out, s0, s1, s2);
    }

    /// Fresh scratch space for [`BinaryOperand::mul`].
    pub(crate) fn scratch(&self) -> [Zeroizing<Vec<u32>>; 3] {
        let n = self.transformed[0].len();
        core::array::from_fn(|_| Zeroizing::new(vec![0; n]))
    }
}

/// Builds the plans of ring dimension `n` now, if it has any ([`crate::Profile::prepare`]).
pub(crate) fn prepare(n: usize) -> bool {
    binary_plan(n).is_some() && plan(n).is_some()
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

/// The XOF input `lp(tag) ‖ lp(part_0) ‖ …` with `lp(x) = u32be(len x) ‖ x`.
fn framed(tag: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut input = Vec::new();
    for part in core::iter::once(tag.as_bytes()).chain(parts.iter().copied()) {
        input.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        input.extend_from_slice(part);
    }
    input
}

/// Fills `out` from TurboSHAKE128 (D = 0x1F) over the length-framed tag and parts, read as
/// little-endian u64 words: `TurboSHAKE128(lp(tag) ‖ lp(part_0) ‖ … , 8·len(out))` with
/// `lp(x) = u32be(len x) ‖ x`.
pub(crate) fn expand(tag: &str, parts: &[&[u8]], out: &mut [u64]) {
    expand_framed(&framed(tag, parts), out);
}

fn expand_framed(input: &[u8], out: &mut [u64]) {
    let mut h = TurboShake128::default();
    h.update(input);
    let mut reader = h.finalize_xof();
    // Whole 512-word blocks through one fixed buffer, then the remainder (none when
    // `out.len()` is a multiple of 512, as every n is): one stream, read in order.
    let mut buf = Zeroizing::new([0u8; 4096]);
    let mut blocks = out.chunks_exact_mut(buf.len() / 8);
    for block in &mut blocks {
        reader.read(buf.as_mut_slice());
        words_le(block, buf.as_slice());
    }
    let rest = blocks.into_remainder();
    if !rest.is_empty() {
        let mut tail = Zeroizing::new(vec![0u8; rest.len() * 8]);
        reader.read(&mut tail);
        words_le(rest, &tail);
    }
}

/// `out[t]` = little-endian word t of `bytes`.
fn words_le(out: &mut [u64], bytes: &[u8]) {
    for (word, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        *word = u64::from_le_bytes(w);
    }
}

/// Whether an expansion's XOF bytes are a secret's (a key seed's: zeroized after use) or
/// public (a mask's: not).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expansion {
    Secret,
    Public,
}

/// XOF output bytes of one lane, zeroized on drop if they expand a secret.
struct LaneBytes {
    bytes: Vec<u8>,
    kind: Expansion,
}

impl Drop for LaneBytes {
    fn drop(&mut self) {
        if self.kind == Expansion::Secret {
            self.bytes.zeroize();
        }
    }
}

/// [`expand_framed`] of up to four inputs at once: four TurboSHAKE128 lanes in lockstep on
/// AVX2 (gradseal-core's `keccak4`) when the inputs have equal lengths, else one by one.
/// The output words are exactly those of one [`expand_framed`] call per input.
fn expand_many(inputs: &[&[u8]], outs: &mut [&mut [u64]], kind: Expansion) {
    #[cfg(target_arch = "x86_64")]
    if let (Some(&first), 2..=4, Some(simd)) =
        (inputs.first(), inputs.len(), gradseal_core::keccak4::detect())
    {
        let (len, out_len) = (first.len(), outs.first().map_or(0, |o| o.len()));
        if inputs.iter().all(|i| i.len() == len)
            && outs.len() == inputs.len()
            && outs.iter().all(|o| o.len() == out_len)
        {
            // Unused lanes repeat the first input; their output is discarded.
            let lane = |l: usize| gradseal_core::keccak4::Message {
                header: inputs.get(l).copied().unwrap_or(first),
                body: &[],
            };
            let mut bytes: [LaneBytes; 4] =
                core::array::from_fn(|_| LaneBytes { bytes: vec![0u8; 8 * out_len], kind });
            let [b0, b1, b2, b3] = &mut bytes;
            gradseal_core::keccak4::turboshake4_xof(
                simd,
                [lane(0), lane(1), lane(2), lane(3)],
                [&mut b0.bytes[..], &mut b1.bytes[..], &mut b2.bytes[..], &mut b3.bytes[..]],
            );
            for (out, b) in outs.iter_mut().zip(&bytes) {
                words_le(out, &b.bytes);
            }
            return;
        }
    }
    for (input, out) in inputs.iter().zip(outs.iter_mut()) {
        expand_framed(input, out);
    }
}

/// The public mask a_i of polynomial `i`: `expand(MASK, [round digest, u32be(i)])`.
pub(crate) fn expand_mask(round: &[u8; 32], i: usize, n: usize) -> Vec<u64> {
    let mut out = vec![0u64; n];
    let index = u32::try_from(i).unwrap_or(u32::MAX).to_be_bytes();
    expand(tags::MASK, &[round, &index], &mut out);
    out
}

/// The public masks a_0, a_1, … a_{count-1} in order, expanded four at a time (the same
/// polynomials as [`expand_mask`]).
pub(crate) fn masks(round: &[u8; 32], n: usize, count: usize) -> impl Iterator<Item = Vec<u64>> {
    (0..count).step_by(4).flat_map(move |first| {
        let group: Vec<usize> = (first..count.min(first + 4)).collect();
        let inputs: Vec<Vec<u8>> = group
            .iter()
            .map(|&i| {
                framed(tags::MASK, &[round, &u32::try_from(i).unwrap_or(u32::MAX).to_be_bytes()])
            })
            .collect();
        let mut outs: Vec<Vec<u64>> = group.iter().map(|_| vec![0u64; n]).collect();
        let input_refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        let mut out_refs: Vec<&mut [u64]> = outs.iter_mut().map(Vec::as_mut_slice).collect();
        expand_many(&input_refs, &mut out_refs, Expansion::Public);
        outs
    })
}

/// Adds the expansion r = `expand(SEED, [round digest, u16be(set), seed])` of one key seed
/// into `acc` (and returns nothing of r itself, which is zeroized).
#[cfg(any(test, feature = "vectors"))]
pub(crate) fn add_seed_expansion(acc: &mut [u64], round: &[u8; 32], set: u16, seed: &[u8; 32]) {
    add_seed_expansions(acc, round, &[(set, seed)]);
}

/// [`add_seed_expansion`] of several seeds, expanded four at a time.
pub(crate) fn add_seed_expansions(acc: &mut [u64], round: &[u8; 32], seeds: &[(u16, &[u8; 32])]) {
    for group in seeds.chunks(4) {
        let inputs: Vec<Zeroizing<Vec<u8>>> = group
            .iter()
            .map(|(set, seed)| {
                Zeroizing::new(framed(tags::SEED, &[round, &set.to_be_bytes(), &seed[..]]))
            })
            .collect();
        let mut r: Vec<Zeroizing<Vec<u64>>> =
            group.iter().map(|_| Zeroizing::new(vec![0u64; acc.len()])).collect();
        let input_refs: Vec<&[u8]> = inputs.iter().map(|i| i.as_slice()).collect();
        let mut out_refs: Vec<&mut [u64]> = r.iter_mut().map(|o| o.as_mut_slice()).collect();
        expand_many(&input_refs, &mut out_refs, Expansion::Secret);
        for x in &r {
            for (a, x) in acc.iter_mut().zip(x.iter()) {
                *a = a.wrapping_add(*x);
            }
        }
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
    fn the_transformed_secret_gives_tfhe_s_binary_product() {
        let n = 4096;
        for seed in 0..4u64 {
            let s: Vec<u64> = pseudo(n, 10 + seed).iter().map(|x| x & 1).collect();
            let op = BinaryOperand::new(&s).unwrap();
            let mut scratch = op.scratch();
            // Several masks through one transform and one scratch, as a client does.
            for i in 0..3 {
                let a = pseudo(n, 100 * seed + i);
                let (mut ours, mut tfhe) = (vec![0; n], vec![0; n]);
                op.mul(&mut ours, &a, &mut scratch);
                mul_binary(&mut tfhe, &a, &s);
                assert_eq!(ours, tfhe);
                if i == 0 {
                    assert_eq!(ours, naive_mul(&a, &s));
                }
            }
        }
        // Edge operands: all-ones secret and an all-max mask.
        let ones = vec![1u64; n];
        let max = vec![u64::MAX; n];
        let op = BinaryOperand::new(&ones).unwrap();
        let mut out = vec![0; n];
        op.mul(&mut out, &max, &mut op.scratch());
        assert_eq!(out, naive_mul(&max, &ones));
    }

    #[test]
    fn only_n_4096_has_a_plan() {
        assert!(FixedOperand::new(&[0; 2048]).is_none());
        assert!(BinaryOperand::new(&[0; 2048]).is_none());
        assert!(!prepare(2048));
        assert!(crate::Profile::DEFAULT.prepare());
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

    #[test]
    fn batched_expansions_are_the_single_ones() {
        for count in [0, 1, 2, 3, 4, 5, 9] {
            let batched: Vec<Vec<u64>> = masks(&[7; 32], 4096, count).collect();
            let single: Vec<Vec<u64>> =
                (0..count).map(|i| expand_mask(&[7; 32], i, 4096)).collect();
            assert_eq!(batched, single);
        }
        let seeds: Vec<[u8; 32]> = (0..6u8).map(|i| [i; 32]).collect();
        for k in 0..seeds.len() {
            let list: Vec<(u16, &[u8; 32])> =
                seeds[..k].iter().zip([0u16, 1, 2].iter().cycle()).map(|(s, &j)| (j, s)).collect();
            let mut batched = vec![5u64; 4096];
            add_seed_expansions(&mut batched, &[1; 32], &list);
            let mut single = vec![5u64; 4096];
            for (member, seed) in &list {
                let mut r = vec![0; 4096];
                expand(tags::SEED, &[&[1; 32], &member.to_be_bytes(), &seed[..]], &mut r);
                for (a, x) in single.iter_mut().zip(&r) {
                    *a = a.wrapping_add(*x);
                }
            }
            assert_eq!(batched, single, "{k} seeds");
        }
    }
}
