//! gradseal-agg (scheme v2) against its floor and its peer, side by side in one run
//! (DESIGN.md, "Peers"; issue 12, "Targets").
//!
//! Defaults everywhere: 16-bit coordinates, `max_clients` = 100, committee k = 3 (3-of-3,
//! privacy threshold 2: one set per member), fixed seeds.
//! Criterion's throughput is in coordinates (elements), so 1 / throughput is the time per
//! coordinate; the sum's throughput counts coordinates × clients.
//! - `agg/client`: one client's `encode_update` + `encrypt` (bodies, correction, k key seeds)
//!   against Prio3SumVec `shard` (prio 0.18, 2 aggregators, `max_measurement` 65535, i.e. 16
//!   bits) of the same dimension; `encode_update` and `encrypt` alone; and d = 1 (one
//!   polynomial), which shows the fixed cost (secret, seed expansions, correction).
//!   Upload bytes per coordinate are printed (`bytes:` lines): the `Contribution` encoding plus
//!   k × (32-byte seed + 249 bytes of signcryption overhead) for the sealed seeds (the client's
//!   signature over the contribution is counted by the protocol, not here), against the
//!   encoded Prio3 report (public share + both input shares).
//! - `agg/sum`: the aggregator's sum of 100 contributions (`recompute_aggregate`, two threads,
//!   and the streaming `Aggregate::add`, one thread) at 10^5 and 10^6 coordinates, against the
//!   plaintext sum of 100 u64 vectors of the same length on one thread and on two (the floor),
//!   and against Prio3SumVec's aggregation of 100 output shares at 10^5.
//! - `agg/member`: one member's work: a `MemberShare` fed 100 key seeds, then its one
//!   `partial_decrypt` (flooded); also `partial_decrypt` alone (share prepared outside the
//!   timing; it is consumed, so each iteration gets a fresh one).
//! - `agg/combine`: `combine` of the k = 3 partials with the 100-client aggregate, including
//!   the decoding; against Prio3SumVec verification of one report (`verify_init` by both
//!   aggregators, `verifier_shares_to_message`, `verify_next` by both).
//!
//! Prio3SumVec costs ~7–8 µs per coordinate to shard and as much to verify, so at 10^6 it is
//! not run under criterion: one shard and one verification are timed once and printed
//! (`prio 10^6 sampled once:` lines); set `AGG_BENCH_PRIO_1M=0` to skip them. The sum at 10^6
//! holds 1.6 GB of vectors.
//!
//! Run: `cargo bench -p gradseal-benches --bench agg`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use gradseal_agg::{
    Aggregate, Contribution, KeySeed, MemberSet, MemberShare, PartialDecryption, RoundConfig,
    RoundParams, SEED_LEN, combine, encode_update, encrypt, recompute_aggregate,
};
use gradseal_core::Codec;
use prio::codec::Encode;
use prio::vdaf::prio3::{Prio3SumVec, optimal_chunk_length};
use prio::vdaf::{Aggregator, Client, VerifyTransition};
use rand_core::SeedableRng;

type Rng = chacha20::ChaCha20Rng;
type PrioOutputShare = <Prio3SumVec as prio::vdaf::Vdaf>::OutputShare;

const DIMS: [usize; 3] = [10_000, 100_000, 1_000_000];
/// Dimensions at which Prio3SumVec runs under criterion (10^6 is sampled once).
const PRIO_DIMS: [usize; 2] = [10_000, 100_000];
const BITS: u8 = 16;
const CLIENTS: usize = 100;
const COMMITTEE: u16 = 3;
/// Bytes a sealed key seed adds to the upload besides the seed itself (gradseal-clsc
/// signcryption overhead per member, as counted by the protocol).
const SIGNCRYPTION_OVERHEAD: usize = 249;
const PRIO_CTX: &[u8] = b"gradseal bench";

fn rng(seed: u8) -> Rng {
    Rng::from_seed([seed; 32])
}

fn params(dim: usize) -> RoundParams {
    let mut c = RoundConfig::new([0xbe; 32], dim as u32);
    c.bits = BITS;
    c.max_clients = CLIENTS as u32;
    c.committee_size = COMMITTEE;
    c.privacy_threshold = COMMITTEE - 1;
    RoundParams::new(c).expect("bench parameters are valid")
}

