//! Encoding of real-valued updates into B-bit integers, and decoding of decrypted sums.
//!
//! ```text
//! scale  = (2^(B-1) - 1) / clip
//! y_j    = clamp(x_j, -clip, clip) · scale                 (L∞ clipping)
//! v_j    = floor(y_j) + [U_j < frac(y_j)],  U_j uniform in [0,1) with 53 bits from the rng
//! m_j    = v_j + 2^(B-1)  ∈ [1, 2^B - 1]                   (offset: the decoder range-checks Σ m)
//! ```
//! Stochastic rounding is unbiased: E[v_j] = y_j. Decoding divides the integer sum
//! Σ v_j = Σ m_j - count · 2^(B-1) by `scale` (and by `count` for the mean).

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::{AggError, RoundParams};

/// One client's encoded update: the offset integers m_j in `[0, 2^B)`. A private value:
/// zeroized on drop, redacted in `Debug`.
pub struct EncodedUpdate {
    pub(crate) values: Zeroizing<Vec<u64>>,
}

impl core::fmt::Debug for EncodedUpdate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EncodedUpdate").field("len", &self.values.len()).finish_non_exhaustive()
    }
}

impl EncodedUpdate {
    /// Builds an encoded update from signed integers already in
    /// `[-(2^(B-1)-1), 2^(B-1)-1]` (skips clipping and rounding; for callers that quantize
    /// themselves and for tests).
    ///
    /// # Errors
    /// [`AggError::DimensionMismatch`], [`AggError::ValueOutOfRange`].
    pub fn from_signed(params: &RoundParams, values: &[i64]) -> Result<Self, AggError> {
        check_dimension(params, values.len())?;
        let max = params.max_magnitude();
        let offset = params.offset();
        let mut out = Zeroizing::new(Vec::with_capacity(values.len()));
        for (index, &v) in values.iter().enumerate() {
            if v < -max || v > max {
                return Err(AggError::ValueOutOfRange {
                    index: index as u64,
                    bits: params.config().bits,
                });
            }
            out.push(offset.wrapping_add_signed(v));
        }
        Ok(EncodedUpdate { values: out })
    }

    /// The signed integers v_j (for tests and audits of one's own update).
    pub fn to_signed(&self, params: &RoundParams) -> Vec<i64> {
        let offset = params.offset();
        self.values.iter().map(|&m| m.wrapping_sub(offset).cast_signed()).collect()
    }

    /// Number of coordinates.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True for an empty update (never produced for a valid round).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

fn check_dimension(params: &RoundParams, len: usize) -> Result<(), AggError> {
    if len != params.dimension() {
        return Err(AggError::DimensionMismatch {
            expected: params.dimension() as u64,
            got: len as u64,
        });
    }
    Ok(())
}

/// Clips (L∞), scales and stochastically rounds an update with randomness from `rng`.
///
/// # Errors
/// [`AggError::DimensionMismatch`] if `update.len()` is not the round's dimension,
/// [`AggError::NonFiniteInput`] for a NaN or infinite coordinate.
pub fn encode_update<R: CryptoRng + ?Sized>(
    params: &RoundParams,
    update: &[f32],
    rng: &mut R,
) -> Result<EncodedUpdate, AggError> {
    check_dimension(params, update.len())?;
    if let Some(index) = update.iter().position(|x| !x.is_finite()) {
        return Err(AggError::NonFiniteInput { index: index as u64 });
    }
    let clip = f64::from(params.config().clip);
    let scale = params.scale();
    let offset = params.offset();
    let max = params.max_magnitude();
    let mut out = Zeroizing::new(Vec::with_capacity(update.len()));
    for &x in update {
        let y = f64::from(x).clamp(-clip, clip) * scale;
        let floor = y.floor();
        let frac = y - floor;
        // U < frac with U = u · 2^-53, u uniform in [0, 2^53).
        let u = (rng.next_u64() >> 11) as f64 * f64::from_bits(0x3ca0_0000_0000_0000);
        let v = crate::noise::round_to_i64(floor) + i64::from(u < frac);
        // |y| <= max and max is an integer, so floor(y) >= -max and floor(y) + 1 <= max when
        // frac > 0; the clamp only guards against float surprises.
        out.push(offset.wrapping_add_signed(v.clamp(-max, max)));
    }
    Ok(EncodedUpdate { values: out })
}

/// A decrypted aggregate: the integer sums Σ v_j over `count` contributions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptedSum {
    /// Number of contributions summed.
    pub count: u32,
    /// Per-coordinate sums of the signed integers.
    pub sums: Vec<i64>,
}

