//! Decodes arbitrary bytes as a partial decryption: decoding never panics, and every accepted input
//! re-encodes to itself (canonical codec).
#![no_main]

use gradseal_agg::PartialDecryption;
use gradseal_core::Codec;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(value) = PartialDecryption::from_bytes(data) {
        assert_eq!(value.to_bytes(), data, "re-encoding differs from input");
    }
});
