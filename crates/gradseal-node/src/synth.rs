//! Synthetic client updates: a deterministic function of (seed, round, dimension), so the
//! cluster launcher can recompute the plaintext sum the committee should decrypt.

use chacha20::ChaCha20Rng;
use gradseal_core::hash;
use gradseal_protocol::RoundId;
use rand_core::{Rng, SeedableRng};

use crate::tags;

/// Largest absolute value of a synthetic coordinate (fits any announced `bits` ≥ 12).
pub const SYNTH_MAX_ABS: i64 = 1000;

/// The synthetic update of the client with update seed `seed` for `round`: `dimension`
/// values uniform in `[-SYNTH_MAX_ABS, SYNTH_MAX_ABS]`, also bounded by `bits`.
pub fn update(seed: &[u8; 32], round: RoundId, dimension: u32, bits: u8) -> Vec<i64> {
    let mut rng =
        ChaCha20Rng::from_seed(hash(tags::TAG_SYNTH_UPDATE, &[seed, &round.0.to_be_bytes()]));
    let bound = if bits >= 12 { SYNTH_MAX_ABS } else { (1i64 << bits.saturating_sub(2)).max(1) };
    let span = u64::try_from(2 * bound + 1).unwrap_or(1);
    (0..dimension).map(|_| i64::try_from(rng.next_u64() % span).unwrap_or(0) - bound).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_bounded() {
        let a = update(&[1; 32], RoundId(3), 100, 16);
        assert_eq!(a, update(&[1; 32], RoundId(3), 100, 16));
        assert_ne!(a, update(&[1; 32], RoundId(4), 100, 16));
        assert!(a.iter().all(|v| v.abs() <= SYNTH_MAX_ABS));
        assert!(update(&[1; 32], RoundId(3), 50, 4).iter().all(|v| v.abs() <= 4));
    }
}
