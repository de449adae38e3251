//! The attacks that broke scheme v1, replayed against v2 (`spec/agg.md`, section 9). Each
//! plays the adversary named in its doc comment and asserts that the output carries no
//! information about the victim: the round fails to decode, and even the raw residual (what
//! an adversary computes without the decoder's check) matches the victim's values no more
//! often than chance.

use chacha20::ChaCha20Rng;
use rand_core::SeedableRng;

use super::correctness::{Round, honest_round, params};
use crate::ring::{add_seed_expansion, expand_mask};
use crate::*;

const D: u32 = 4096;

/// M = B − a·D − Σ p, the value the decoder rounds (public data only).
fn residual(p: &RoundParams, agg: &Aggregate, partials: &[PartialDecryption]) -> Vec<u64> {
    crate::combine::residue(p, agg, partials).unwrap()
}

/// Coordinates where ⌊M/Δ⌉ equals the victim's encoded value m_v (offset included).
pub(crate) fn victim_matches(round: &Round, m: &[u64], victim: usize) -> usize {
    let p = &round.params;
    let shift = p.delta_log2();
    m.iter()
        .zip(&round.values[victim])
        .filter(|&(&x, &v)| {
            let decoded = x.wrapping_add(1 << (shift - 1)) >> shift;
            decoded == p.offset().wrapping_add_signed(v)
        })
        .count()
}

/// Unflooded partials of every member over `which` (what a committee that forgot to flood, or
/// an adversary who could strip the flooding, would combine).
fn unflooded(round: &Round, which: &[usize]) -> Vec<PartialDecryption> {
    let mut rng = ChaCha20Rng::from_seed([0; 32]);
    let quorum = round.first_quorum();
    quorum
        .iter()
        .map(|j| {
            round
                .share(j, which)
                .decrypt_with_flooding(&round.params, quorum, 0.0, &mut rng)
                .unwrap()
        })
        .collect()
}

fn negated(p: &RoundParams, others: &[&Contribution]) -> Contribution {
    let mut bodies = vec![0u64; p.dimension()];
    let mut correction = vec![0u64; p.n()];
    for c in others {
        for (x, y) in bodies.iter_mut().zip(c.bodies()) {
            *x = x.wrapping_sub(*y);
        }
        for (x, y) in correction.iter_mut().zip(c.correction()) {
            *x = x.wrapping_sub(*y);
        }
    }
    Contribution::from_parts(p, bodies, correction).unwrap()
}

/// Aggregator + one colluding roster client (v1 break 2): the colluder submits the negation of
/// the other honest contribution's bodies and correction, so that the aggregate's bodies and
/// correction are the victim's alone, and keeps its own seeds for the members. On v1 every
/// coordinate of the victim came back; on v2 the members' shares still hold the other honest
/// client's key shares, which nothing in the aggregate cancels.
#[test]
fn negated_contributions_reveal_nothing() {
    let mut rng = ChaCha20Rng::from_seed([10; 32]);
    // Clients 0 (victim), 1 (honest), 2 (colluder; its honest encryption is discarded, its
    // seeds are kept).
    let mut round = honest_round(params(D, 3, 3), 3, &mut rng);
    round.contributions[2] = negated(&round.params, &[&round.contributions[1]]);
    let all = [0, 1, 2];
    let agg = round.aggregate(&all);
    assert_eq!(agg.bodies(), round.contributions[0].bodies());
    let flooded = round.partials(&all, &mut rng);
    assert_eq!(combine(&round.params, &agg, &flooded), Err(AggError::DecryptionFailed));
    let raw = residual(&round.params, &agg, &unflooded(&round, &all));
    assert!(victim_matches(&round, &raw, 0) <= 2, "{}", victim_matches(&round, &raw, 0));
}

/// The same pair with a chosen correction (v1 break 3's analogue: v2 has no client-chosen
/// mask, the masks are public): the colluder's correction cancels every honest correction and
/// adds a chosen λ·X^0. Members' computations never read a correction, so nothing the
/// colluder chooses reaches an honest member's share; the output fails to decode.
#[test]
fn chosen_corrections_reveal_nothing() {
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    let mut round = honest_round(params(D, 3, 3), 3, &mut rng);
    let p = round.params.clone();
    let mut forged = negated(&p, &[&round.contributions[0], &round.contributions[1]]);
    forged.correction[0] = forged.correction[0].wrapping_add(1 << 40);
    forged.bodies = round.contributions[2].bodies.clone();
    round.contributions[2] = forged;
    let all = [0, 1, 2];
    let agg = round.aggregate(&all);
    let flooded = round.partials(&all, &mut ChaCha20Rng::from_seed([12; 32]));
    assert_eq!(combine(&p, &agg, &flooded), Err(AggError::DecryptionFailed));
    let raw = residual(&p, &agg, &unflooded(&round, &all));
    for victim in [0, 1] {
        assert!(victim_matches(&round, &raw, victim) <= 2);
    }
}