/// The sum of the clipped real updates: Σ v_j / scale.
pub fn decode_sum(params: &RoundParams, sum: &DecryptedSum) -> Vec<f32> {
    let scale = params.scale();
    sum.sums.iter().map(|&s| to_f32(s as f64 / scale)).collect()
}

/// The mean of the clipped real updates: Σ v_j / (scale · count); zeros if `count` is 0.
pub fn decode_mean(params: &RoundParams, sum: &DecryptedSum) -> Vec<f32> {
    if sum.count == 0 {
        return vec![0.0; sum.sums.len()];
    }
    let scale = params.scale() * f64::from(sum.count);
    sum.sums.iter().map(|&s| to_f32(s as f64 / scale)).collect()
}

#[allow(clippy::cast_possible_truncation)]
fn to_f32(x: f64) -> f32 {
    // Narrowing to the model's precision is the point of decoding.
    x as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RoundConfig;
    use chacha20::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn params(dim: u32, bits: u8) -> RoundParams {
        let mut c = RoundConfig::new([9; 32], dim);
        c.bits = bits;
        c.clip = 2.0;
        RoundParams::new(c).unwrap()
    }

    #[test]
    fn clipping_and_range() {
        let p = params(6, 8);
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let e = encode_update(&p, &[0.0, 2.0, -2.0, 5.0, -1e30, 1.0], &mut rng).unwrap();
        let v = e.to_signed(&p);
        assert_eq!(&v[..5], &[0, 127, -127, 127, -127]);
        assert!(v[5] == 63 || v[5] == 64, "{v:?}");
        assert!(e.values.iter().all(|&m| (1..256).contains(&m)));
    }

    #[test]
    fn rejects_bad_input() {
        let p = params(3, 8);
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        assert_eq!(
            encode_update(&p, &[0.0, f32::NAN, 0.0], &mut rng).unwrap_err(),
            AggError::NonFiniteInput { index: 1 }
        );
        assert_eq!(
            encode_update(&p, &[0.0, f32::INFINITY, 0.0], &mut rng).unwrap_err(),
            AggError::NonFiniteInput { index: 1 }
        );
        assert!(matches!(
            encode_update(&p, &[0.0], &mut rng),
            Err(AggError::DimensionMismatch { expected: 3, got: 1 })
        ));
        assert!(matches!(
            EncodedUpdate::from_signed(&p, &[0, 128, 0]),
            Err(AggError::ValueOutOfRange { index: 1, bits: 8 })
        ));
    }

    #[test]
    fn stochastic_rounding_is_unbiased() {
        let p = params(1, 4); // scale = 7/2
        let mut rng = ChaCha20Rng::from_seed([2; 32]);
        let x = 0.3f32; // y = 1.05
        let trials = 20_000;
        let mut total = 0i64;
        for _ in 0..trials {
            total += encode_update(&p, &[x], &mut rng).unwrap().to_signed(&p)[0];
        }
        let mean = total as f64 / f64::from(trials);
        assert!((mean - 1.05).abs() < 0.01, "{mean}");
    }

    #[test]
    fn decode_inverts_scale() {
        let p = params(2, 8);
        let s = DecryptedSum { count: 2, sums: vec![127 * 2, -127] };
        assert_eq!(decode_sum(&p, &s), vec![4.0, -2.0]);
        assert_eq!(decode_mean(&p, &s), vec![2.0, -1.0]);
    }
}
