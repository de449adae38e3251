//! Dec(Σ Enc(m_i)) = Σ m_i through the public API, wrong keys, missing members, codecs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::cast_possible_truncation)]

use chacha20::ChaCha20Rng;
use gradseal_agg::*;
use gradseal_core::{Codec, DecodeError};
use proptest::prelude::*;
use rand_core::SeedableRng;

struct Round {
    params: RoundParams,
    shares: Vec<KeyShare>,
    bodies: Vec<KeyBody>,
    key: JointPublicKey,
    rng: ChaCha20Rng,
}

fn round(config: RoundConfig, seed: u64) -> Round {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_be_bytes());
    let mut rng = ChaCha20Rng::from_seed(s);
    let params = RoundParams::new(config).unwrap();
    let (shares, bodies): (Vec<_>, Vec<_>) = (0..params.committee_size())
        .map(|m| KeyShare::generate(&params, m, &mut rng).unwrap())
        .unzip();
    let key = JointPublicKey::combine(&params, &bodies).unwrap();
    Round { params, shares, bodies, key, rng }
}

fn decrypt(r: &mut Round, agg: &Aggregate) -> Result<DecryptedSum, AggError> {
    let shares = std::mem::take(&mut r.shares);
    let partials: Vec<_> = shares
        .into_iter()
        .map(|s| s.partial_decrypt(&r.params, agg, &mut r.rng).unwrap())
        .collect();
    combine_partials(&r.params, agg, &partials)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn sum_of_encryptions_decrypts_to_sum(
        dim in 1u32..2500,
        clients in 1usize..6,
        committee in 1u16..5,
        bits in 2u8..=16,
        list_len in prop::sample::select(vec![64u16, 1000, 2048]),
        seed in any::<u64>(),
    ) {
        let mut c = RoundConfig::new([5; 32], dim);
        c.committee_size = committee;
        c.bits = bits;
        c.list_len = list_len;
        c.max_clients = 8;
        let mut r = round(c, seed);
        let max = r.params.max_magnitude();
        let mut agg = Aggregate::new(&r.params);
        let mut expected = vec![0i64; dim as usize];
        for i in 0..clients {
            let v: Vec<i64> = (0..dim as i64).map(|j| (j * 7919 + i as i64 * 104_729 + (seed % 1000) as i64).rem_euclid(2 * max + 1) - max).collect();
            for (e, x) in expected.iter_mut().zip(&v) { *e += x; }
            let enc = EncodedUpdate::from_signed(&r.params, &v).unwrap();
            let ct = encrypt(&r.params, &r.key, &enc, &mut r.rng).unwrap();
            agg.add(&r.params, &ct).unwrap();
        }
        let sum = decrypt(&mut r, &agg).unwrap();
        prop_assert_eq!(sum.count, clients as u32);
        prop_assert_eq!(sum.sums, expected);
    }

    #[test]
    fn real_updates_round_trip_within_quantization(
        xs in proptest::collection::vec(-3.0f32..3.0, 1..300),
        seed in any::<u64>(),
    ) {
        let mut c = RoundConfig::new([6; 32], xs.len() as u32);
        c.clip = 2.0;
        c.committee_size = 2;
        let mut r = round(c, seed);
        let mut agg = Aggregate::new(&r.params);
        for _ in 0..3 {
            let enc = encode_update(&r.params, &xs, &mut r.rng).unwrap();
            agg.add(&r.params, &encrypt(&r.params, &r.key, &enc, &mut r.rng).unwrap()).unwrap();
        }
        let sum = decrypt(&mut r, &agg).unwrap();
        let mean = decode_mean(&r.params, &sum);
        let step = 2.0 / r.params.max_magnitude() as f32;
        for (m, x) in mean.iter().zip(&xs) {
            prop_assert!((m - x.clamp(-2.0, 2.0)).abs() <= step * 1.01, "{} vs {}", m, x);
        }
    }
}

#[test]
fn the_full_size_honest_case_decrypts() {
    // max_clients = 100 contributions of 16 bits, k = 3: the default profile's design point.
    let mut c = RoundConfig::new([8; 32], 2048);
    c.max_clients = 100;
    let mut r = round(c, 99);
    let mut agg = Aggregate::new(&r.params);
    let extreme =
        EncodedUpdate::from_signed(&r.params, &vec![r.params.max_magnitude(); 2048]).unwrap();
    for _ in 0..100 {
        agg.add(&r.params, &encrypt(&r.params, &r.key, &extreme, &mut r.rng).unwrap()).unwrap();
    }
    let one_more = encrypt(&r.params, &r.key, &extreme, &mut r.rng).unwrap();
    assert_eq!(agg.add(&r.params, &one_more), Err(AggError::TooManyContributions { max: 100 }));
    let sum = decrypt(&mut r, &agg).unwrap();
    assert!(sum.sums.iter().all(|&s| s == 100 * 32767));
}

#[test]
fn wrong_key_share_does_not_decrypt() {
    let c = RoundConfig::new([9; 32], 500);
    let mut r = round(c, 1);
    let v: Vec<i64> = (0..500).map(|i| i - 250).collect();
    let enc = EncodedUpdate::from_signed(&r.params, &v).unwrap();
    let agg =
        recompute_aggregate(&r.params, &[encrypt(&r.params, &r.key, &enc, &mut r.rng).unwrap()])
            .unwrap();
    // Member 0 lost its share and uses a freshly generated one.
    let (impostor, _) = KeyShare::generate(&r.params, 0, &mut r.rng).unwrap();
    let mut shares = std::mem::take(&mut r.shares);
    shares[0] = impostor;
    let partials: Vec<_> = shares
        .into_iter()
        .map(|s| s.partial_decrypt(&r.params, &agg, &mut r.rng).unwrap())
        .collect();
    match combine_partials(&r.params, &agg, &partials) {
        Err(AggError::DecryptionFailed) => {}
        Ok(sum) => assert_ne!(sum.sums, v),
        Err(e) => panic!("unexpected {e}"),
    }
}

