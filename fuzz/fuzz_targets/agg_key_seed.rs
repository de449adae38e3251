//! Decodes arbitrary bytes as a key seed of the first set each member of the fixed t-of-n
//! round holds (and tries one member past the committee): decoding never panics, and an
//! accepted seed gives back its bytes and set. For each member the seed replaces, in a copy
//! of one fixture client's seeds for that member, the seed of its first held set; the share
//! takes that list once (or refuses it as a duplicate if the input repeats another seed of
//! the list), refuses it again and refuses it shifted to other sets, takes the other fixture
//! clients, and a member of the quorum decrypts once: its partial passes `check`, replaces
//! its own in the fixture's partials and is combined: no panic, and the fixture's own seeds
//! decrypt. A member outside the quorum is refused (`NotInQuorum`).
#![no_main]

#[path = "agg_fixture.rs"]
mod agg_fixture;

use gradseal_agg::{AggError, KeySeed, MemberShare, combine};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let f = agg_fixture::fixture();
    let committee = f.params.committee();
    let quorum = agg_fixture::quorum();
    let k = f.params.committee_size();
    for member in 0..=k {
        let held = committee.held_sets(member);
        let Ok(mut share) = MemberShare::new(&f.params, member) else {
            assert_eq!(member, k, "no share for a member of the round");
            assert!(held.is_empty());
            continue;
        };
        assert_eq!(held.len(), 6, "C(4, 2) held sets");
        let first = held[0];
        let Ok(seed) = KeySeed::from_bytes(first, data) else { return };
        assert_eq!(&seed.to_bytes()[..], data, "seed bytes differ from input");
        assert_eq!(seed.set(), first);
        // The client whose list the input enters: the one whose seeds contain the input, if
        // any (seeds are distinct), else client 0.
        let base = (0..f.seeds.len())
            .find(|&c| held.iter().any(|&t| f.seeds[c][usize::from(t)] == *data))
            .unwrap_or(0);
        let honest = f.seeds[base][usize::from(first)] == *data;
        let mut list = agg_fixture::member_seeds(&f.params, &f.seeds[base], member);
        list[0] = seed;
        let shifted: Vec<KeySeed> = list
            .iter()
            .zip(held.iter().cycle().skip(1))
            .map(|(s, &t)| KeySeed::from_bytes(t, s.to_bytes().as_ref()).expect("seed"))
            .collect();
        assert!(
            matches!(share.add_client(&shifted), Err(AggError::SeedSetMismatch { .. })),
            "accepted seeds of the wrong sets"
        );
        if let Err(e) = share.add_client(&list) {
            assert!(!honest && e == AggError::DuplicateSeed, "{e:?}");
            assert_eq!(share.count(), 0, "a refused list was added");
            continue;
        }
        assert_eq!(share.add_client(&list), Err(AggError::DuplicateSeed));
        for c in (0..f.seeds.len()).filter(|&c| c != base) {
            share
                .add_client(&agg_fixture::member_seeds(&f.params, &f.seeds[c], member))
                .expect("another client for this member");
        }
        assert_eq!(share.count(), 3);
        let result = share.partial_decrypt(&f.params, quorum, &mut agg_fixture::rng(2));
        let Some(position) = f.partials.iter().position(|p| p.member() == member) else {
            assert_eq!(result.unwrap_err(), AggError::NotInQuorum { member });
            continue;
        };
        let partial = result.expect("3 clients, in the quorum");
        partial.check(&f.params).expect("own partial passes check");
        let mut partials = f.partials.clone();
        partials[position] = partial;
        let result = combine(&f.params, &f.aggregate, &partials);
        if honest {
            assert!(result.is_ok(), "the honest round no longer decrypts");
        }
    }
});
