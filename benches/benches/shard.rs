//! gradseal-shard against its floor and its peer, side by side on identical inputs:
//! - `rse-encode` / `rse-reconstruct`: raw reed-solomon-erasure (simd-accel), one call over
//!   whole shards, buffers preallocated: the floor (no authentication, one core);
//! - `rss-encode` / `rss-decode`: reed-solomon-simd 3 on the same shapes (the peer);
//! - `ours-encode+hash`: `gradseal_shard::encode` (stripe, RS, TurboSHAKE128 chunk digests,
//!   Merkle tree, proofs, fresh output buffers, both cores);
//! - `ours-encode+hash-recycled`: the same through `encode_reusing`, writing into the
//!   previous call's shard buffers (what a sender sharding one payload after another does;
//!   no page faults for fresh output memory);
//! - `ours-verify+reconstruct`: `gradseal_shard::decode` from the shards left after losing
//!   the first `m` (all data shards: the costliest rebuild), every shard verified, rebuilt
//!   codeword confirmed against the root; `-recycled`: the same through `decode_reusing`,
//!   rebuilding into the previous payload's buffer.
//!
//! Throughput is payload bytes per second. Run:
//! `cargo bench -p gradseal-benches --bench shard`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::cast_possible_truncation)]

use chacha20::ChaCha20Rng;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gradseal_shard::{Params, decode, decode_reusing, encode, encode_reusing};
use rand_core::{Rng, SeedableRng};
use reed_solomon_erasure::galois_8::ReedSolomon;
use std::time::Duration;

const SHAPES: [(usize, usize); 3] = [(4, 2), (10, 4), (32, 16)];
const SIZES: [(usize, &str); 3] = [(64 << 10, "64KiB"), (1 << 20, "1MiB"), (64 << 20, "64MiB")];

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let mut payload = vec![0u8; 64 << 20];
    rng.fill_bytes(&mut payload);
    for (k, m) in SHAPES {
        let mut g = c.benchmark_group(format!("shard/({k},{m})"));
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2));
        for (len, label) in SIZES {
            let payload = &payload[..len];
            g.throughput(Throughput::Bytes(len as u64));
            // Shards of the same total size as ours (one stripe, even length for rss).
            let size = len.div_ceil(k).next_multiple_of(64);
            let mut shards: Vec<Vec<u8>> = (0..k + m).map(|_| vec![0u8; size]).collect();
            for (j, s) in shards.iter_mut().take(k).enumerate() {
                let src = payload.get(j * size..len.min((j + 1) * size)).unwrap_or(&[]);
                s[..src.len()].copy_from_slice(src);
            }
            let rs = ReedSolomon::new(k, m).unwrap();
            g.bench_function(BenchmarkId::new("rse-encode", label), |b| {
                b.iter(|| rs.encode(&mut shards).unwrap());
            });
            rs.encode(&mut shards).unwrap();
            g.bench_function(BenchmarkId::new("rse-reconstruct", label), |b| {
                let mut work: Vec<(Vec<u8>, bool)> =
                    shards.iter().map(|s| (s.clone(), true)).collect();
                b.iter(|| {
                    for w in work.iter_mut().take(m) {
                        w.1 = false;
                    }
                    rs.reconstruct_data(&mut work).unwrap();
                });
            });
            g.bench_function(BenchmarkId::new("rss-encode", label), |b| {
                b.iter(|| reed_solomon_simd::encode(k, m, &shards[..k]).unwrap());
            });
            let recovery = reed_solomon_simd::encode(k, m, &shards[..k]).unwrap();
            g.bench_function(BenchmarkId::new("rss-decode", label), |b| {
                b.iter(|| {
                    let original = shards[..k].iter().enumerate().skip(m);
                    reed_solomon_simd::decode(k, m, original, recovery.iter().enumerate()).unwrap()
                });
            });
            let params = Params::new(k as u16, m as u16).unwrap();
            g.bench_function(BenchmarkId::new("ours-encode+hash", label), |b| {
                b.iter(|| encode(&params, payload).unwrap());
            });
            g.bench_function(BenchmarkId::new("ours-encode+hash-recycled", label), |b| {
                let mut recycled = encode(&params, payload).unwrap().1;
                b.iter(|| {
                    let (m, shards) =
                        encode_reusing(&params, payload, std::mem::take(&mut recycled)).unwrap();
                    recycled = shards;
                    m
                });
            });
            let (manifest, ours) = encode(&params, payload).unwrap();
            g.bench_function(BenchmarkId::new("ours-verify+reconstruct", label), |b| {
                b.iter(|| {
                    let out = decode(&manifest, ours.iter().skip(m).map(|s| s.as_ref())).unwrap();
                    assert_eq!(out.payload.len(), len);
                    out
                });
            });
            g.bench_function(BenchmarkId::new("ours-verify+reconstruct-recycled", label), |b| {
                let mut buffer = Vec::new();
                b.iter(|| {
                    let kept = ours.iter().skip(m).map(|s| s.as_ref());
                    let out = decode_reusing(&manifest, kept, std::mem::take(&mut buffer)).unwrap();
                    assert_eq!(out.payload.len(), len);
                    buffer = out.payload;
                });
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
