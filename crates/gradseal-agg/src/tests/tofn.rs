//! The t-of-n committee (`spec/agg.md`, sections 2.2, 6 and 9.8): every quorum decrypts the
//! exact sum, every malformed combination is a typed error, no coalition of f members plus
//! the aggregator learns anything of a victim while any f + 1 members could, the cost of
//! duplicate decryptions is the one the noise budget counts, and the committee's laws.

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;
use proptest::prelude::*;
use rand_core::SeedableRng;

use super::attack::{coalition_view, victim_matches};
use super::correctness::{Round, honest_round, params_tn};
use crate::encrypt::seeds_for;
use crate::ring::{FixedOperand, add_seed_expansion, expand_mask};
use crate::*;

/// Every quorum of the committee: all subsets of {0..n−1} with q members, ascending masks.
fn quorums(c: &Committee) -> Vec<MemberSet> {
    (0..1u64 << c.size()).map(MemberSet).filter(|q| q.len() == c.quorum_size()).collect()
}

/// Every subset of {0..n−1} with `size` members.
fn subsets_of(n: u16, size: u16) -> Vec<Vec<u16>> {
    (0..1u64 << n).map(MemberSet).filter(|s| s.len() == size).map(|s| s.iter().collect()).collect()
}

/// a_0 · Σ_{c in which} Σ_{t in sets} r_{c,t} (one polynomial: d ≤ 4096).
fn masked_sets(round: &Round, which: &[usize], sets: &[u16]) -> Vec<u64> {
    let p = &round.params;
    let mut sum = vec![0u64; p.n()];
    for &c in which {
        for &t in sets {
            let seed = &round.seeds[c][usize::from(t)];
            add_seed_expansion(&mut sum, p.digest(), t, seed.bytes());
        }
    }
    let fixed = FixedOperand::new(&sum).unwrap();
    let mut out = vec![0u64; p.n()];
    fixed.mul(&mut out, &expand_mask(p.digest(), 0, p.n()), &mut fixed.scratch());
    out.truncate(p.dimension());
    out
}

fn sub(x: &[u64], y: &[u64]) -> Vec<u64> {
    x.iter().zip(y).map(|(a, b)| a.wrapping_sub(*b)).collect()
}

