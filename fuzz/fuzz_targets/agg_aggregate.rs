//! Decodes arbitrary bytes as an aggregate: decoding never panics, every accepted input
//! re-encodes to itself (canonical codec), and `check` against the fixed small round never
//! panics. An aggregate of that round is combined with the fixture's partial decryptions (and
//! with none): no panic, and the fixture's own aggregate decrypts.
#![no_main]

#[path = "agg_fixture.rs"]
mod agg_fixture;

use gradseal_agg::{Aggregate, combine};
use gradseal_core::Codec;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(aggregate) = Aggregate::from_bytes(data) else { return };
    assert_eq!(aggregate.to_bytes(), data, "re-encoding differs from input");
    let f = agg_fixture::fixture();
    if aggregate.check(&f.params).is_err() {
        return;
    }
    assert!(combine(&f.params, &aggregate, &[]).is_err(), "combined without partials");
    let result = combine(&f.params, &aggregate, &f.partials);
    if aggregate == f.aggregate {
        assert!(result.is_ok(), "the honest round no longer decrypts");
    }
});
