//! gradseal-agg against its floor and its peer, side by side in one run (DESIGN.md, "Peers").
//!
//! Same dimension and bit width (16) everywhere; fixed seeds.
//! - `agg/encrypt`: encode (clip, scale, stochastic rounding) + encrypt one client's update
//!   into compact lists, against Prio3SumVec `shard` (prio 0.18, 2 aggregators,
//!   max_measurement 65535) on the same vector.
//! - `agg/sum`: the aggregator's homomorphic sum of 10 and 100 updates (`recompute_aggregate`,
//!   and the streaming `Aggregate::add`), against the plaintext sum of the same u64 vectors
//!   (the floor) and Prio3SumVec aggregation of output shares.
//! - `agg/decrypt`: one member's flooded partial decryption, and the combination of k = 3
//!   partials, against Prio3SumVec verification of one report (both aggregators).
//! - `agg/zk`: proving and verifying one list of 2048 coordinates (CRS generation is timed once
//!   and printed, it is too slow to repeat).
//!
//! Prio at 10^6 costs ~8 s per report, so prio runs at 10^4 and 10^5 only; compare per
//! coordinate (criterion's throughput line). Dimension 10^6 sums use 1.6 GiB of ciphertexts.
//!
//! Run: `cargo bench -p gradseal-benches --bench agg`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use gradseal_agg::{
    Aggregate, Crs, EncodedUpdate, JointPublicKey, KeyShare, ProofPolicy, RoundConfig, RoundParams,
    combine_partials, encode_update, encrypt, encrypt_and_prove, recompute_aggregate,
    verify_update,
};
use gradseal_core::Codec;
use prio::codec::Encode;
use prio::vdaf::prio3::{Prio3SumVec, optimal_chunk_length};
use prio::vdaf::{Aggregator, Client, VerifyTransition};
use rand_core::SeedableRng;

type Rng = chacha20::ChaCha20Rng;

const DIMS: [usize; 3] = [10_000, 100_000, 1_000_000];
const PRIO_DIMS: [usize; 2] = [10_000, 100_000];
const BITS: u8 = 16;
const COMMITTEE: u16 = 3;

fn rng(seed: u8) -> Rng {
    Rng::from_seed([seed; 32])
}

fn params(dim: usize, policy: ProofPolicy) -> RoundParams {
    let mut c = RoundConfig::new([0xbe; 32], dim as u32);
    c.bits = BITS;
    c.max_clients = 100;
    c.committee_size = COMMITTEE;
    c.proof_policy = policy;
    RoundParams::new(c).expect("bench parameters are valid")
}

fn update(dim: usize, seed: usize) -> Vec<f32> {
    (0..dim).map(|i| (((i * 7919 + seed * 104_729) % 2001) as f32 - 1000.0) / 1000.0).collect()
}

struct Committee {
    shares: Vec<KeyShare>,
    key: JointPublicKey,
}

fn committee(p: &RoundParams, rng: &mut Rng) -> Committee {
    let (shares, bodies): (Vec<_>, Vec<_>) =
        (0..COMMITTEE).map(|m| KeyShare::generate(p, m, rng).unwrap()).unzip();
    let key = JointPublicKey::combine(p, &bodies).unwrap();
    Committee { shares, key }
}

fn prio_measurement(dim: usize) -> Vec<u128> {
    (0..dim).map(|i| ((i * 7919) % 65536) as u128).collect()
}

fn prio(dim: usize) -> Prio3SumVec {
    Prio3SumVec::new_sum_vec(2, 65535, dim, optimal_chunk_length(dim * 16)).unwrap()
}

