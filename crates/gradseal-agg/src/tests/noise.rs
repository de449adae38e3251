//! The noise of real rounds, measured against the model of [`NoiseBudget`] (`spec/agg.md`,
//! "Noise budget"; the figures printed here are the spec's "model against measurement" table).
//!
//! For each parameter set, `max_clients` clients encrypt random updates (so the aggregate holds
//! as many contributions as the model assumes). Every client's randomness is replayed from its
//! seed exactly as the spec orders the draws (secret bits, key seeds, TUniform noise 12 samples
//! per word, low bits first, a fresh word for each polynomial), which checks the contribution
//! word for word and gives the exact noise Σ_c e_c. Then:
//! - with unflooded partials (σ = 0), the residual `M − Δ·Σm` must be exactly Σ_c e_c, whose
//!   deviation is compared with `aggregate_sigma` and whose maximum with `aggregate_bound`;
//! - the flooded partial of member j minus its unflooded one is exactly its flooding f_j,
//!   compared with σ_f and the 9.5 σ_f hard bound;
//! - with the flooded partials of the quorum of the first q members, the residual's deviation
//!   is compared with √q·σ_f (the model, √(q σ_f² + σ_agg²), is the same to many digits), its
//!   maximum with Δ/4, and `combine` must
//!   return the exact sum.
//!
//! Run `cargo test -p gradseal-agg --lib tests::noise -- --nocapture` to see the figures.

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use crate::combine::residue;
use crate::encrypt::seeds_for;
use crate::params::flooding_security_bits;
use crate::ring::{expand, expand_mask, mul_binary};
use crate::{
    KeySeed, MemberSet, MemberShare, NoiseBudget, RoundConfig, RoundParams, combine, encode_update,
    encrypt, recompute_aggregate, tags,
};

/// Relative tolerance on a measured standard deviation: each is measured on at least 4096
/// independent coordinates, whose relative standard error is 1/√(2·4096) ≈ 1.1 %.
const TOLERANCE: f64 = 0.05;

/// Mean, standard deviation and largest absolute value.
fn stats(xs: &[i64]) -> (f64, f64, i64) {
    let count = xs.len() as f64;
    let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / count;
    let var = xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (count - 1.0);
    let max = xs.iter().map(|x| x.abs()).max().unwrap_or(0);
    (mean, var.sqrt(), max)
}

/// What the spec says a client computes, replayed from the seed of its rng: the contribution
/// (bodies, correction) and its noise e, drawn in the spec's order.
fn replay_client(
    params: &RoundParams,
    values: &[u64],
    rng_seed: [u8; 32],
) -> (Vec<u64>, Vec<u64>, Vec<i64>) {
    let n = params.n();
    let mut rng = ChaCha20Rng::from_seed(rng_seed);
    // 1. The secret: n/64 words, bit t of word w is coefficient 64w + t.
    let mut secret = vec![0u64; n];
    for chunk in secret.chunks_mut(64) {
        let word = rng.next_u64();
        for (t, x) in chunk.iter_mut().enumerate() {
            *x = (word >> t) & 1;
        }
    }
    // 2. C(n, f) seeds of 32 bytes; r_t = expand(SEED, [digest, u16be(t), seed]);
    //    δ = s − Σ r_t.
    let mut correction = secret.clone();
    for j in 0..params.committee().set_count() {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let mut r = vec![0u64; n];
        expand(tags::SEED, &[params.digest(), &j.to_be_bytes(), &seed], &mut r);
        for (d, x) in correction.iter_mut().zip(&r) {
            *d = d.wrapping_sub(*x);
        }
    }
    // 3. Per polynomial: TUniform(3) from fresh words, 12 samples of 5 bits each, low bits
    //    first; b = (a_i · s)[t] + e + Δ·m.
    let delta_log2 = params.delta_log2();
    let mut bodies = Vec::with_capacity(values.len());
    let mut noise = Vec::with_capacity(values.len());
    let mut product = vec![0u64; n];
    for (i, poly) in values.chunks(n).enumerate() {
        mul_binary(&mut product, &expand_mask(params.digest(), i, n), &secret);
        for (group, ms) in poly.chunks(12).enumerate() {
            let mut word = rng.next_u64();
            for (t, &m) in ms.iter().enumerate() {
                let u = word & 31;
                word >>= 5;
                let e = ((u >> 1) + (u & 1)).cast_signed() - 8;
                noise.push(e);
                bodies.push(
                    product[12 * group + t].wrapping_add_signed(e).wrapping_add(m << delta_log2),
                );
            }
        }
    }
    (bodies, correction, noise)
}

/// The model's and the measured figures of one parameter set.
struct Measured {
    budget: NoiseBudget,
    aggregate: (f64, f64, i64),
    flood_sigma_worst_ratio: f64,
    flood_max_sigmas: f64,
    total: (f64, f64, i64),
}

