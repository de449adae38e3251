//! Property tests: every encoding round-trips, decoders never panic, and the algebraic law of
//! the scheme, Dec(Σ Enc(m_c)) = Σ m_c, holds for any clients, dimension, committee (n, f) and
//! quorum.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chacha20::ChaCha20Rng;
use gradseal_agg::*;
use gradseal_core::Codec;
use proptest::prelude::*;
use rand_core::SeedableRng;

fn params(dimension: u32, k: u16, bits: u8) -> RoundParams {
    params_tn(dimension, k, k - 1, bits)
}

fn params_tn(dimension: u32, n: u16, f: u16, bits: u8) -> RoundParams {
    let mut c = RoundConfig::new([5; 32], dimension);
    (c.committee_size, c.privacy_threshold) = (n, f);
    c.bits = bits;
    c.min_clients = 2;
    c.max_clients = 16;
    RoundParams::new(c).unwrap()
}

/// What member `j` receives of one client's seeds: those of its held sets, ascending.
fn member_seeds(p: &RoundParams, seeds: &[KeySeed], j: u16) -> Vec<KeySeed> {
    p.committee()
        .held_sets(j)
        .into_iter()
        .map(|t| KeySeed::from_bytes(t, seeds[usize::from(t)].to_bytes().as_ref()).unwrap())
        .collect()
}

/// A committee (n, f) with 2 <= n <= 6, 1 <= f < n, and a quorum of it: q members drawn by
/// a permutation.
fn committee_and_quorum() -> impl Strategy<Value = (u16, u16, MemberSet)> {
    (2u16..=6)
        .prop_flat_map(|n| (Just(n), 1..n))
        .prop_flat_map(|(n, f)| {
            let q = (n + f) / 2 + 1;
            (Just(n), Just(f), Just((0..n).collect::<Vec<u16>>()).prop_shuffle(), Just(q))
        })
        .prop_map(|(n, f, order, q)| (n, f, order.into_iter().take(usize::from(q)).collect()))
}

/// Updates of `clients` clients with values in the signed range of `bits`.
fn updates(bits: u8, dimension: usize) -> impl Strategy<Value = Vec<Vec<i64>>> {
    let max = (1i64 << (bits - 1)) - 1;
    prop::collection::vec(prop::collection::vec(-max..=max, dimension), 2..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_sum_of_encryptions_decrypts_to_the_sum(
        (bits, values) in (2u8..=20, 1usize..=4200).prop_flat_map(|(b, d)| (Just(b), updates(b, d))),
        (n, f, quorum) in committee_and_quorum(),
        seed in any::<[u8; 32]>(),
    ) {
        let d = u32::try_from(values[0].len()).unwrap();
        let p = params_tn(d, n, f, bits);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let mut agg = Aggregate::new(&p);
        let mut shares: Vec<MemberShare> = (0..n).map(|j| MemberShare::new(&p, j).unwrap()).collect();
        let mut expected = vec![0i64; values[0].len()];
        for v in &values {
            let (c, seeds) = encrypt(&p, &EncodedUpdate::from_signed(&p, v).unwrap(), &mut rng).unwrap();
            prop_assert_eq!(seeds.len(), usize::from(p.committee().set_count()));
            agg.add(&p, &c).unwrap();
            for (j, s) in (0..).zip(shares.iter_mut()) {
                s.add_client(&member_seeds(&p, &seeds, j)).unwrap();
            }
            for (e, x) in expected.iter_mut().zip(v) {
                *e += x;
            }
        }
        // Only the quorum decrypts, in a shuffled order.
        let partials: Vec<_> = shares
            .into_iter()
            .rev()
            .filter(|s| quorum.contains(s.member()))
            .map(|s| s.partial_decrypt(&p, quorum, &mut rng).unwrap())
            .collect();
        let sum = combine(&p, &agg, &partials).unwrap();
        prop_assert_eq!(sum.count as usize, values.len());
        prop_assert_eq!(sum.sums, expected);
    }

    #[test]
    fn encodings_round_trip(d in 1u32..=300, k in 2u16..=3, seed in any::<[u8; 32]>()) {
        let p = params(d, k, 16);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let e = EncodedUpdate::from_signed(&p, &vec![1; d as usize]).unwrap();
        let (c, seeds) = encrypt(&p, &e, &mut rng).unwrap();
        let (c2, seeds2) = encrypt(&p, &e, &mut rng).unwrap();
        prop_assert_eq!(&Contribution::from_bytes(&c.to_bytes()).unwrap(), &c);
        prop_assert_eq!(RoundParams::from_bytes(&p.to_bytes()).unwrap(), p.clone());
        let agg = recompute_aggregate(&p, &[&c, &c2]).unwrap();
        prop_assert_eq!(&Aggregate::from_bytes(&agg.to_bytes()).unwrap(), &agg);
        let mut share = MemberShare::new(&p, 0).unwrap();
        share.add_client(&member_seeds(&p, &seeds, 0)).unwrap();
        share.add_client(&member_seeds(&p, &seeds2, 0)).unwrap();
        let partial = share.partial_decrypt(&p, MemberSet::all(k), &mut rng).unwrap();
        prop_assert_eq!(&PartialDecryption::from_bytes(&partial.to_bytes()).unwrap(), &partial);
        let seed_bytes = seeds[0].to_bytes();
        prop_assert_eq!(KeySeed::from_bytes(0, seed_bytes.as_ref()).unwrap().to_bytes(), seed_bytes);
    }

    #[test]
    fn adding_one_by_one_equals_the_batched_sum(d in 1u32..=5000, n in 2usize..5, seed in any::<[u8; 32]>()) {
        let p = params(d, 2, 8);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let e = EncodedUpdate::from_signed(&p, &vec![-3; d as usize]).unwrap();
        let cs: Vec<Contribution> = (0..n).map(|_| encrypt(&p, &e, &mut rng).unwrap().0).collect();
        let mut agg = Aggregate::new(&p);
        for c in cs.iter().rev() {
            agg.add(&p, c).unwrap();
        }
        let refs: Vec<&Contribution> = cs.iter().collect();
        prop_assert_eq!(recompute_aggregate(&p, &refs).unwrap(), agg);
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = RoundParams::from_bytes(&bytes);
        let _ = Contribution::from_bytes(&bytes);
        let _ = Aggregate::from_bytes(&bytes);
        let _ = PartialDecryption::from_bytes(&bytes);
        let _ = KeySeed::from_bytes(0, &bytes);
    }

    #[test]
    fn valid_headers_with_random_bodies_never_panic(d in 1u32..=40, tail in prop::collection::vec(any::<u8>(), 0..400)) {
        let p = params(d, 2, 8);
        let header = {
            let e = EncodedUpdate::from_signed(&p, &vec![0; d as usize]).unwrap();
            let (c, _) = encrypt(&p, &e, &mut ChaCha20Rng::from_seed([0; 32])).unwrap();
            c.to_bytes()[..37].to_vec()
        };
        let mut bytes = header;
        bytes.extend_from_slice(&tail);
        if let Ok(c) = Contribution::from_bytes(&bytes) {
            prop_assert!(c.check(&p).is_ok());
        }
        let _ = PartialDecryption::from_bytes(&bytes);
    }
}