/// A rogue member (v1 break 1's analogue: there is no joint key to replace) publishes garbage,
/// or the negation of the others' partials: the combine fails, and what the rogue could
/// compute from its own share and the public values is the sum the round would reveal anyway.
#[test]
fn a_rogue_member_gets_no_key_and_spoils_only_the_round() {
    let mut rng = ChaCha20Rng::from_seed([13; 32]);
    let round = honest_round(params(D, 3, 3), 3, &mut rng);
    let all = [0, 1, 2];
    let agg = round.aggregate(&all);
    let mut partials = round.partials(&all, &mut rng);
    let garbage: Vec<u64> = partials[0].values.iter().map(|x| x.rotate_left(17) ^ 0x5555).collect();
    let q = round.first_quorum();
    partials[2] = PartialDecryption::from_parts(&round.params, 2, q, 3, garbage).unwrap();
    assert_eq!(combine(&round.params, &agg, &partials), Err(AggError::DecryptionFailed));
    // Cancelling the others: M = B − a·D, which hides every secret behind a·Σ_c Σ_j r_{c,j}.
    let mut cancel = vec![0u64; round.params.dimension()];
    for p in &partials[..2] {
        for (x, y) in cancel.iter_mut().zip(&p.values) {
            *x = x.wrapping_sub(*y);
        }
    }
    partials[2] = PartialDecryption::from_parts(&round.params, 2, q, 3, cancel).unwrap();
    assert_eq!(combine(&round.params, &agg, &partials), Err(AggError::DecryptionFailed));
    let raw = residual(&round.params, &agg, &partials);
    assert!(victim_matches(&round, &raw, 0) <= 2);
}

/// An equivocating aggregator sends member 0 the list {0, 1, 2} and members 1 and 2 the list
/// {0, 1, 3}, summing bodies over {0, 1, 2}: each mismatched entry leaves a uniform a·r term.
#[test]
fn different_lists_to_different_members_fail_to_decode() {
    let mut rng = ChaCha20Rng::from_seed([14; 32]);
    let round = honest_round(params(D, 3, 3), 4, &mut rng);
    let agg = round.aggregate(&[0, 1, 2]);
    let p = &round.params;
    let q = round.first_quorum();
    let partials = vec![
        round.share(0, &[0, 1, 2]).partial_decrypt(p, q, &mut rng).unwrap(),
        round.share(1, &[0, 1, 3]).partial_decrypt(p, q, &mut rng).unwrap(),
        round.share(2, &[0, 1, 3]).partial_decrypt(p, q, &mut rng).unwrap(),
    ];
    assert_eq!(combine(p, &agg, &partials), Err(AggError::DecryptionFailed));
    let raw = residual(p, &agg, &unflooded_mixed(&round));
    for victim in 0..4 {
        assert!(victim_matches(&round, &raw, victim) <= 2);
    }
}

fn unflooded_mixed(round: &Round) -> Vec<PartialDecryption> {
    let mut rng = ChaCha20Rng::from_seed([0; 32]);
    let p = &round.params;
    [(0, [0, 1, 2]), (1, [0, 1, 3]), (2, [0, 1, 3])]
        .iter()
        .map(|(j, list)| {
            round
                .share(*j, list)
                .decrypt_with_flooding(p, round.first_quorum(), 0.0, &mut rng)
                .unwrap()
        })
        .collect()
}

/// A key seed replayed from another round expands to another share (the round digest is in
/// the expansion), so a member that accepted it would spoil the round, not reveal anything.
#[test]
fn a_seed_replayed_from_another_round_does_not_decrypt() {
    let mut rng = ChaCha20Rng::from_seed([15; 32]);
    let old = honest_round(params(D, 2, 2), 2, &mut rng);
    let mut config = *old.params.config();
    config.round_id = [4; 32];
    let mut round = honest_round(RoundParams::new(config).unwrap(), 2, &mut rng);
    // Client 1 of the new round replays its old seed for member 0.
    round.seeds[1][0] = KeySeed::from_bytes(0, old.seeds[1][0].to_bytes().as_ref()).unwrap();
    let agg = round.aggregate(&[0, 1]);
    let partials = round.partials(&[0, 1], &mut rng);
    assert_eq!(combine(&round.params, &agg, &partials), Err(AggError::DecryptionFailed));
}

