//! Decodes arbitrary bytes as a partial decryption: decoding never panics, every accepted
//! input re-encodes to itself (canonical codec), and `check` against the fixed small round
//! never panics. A partial of that round replaces the fixture member's own in `combine` with
//! the fixture's aggregate (and is combined alone and twice): no panic, and the fixture's own
//! partials decrypt.
#![no_main]

#[path = "agg_fixture.rs"]
mod agg_fixture;

use gradseal_agg::{PartialDecryption, combine};
use gradseal_core::Codec;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(partial) = PartialDecryption::from_bytes(data) else { return };
    assert_eq!(partial.to_bytes(), data, "re-encoding differs from input");
    let f = agg_fixture::fixture();
    if partial.check(&f.params).is_err() {
        return;
    }
    let member = usize::from(partial.member());
    let mut partials = f.partials.clone();
    partials[member] = partial.clone();
    let result = combine(&f.params, &f.aggregate, &partials);
    if partial == f.partials[member] {
        assert!(result.is_ok(), "the honest round no longer decrypts");
    }
    assert!(combine(&f.params, &f.aggregate, &[partial.clone(), partial.clone()]).is_err());
    let _ = combine(&f.params, &f.aggregate, std::slice::from_ref(&partial));
});
