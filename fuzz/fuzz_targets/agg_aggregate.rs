//! Decodes arbitrary bytes as an aggregate: decoding never panics, and every accepted input
//! re-encodes to itself (canonical codec).
#![no_main]

use gradseal_agg::Aggregate;
use gradseal_core::Codec;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(value) = Aggregate::from_bytes(data) {
        assert_eq!(value.to_bytes(), data, "re-encoding differs from input");
    }
});