fn bench_encrypt(c: &mut Criterion) {
    let mut g = c.benchmark_group("agg/encrypt");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.sampling_mode(SamplingMode::Flat);
    for dim in DIMS {
        let p = params(dim, ProofPolicy::None);
        let mut r = rng(1);
        let com = committee(&p, &mut r);
        let x = update(dim, 0);
        g.throughput(Throughput::Bytes((dim * 4) as u64));
        g.bench_function(BenchmarkId::new("gradseal encode+encrypt", dim), |b| {
            b.iter(|| {
                let e = encode_update(&p, black_box(&x), &mut r).unwrap();
                black_box(encrypt(&p, &com.key, &e, &mut r).unwrap())
            })
        });
        let ct = encrypt(&p, &com.key, &encode_update(&p, &x, &mut r).unwrap(), &mut r).unwrap();
        eprintln!(
            "bytes: gradseal ciphertext at d={dim}: {:.2} B/coordinate",
            ct.to_bytes().len() as f64 / dim as f64
        );
        if PRIO_DIMS.contains(&dim) {
            let vdaf = prio(dim);
            let m = prio_measurement(dim);
            g.bench_function(BenchmarkId::new("prio3sumvec shard", dim), |b| {
                b.iter(|| black_box(vdaf.shard(b"bench", black_box(&m), &[0; 16]).unwrap()))
            });
            let (public, inputs) = vdaf.shard(b"bench", &m, &[0; 16]).unwrap();
            let bytes = public.get_encoded().unwrap().len()
                + inputs.iter().map(|s| s.get_encoded().unwrap().len()).sum::<usize>();
            eprintln!(
                "bytes: prio3sumvec report at d={dim}: {:.2} B/coordinate",
                bytes as f64 / dim as f64
            );
        }
    }
    g.finish();
}

fn bench_sum(c: &mut Criterion) {
    let mut g = c.benchmark_group("agg/sum");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.sampling_mode(SamplingMode::Flat);
    for dim in DIMS {
        let p = params(dim, ProofPolicy::None);
        let mut r = rng(2);
        let com = committee(&p, &mut r);
        let base: Vec<_> = (0..2)
            .map(|i| {
                encrypt(&p, &com.key, &encode_update(&p, &update(dim, i), &mut r).unwrap(), &mut r)
                    .unwrap()
            })
            .collect();
        for clients in [10usize, 100] {
            let updates: Vec<_> = (0..clients).map(|i| base[i % 2].clone()).collect();
            let plain: Vec<Vec<u64>> =
                (0..clients).map(|i| (0..dim as u64).map(|j| j ^ i as u64).collect()).collect();
            let id = format!("{dim}x{clients}");
            g.throughput(Throughput::Bytes((dim * clients * 4) as u64));
            g.bench_function(BenchmarkId::new("gradseal recompute_aggregate", &id), |b| {
                b.iter(|| black_box(recompute_aggregate(&p, black_box(&updates)).unwrap()))
            });
            g.bench_function(BenchmarkId::new("gradseal Aggregate::add", &id), |b| {
                b.iter(|| {
                    let mut agg = Aggregate::new(&p);
                    for u in &updates {
                        agg.add(&p, u).unwrap();
                    }
                    black_box(agg)
                })
            });
            g.bench_function(BenchmarkId::new("plaintext u64 sum (floor)", &id), |b| {
                b.iter(|| {
                    let mut acc = vec![0u64; dim];
                    for v in &plain {
                        for (a, x) in acc.iter_mut().zip(v) {
                            *a = a.wrapping_add(*x);
                        }
                    }
                    black_box(acc)
                })
            });
            if PRIO_DIMS.contains(&dim) && clients == 10 {
                let vdaf = prio(dim);
                let out = prio_output_share(&vdaf, dim);
                g.bench_function(BenchmarkId::new("prio3sumvec aggregate", &id), |b| {
                    b.iter(|| {
                        black_box(vdaf.aggregate(&(), (0..clients).map(|_| out.clone())).unwrap())
                    })
                });
            }
        }
    }
    g.finish();
}

fn prio_output_share(
    vdaf: &Prio3SumVec,
    dim: usize,
) -> <Prio3SumVec as prio::vdaf::Vdaf>::OutputShare {
    let (public, inputs) = vdaf.shard(b"bench", &prio_measurement(dim), &[1; 16]).unwrap();
    let (states, shares): (Vec<_>, Vec<_>) = inputs
        .iter()
        .enumerate()
        .map(|(id, s)| vdaf.verify_init(&[3; 32], b"bench", id, &(), &[1; 16], &public, s).unwrap())
        .unzip();
    let msg = vdaf.verifier_shares_to_message(b"bench", &(), shares).unwrap();
    match vdaf.verify_next(b"bench", states.into_iter().next().unwrap(), msg).unwrap() {
        VerifyTransition::Finish(out) => out,
        VerifyTransition::Continue(..) => unreachable!("Prio3 verifies in one round"),
    }
}

