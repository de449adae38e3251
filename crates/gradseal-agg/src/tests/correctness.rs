//! Honest rounds decrypt to the exact sum; every malformed combination is a typed error.

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use crate::encrypt::seeds_for;
use crate::*;

/// A round of `clients` honest clients with signed values drawn from the rng: the aggregate,
/// every member's share (seeds added in client order) and the expected signed sums.
pub(crate) struct Round {
    pub(crate) params: RoundParams,
    pub(crate) contributions: Vec<Contribution>,
    pub(crate) seeds: Vec<Vec<KeySeed>>,
    pub(crate) values: Vec<Vec<i64>>,
}

/// n-of-n parameters with a committee of `k`.
pub(crate) fn params(dimension: u32, k: u16, min_clients: u32) -> RoundParams {
    params_tn(dimension, k, k - 1, min_clients)
}

/// Parameters with a committee of `n` and privacy threshold `f`.
pub(crate) fn params_tn(dimension: u32, n: u16, f: u16, min_clients: u32) -> RoundParams {
    let mut c = RoundConfig::new([3; 32], dimension);
    (c.committee_size, c.privacy_threshold) = (n, f);
    c.min_clients = min_clients;
    RoundParams::new(c).unwrap()
}

pub(crate) fn honest_round(params: RoundParams, clients: usize, rng: &mut ChaCha20Rng) -> Round {
    let max = params.max_magnitude();
    let mut round = Round { params, contributions: vec![], seeds: vec![], values: vec![] };
    for _ in 0..clients {
        let v: Vec<i64> = (0..round.params.dimension())
            .map(|_| (rng.next_u64() % (2 * max as u64 + 1)) as i64 - max)
            .collect();
        let encoded = EncodedUpdate::from_signed(&round.params, &v).unwrap();
        let (c, s) = encrypt(&round.params, &encoded, rng).unwrap();
        round.contributions.push(c);
        round.seeds.push(s);
        round.values.push(v);
    }
    round
}

impl Round {
    pub(crate) fn aggregate(&self, which: &[usize]) -> Aggregate {
        let list: Vec<&Contribution> = which.iter().map(|&i| &self.contributions[i]).collect();
        recompute_aggregate(&self.params, &list).unwrap()
    }

    /// Member `j`'s share over the clients `which`.
    pub(crate) fn share(&self, j: u16, which: &[usize]) -> MemberShare {
        let mut share = MemberShare::new(&self.params, j).unwrap();
        for &i in which {
            share.add_client(&seeds_for(&self.params, &self.seeds[i], j)).unwrap();
        }
        share
    }

    /// The quorum of the first q members.
    pub(crate) fn first_quorum(&self) -> MemberSet {
        MemberSet::all(self.params.committee().quorum_size())
    }

    /// The partials of the first q members over the clients `which`.
    pub(crate) fn partials(
        &self,
        which: &[usize],
        rng: &mut ChaCha20Rng,
    ) -> Vec<PartialDecryption> {
        self.partials_under(which, self.first_quorum(), rng)
    }

    /// The partials of the members of `quorum` over the clients `which`.
    pub(crate) fn partials_under(
        &self,
        which: &[usize],
        quorum: MemberSet,
        rng: &mut ChaCha20Rng,
    ) -> Vec<PartialDecryption> {
        quorum
            .iter()
            .map(|j| self.share(j, which).partial_decrypt(&self.params, quorum, rng).unwrap())
            .collect()
    }

    pub(crate) fn expected(&self, which: &[usize]) -> Vec<i64> {
        let mut sum = vec![0i64; self.params.dimension()];
        for &i in which {
            for (s, v) in sum.iter_mut().zip(&self.values[i]) {
                *s += v;
            }
        }
        sum
    }
}

#[test]
fn honest_rounds_decrypt_exactly() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    // One partial polynomial, exactly one, and one and a bit.
    for (d, k, clients) in [(10u32, 2u16, 2usize), (4096, 3, 5), (4096 + 17, 2, 3)] {
        let round = honest_round(params(d, k, 2), clients, &mut rng);
        let all: Vec<usize> = (0..clients).collect();
        let partials = round.partials(&all, &mut rng);
        let sum = combine(&round.params, &round.aggregate(&all), &partials).unwrap();
        assert_eq!(sum.count as usize, clients);
        assert_eq!(sum.sums, round.expected(&all), "d = {d}");
        // Partials in any order.
        let mut reversed = partials.clone();
        reversed.reverse();
        assert_eq!(combine(&round.params, &round.aggregate(&all), &reversed).unwrap(), sum);
    }
}

#[test]
fn a_full_round_at_the_extremes_of_the_range_decrypts() {
    let p = params(4096, 3, 2);
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let max = p.max_magnitude();
    let mut agg = Aggregate::new(&p);
    let mut shares: Vec<MemberShare> = (0..3).map(|j| MemberShare::new(&p, j).unwrap()).collect();
    let clients = p.config().max_clients;
    for c in 0..clients {
        let v = if c % 2 == 0 { max } else { -max };
        let e = EncodedUpdate::from_signed(&p, &vec![v; 4096]).unwrap();
        let (contribution, seeds) = encrypt(&p, &e, &mut rng).unwrap();
        agg.add(&p, &contribution).unwrap();
        for (j, s) in (0..).zip(shares.iter_mut()) {
            s.add_client(&seeds_for(&p, &seeds, j)).unwrap();
        }
    }
    let all = MemberSet::all(3);
    let partials: Vec<_> =
        shares.into_iter().map(|s| s.partial_decrypt(&p, all, &mut rng).unwrap()).collect();
    let sum = combine(&p, &agg, &partials).unwrap();
    assert!(sum.sums.iter().all(|&s| s == 0), "100 alternating extremes sum to 0");
    // One more contribution would make the sum wrap.
    let e = EncodedUpdate::from_signed(&p, &vec![0; 4096]).unwrap();
    let (extra, _) = encrypt(&p, &e, &mut rng).unwrap();
    assert_eq!(agg.add(&p, &extra), Err(AggError::TooManyContributions { max: 100 }));
}

