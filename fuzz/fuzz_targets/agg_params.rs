//! Decodes arbitrary bytes as round parameters (validated on decode): decoding never panics,
//! every accepted input re-encodes to itself (canonical codec), and the accepted parameters
//! are consistent: the committee (n, f) has 1 <= f < n, q = ⌊(n + f)/2⌋ + 1 and seals at most
//! 1024 seeds; their noise budget decrypts (the aggregate's bound plus q times the largest
//! flooding sample, 9.42 σ_f + 1/2, stays below Δ/4) and its security figures use
//! σ_f/√(n − f); L = ⌈d/n⌉, min_clients ≥ 2.
#![no_main]

use gradseal_agg::{MAX_SEALED_SEEDS, RoundParams};
use gradseal_core::Codec;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(params) = RoundParams::from_bytes(data) {
        assert_eq!(params.to_bytes(), data, "re-encoding differs from input");
        let b = params.noise_budget();
        let c = params.committee();
        let (n, f) = (c.size(), c.threshold());
        assert!(f >= 1 && f < n && n == params.committee_size());
        assert_eq!(c.quorum_size(), (n + f) / 2 + 1);
        assert_eq!(b.quorum, c.quorum_size());
        assert!(c.sealed_seed_count() <= MAX_SEALED_SEEDS);
        assert_eq!(b.effective_flood_sigma, b.flood_sigma / f64::from(n - f).sqrt());
        let k = f64::from(b.quorum);
        let largest_flood = 9.42 * b.flood_sigma + 0.5;
        assert!(b.flood_sigma >= 1.0 && b.flood_bound >= largest_flood, "{b:?}");
        assert!(b.aggregate_bound as f64 + k * largest_flood < b.decode_bound as f64, "{b:?}");
        assert_eq!(b.sum_bits + b.delta_log2, 64);
        assert_eq!(params.poly_count(), params.dimension().div_ceil(params.n()));
        assert!(params.config().min_clients >= 2);
    }
});
