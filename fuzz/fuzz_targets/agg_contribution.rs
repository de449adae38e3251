//! Decodes arbitrary bytes as a client's contribution: decoding never panics, every accepted
//! input re-encodes to itself (canonical codec), and `check` against the fixed t-of-n round
//! never panics. A contribution of that round is then summed with two of the fixture's (by
//! `Aggregate::add` and by `recompute_aggregate`, which must agree) and combined with the
//! fixture quorum's partial decryptions: no panic, and the fixture's own third contribution
//! decrypts.
#![no_main]

#[path = "agg_fixture.rs"]
mod agg_fixture;

use gradseal_agg::{Aggregate, Contribution, combine, recompute_aggregate};
use gradseal_core::Codec;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(contribution) = Contribution::from_bytes(data) else { return };
    assert_eq!(contribution.to_bytes(), data, "re-encoding differs from input");
    let f = agg_fixture::fixture();
    if contribution.check(&f.params).is_err() {
        return;
    }
    let [first, second, third] = &f.contributions[..] else { panic!("three clients") };
    let mut aggregate = Aggregate::new(&f.params);
    aggregate.add(&f.params, first).expect("fixture contribution");
    aggregate.add(&f.params, second).expect("fixture contribution");
    aggregate.add(&f.params, &contribution).expect("checked contribution");
    let batched =
        recompute_aggregate(&f.params, &[first, second, &contribution]).expect("three of 4");
    assert_eq!(aggregate, batched, "streaming and batched sums differ");
    let result = combine(&f.params, &aggregate, &f.partials);
    if contribution == *third {
        assert!(result.is_ok(), "the honest round no longer decrypts");
    }
});
