use super::super::*;
use chacha20::ChaCha20Rng;
use rand_core::SeedableRng;

pub(crate) fn setup(
    config: RoundConfig,
    seed: u8,
) -> (RoundParams, Vec<KeyShare>, JointPublicKey, ChaCha20Rng) {
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    let params = RoundParams::new(config).unwrap();
    let mut shares = Vec::new();
    let mut bodies = Vec::new();
    for m in 0..params.committee_size() {
        let (s, b) = KeyShare::generate(&params, m, &mut rng).unwrap();
        shares.push(s);
        bodies.push(b);
    }
    let key = JointPublicKey::combine(&params, &bodies).unwrap();
    (params, shares, key, rng)
}

#[test]
fn sum_of_two_clients_decrypts() {
    let mut c = RoundConfig::new([3; 32], 3000);
    c.committee_size = 3;
    let (params, shares, key, mut rng) = setup(c, 1);
    let a: Vec<i64> = (0..3000).map(|i| (i % 200) - 100).collect();
    let b: Vec<i64> = (0..3000).map(|i| 32767 - (i % 7)).collect();
    let mut agg = Aggregate::new(&params);
    for v in [&a, &b] {
        let e = EncodedUpdate::from_signed(&params, v).unwrap();
        agg.add(&params, &encrypt(&params, &key, &e, &mut rng).unwrap()).unwrap();
    }
    let partials: Vec<_> =
        shares.into_iter().map(|s| s.partial_decrypt(&params, &agg, &mut rng).unwrap()).collect();
    let sum = combine_partials(&params, &agg, &partials).unwrap();
    let expected: Vec<i64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    assert_eq!(sum.sums, expected);
    assert_eq!(sum.count, 2);
}
