//! One aggregation round in memory: a committee of 3 builds the round key, 20 clients encrypt
//! 10 000-coordinate updates, the aggregator sums, the committee decrypts the mean.
//!
//! Run: `cargo run --release -p gradseal-agg --example round`

#![allow(clippy::print_stdout)]

use std::time::Instant;

use chacha20::ChaCha20Rng;
use gradseal_agg::*;
use gradseal_core::Codec;
use rand_core::SeedableRng;

fn main() -> Result<(), AggError> {
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let dim: u32 = 10_000;
    let params = RoundParams::new(RoundConfig::new([1; 32], dim))?;
    let b = params.noise_budget();
    println!(
        "profile {}, Δ = 2^{}, aggregate noise 2^{:.1}, flooding 2^{:.1}, {:.0} bits",
        params.profile().name(),
        b.delta_log2,
        b.aggregate_sigma.log2(),
        b.flood_sigma.log2(),
        b.flooding_security_bits
    );

    let (shares, bodies): (Vec<_>, Vec<_>) = (0..params.committee_size())
        .map(|m| KeyShare::generate(&params, m, &mut rng))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    let key = JointPublicKey::combine(&params, &bodies)?;

    let clients: u32 = 20;
    let mut aggregate = Aggregate::new(&params);
    let mut expected = vec![0f64; dim as usize];
    let start = Instant::now();
    for c in 0..clients {
        let update: Vec<f32> =
            (0..dim).map(|j| ((j * 31 + c * 17) % 200) as f32 / 100.0 - 1.0).collect();
        for (e, x) in expected.iter_mut().zip(&update) {
            *e += f64::from(*x) / f64::from(clients);
        }
        let encoded = encode_update(&params, &update, &mut rng)?;
        let ct = encrypt(&params, &key, &encoded, &mut rng)?;
        aggregate.add(&params, &EncryptedUpdate::from_bytes(&ct.to_bytes())?)?;
    }
    println!("{clients} clients encrypted and summed in {:?}", start.elapsed());

    let partials = shares
        .into_iter()
        .map(|s| s.partial_decrypt(&params, &aggregate, &mut rng))
        .collect::<Result<Vec<_>, _>>()?;
    let mean = decode_mean(&params, &combine_partials(&params, &aggregate, &partials)?);
    let worst =
        mean.iter().zip(&expected).map(|(m, e)| (f64::from(*m) - e).abs()).fold(0.0, f64::max);
    println!("decrypted mean; largest deviation from the plaintext mean: {worst:.2e}");
    Ok(())
}
