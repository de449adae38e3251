//! One aggregation round of scheme v2 in memory: five clients, a committee of three.
//!
//! `cargo run --release -p gradseal-agg --example round`

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use chacha20::ChaCha20Rng;
use gradseal_agg::*;
use gradseal_core::Codec;
use rand_core::SeedableRng;

fn main() -> Result<(), AggError> {
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let dimension = 10_000;
    let params = RoundParams::new(RoundConfig::new([1; 32], dimension))?;
    let budget = params.noise_budget();
    println!(
        "round: d = {dimension}, {} polynomials of n = {}, Δ = 2^{}, flooding σ = 2^{:.1} ({:.1} bits above the noise)",
        params.poly_count(),
        params.n(),
        params.delta_log2(),
        budget.flood_sigma.log2(),
        budget.flood_to_noise_log2,
    );

    let mut aggregate = Aggregate::new(&params);
    let mut shares: Vec<MemberShare> = (0..params.committee_size())
        .map(|j| MemberShare::new(&params, j))
        .collect::<Result<_, _>>()?;
    let mut plain = vec![0f32; dimension as usize];
    for client in 0..5 {
        let update: Vec<f32> =
            (0..dimension).map(|i| ((i + client * 31) % 200) as f32 / 100.0 - 1.0).collect();
        for (p, x) in plain.iter_mut().zip(&update) {
            *p += x;
        }
        let encoded = encode_update(&params, &update, &mut rng)?;
        let (contribution, seeds) = encrypt(&params, &encoded, &mut rng)?;
        println!(
            "client {client}: {} B public ({:.2} B per coordinate), {} seeds of {SEED_LEN} B",
            contribution.to_bytes().len(),
            contribution.to_bytes().len() as f64 / f64::from(dimension),
            seeds.len()
        );
        aggregate.add(&params, &contribution)?;
        for share in &mut shares {
            // Member j receives the seeds of the sets it holds (one, for 3-of-3).
            let mine = params
                .committee()
                .held_sets(share.member())
                .into_iter()
                .map(|t| KeySeed::from_bytes(t, seeds[usize::from(t)].to_bytes().as_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            share.add_client(&mine)?;
        }
    }
    let quorum = MemberSet::all(params.committee_size());
    let partials: Vec<PartialDecryption> = shares
        .into_iter()
        .map(|s| s.partial_decrypt(&params, quorum, &mut rng))
        .collect::<Result<_, _>>()?;
    let sum = decode_sum(&params, &combine(&params, &aggregate, &partials)?);
    let err = sum.iter().zip(&plain).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    println!(
        "decrypted the sum of {} updates; largest error against the plaintext sum: {err:.2e}",
        aggregate.count()
    );
    Ok(())
}