#[test]
fn malformed_combinations_are_typed_errors() {
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let round = honest_round(params(64, 3, 3), 3, &mut rng);
    let all = [0, 1, 2];
    let agg = round.aggregate(&all);
    let partials = round.partials(&all, &mut rng);
    let p = &round.params;
    assert_eq!(combine(p, &agg, &partials[..2]), Err(AggError::MissingMember { member: 2 }));
    let dup = vec![partials[0].clone(), partials[1].clone(), partials[1].clone()];
    assert_eq!(combine(p, &agg, &dup), Err(AggError::DuplicateMember { member: 1 }));
    let small = round.aggregate(&[0, 1]);
    assert_eq!(
        combine(p, &small, &partials),
        Err(AggError::TooFewContributions { count: 2, min: 3 })
    );
    let mut wrong_count = partials.clone();
    wrong_count[1].count = 4;
    assert_eq!(
        combine(p, &agg, &wrong_count),
        Err(AggError::CountMismatch { member: 1, expected: 3, got: 4 })
    );
    // Below min_clients a member refuses to decrypt.
    assert_eq!(
        round.share(0, &[0, 1]).partial_decrypt(p, round.first_quorum(), &mut rng).unwrap_err(),
        AggError::TooFewContributions { count: 2, min: 3 }
    );
    // Values of another round.
    let other = params(64, 3, 2);
    assert_eq!(agg.check(&other), Err(AggError::WrongRound));
    assert_eq!(combine(&other, &agg, &partials), Err(AggError::WrongRound));
    assert_eq!(
        round.share(0, &all).partial_decrypt(&other, round.first_quorum(), &mut rng).unwrap_err(),
        AggError::WrongRound
    );
    // Seeds of a set member 0 does not hold (it holds set 2 only, the set {1, 2}).
    let mut share = MemberShare::new(p, 0).unwrap();
    assert_eq!(
        share.add_client(&seeds_for(p, &round.seeds[0], 1)),
        Err(AggError::SeedSetMismatch { member: 0, expected: 2, got: 1 })
    );
    // A seed copied into a second contribution is refused, and not added.
    let mut share = MemberShare::new(p, 0).unwrap();
    share.add_client(&seeds_for(p, &round.seeds[0], 0)).unwrap();
    assert_eq!(share.add_client(&seeds_for(p, &round.seeds[0], 0)), Err(AggError::DuplicateSeed));
    assert_eq!(share.count(), 1);
    assert_eq!(
        MemberShare::new(p, 3).unwrap_err(),
        AggError::MemberOutOfRange { member: 3, committee_size: 3 }
    );
    assert!(PartialDecryption::from_parts(p, 0, round.first_quorum(), 3, vec![0; 63]).is_err());
    assert!(Contribution::from_parts(p, vec![0; 64], vec![0; 4095]).is_err());
    let wrong_dim = EncodedUpdate::from_signed(&params(65, 3, 2), &[0; 65]).unwrap();
    assert!(matches!(
        encrypt(p, &wrong_dim, &mut rng),
        Err(AggError::DimensionMismatch { expected: 64, got: 65 })
    ));
}

#[test]
fn every_value_round_trips_through_its_encoding() {
    use gradseal_core::Codec;
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let round = honest_round(params(100, 2, 2), 2, &mut rng);
    let c = &round.contributions[0];
    let bytes = c.to_bytes();
    assert_eq!(bytes.len(), 37 + 8 * (100 + 4096));
    assert_eq!(&Contribution::from_bytes(&bytes).unwrap(), c);
    let agg = round.aggregate(&[0, 1]);
    assert_eq!(Aggregate::from_bytes(&agg.to_bytes()).unwrap(), agg);
    let partial = &round.partials(&[0, 1], &mut rng)[0];
    assert_eq!(&PartialDecryption::from_bytes(&partial.to_bytes()).unwrap(), partial);
    let seed = &round.seeds[0][1];
    let again = KeySeed::from_bytes(1, seed.to_bytes().as_ref()).unwrap();
    assert_eq!(again.bytes(), seed.bytes());
    assert!(KeySeed::from_bytes(1, &[0; 31]).is_err());
    assert!(KeySeed::from_bytes(1, &[0; 33]).is_err());
    // Trailing bytes and truncation are refused.
    let mut long = bytes.clone();
    long.push(0);
    assert!(Contribution::from_bytes(&long).is_err());
    assert!(Contribution::from_bytes(&bytes[..bytes.len() - 1]).is_err());
}

#[test]
fn secrets_are_redacted_in_debug() {
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let round = honest_round(params(8, 2, 2), 2, &mut rng);
    let seed = format!("{:?}", round.seeds[0][0]);
    assert!(!seed.contains(&format!("{:?}", round.seeds[0][0].bytes())), "{seed}");
    let share = format!("{:?}", round.share(0, &[0, 1]));
    assert!(share.starts_with("MemberShare") && !share.contains("sum"), "{share}");
}
