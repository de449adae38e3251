//! Decodes arbitrary bytes as a partial decryption: decoding never panics, every accepted
//! input re-encodes to itself (canonical codec), and `check` against the fixed t-of-n round
//! never panics; a checked partial names a valid quorum containing its member. A partial of
//! that round replaces the same member's own in `combine` with the fixture's aggregate (or
//! joins the quorum's partials if its member is outside the fixture's quorum, which `combine`
//! refuses), and is combined alone and twice: no panic, and the fixture's own partials
//! decrypt.
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
    let committee = f.params.committee();
    assert_eq!(committee.check_quorum(partial.quorum()), Ok(()));
    assert!(partial.quorum().contains(partial.member()));
    let mut partials = f.partials.clone();
    match partials.iter().position(|p| p.member() == partial.member()) {
        Some(i) => partials[i] = partial.clone(),
        None => partials.push(partial.clone()),
    }
    let result = combine(&f.params, &f.aggregate, &partials);
    if f.partials.contains(&partial) {
        assert!(result.is_ok(), "the honest round no longer decrypts");
    } else if partial.quorum() != agg_fixture::quorum() {
        assert!(result.is_err(), "combined partials of two quorums");
    }
    assert!(combine(&f.params, &f.aggregate, &[partial.clone(), partial.clone()]).is_err());
    let _ = combine(&f.params, &f.aggregate, std::slice::from_ref(&partial));
});
