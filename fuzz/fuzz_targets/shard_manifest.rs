//! Manifest decoding: arbitrary bytes give a typed error or a manifest whose canonical
//! encoding is exactly the input (and whose derived sizes and stripe size are consistent and
//! canonical).
#![no_main]

use gradseal_core::Codec;
use gradseal_shard::Manifest;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::from_bytes(data) {
        assert_eq!(m.to_bytes(), data, "manifest encoding is not canonical");
        assert!(
            m.data_shards() >= 1 && usize::from(m.total_shards()) <= gradseal_shard::MAX_SHARDS
        );
        assert_eq!(m.shard_size(), m.stripes() * u64::from(m.stripe_size()));
        assert!(
            m.stripes() * u64::from(m.stripe_size()) * u64::from(m.data_shards())
                >= m.payload_len()
        );
        // The stripe size is one the encoder picks (spec/shard.md §1): balanced and at most
        // max(4096, ⌈P/8⌉), so one payload's padding is bounded.
        if m.payload_len() > 0 {
            let p = m.payload_len().div_ceil(u64::from(m.data_shards()));
            let c = u64::from(m.stripe_size());
            assert!(c <= 4096u64.max(p.div_ceil(8)), "stripe above the encoder's bound");
            assert_eq!(p.div_ceil(p.div_ceil(c)), c, "unbalanced stripe accepted");
        }
        let _ = m.digest();
    }
});
