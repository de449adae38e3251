//! Optional length padding of the signcrypted plaintext (spec: `spec/clsc.md`, "Padding").

use core::num::NonZeroU16;

/// How far a signcryption's plaintext is padded with zero bytes before encryption.
///
/// The plaintext is a fixed-size header (sender block, signature, length) followed by the
/// message, so without padding the ciphertext length reveals exactly the message length and
/// nothing about the sender. Padding rounds the whole plaintext up to hide the message
/// length as well.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Padding {
    /// No padding.
    #[default]
    None,
    /// Padmé (Nikitin et al., PETS 2019): at most ~12 % overhead (less for long inputs)
    /// and only `O(log log L)` bits of the length leak.
    Padme,
    /// Round up to a multiple of the given block size.
    Multiple(NonZeroU16),
}

impl Padding {
    /// The padded length of a plaintext of `len` bytes (never less than `len`).
    pub fn padded_len(self, len: usize) -> usize {
        match self {
            Padding::None => len,
            Padding::Padme => padme(len),
            Padding::Multiple(block) => {
                len.div_ceil(usize::from(block.get())) * usize::from(block.get())
            }
        }
    }
}

/// Padmé: with `E = ⌊log2 L⌋`, `S = ⌊log2 E⌋ + 1`, clear the low `E − S` bits of `L`
/// after rounding up.
fn padme(len: usize) -> usize {
    if len < 2 {
        return len;
    }
    let e = usize::BITS - 1 - len.leading_zeros(); // ⌊log2 L⌋ ≥ 1
    let s = u32::BITS - e.leading_zeros(); // ⌊log2 E⌋ + 1
    let last_bits = e - s;
    let mask = (1usize << last_bits) - 1;
    (len + mask) & !mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padme_known_values() {
        // From the Padmé paper's definition, computed by hand.
        assert_eq!(padme(137), 144); // E=7, S=3, 4 low bits cleared
        assert_eq!(padme(198), 208); // the smallest signcryption plaintext plus one byte
        assert_eq!(padme(1000), 1024); // E=9, S=4, 5 bits
        assert_eq!(padme(1024), 1024);
        assert_eq!(padme(1025), 1088); // E=10, S=4, 6 bits
        assert_eq!(padme(1 << 30), 1 << 30);
    }

    #[test]
    fn padding_never_shrinks_and_overhead_is_bounded() {
        for len in (197..70_000).step_by(13) {
            let p = Padding::Padme.padded_len(len);
            assert!(p >= len && p - len <= len / 8 + 1, "{len} -> {p}");
            let m = Padding::Multiple(NonZeroU16::new(256).unwrap()).padded_len(len);
            assert!(m >= len && m.is_multiple_of(256) && m - len < 256);
        }
        // The largest message still fits the plaintext bound after padding.
        let max = crate::MAX_MESSAGE_LEN + crate::signcrypt::HEADER_LEN;
        assert!(Padding::Padme.padded_len(max) <= crate::signcrypt::MAX_PLAINTEXT_LEN);
        let m = Padding::Multiple(NonZeroU16::MAX).padded_len(max);
        assert!(m <= crate::signcrypt::MAX_PLAINTEXT_LEN);
    }
}