fn bench_decrypt(c: &mut Criterion) {
    let mut g = c.benchmark_group("agg/decrypt");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.sampling_mode(SamplingMode::Flat);
    for dim in DIMS {
        let p = params(dim, ProofPolicy::None);
        let mut r = rng(3);
        let com = committee(&p, &mut r);
        let u = encrypt(&p, &com.key, &encode_update(&p, &update(dim, 0), &mut r).unwrap(), &mut r)
            .unwrap();
        let agg = recompute_aggregate(&p, &[u]).unwrap();
        g.throughput(Throughput::Bytes((dim * 4) as u64));
        // A share decrypts once: each iteration uses a fresh share (same cost).
        g.bench_function(BenchmarkId::new("gradseal partial_decrypt (1 member)", dim), |b| {
            b.iter_batched(
                || KeyShare::generate(&p, 0, &mut rng(9)).unwrap().0,
                |share| black_box(share.partial_decrypt(&p, &agg, &mut r).unwrap()),
                BatchSize::PerIteration,
            )
        });
        let partials: Vec<_> =
            com.shares.into_iter().map(|s| s.partial_decrypt(&p, &agg, &mut r).unwrap()).collect();
        g.bench_function(BenchmarkId::new("gradseal combine_partials (k=3)", dim), |b| {
            b.iter(|| black_box(combine_partials(&p, &agg, black_box(&partials)).unwrap()))
        });
        if PRIO_DIMS.contains(&dim) {
            let vdaf = prio(dim);
            let (public, inputs) = vdaf.shard(b"bench", &prio_measurement(dim), &[2; 16]).unwrap();
            g.bench_function(BenchmarkId::new("prio3sumvec verify (2 aggregators)", dim), |b| {
                b.iter(|| {
                    let (states, shares): (Vec<_>, Vec<_>) = inputs
                        .iter()
                        .enumerate()
                        .map(|(id, s)| {
                            vdaf.verify_init(&[3; 32], b"bench", id, &(), &[2; 16], &public, s)
                                .unwrap()
                        })
                        .unzip();
                    let msg = vdaf.verifier_shares_to_message(b"bench", &(), shares).unwrap();
                    for st in states {
                        black_box(vdaf.verify_next(b"bench", st, msg.clone()).unwrap());
                    }
                })
            });
        }
    }
    g.finish();
}

fn bench_zk(c: &mut Criterion) {
    let dim = 2048;
    let p = params(dim, ProofPolicy::EveryList);
    let mut r = rng(4);
    let start = Instant::now();
    let crs = Crs::generate(&p, &mut r).unwrap();
    eprintln!(
        "zk: CRS for 2048 coordinates of {BITS} bits: {:?}, {} bytes",
        start.elapsed(),
        crs.serialized_len()
    );
    let com = committee(&p, &mut r);
    let e: EncodedUpdate = encode_update(&p, &update(dim, 0), &mut r).unwrap();
    let mut g = c.benchmark_group("agg/zk");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(10));
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes((dim * 4) as u64));
    g.bench_function(BenchmarkId::new("gradseal encrypt_and_prove (1 list)", dim), |b| {
        b.iter(|| black_box(encrypt_and_prove(&p, &com.key, &crs, b"client", &e, &mut r).unwrap()))
    });
    let ct = encrypt_and_prove(&p, &com.key, &crs, b"client", &e, &mut r).unwrap();
    eprintln!("zk: proof of one list: {} bytes", ct.proof(0).unwrap().serialized_len());
    g.bench_function(BenchmarkId::new("gradseal verify_update (1 list)", dim), |b| {
        b.iter(|| verify_update(&p, &com.key, Some(&crs), b"client", black_box(&ct)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench_encrypt, bench_sum, bench_decrypt, bench_zk);
criterion_main!(benches);
