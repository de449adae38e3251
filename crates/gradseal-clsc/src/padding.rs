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

    /// The sealed length (ciphertext and tag, the `u32` field of a [`crate::Signcryption`])
    /// of a message of `message_len` bytes under this policy. Non-decreasing in
    /// `message_len`, so `sealed_len(max_message_len)` bounds every message up to that
    /// length: the bound to give [`crate::unsigncrypt_bounded`].
    pub fn sealed_len(self, message_len: usize) -> usize {
        self.padded_len(crate::signcrypt::HEADER_LEN.saturating_add(message_len))
            .saturating_add(crate::TAG_LEN)
    }
}

/// Padmé: with `β = ⌊log2 t⌋`, `γ = ⌊log2 β⌋ + 1`, clear the low `β − γ` bits of `t`
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
        // sealed_len is non-decreasing, so it bounds every shorter message.
        for pad in [Padding::None, Padding::Padme, Padding::Multiple(NonZeroU16::new(100).unwrap())]
        {
            let mut last = 0;
            for len in 0..20_000 {
                let s = pad.sealed_len(len);
                assert!(s >= last && s >= len + crate::MIN_SEALED_LEN);
                last = s;
            }
        }
        // The largest message still fits the plaintext bound after padding.
        let max = crate::MAX_MESSAGE_LEN + crate::signcrypt::HEADER_LEN;
        assert!(Padding::Padme.padded_len(max) <= crate::signcrypt::MAX_PLAINTEXT_LEN);
        let m = Padding::Multiple(NonZeroU16::MAX).padded_len(max);
        assert!(m <= crate::signcrypt::MAX_PLAINTEXT_LEN);
    }
}