/// Runs one round of `max_clients` clients at dimension `d` with a committee (n, f), decrypted
/// by the quorum of its first q members, and measures its noise.
fn measure(set: u8, bits: u8, max_clients: u32, (n, f): (u16, u16), d: u32) -> Measured {
    let mut config = RoundConfig::new([set; 32], d);
    config.bits = bits;
    config.max_clients = max_clients;
    (config.committee_size, config.privacy_threshold) = (n, f);
    let params = RoundParams::new(config).unwrap();
    let budget = *params.noise_budget();
    let delta_log2 = params.delta_log2();
    let dim = params.dimension();

    let mut data_rng = ChaCha20Rng::from_seed([set ^ 0x5a; 32]);
    let mut contributions = Vec::new();
    let k = params.committee().quorum_size();
    let mut seeds: Vec<Vec<Vec<KeySeed>>> = (0..n).map(|_| Vec::new()).collect();
    let mut sum_m = vec![0u64; dim];
    let mut sum_v = vec![0i64; dim];
    let mut sum_e = vec![0i64; dim];
    for c in 0..max_clients {
        let update: Vec<f32> = (0..dim)
            .map(|_| {
                // Uniform in [-1.25, 1.25): a quarter of the coordinates are clipped.
                let u = (data_rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32;
                2.5 * u - 1.25
            })
            .collect();
        let encoded = encode_update(&params, &update, &mut data_rng).unwrap();
        let mut rng_seed = [set; 32];
        rng_seed[..4].copy_from_slice(&c.to_be_bytes());
        let (contribution, client_seeds) =
            encrypt(&params, &encoded, &mut ChaCha20Rng::from_seed(rng_seed)).unwrap();
        let (bodies, correction, noise) = replay_client(&params, &encoded.values, rng_seed);
        assert_eq!(contribution.bodies, bodies, "bodies differ from the spec's replay");
        assert_eq!(contribution.correction, correction, "correction differs from the replay");
        for (t, (&m, &e)) in encoded.values.iter().zip(&noise).enumerate() {
            sum_m[t] += m;
            sum_v[t] += m.cast_signed() - (1i64 << (bits - 1));
            sum_e[t] += e;
        }
        contributions.push(contribution);
        for (j, list) in (0..).zip(seeds.iter_mut()) {
            list.push(seeds_for(&params, &client_seeds, j));
        }
    }
    let refs: Vec<_> = contributions.iter().collect();
    let aggregate = recompute_aggregate(&params, &refs).unwrap();

    let mut rng = ChaCha20Rng::from_seed([set ^ 0xa5; 32]);
    let shares = |j: u16| {
        let mut share = MemberShare::new(&params, j).unwrap();
        for client in &seeds[usize::from(j)] {
            share.add_client(client).unwrap();
        }
        share
    };
    let all = MemberSet::all(k);
    let plain: Vec<_> = (0..k)
        .map(|j| shares(j).decrypt_with_flooding(&params, all, 0.0, &mut rng).unwrap())
        .collect();
    let flooded: Vec<_> =
        (0..k).map(|j| shares(j).partial_decrypt(&params, all, &mut rng).unwrap()).collect();

    // Unflooded: the residual is exactly the aggregate noise Σ_c e_c.
    let unflooded: Vec<i64> = residue(&params, &aggregate, &plain)
        .unwrap()
        .iter()
        .zip(&sum_m)
        .map(|(&x, &m)| x.wrapping_sub(m << delta_log2).cast_signed())
        .collect();
    assert_eq!(unflooded, sum_e, "M − Δ·Σm is not Σ e");
    let aggregate_stats = stats(&unflooded);
    assert!(aggregate_stats.2.unsigned_abs() <= budget.aggregate_bound);
    assert!(
        (aggregate_stats.1 / budget.aggregate_sigma - 1.0).abs() < TOLERANCE,
        "aggregate σ {} against the model's {}",
        aggregate_stats.1,
        budget.aggregate_sigma
    );

    // Each member's flooding: flooded minus unflooded partial.
    let mut flood_sigma_worst_ratio: f64 = 1.0;
    let mut flood_max_sigmas: f64 = 0.0;
    for (f, p) in flooded.iter().zip(&plain) {
        let noise: Vec<i64> =
            f.values.iter().zip(&p.values).map(|(a, b)| a.wrapping_sub(*b).cast_signed()).collect();
        let (_, sigma, max) = stats(&noise);
        let ratio = sigma / budget.flood_sigma;
        assert!(
            (ratio - 1.0).abs() < TOLERANCE,
            "member σ_f {sigma} against {}",
            budget.flood_sigma
        );
        if (ratio - 1.0).abs() > (flood_sigma_worst_ratio - 1.0).abs() {
            flood_sigma_worst_ratio = ratio;
        }
        assert!(max as f64 <= budget.flood_bound);
        flood_max_sigmas = flood_max_sigmas.max(max as f64 / budget.flood_sigma);
    }

    // Flooded: the residual's deviation is √k σ_f, its maximum below Δ/4, and combine decodes.
    let total: Vec<i64> = residue(&params, &aggregate, &flooded)
        .unwrap()
        .iter()
        .zip(&sum_m)
        .map(|(&x, &m)| x.wrapping_sub(m << delta_log2).cast_signed())
        .collect();
    let total_stats = stats(&total);
    let model = (f64::from(k) * budget.flood_sigma.powi(2) + budget.aggregate_sigma.powi(2)).sqrt();
    assert!(
        (total_stats.1 / model - 1.0).abs() < TOLERANCE,
        "flooded σ {} against the model's {model}",
        total_stats.1
    );
    assert!(total_stats.2.unsigned_abs() < budget.decode_bound);
    let sum = combine(&params, &aggregate, &flooded).unwrap();
    assert_eq!(sum.count, max_clients);
    assert_eq!(sum.sums, sum_v);

    Measured {
        budget,
        aggregate: aggregate_stats,
        flood_sigma_worst_ratio,
        flood_max_sigmas,
        total: total_stats,
    }
}

#[test]
fn measured_noise_matches_the_model() {
    // (bits, max_clients, (n, f), d): the default first; d = 6000 fills one polynomial and part
    // of a second (the 1000-client set uses one polynomial to stay fast). k below is the
    // quorum size q (k = n for n-of-n).
    let sets: [(u8, u32, (u16, u16), u32); 6] = [
        (16, 100, (3, 2), 6000),
        (8, 100, (3, 2), 6000),
        (16, 1000, (3, 2), 4096),
        (16, 100, (10, 9), 6000),
        (24, 100, (3, 2), 6000),
        (16, 100, (5, 2), 6000),
    ];
    for (set, &(bits, max_clients, (n, f), d)) in sets.iter().enumerate() {
        let m = measure(u8::try_from(set).unwrap() + 1, bits, max_clients, (n, f), d);
        let b = m.budget;
        let k = b.quorum;
        let kf = f64::from(k);
        let total_model = (kf * b.flood_sigma.powi(2) + b.aggregate_sigma.powi(2)).sqrt();
        let hard = b.aggregate_bound as f64 + kf * b.flood_bound + 1.0;
        let deficit = [1e4, 1e5, 1e6]
            .map(|x| 128.0 - flooding_security_bits(b.aggregate_sigma, b.effective_flood_sigma, x));
        // Statistical distance between the real and the simulated partial, ‖e‖ / (2 σ_f), with
        // ‖e‖² bounded as in `flooding_security_bits` (Laurent–Massart at 2^-64): why the
        // argument is a Rényi (search) one rather than statistical smudging.
        let distance = [1e4, 1e5, 1e6].map(|q: f64| {
            let x = 64.0 * core::f64::consts::LN_2;
            let norm = b.aggregate_sigma * (q + 2.0 * (x * q).sqrt() + 2.0 * x).sqrt();
            (norm / (2.0 * b.effective_flood_sigma)).log2()
        });
        eprintln!(
            "(bits {bits}, max_clients {max_clients}, (n, f) ({n}, {f}), q = k = {k}), d = {d}: \
             S {}, log2 Δ {}, \
             Δ/4 = {} = 2^{:.2}",
            b.sum_bits,
            b.delta_log2,
            b.decode_bound,
            (b.decode_bound as f64).log2()
        );
        eprintln!(
            "  model:    σ_e {:.4}, σ_agg {:.2}, |Σe| <= {}, σ_f {} (2^{:.2}), |f| <= {:.1}, \
             sqrt(k)·σ_f {:.4e}, sqrt(k σ_f² + σ_agg²) {:.4e}, hard bound {:.6e} (2^{:.4}), \
             log2(σ_f/√(n−f)/σ_agg) {:.2}, Rényi bits 128 − ({:.1e}, {:.1e}, {:.1e}), statistical distance \
             <= 2^({:.1}, {:.1}, {:.1}) at 10^4, 10^5, 10^6 coordinates",
            b.client_sigma,
            b.aggregate_sigma,
            b.aggregate_bound,
            b.flood_sigma,
            b.flood_sigma.log2(),
            b.flood_bound,
            kf.sqrt() * b.flood_sigma,
            total_model,
            hard,
            hard.log2(),
            b.flood_to_noise_log2,
            deficit[0],
            deficit[1],
            deficit[2],
            distance[0],
            distance[1],
            distance[2],
        );
        eprintln!(
            "  measured: σ_agg {:.2} (x{:.4}), mean {:+.3}, max |Σe| {}; member σ_f x{:.4} \
             (worst of {k}), max |f| {:.2} σ_f; total σ {:.4e} (x{:.4} of sqrt(k)·σ_f), \
             max |total| 2^{:.2}",
            m.aggregate.1,
            m.aggregate.1 / b.aggregate_sigma,
            m.aggregate.0,
            m.aggregate.2,
            m.flood_sigma_worst_ratio,
            m.flood_max_sigmas,
            m.total.1,
            m.total.1 / (kf.sqrt() * b.flood_sigma),
            (m.total.2 as f64).log2(),
        );
    }
}

/// The largest bit width each (max_clients, k) accepts at 10^6 coordinates, and why the next
/// one is refused (the spec's "which parameter sets are accepted").
#[test]
fn acceptance_frontier() {
    for max_clients in [10u32, 100, 1000, 10_000] {
        for k in [3u16, 10] {
            let accepted = |bits: u8| {
                let mut c = RoundConfig::new([0; 32], 1_000_000);
                (c.bits, c.max_clients, c.committee_size) = (bits, max_clients, k);
                c.privacy_threshold = k - 1;
                c.min_clients = 2;
                RoundParams::new(c)
            };
            let largest = (2..=24u8).rev().find(|&b| accepted(b).is_ok());
            let next = largest.map_or(2, |b| b + 1);
            let why = accepted(next).map(|_| ());
            eprintln!(
                "max_clients {max_clients}, k {k}: largest bits {largest:?}; bits {next}: {why:?}"
            );
            assert!(largest.is_some());
        }
    }
}

/// The t-of-n noise table of `spec/agg.md` (section 7.3): the default round (16 bits, 100
/// clients, 10^5 coordinates) for each committee the spec lists. Every row is accepted, its
/// hard bounds (the aggregate's and q floodings) fit below Δ/4, its security figures use
/// σ_eff = σ_f/√(n − f), and flooding stays at least 2^20 (the acceptance rule) above the
/// aggregate noise; n-of-n (3, 2) keeps the figures of the n-of-n scheme. Run with
/// `--nocapture` to print the table.
#[test]
fn tofn_noise_table() {
    eprintln!(
        "| (n, f) | q | sets C(n,f) | seeds sealed per client | σ_f | σ_eff = σ_f/√(n−f) \
         | log2(σ_eff/σ_agg) | flooding security bits at 10^5 |"
    );
    eprintln!("|---|---|---|---|---|---|---|---|");
    let mut previous_q = 0;
    for (n, f) in [(3u16, 2u16), (4, 1), (5, 2), (7, 3)] {
        let mut c = RoundConfig::new([9; 32], 100_000);
        (c.committee_size, c.privacy_threshold) = (n, f);
        let p = RoundParams::new(c).unwrap();
        let b = *p.noise_budget();
        let committee = p.committee();
        let q = committee.quorum_size();
        assert_eq!(b.quorum, q);
        assert_eq!(q, (n + f) / 2 + 1);
        let hard = b.aggregate_bound as f64 + f64::from(q) * b.flood_bound + 1.0;
        assert!(hard < b.decode_bound as f64, "({n}, {f}): {b:?}");
        // σ_f is the largest integer leaving room for q floodings: one more would not fit.
        let over = b.aggregate_bound as f64 + f64::from(q) * 9.5 * (b.flood_sigma + 1.0) + 2.0;
        assert!(over > b.decode_bound as f64, "({n}, {f}): σ_f is not the largest");
        assert_eq!(b.effective_flood_sigma, b.flood_sigma / f64::from(n - f).sqrt());
        assert_eq!(b.flood_to_noise_log2, (b.effective_flood_sigma / b.aggregate_sigma).log2());
        assert!(b.flood_to_noise_log2 >= 20.0, "({n}, {f}): {b:?}");
        assert!(b.flooding_security_bits >= 64.0, "({n}, {f}): {b:?}");
        assert_eq!(
            b.flooding_security_bits,
            flooding_security_bits(b.aggregate_sigma, b.effective_flood_sigma, 1e5)
        );
        if (n, f) == (3, 2) {
            // n-of-n: the n-of-n scheme's 2^28.63 margin is unchanged.
            assert!(b.flood_to_noise_log2 > 28.6 && b.flood_to_noise_log2 < 28.7, "{b:?}");
        }
        assert!(q >= previous_q);
        previous_q = q;
        eprintln!(
            "| ({n}, {f}) | {q} | {} | {} | {} = 2^{:.2} | 2^{:.2} | {:.2} | 128 − {:.1e} |",
            committee.set_count(),
            committee.sealed_seed_count(),
            b.flood_sigma,
            b.flood_sigma.log2(),
            b.effective_flood_sigma.log2(),
            b.flood_to_noise_log2,
            128.0 - b.flooding_security_bits,
        );
    }
}