fn update(dim: usize, seed: usize) -> Vec<f32> {
    (0..dim).map(|i| (((i * 7919 + seed * 104_729) % 2001) as f32 - 1000.0) / 1000.0).collect()
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sampling_mode(SamplingMode::Flat);
    g
}

fn prio_measurement(dim: usize) -> Vec<u128> {
    (0..dim).map(|i| ((i * 7919) % 65536) as u128).collect()
}

fn prio(dim: usize) -> Prio3SumVec {
    Prio3SumVec::new_sum_vec(2, 65535, dim, optimal_chunk_length(dim * usize::from(BITS))).unwrap()
}

type PrioShares = (
    <Prio3SumVec as prio::vdaf::Vdaf>::PublicShare,
    Vec<<Prio3SumVec as prio::vdaf::Vdaf>::InputShare>,
);

fn prio_report_bytes((public, inputs): &PrioShares) -> usize {
    public.get_encoded().unwrap().len()
        + inputs.iter().map(|s| s.get_encoded().unwrap().len()).sum::<usize>()
}

/// Both aggregators verify one report; returns the leader's output share.
fn prio_verify(vdaf: &Prio3SumVec, nonce: &[u8; 16], shares: &PrioShares) -> PrioOutputShare {
    let (public, inputs) = shares;
    let (states, verifier_shares): (Vec<_>, Vec<_>) = inputs
        .iter()
        .enumerate()
        .map(|(id, s)| vdaf.verify_init(&[3; 32], PRIO_CTX, id, &(), nonce, public, s).unwrap())
        .unzip();
    let msg = vdaf.verifier_shares_to_message(PRIO_CTX, &(), verifier_shares).unwrap();
    let mut outputs =
        states.into_iter().map(|st| match vdaf.verify_next(PRIO_CTX, st, msg.clone()).unwrap() {
            VerifyTransition::Finish(out) => out,
            VerifyTransition::Continue(..) => unreachable!("Prio3 verifies in one round"),
        });
    let leader = outputs.next().unwrap();
    for helper in outputs {
        black_box(helper);
    }
    leader
}

/// What a client uploads besides its contribution: k sealed 32-byte seeds.
fn sealed_seed_bytes() -> usize {
    usize::from(COMMITTEE) * (SEED_LEN + SIGNCRYPTION_OVERHEAD)
}

fn bench_client(c: &mut Criterion) {
    let mut g = group(c, "agg/client");
    // d = 1: one polynomial, i.e. the fixed cost plus one polynomial's product.
    for dim in [1].into_iter().chain(DIMS) {
        let p = params(dim);
        let mut r = rng(1);
        let x = update(dim, 0);
        g.throughput(Throughput::Elements(dim as u64));
        g.bench_function(BenchmarkId::new("gradseal encode+encrypt", dim), |b| {
            b.iter(|| {
                let e = encode_update(&p, black_box(&x), &mut r).unwrap();
                black_box(encrypt(&p, &e, &mut r).unwrap())
            })
        });
        if dim == 1 {
            continue;
        }
        g.bench_function(BenchmarkId::new("gradseal encode_update", dim), |b| {
            b.iter(|| black_box(encode_update(&p, black_box(&x), &mut r).unwrap()))
        });
        let e = encode_update(&p, &x, &mut r).unwrap();
        g.bench_function(BenchmarkId::new("gradseal encrypt", dim), |b| {
            b.iter(|| black_box(encrypt(&p, black_box(&e), &mut r).unwrap()))
        });
        let (contribution, seeds) = encrypt(&p, &e, &mut r).unwrap();
        assert_eq!(seeds.len(), usize::from(COMMITTEE));
        let contribution_bytes = contribution.to_bytes().len();
        let upload = contribution_bytes + sealed_seed_bytes();
        eprintln!(
            "bytes: gradseal upload at d={dim}: {upload} B = {:.3} B/coordinate (contribution \
             {contribution_bytes} B: 37 header + 8·d bodies + 32768 correction; sealed seeds \
             {COMMITTEE} × ({SEED_LEN} + {SIGNCRYPTION_OVERHEAD}) = {} B)",
            upload as f64 / dim as f64,
            sealed_seed_bytes()
        );
        if PRIO_DIMS.contains(&dim) {
            let vdaf = prio(dim);
            let m = prio_measurement(dim);
            g.bench_function(BenchmarkId::new("prio3sumvec shard", dim), |b| {
                b.iter(|| black_box(vdaf.shard(PRIO_CTX, black_box(&m), &[0; 16]).unwrap()))
            });
            let bytes = prio_report_bytes(&vdaf.shard(PRIO_CTX, &m, &[0; 16]).unwrap());
            eprintln!(
                "bytes: prio3sumvec report at d={dim}: {bytes} B = {:.3} B/coordinate",
                bytes as f64 / dim as f64
            );
        }
    }
    g.finish();
    prio_sampled_1m();
}

