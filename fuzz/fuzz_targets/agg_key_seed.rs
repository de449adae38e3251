//! Decodes arbitrary bytes as a key seed for each member of the fixed small round (and one
//! past it): decoding never panics, and an accepted seed gives back its bytes and member. A
//! seed for a member of the round goes into that member's share next to one of the fixture's
//! seeds (to reach `min_clients`); the share refuses the same seed twice and another member's
//! seed, decrypts once, its partial passes `check`, replaces the fixture member's own and is
//! combined: no panic, and the fixture's own seeds decrypt.
#![no_main]

#[path = "agg_fixture.rs"]
mod agg_fixture;

use gradseal_agg::{AggError, KeySeed, MemberShare, combine};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let f = agg_fixture::fixture();
    let k = f.params.committee_size();
    for member in 0..=k {
        let Ok(seed) = KeySeed::from_bytes(member, data) else { return };
        assert_eq!(&seed.to_bytes()[..], data, "seed bytes differ from input");
        assert_eq!(seed.member(), member);
        let Ok(mut share) = MemberShare::new(&f.params, member) else {
            assert_eq!(member, k, "no share for a member of the round");
            continue;
        };
        let m = usize::from(member);
        // The other seed: client 0's for this member, or client 1's if this is client 0's.
        let first = f.seeds[0][m] == *data;
        let honest = first || f.seeds[1][m] == *data;
        let other = KeySeed::from_bytes(member, &f.seeds[usize::from(first)][m]).expect("seed");
        share.add_seed(&seed).expect("seed for this member");
        assert_eq!(share.add_seed(&seed), Err(AggError::DuplicateSeed));
        let foreign = KeySeed::from_bytes((member + 1) % k, data).expect("seed");
        assert!(share.add_seed(&foreign).is_err(), "accepted another member's seed");
        share.add_seed(&other).expect("a second seed for this member");
        assert_eq!(share.count(), 2);
        let partial = share.partial_decrypt(&f.params, &mut agg_fixture::rng(2)).expect("2 seeds");
        partial.check(&f.params).expect("own partial passes check");
        let mut partials = f.partials.clone();
        partials[m] = partial;
        let result = combine(&f.params, &f.aggregate, &partials);
        if honest {
            assert!(result.is_ok(), "the honest round no longer decrypts");
        }
    }
});