#[test]
fn missing_or_mismatched_partials_are_typed_errors() {
    let c = RoundConfig::new([10; 32], 100);
    let mut r = round(c, 2);
    let enc = EncodedUpdate::from_signed(&r.params, &[1; 100]).unwrap();
    let ct = encrypt(&r.params, &r.key, &enc, &mut r.rng).unwrap();
    let agg = recompute_aggregate(&r.params, std::slice::from_ref(&ct)).unwrap();
    let mut shares = std::mem::take(&mut r.shares);
    let s2 = shares.pop().unwrap();
    let partials: Vec<_> = shares
        .into_iter()
        .map(|s| s.partial_decrypt(&r.params, &agg, &mut r.rng).unwrap())
        .collect();
    assert_eq!(
        combine_partials(&r.params, &agg, &partials),
        Err(AggError::MissingMember { member: 2 })
    );
    let dup = vec![partials[0].clone(), partials[0].clone(), partials[1].clone()];
    assert_eq!(
        combine_partials(&r.params, &agg, &dup),
        Err(AggError::DuplicateMember { member: 0 })
    );
    // A partial decryption of another aggregate is refused, not mixed in.
    let other = recompute_aggregate(&r.params, &[ct.clone(), ct]).unwrap();
    let p2 = s2.partial_decrypt(&r.params, &other, &mut r.rng).unwrap();
    let mixed = vec![partials[0].clone(), partials[1].clone(), p2];
    assert_eq!(
        combine_partials(&r.params, &agg, &mixed),
        Err(AggError::AggregateMismatch { member: 2 })
    );
}

#[test]
fn committee_refuses_small_or_foreign_aggregates() {
    let mut c = RoundConfig::new([11; 32], 64);
    c.min_clients = 2;
    let mut r = round(c, 3);
    let enc = EncodedUpdate::from_signed(&r.params, &[0; 64]).unwrap();
    let ct = encrypt(&r.params, &r.key, &enc, &mut r.rng).unwrap();
    let single = recompute_aggregate(&r.params, &[ct]).unwrap();
    let share = r.shares.pop().unwrap();
    assert_eq!(
        share.check_aggregate(&r.params, &single),
        Err(AggError::TooFewContributions { count: 1, min: 2 })
    );
    let other = RoundParams::new(RoundConfig { round_id: [12; 32], ..*r.params.config() }).unwrap();
    assert_eq!(share.check_aggregate(&other, &Aggregate::new(&other)), Err(AggError::WrongRound));
    assert_eq!(Aggregate::new(&other).check(&r.params), Err(AggError::WrongRound));
    assert_eq!(r.bodies[0].check(&other), Err(AggError::WrongRound));
    assert_eq!(JointPublicKey::combine(&other, &r.bodies), Err(AggError::WrongRound));
    assert_eq!(
        JointPublicKey::combine(&r.params, &r.bodies[..2]),
        Err(AggError::MissingMember { member: 2 })
    );
    let mut twice = r.bodies.clone();
    twice[2] = twice[1].clone();
    assert_eq!(
        JointPublicKey::combine(&r.params, &twice),
        Err(AggError::DuplicateMember { member: 1 })
    );
}

#[test]
fn every_wire_type_round_trips_and_rejects_damage() {
    let c = RoundConfig::new([13; 32], 2100);
    let mut r = round(c, 4);
    let enc = EncodedUpdate::from_signed(&r.params, &vec![3; 2100]).unwrap();
    let ct = encrypt(&r.params, &r.key, &enc, &mut r.rng).unwrap();
    let agg = recompute_aggregate(&r.params, std::slice::from_ref(&ct)).unwrap();
    let share = r.shares.pop().unwrap();
    let partial = share.partial_decrypt(&r.params, &agg, &mut r.rng).unwrap();

    fn check<T: Codec + PartialEq + std::fmt::Debug>(v: &T) -> Vec<u8> {
        let bytes = v.to_bytes();
        assert_eq!(&T::from_bytes(&bytes).unwrap(), v);
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(T::from_bytes(&long), Err(DecodeError::TrailingBytes { .. })));
        for cut in [0, 1, 33, bytes.len() / 2, bytes.len() - 1] {
            assert!(T::from_bytes(&bytes[..cut]).is_err());
        }
        bytes
    }
    check(&r.params);
    check(&r.bodies[0]);
    check(&r.key);
    let ct_bytes = check(&ct);
    assert_eq!(ct_bytes.len(), 1 + 32 + 4 + 2 + 2 * (2048 * 8 + 1) + 2100 * 8);
    check(&agg);
    check(&partial);
    // Unknown profile, zero or oversized dimension.
    let mut bad = ct_bytes.clone();
    bad[0] = 2;
    assert!(matches!(EncryptedUpdate::from_bytes(&bad), Err(DecodeError::UnknownTag { .. })));
    let mut bad = ct_bytes.clone();
    bad[33..37].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(EncryptedUpdate::from_bytes(&bad), Err(DecodeError::LengthTooLarge { .. })));
    // A proof flag other than 0/1 is non-canonical.
    let mut bad = ct_bytes.clone();
    bad[39 + 2048 * 8 + 2048 * 8] = 2;
    assert!(matches!(EncryptedUpdate::from_bytes(&bad), Err(DecodeError::NonCanonical { .. })));
    // A well-formed value for another dimension decodes but is refused by the round.
    let small = RoundParams::new(RoundConfig::new([13; 32], 10)).unwrap();
    assert!(matches!(ct.check(&small), Err(AggError::WrongRound)));
}