/// What flooding hides. Without it the combine's residual is exactly the aggregate noise
/// Σ_c e_c (computed here from the clients' secrets s_c = δ_c + Σ_j r_{c,j}), the value a
/// simulator knowing only the sum could not produce; with it the residual is independent of
/// Σ e (correlation of noise) and its deviation is the members' √k·σ_f.
#[test]
fn unflooded_partials_expose_the_aggregate_noise_and_flooding_hides_it() {
    let mut rng = ChaCha20Rng::from_seed([16; 32]);
    let round = honest_round(params(D, 3, 3), 3, &mut rng);
    let all = [0, 1, 2];
    let p = &round.params;
    let agg = round.aggregate(&all);
    let noise = aggregate_noise(&round, &all);
    let expected = round.expected(&all);
    let shift = p.delta_log2();
    let offset = 3 * p.offset();
    let centered = |m: &[u64]| -> Vec<i64> {
        m.iter()
            .zip(&expected)
            .map(|(&x, &s)| x.wrapping_sub(offset.wrapping_add_signed(s) << shift).cast_signed())
            .collect()
    };
    assert_eq!(centered(&residual(p, &agg, &unflooded(&round, &all))), noise);
    let flooded = centered(&residual(p, &agg, &round.partials(&all, &mut rng)));
    let corr = correlation(&flooded, &noise);
    assert!(corr.abs() < 0.06, "correlation {corr}");
    let sd = (flooded.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / f64::from(D)).sqrt();
    let model = 3f64.sqrt() * p.noise_budget().flood_sigma;
    assert!((sd / model - 1.0).abs() < 0.05, "{sd} against {model}");
}

/// Σ_c e_c = Σ_c (b_c − a·s_c − Δ·m_c), with s_c rebuilt from the correction and the seeds.
fn aggregate_noise(round: &Round, which: &[usize]) -> Vec<i64> {
    let p = &round.params;
    let mut total = vec![0i64; p.dimension()];
    for &c in which {
        let mut secret = round.contributions[c].correction.clone();
        for seed in &round.seeds[c] {
            add_seed_expansion(&mut secret, p.digest(), seed.set(), seed.bytes());
        }
        let mut product = vec![0u64; p.n()];
        crate::ring::mul_binary(&mut product, &expand_mask(p.digest(), 0, p.n()), &secret);
        for (t, e) in total.iter_mut().enumerate() {
            let m = p.offset().wrapping_add_signed(round.values[c][t]) << p.delta_log2();
            let b = round.contributions[c].bodies[t];
            *e += b.wrapping_sub(product[t]).wrapping_sub(m).cast_signed();
        }
    }
    total
}

fn correlation(x: &[i64], y: &[i64]) -> f64 {
    let n = x.len() as f64;
    let mean = |v: &[i64]| v.iter().map(|&a| a as f64).sum::<f64>() / n;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (a, b) = (a as f64 - mx, b as f64 - my);
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    sxy / (sxx * syy).sqrt()
}

/// The coalition of `members` (the victim's seeds of every set one of them holds) and the
/// aggregator (every public value) strips what it can from the victim's body: `b_v − a·(δ_v +
/// Σ_{t held in the coalition} r_{v,t})`, which equals `Δ·m_v + e_v` only when the coalition
/// holds every set's seed.
pub(crate) fn coalition_view(round: &Round, victim: usize, members: &[u16]) -> Vec<u64> {
    let p = &round.params;
    let c = &round.contributions[victim];
    let committee = p.committee();
    let mut known = c.correction.clone();
    for t in 0..committee.set_count() {
        if members.iter().any(|&j| committee.held_sets(j).contains(&t)) {
            let seed = &round.seeds[victim][usize::from(t)];
            add_seed_expansion(&mut known, p.digest(), seed.set(), seed.bytes());
        }
    }
    let mut product = vec![0u64; p.n()];
    let fixed = crate::ring::FixedOperand::new(&known).unwrap();
    fixed.mul(&mut product, &expand_mask(p.digest(), 0, p.n()), &mut fixed.scratch());
    c.bodies.iter().zip(&product).map(|(b, x)| b.wrapping_sub(*x)).collect()
}

/// *k − 1 colluding members plus the aggregator* (n-of-n, spec/agg.md §9.3 and §9.7): they
/// hold every public value and their own seeds for the victim, and the honest member's
/// uniform share `a·r_{v,h}` still masks every coordinate of the victim's update. The same
/// computation by the whole committee recovers all of them, so the test would fail if the
/// claim did not depend on one honest member.
#[test]
fn all_but_one_member_with_the_aggregator_learn_nothing_of_a_victim() {
    let mut rng = ChaCha20Rng::from_seed([17; 32]);
    let round = honest_round(params(D, 3, 3), 3, &mut rng);
    for honest in 0..3u16 {
        let coalition: Vec<u16> = (0..3).filter(|&j| j != honest).collect();
        let view = coalition_view(&round, 0, &coalition);
        assert!(victim_matches(&round, &view, 0) <= 2, "member {honest} honest");
    }
    let everyone = coalition_view(&round, 0, &[0, 1, 2]);
    assert_eq!(victim_matches(&round, &everyone, 0), round.params.dimension());
}