/// Prio3SumVec at 10^6: one shard and one two-aggregator verification, timed once.
fn prio_sampled_1m() {
    if std::env::var("AGG_BENCH_PRIO_1M").is_ok_and(|v| v == "0") {
        eprintln!("prio 10^6 sampled once: skipped (AGG_BENCH_PRIO_1M=0)");
        return;
    }
    let dim = 1_000_000;
    let vdaf = prio(dim);
    let m = prio_measurement(dim);
    let start = Instant::now();
    let shares = vdaf.shard(PRIO_CTX, &m, &[5; 16]).unwrap();
    let shard = start.elapsed();
    let start = Instant::now();
    black_box(prio_verify(&vdaf, &[5; 16], &shares));
    let verify = start.elapsed();
    let bytes = prio_report_bytes(&shares);
    eprintln!(
        "prio 10^6 sampled once (not under criterion): shard {shard:.2?} = {:.3} µs/coordinate; \
         verify (2 aggregators) {verify:.2?} = {:.3} µs/coordinate; report {bytes} B = {:.3} \
         B/coordinate",
        shard.as_secs_f64() * 1e6 / dim as f64,
        verify.as_secs_f64() * 1e6 / dim as f64,
        bytes as f64 / dim as f64
    );
}

/// A round of 100 clients: their contributions and key seeds (a member refuses a seed it
/// already added, so every client is a real, distinct encryption).
struct Round {
    params: RoundParams,
    contributions: Vec<Contribution>,
    seeds: Vec<Vec<KeySeed>>,
}

impl Round {
    fn new(dim: usize, seed: u8) -> Round {
        let params = params(dim);
        let mut r = rng(seed);
        let (contributions, seeds) = (0..CLIENTS)
            .map(|i| {
                let e = encode_update(&params, &update(dim, i), &mut r).unwrap();
                encrypt(&params, &e, &mut r).unwrap()
            })
            .unzip();
        Round { params, contributions, seeds }
    }

    fn list(&self) -> Vec<&Contribution> {
        self.contributions.iter().collect()
    }

    /// Member `member`'s share of the list of 100.
    fn share(&self, member: u16) -> MemberShare {
        let mut s = MemberShare::new(&self.params, member).unwrap();
        let held = self.params.committee().held_sets(member);
        for client in &self.seeds {
            let mine: Vec<KeySeed> = held
                .iter()
                .map(|&t| KeySeed::from_bytes(t, client[usize::from(t)].to_bytes().as_ref()))
                .collect::<Result<_, _>>()
                .unwrap();
            s.add_client(&mine).unwrap();
        }
        s
    }
}

fn plain_sum_into(acc: &mut [u64], offset: usize, vectors: &[Vec<u64>]) {
    for v in vectors {
        for (a, x) in acc.iter_mut().zip(&v[offset..]) {
            *a = a.wrapping_add(*x);
        }
    }
}

