//! Decodes arbitrary bytes as a key seed of each set of the fixed small round (2-of-2: set t
//! is held by member 1 − t): decoding never panics, and an accepted seed gives back its bytes
//! and set. The seed goes into its holder's share as one client's seeds, next to one of the
//! fixture's clients (to reach `min_clients`); the share refuses the same seed twice and a
//! seed of a set the member does not hold, decrypts once, its partial passes `check`,
//! replaces the fixture member's own and is combined: no panic, and the fixture's own seeds
//! decrypt.
#![no_main]

#[path = "agg_fixture.rs"]
mod agg_fixture;

use gradseal_agg::{AggError, KeySeed, MemberShare, combine};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let f = agg_fixture::fixture();
    let committee = f.params.committee();
    let k = f.params.committee_size();
    for member in 0..=k {
        let held = committee.held_sets(member);
        let Ok(mut share) = MemberShare::new(&f.params, member) else {
            assert_eq!(member, k, "no share for a member of the round");
            assert!(held.is_empty());
            continue;
        };
        assert_eq!(held.len(), 1, "2-of-2: one set per member");
        let t = held[0];
        let Ok(seed) = KeySeed::from_bytes(t, data) else { return };
        assert_eq!(&seed.to_bytes()[..], data, "seed bytes differ from input");
        assert_eq!(seed.set(), t);
        let s = usize::from(t);
        // The other client: client 0's seed of this set, or client 1's if this is client 0's.
        let first = f.seeds[0][s] == *data;
        let honest = first || f.seeds[1][s] == *data;
        let other = KeySeed::from_bytes(t, &f.seeds[usize::from(first)][s]).expect("seed");
        let foreign = KeySeed::from_bytes(1 - t, data).expect("seed");
        assert!(
            matches!(share.add_client(&[foreign]), Err(AggError::SeedSetMismatch { .. })),
            "accepted a seed of a set the member does not hold"
        );
        share.add_client(std::slice::from_ref(&seed)).expect("seed of the held set");
        assert_eq!(share.add_client(&[seed]), Err(AggError::DuplicateSeed));
        share.add_client(&[other]).expect("a second client for this member");
        assert_eq!(share.count(), 2);
        let partial = share
            .partial_decrypt(&f.params, agg_fixture::quorum(), &mut agg_fixture::rng(2))
            .expect("2 clients");
        partial.check(&f.params).expect("own partial passes check");
        let mut partials = f.partials.clone();
        partials[usize::from(member)] = partial;
        let result = combine(&f.params, &f.aggregate, &partials);
        if honest {
            assert!(result.is_ok(), "the honest round no longer decrypts");
        }
    }
});
