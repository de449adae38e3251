//! Sampling from the injected random number generator: binary secrets, TUniform encryption
//! noise and the Gaussian flooding noise. They read the caller's `CryptoRng` (so tests and
//! vectors are deterministic) rather than tfhe's own generators, which take only tfhe's CSPRNG;
//! the TUniform construction is tfhe's.
//!
//! The Gaussian sampler uses only IEEE-754 basic operations (+, -, ×, ÷, sqrt, round) and a
//! logarithm written here with them, so its output is the same on every platform (the test
//! vectors depend on it).

use rand_core::CryptoRng;

/// Fills `out` with independent uniform bits (as 0/1 words).
pub(crate) fn fill_binary<R: CryptoRng + ?Sized>(rng: &mut R, out: &mut [u64]) {
    for chunk in out.chunks_mut(64) {
        let word = rng.next_u64();
        for (i, x) in chunk.iter_mut().enumerate() {
            *x = (word >> i) & 1;
        }
    }
}

/// One TUniform(b) sample (uniform on [-2^b, 2^b], the two ends with half weight) from b+2
/// uniform bits u, as a two's-complement u64: (u >> 1) + (u & 1) - 2^b (tfhe's construction).
fn tuniform_from_bits(u: u64, log2_bound: u32) -> u64 {
    ((u >> 1) + (u & 1)).wrapping_sub(1u64 << log2_bound)
}

/// Fills `out` with TUniform(b) samples: each word of the rng gives ⌊64/(b+2)⌋ samples, from
/// its low bits up (12 samples of 5 bits for b = 3).
pub(crate) fn fill_tuniform<R: CryptoRng + ?Sized>(rng: &mut R, out: &mut [u64], log2_bound: u32) {
    let width = log2_bound + 2;
    let mask = (1u64 << width) - 1;
    let per_word = (64 / width) as usize;
    for chunk in out.chunks_mut(per_word) {
        let mut word = rng.next_u64();
        for x in chunk {
            *x = tuniform_from_bits(word & mask, log2_bound);
            word >>= width;
        }
    }
}

/// A uniform f64 in [-1, 1) with 53 random bits.
fn uniform_symmetric<R: CryptoRng + ?Sized>(rng: &mut R) -> f64 {
    let x = rng.next_u64() >> 11;
    (x as f64) * f64::from_bits(0x3cb0_0000_0000_0000) - 1.0 // x · 2^-52 - 1
}

/// The smallest accepted s = u² + v² of the polar method: rejecting smaller ones bounds every
/// sample by sqrt(-2 ln 2^-64) ≈ 9.42 (the distribution moves by at most 2^-64 in statistical
/// distance per pair).
const MIN_S: f64 = 5.421_010_862_427_522e-20; // 2^-64

/// Two independent standard normal samples (Marsaglia's polar method), each of absolute value
/// below 9.42.
pub(crate) fn gaussian_pair<R: CryptoRng + ?Sized>(rng: &mut R) -> (f64, f64) {
    loop {
        let u = uniform_symmetric(rng);
        let v = uniform_symmetric(rng);
        let s = u * u + v * v;
        if !(MIN_S..1.0).contains(&s) {
            continue;
        }
        let factor = (-2.0 * ln(s) / s).sqrt();
        return (u * factor, v * factor);
    }
}

/// Fills `out` with rounded Gaussian samples of deviation `sigma` (two's-complement words).
pub(crate) fn fill_gaussian<R: CryptoRng + ?Sized>(rng: &mut R, out: &mut [i64], sigma: f64) {
    let mut chunks = out.chunks_exact_mut(2);
    for pair in &mut chunks {
        let (a, b) = gaussian_pair(rng);
        if let [x, y] = pair {
            *x = round_to_i64(a * sigma);
            *y = round_to_i64(b * sigma);
        }
    }
    for x in chunks.into_remainder() {
        *x = round_to_i64(gaussian_pair(rng).0 * sigma);
    }
}

/// Rounds to the nearest integer (ties away from zero). Callers keep |x| < 2^62.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn round_to_i64(x: f64) -> i64 {
    // Values are bounded by 9.5 sigma < 2^62 by the noise budget; `as` saturates otherwise.
    x.round() as i64
}

/// Natural logarithm of a positive normal f64 from basic operations only (deterministic):
/// x = m 2^e with m in (√½, √2], ln m = 2 atanh((m-1)/(m+1)) by its series (|y| < 0.172, 20
/// terms, error below 2^-100).
pub(crate) fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let biased = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let mut exponent = biased - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > core::f64::consts::SQRT_2 {
        m /= 2.0;
        exponent += 1;
    }
    let y = (m - 1.0) / (m + 1.0);
    let y2 = y * y;
    let mut term = y;
    let mut sum = 0.0;
    for k in 0..20u32 {
        sum += term / f64::from(2 * k + 1);
        term *= y2;
    }
    2.0 * sum + f64::from(exponent) * core::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn ln_matches_std() {
        for &x in &[1e-19, 1e-10, 0.001, 0.1, 0.5, 0.999999, 1.0, 1.5, 2.0, 1e10] {
            assert!((ln(x) - x.ln()).abs() <= 4.0 * f64::EPSILON * x.ln().abs().max(1.0), "{x}");
        }
    }

    #[test]
    fn tuniform_is_bounded_and_centered() {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let b = 4;
        let mut hist = [0u32; 33];
        let mut samples = vec![0u64; 200_000];
        fill_tuniform(&mut rng, &mut samples, b);
        for v in samples {
            let v = v.cast_signed();
            assert!((-16..=16).contains(&v));
            hist[usize::try_from(v + 16).unwrap()] += 1;
        }
        // Ends have half the weight of the interior (1/64 against 1/32).
        let interior = f64::from(hist[16]) / 200_000.0;
        let end = f64::from(hist[0]) / 200_000.0;
        assert!((interior - 1.0 / 32.0).abs() < 0.003, "{interior}");
        assert!((end - 1.0 / 64.0).abs() < 0.002, "{end}");
    }

    #[test]
    fn gaussian_has_unit_variance_and_hard_bound() {
        let mut rng = ChaCha20Rng::from_seed([4; 32]);
        let mut sum = 0.0;
        let mut sq = 0.0;
        let count = 100_000;
        for _ in 0..count / 2 {
            let (a, b) = gaussian_pair(&mut rng);
            assert!(a.abs() < 9.42 && b.abs() < 9.42);
            sum += a + b;
            sq += a * a + b * b;
        }
        let mean = sum / f64::from(count);
        let var = sq / f64::from(count) - mean * mean;
        assert!(mean.abs() < 0.02, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
    }

    #[test]
    fn binary_is_binary() {
        let mut rng = ChaCha20Rng::from_seed([5; 32]);
        let mut v = vec![7u64; 2048];
        fill_binary(&mut rng, &mut v);
        assert!(v.iter().all(|&x| x <= 1));
        let ones: u64 = v.iter().sum();
        assert!((900..1150).contains(&ones));
    }
}