fn bench_sum(c: &mut Criterion) {
    let mut g = group(c, "agg/sum");
    for dim in [100_000, 1_000_000] {
        let round = Round::new(dim, 2);
        let p = &round.params;
        let list = round.list();
        let plain: Vec<Vec<u64>> = (0..CLIENTS)
            .map(|i| (0..dim as u64).map(|j| j.wrapping_mul(0x9e37_79b9) ^ i as u64).collect())
            .collect();
        let id = format!("{dim}x{CLIENTS}");
        g.throughput(Throughput::Elements((dim * CLIENTS) as u64));
        g.bench_function(BenchmarkId::new("plaintext u64 sum, 1 thread", &id), |b| {
            b.iter(|| {
                let mut acc = vec![0u64; dim];
                plain_sum_into(&mut acc, 0, black_box(&plain));
                black_box(acc)
            })
        });
        g.bench_function(BenchmarkId::new("plaintext u64 sum, 2 threads (floor)", &id), |b| {
            b.iter(|| {
                let mut acc = vec![0u64; dim];
                let half = dim / 2;
                let (left, right) = acc.split_at_mut(half);
                std::thread::scope(|s| {
                    s.spawn(|| plain_sum_into(right, half, black_box(&plain)));
                    plain_sum_into(left, 0, black_box(&plain));
                });
                black_box(acc)
            })
        });
        g.bench_function(BenchmarkId::new("gradseal recompute_aggregate", &id), |b| {
            b.iter(|| black_box(recompute_aggregate(p, black_box(&list)).unwrap()))
        });
        g.bench_function(BenchmarkId::new("gradseal Aggregate::add", &id), |b| {
            b.iter(|| {
                let mut agg = Aggregate::new(p);
                for u in black_box(&list) {
                    agg.add(p, u).unwrap();
                }
                black_box(agg)
            })
        });
        drop(plain);
        if PRIO_DIMS.contains(&dim) {
            let vdaf = prio(dim);
            let shares = vdaf.shard(PRIO_CTX, &prio_measurement(dim), &[1; 16]).unwrap();
            let out = prio_verify(&vdaf, &[1; 16], &shares);
            let outs: Vec<_> = (0..CLIENTS).map(|_| out.clone()).collect();
            g.bench_function(BenchmarkId::new("prio3sumvec aggregate (1 aggregator)", &id), |b| {
                b.iter_batched(
                    || outs.clone(),
                    |outs| black_box(vdaf.aggregate(&(), outs).unwrap()),
                    BatchSize::PerIteration,
                )
            });
        }
    }
    g.finish();
}

fn bench_member(c: &mut Criterion) {
    let mut g = group(c, "agg/member");
    let quorum = MemberSet::all(COMMITTEE);
    for dim in DIMS {
        let p = params(dim);
        // Member 0 holds one set (3-of-3): one seed per client.
        let set = p.committee().held_sets(0)[0];
        let seeds: Vec<KeySeed> =
            (0..CLIENTS).map(|i| KeySeed::from_bytes(set, &[i as u8; SEED_LEN]).unwrap()).collect();
        let mut r = rng(3);
        let fresh = || {
            let mut s = MemberShare::new(&p, 0).unwrap();
            for seed in &seeds {
                s.add_client(std::slice::from_ref(seed)).unwrap();
            }
            s
        };
        g.throughput(Throughput::Elements(dim as u64));
        g.bench_function(BenchmarkId::new("gradseal 100 seeds + partial_decrypt", dim), |b| {
            b.iter(|| black_box(fresh().partial_decrypt(&p, quorum, &mut r).unwrap()))
        });
        // A share decrypts once: each iteration gets a fresh one, made outside the timing.
        g.bench_function(BenchmarkId::new("gradseal partial_decrypt", dim), |b| {
            b.iter_batched(
                fresh,
                |share| black_box(share.partial_decrypt(&p, quorum, &mut r).unwrap()),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn bench_combine(c: &mut Criterion) {
    let mut g = group(c, "agg/combine");
    for dim in DIMS {
        let round = Round::new(dim, 4);
        let p = &round.params;
        let aggregate = recompute_aggregate(p, &round.list()).unwrap();
        let mut r = rng(5);
        let quorum = MemberSet::all(COMMITTEE);
        let partials: Vec<PartialDecryption> = (0..COMMITTEE)
            .map(|m| round.share(m).partial_decrypt(p, quorum, &mut r).unwrap())
            .collect();
        let sum = combine(p, &aggregate, &partials).expect("the bench round decrypts");
        assert_eq!(sum.count, CLIENTS as u32);
        g.throughput(Throughput::Elements(dim as u64));
        g.bench_function(BenchmarkId::new("gradseal combine (k=3)", dim), |b| {
            b.iter(|| black_box(combine(p, &aggregate, black_box(&partials)).unwrap()))
        });
        if PRIO_DIMS.contains(&dim) {
            let vdaf = prio(dim);
            let shares = vdaf.shard(PRIO_CTX, &prio_measurement(dim), &[2; 16]).unwrap();
            g.bench_function(BenchmarkId::new("prio3sumvec verify (2 aggregators)", dim), |b| {
                b.iter(|| black_box(prio_verify(&vdaf, &[2; 16], black_box(&shares))))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench_client, bench_sum, bench_member, bench_combine);
criterion_main!(benches);
