//! Ring arithmetic in Z_q[X]/(X^n + 1), q = 2^64, on top of tfhe's `core_crypto` layer.
//!
//! tfhe's compact public-key scheme uses the *semi-reverse* negacyclic convolution
//! `conv(a, b) = a · φ(b)` with φ(b)(X) = reversal of b's coefficients (eprint 2023/603 with
//! i = n). All products here have one binary operand, so they run on tfhe's NTT specialised to
//! binary right-hand sides.

use tfhe::core_crypto::algorithms::slice_algorithms::slice_binary_semi_reverse_negacyclic_convolution;
use tfhe::core_crypto::commons::math::ntt::ntt_native_binary64::NttNativeBinary64;
use tfhe::core_crypto::commons::parameters::PolynomialSize;

use crate::tags;

/// `out = conv(lhs, rhs)` for a public binary `rhs`.
pub(crate) fn conv_binary(out: &mut [u64], lhs: &[u64], rhs: &[u64]) {
    slice_binary_semi_reverse_negacyclic_convolution(out, lhs, rhs);
}

/// `out = conv(lhs, rhs)` where the caller holds `rhs_reversed = φ(rhs)` (binary): a secret
/// share is stored reversed so that no unzeroized copy of it is made here.
pub(crate) fn conv_binary_prereversed(out: &mut [u64], lhs: &[u64], rhs_reversed: &[u64]) {
    NttNativeBinary64::new(PolynomialSize(lhs.len())).as_view().negacyclic_polymul(
        out,
        lhs,
        rhs_reversed,
    );
}

/// The public mask polynomial of a round: coefficient 4c + i is the big-endian u64 at bytes
/// 8i..8i+8 of `hash(PUBLIC_MASK, [round_digest, u32be(c)])`.
pub(crate) fn expand_mask(round_digest: &[u8; 32], n: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(n);
    let mut counter: u32 = 0;
    while out.len() < n {
        let block = gradseal_core::hash(tags::PUBLIC_MASK, &[round_digest, &counter.to_be_bytes()]);
        for chunk in block.chunks_exact(8) {
            if out.len() < n {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                out.push(u64::from_be_bytes(word));
            }
        }
        counter += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfhe::core_crypto::algorithms::slice_algorithms::slice_semi_reverse_negacyclic_convolution;

    #[test]
    fn binary_products_match_the_generic_one() {
        let n = 2048;
        let lhs: Vec<u64> = (0..n as u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
        let rhs: Vec<u64> = (0..n as u64).map(|i| (i * 7 + i / 3) % 2).collect();
        let mut reference = vec![0u64; n];
        slice_semi_reverse_negacyclic_convolution(&mut reference, &lhs, &rhs);
        let mut a = vec![0u64; n];
        conv_binary(&mut a, &lhs, &rhs);
        assert_eq!(a, reference);
        let rev: Vec<u64> = rhs.iter().rev().copied().collect();
        let mut b = vec![0u64; n];
        conv_binary_prereversed(&mut b, &lhs, &rev);
        assert_eq!(b, reference);
    }

    #[test]
    fn mask_is_deterministic_and_round_bound() {
        let a = expand_mask(&[1; 32], 2048);
        assert_eq!(a.len(), 2048);
        assert_eq!(a, expand_mask(&[1; 32], 2048));
        assert_ne!(a, expand_mask(&[2; 32], 2048));
    }
}
