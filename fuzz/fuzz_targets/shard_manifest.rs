//! Manifest decoding: arbitrary bytes give a typed error or a manifest whose canonical
//! encoding is exactly the input (and whose derived sizes are consistent).
#![no_main]

use gradseal_core::Codec;
use gradseal_shard::Manifest;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::from_bytes(data) {
        assert_eq!(m.to_bytes(), data, "manifest encoding is not canonical");
        assert!(m.data_shards() >= 1 && usize::from(m.total_shards()) <= gradseal_shard::MAX_SHARDS);
        assert_eq!(m.shard_size(), m.stripes() * u64::from(m.stripe_size()));
        assert!(m.stripes() * u64::from(m.stripe_size()) * u64::from(m.data_shards()) >= m.payload_len());
        let _ = m.digest();
    }
});