fn deviation(x: &[i64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
    (x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[test]
fn every_quorum_decrypts_the_exact_sum() {
    let mut rng = ChaCha20Rng::from_seed([40; 32]);
    for (n, f, expected_quorums) in [(3u16, 2u16, 1usize), (4, 1, 4), (5, 2, 5), (7, 3, 7)] {
        let round = honest_round(params_tn(300, n, f, 3), 3, &mut rng);
        let c = round.params.committee();
        let all = [0, 1, 2];
        let agg = round.aggregate(&all);
        let qs = quorums(c);
        assert_eq!(qs.len(), expected_quorums, "({n}, {f})");
        for q in qs {
            let mut partials = round.partials_under(&all, q, &mut rng);
            assert_eq!(partials.len(), usize::from(c.quorum_size()));
            let sum = combine(&round.params, &agg, &partials).unwrap();
            assert_eq!(sum.sums, round.expected(&all), "({n}, {f}) quorum {q:?}");
            partials.reverse();
            assert_eq!(combine(&round.params, &agg, &partials).unwrap(), sum);
        }
    }
}

/// (5, 2): any one member dead, whichever, leaves a quorum of four that decrypts; the dead
/// member's position among the sets' candidates moves every assignment.
#[test]
fn any_member_of_five_may_die() {
    let mut rng = ChaCha20Rng::from_seed([41; 32]);
    let round = honest_round(params_tn(4096, 5, 2, 2), 2, &mut rng);
    let c = round.params.committee();
    let agg = round.aggregate(&[0, 1]);
    for dead in 0..5u16 {
        let q: MemberSet = (0..5).filter(|&j| j != dead).collect();
        c.check_quorum(q).unwrap();
        let assigned: Vec<Vec<u16>> = q.iter().map(|j| c.assigned_sets(q, j)).collect();
        assert_eq!(assigned.iter().map(Vec::len).sum::<usize>(), 10);
        assert!(c.assigned_sets(q, dead).is_empty());
        let sum = combine(&round.params, &agg, &round.partials_under(&[0, 1], q, &mut rng));
        assert_eq!(sum.unwrap().sums, round.expected(&[0, 1]), "member {dead} dead");
        // The dead member cannot decrypt under that quorum.
        assert_eq!(
            round.share(dead, &[0, 1]).partial_decrypt(&round.params, q, &mut rng).unwrap_err(),
            AggError::NotInQuorum { member: dead }
        );
    }
}

#[test]
fn malformed_quorums_and_lists_are_typed_errors() {
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let round = honest_round(params_tn(64, 5, 2, 2), 2, &mut rng);
    let p = &round.params;
    let all = [0, 1];
    let agg = round.aggregate(&all);
    let q1: MemberSet = [0, 1, 2, 3].into_iter().collect();
    let q2: MemberSet = [0, 1, 2, 4].into_iter().collect();
    let a = round.partials_under(&all, q1, &mut rng);
    let b = round.partials_under(&all, q2, &mut rng);
    assert!(combine(p, &agg, &a).is_ok());
    // Mixed quorums: member 3's partial under q1 with the others' under q2.
    let mixed = vec![b[0].clone(), b[1].clone(), b[2].clone(), a[3].clone()];
    assert_eq!(combine(p, &agg, &mixed), Err(AggError::QuorumMismatch));
    // Missing and duplicate members of the quorum.
    assert_eq!(combine(p, &agg, &a[..3]), Err(AggError::MissingMember { member: 3 }));
    assert_eq!(combine(p, &agg, &a[1..]), Err(AggError::MissingMember { member: 0 }));
    let dup = vec![a[0].clone(), a[1].clone(), a[2].clone(), a[2].clone()];
    assert_eq!(combine(p, &agg, &dup), Err(AggError::DuplicateMember { member: 2 }));
    let five = vec![a[0].clone(), a[1].clone(), a[2].clone(), a[3].clone(), b[3].clone()];
    assert_eq!(combine(p, &agg, &five), Err(AggError::QuorumMismatch));
    assert_eq!(combine(p, &agg, &[]), Err(AggError::InvalidQuorum));
    // Bytes of a partial whose member is outside the quorum it names (member 4, q1): decodes,
    // fails `check` and `combine`.
    let mut bytes = a[3].to_bytes();
    bytes[37..39].copy_from_slice(&4u16.to_be_bytes());
    let outside = PartialDecryption::from_bytes(&bytes).unwrap();
    assert_eq!(outside.check(p), Err(AggError::NotInQuorum { member: 4 }));
    let with_outside = vec![a[0].clone(), a[1].clone(), a[2].clone(), outside];
    assert_eq!(combine(p, &agg, &with_outside), Err(AggError::NotInQuorum { member: 4 }));
    // Invalid quorums: all five members, three, a member beyond the committee.
    for bad in [0b11111u64, 0b00111, 0b100111, 1 << 63 | 0b0111] {
        let mut bytes = a[0].to_bytes();
        bytes[39..47].copy_from_slice(&bad.to_be_bytes());
        let partial = PartialDecryption::from_bytes(&bytes).unwrap();
        assert_eq!(partial.check(p), Err(AggError::InvalidQuorum), "{bad:#b}");
        assert_eq!(
            PartialDecryption::from_parts(p, 0, MemberSet(bad), 2, vec![0; 64]),
            Err(AggError::InvalidQuorum)
        );
        assert_eq!(
            round.share(0, &all).partial_decrypt(p, MemberSet(bad), &mut rng).unwrap_err(),
            AggError::InvalidQuorum
        );
    }
    assert_eq!(
        PartialDecryption::from_parts(p, 4, q1, 2, vec![0; 64]),
        Err(AggError::NotInQuorum { member: 4 })
    );
    assert_eq!(
        PartialDecryption::from_parts(p, 5, q1, 2, vec![0; 64]),
        Err(AggError::MemberOutOfRange { member: 5, committee_size: 5 })
    );
    // Seed lists: member 0 holds the 6 sets without it (4..=9), ascending.
    let c = p.committee();
    assert_eq!(c.held_sets(0), [4, 5, 6, 7, 8, 9]);
    let mine = |client: usize| seeds_for(p, &round.seeds[client], 0);
    let mut share = MemberShare::new(p, 0).unwrap();
    let mut swapped = mine(0);
    swapped.swap(1, 2);
    assert_eq!(
        share.add_client(&swapped),
        Err(AggError::SeedSetMismatch { member: 0, expected: 5, got: 6 })
    );
    let mut short = mine(0);
    short.pop();
    assert_eq!(
        share.add_client(&short),
        Err(AggError::SeedSetMismatch { member: 0, expected: 9, got: u16::MAX })
    );
    let mut long = mine(0);
    long.push(KeySeed::from_bytes(0, &[1; 32]).unwrap());
    assert_eq!(
        share.add_client(&long),
        Err(AggError::SeedSetMismatch { member: 0, expected: u16::MAX, got: 0 })
    );
    assert_eq!(
        share.add_client(&seeds_for(p, &round.seeds[0], 1)),
        Err(AggError::SeedSetMismatch { member: 0, expected: 4, got: 1 })
    );
    // Atomic: a list whose last seed repeats its first adds nothing; nor does a list with a
    // seed already added in another client's list.
    let mut repeated = mine(0);
    let first = repeated[0].to_bytes();
    repeated[5] = KeySeed::from_bytes(9, first.as_ref()).unwrap();
    assert_eq!(share.add_client(&repeated), Err(AggError::DuplicateSeed));
    assert_eq!(share.count(), 0);
    share.add_client(&mine(0)).unwrap();
    let mut copied = mine(1);
    copied[3] = KeySeed::from_bytes(7, round.seeds[0][7].to_bytes().as_ref()).unwrap();
    assert_eq!(share.add_client(&copied), Err(AggError::DuplicateSeed));
    assert_eq!(share.count(), 1);
    share.add_client(&mine(1)).unwrap();
    assert_eq!(share.count(), 2);
    // The share still decrypts: the failed calls added nothing.
    let mut partials = round.partials_under(&all, q1, &mut rng);
    partials[0] = share.partial_decrypt(p, q1, &mut rng).unwrap();
    assert_eq!(combine(p, &agg, &partials).unwrap().sums, round.expected(&all));
}

/// A member of a quorum with no assigned set sends pure flooding, and combine still needs it.
#[test]
fn a_member_without_sets_sends_pure_flooding() {
    // (3, 1): q = 3, sets {0}, {1}, {2}; under Q = {0, 1, 2} the least-loaded rule gives
    // set 0 → {1,2}: 1, set 1 → {0,2}: 0, set 2 → {0,1} (both loaded 1, lowest index): 0.
    let c = Committee::new(3, 1).unwrap();
    let owners = c.assignment(MemberSet(0b111)).unwrap();
    assert_eq!(owners, [1, 0, 0]);
    assert_eq!(c.assigned_sets(MemberSet(0b111), 0), [1, 2]);
    let (q, idle) = quorums(&c)
        .into_iter()
        .find_map(|q| q.iter().find(|&j| c.assigned_sets(q, j).is_empty()).map(|j| (q, j)))
        .expect("an idle member");
    assert_eq!((q, idle), (MemberSet(0b111), 2));
    let mut rng = ChaCha20Rng::from_seed([43; 32]);
    let round = honest_round(params_tn(4096, 3, 1, 2), 2, &mut rng);
    let share = round.share(idle, &[0, 1]);
    let plain = share.decrypt_with_flooding(&round.params, q, 0.0, &mut rng).unwrap();
    assert!(plain.values.iter().all(|&x| x == 0), "no set, no share");
    let partials = round.partials_under(&[0, 1], q, &mut rng);
    let agg = round.aggregate(&[0, 1]);
    assert_eq!(combine(&round.params, &agg, &partials).unwrap().sums, round.expected(&[0, 1]));
    let without: Vec<_> = partials.into_iter().filter(|p| p.member() != idle).collect();
    assert_eq!(
        combine(&round.params, &agg, &without),
        Err(AggError::MissingMember { member: idle })
    );
}

/// *Every coalition of f members plus the aggregator* (5, 2): the coalition holds the victim's
/// seeds of every set but its own, F; with the aggregate and every partial, even unflooded,
/// and subtracting from the partial of F's decryptor everything it knows, the victim's update
/// stays masked by the other clients' share of F. Any f + 1 members hold every set and
/// recover all of it, so the test would fail if the claim did not depend on the threshold.
#[test]
fn f_members_with_the_aggregator_learn_nothing_of_a_victim() {
    let mut rng = ChaCha20Rng::from_seed([44; 32]);
    let round = honest_round(params_tn(4096, 5, 2, 3), 3, &mut rng);
    let p = &round.params;
    let c = p.committee();
    let all = [0, 1, 2];
    let d = p.dimension();
    for coalition in subsets_of(5, 2) {
        let f_set: MemberSet = coalition.iter().copied().collect();
        let own = (0..c.set_count()).find(|&t| c.set(t) == Some(f_set)).unwrap();
        // The coalition misses exactly its own set's seed.
        let missing: Vec<u16> = (0..c.set_count())
            .filter(|t| coalition.iter().all(|&j| !c.held_sets(j).contains(t)))
            .collect();
        assert_eq!(missing, [own]);
        let view = coalition_view(&round, 0, &coalition);
        assert!(victim_matches(&round, &view, 0) <= 2, "{coalition:?}");
        // With every (unflooded) partial of every quorum: the decryptor j of F under Q sent
        // a·Σ_c Σ_{t in A_j} r_{c,t}; minus the known sets it is a·Σ_c r_{c,F}.
        for q in quorums(c) {
            let j = c.assignee(q, own).unwrap();
            assert!(!coalition.contains(&j), "a holder of F decrypts it");
            let partial = round.share(j, &all).decrypt_with_flooding(p, q, 0.0, &mut rng).unwrap();
            let known: Vec<u16> = c.assigned_sets(q, j).into_iter().filter(|&t| t != own).collect();
            let of_f = sub(&partial.values, &masked_sets(&round, &all, &known));
            assert_eq!(of_f, masked_sets(&round, &all, &[own]));
            let stripped = sub(&view, &of_f[..d]);
            assert!(victim_matches(&round, &stripped, 0) <= 2, "{coalition:?} {q:?}");
        }
    }
    for larger in subsets_of(5, 3) {
        let view = coalition_view(&round, 0, &larger);
        assert_eq!(victim_matches(&round, &view, 0), d, "{larger:?}");
    }
}

/// The duplicate-decryption cost (`spec/agg.md` §9.8): an aggregator handing different quorums
/// to different honest members makes two holders decrypt the one set F the coalition misses.
/// Stripped of what the coalition knows, both partials are a·R_F plus independent floodings:
/// the same value, and a difference of deviation √2·σ_f. Averaging the m distinct decryptors
/// of F leaves σ_f/√m; the budget's security figures assume m = n − f, the most there are.
#[test]
fn duplicate_decryptions_average_the_flooding_as_the_budget_counts() {
    let mut rng = ChaCha20Rng::from_seed([45; 32]);
    let round = honest_round(params_tn(4096, 5, 2, 2), 2, &mut rng);
    let p = &round.params;
    let c = p.committee();
    let sigma = p.noise_budget().flood_sigma;
    let all = [0, 1];
    // The coalition {0, 1} misses set 0; the decryptors of set 0 over all quorums.
    let own = 0u16;
    assert_eq!(c.set(own), Some(MemberSet(0b11)));
    let mut decryptors: Vec<(u16, MemberSet)> = Vec::new();
    for q in quorums(c) {
        let j = c.assignee(q, own).unwrap();
        if decryptors.iter().all(|&(k, _)| k != j) {
            decryptors.push((j, q));
        }
    }
    assert!(decryptors.len() >= 2, "{decryptors:?}");
    assert!(decryptors.len() <= usize::from(c.size() - c.threshold()));
    let target = masked_sets(&round, &all, &[own]);
    // y_j = p_j − a·Σ(known assigned sets) = a·R_F + f_j.
    let ys: Vec<Vec<i64>> = decryptors
        .iter()
        .map(|&(j, q)| {
            let partial = round.share(j, &all).partial_decrypt(p, q, &mut rng).unwrap();
            let known: Vec<u16> = c.assigned_sets(q, j).into_iter().filter(|&t| t != own).collect();
            let y = sub(&partial.values, &masked_sets(&round, &all, &known));
            sub(&y, &target).into_iter().map(u64::cast_signed).collect()
        })
        .collect();
    // Each flooding alone has deviation σ_f; two decryptions differ by √2·σ_f.
    for y in &ys {
        assert!((deviation(y) / sigma - 1.0).abs() < 0.05, "{} against {sigma}", deviation(y));
    }
    let diff: Vec<i64> = ys[0].iter().zip(&ys[1]).map(|(a, b)| a - b).collect();
    let model = 2f64.sqrt() * sigma;
    assert!((deviation(&diff) / model - 1.0).abs() < 0.05, "{} against {model}", deviation(&diff));
    // Their average: σ_f/√m, never below the budget's effective σ_f/√(n − f).
    let m = ys.len();
    let mean: Vec<i64> =
        (0..ys[0].len()).map(|i| ys.iter().map(|y| y[i]).sum::<i64>() / m as i64).collect();
    let model = sigma / (m as f64).sqrt();
    assert!((deviation(&mean) / model - 1.0).abs() < 0.05, "{} against {model}", deviation(&mean));
    let budget = p.noise_budget();
    assert_eq!(budget.effective_flood_sigma, sigma / 3f64.sqrt());
    assert!(budget.effective_flood_sigma <= model);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The committee's laws for random (n, f) with n ≤ 12: every f members miss exactly the
    /// seed of their own set; every f + 1 members hold every set; each set has n − f holders
    /// and each member C(n − 1, f) sets; over any quorum the assigned sets partition all sets,
    /// each to a holder; `check_quorum` accepts exactly the q-subsets of the committee.
    #[test]
    fn committee_laws(
        (n, f) in (2u16..=12).prop_flat_map(|n| (Just(n), 1..n)),
        order in Just((0..12u16).collect::<Vec<_>>()).prop_shuffle(),
        mask in any::<u64>(),
    ) {
        let Ok(c) = Committee::new(n, f) else {
            // Refused only above the cap.
            let sets = (0..f).fold(1u128, |x, i| x * u128::from(n - i) / u128::from(i + 1));
            prop_assert!(u128::from(n - f) * sets > MAX_SEALED_SEEDS as u128);
            return Ok(());
        };
        let members: Vec<u16> = order.into_iter().filter(|&j| j < n).collect();
        let held = |group: &[u16]| -> Vec<u16> {
            (0..c.set_count())
                .filter(|t| group.iter().any(|&j| c.held_sets(j).contains(t)))
                .collect()
        };
        let group = &members[..usize::from(f)];
        let missed: Vec<u16> =
            (0..c.set_count()).filter(|t| !held(group).contains(t)).collect();
        let own: MemberSet = group.iter().copied().collect();
        prop_assert_eq!(missed.len(), 1);
        prop_assert_eq!(c.set(missed[0]), Some(own));
        prop_assert_eq!(held(&members[..usize::from(f) + 1]).len(), usize::from(c.set_count()));
        let mut sealed = 0;
        for t in 0..c.set_count() {
            let h = c.holders(t).unwrap();
            prop_assert_eq!(h.len(), n - f);
            prop_assert!(h.iter().all(|j| c.held_sets(j).contains(&t)));
            sealed += usize::from(h.len());
        }
        prop_assert_eq!(sealed, c.sealed_seed_count());
        let per_member = (0..f).fold(1u64, |x, i| x * u64::from(n - 1 - i) / u64::from(i + 1));
        prop_assert!(members.iter().all(|&j| c.held_sets(j).len() as u64 == per_member));
        let q: MemberSet = members[..usize::from(c.quorum_size())].iter().copied().collect();
        prop_assert_eq!(c.check_quorum(q), Ok(()));
        let mut assigned: Vec<u16> = q.iter().flat_map(|j| c.assigned_sets(q, j)).collect();
        for j in q.iter() {
            prop_assert!(c.assigned_sets(q, j).iter().all(|t| c.held_sets(j).contains(t)));
        }
        assigned.sort_unstable();
        prop_assert_eq!(assigned, (0..c.set_count()).collect::<Vec<_>>());
        let random = MemberSet(mask);
        let valid = random.iter().all(|j| j < n) && random.len() == c.quorum_size();
        prop_assert_eq!(c.check_quorum(random).is_ok(), valid);
        let trimmed = MemberSet(mask & MemberSet::all(n).0);
        prop_assert_eq!(
            c.check_quorum(trimmed).is_ok(),
            trimmed.len() == c.quorum_size()
        );
    }
}
