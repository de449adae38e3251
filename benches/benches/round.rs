//! A whole gradseal round in memory (gradseal-protocol's sans-IO roles, production suite,
//! FIFO scheduler): 10 and 100 clients × 10^5 parameters, 3 committee members, 6 relays,
//! (4, 2) sharding, no proofs; beside the floor, a plaintext sum of the same updates.
//!
//! Before the criterion groups, one instrumented run per size prints the time spent in each
//! role (clients: encode, encrypt, sign, signcrypt, shard; aggregator: rebuild, open,
//! check, sum, transcript, combine; members: verify transcript, partial decryption;
//! observer: audit) and the bytes each client uploads.
//!
//! `cargo bench -p gradseal-benches --bench round`

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chacha20::ChaCha20Rng;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gradseal_clsc::{Identity, Kgc, NodeKeys, NodeSecret};
use gradseal_core::hash;
use gradseal_protocol::sim::{self, AGGREGATOR, RoundPlan};
use gradseal_protocol::{
    Event, GradsealSuite, GradsealSystem, Millis, NodeId, ProofPolicy, Role, RoundId, ShardLayout,
    Transmit,
};
use rand_core::{Rng, SeedableRng};

const DIMENSION: u32 = 100_000;

fn seed(label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v1/benches/round/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
}

struct Setup {
    plan: RoundPlan,
    sys: GradsealSystem,
    keys: BTreeMap<(String, usize), Vec<u8>>,
    kgc_public: gradseal_clsc::KgcPublic,
    updates: Vec<Vec<i64>>,
}

fn setup(clients: usize) -> Setup {
    let plan = RoundPlan {
        round: RoundId(1),
        clients,
        members: 3,
        relays: 6,
        layout: ShardLayout { data: 4, parity: 2 },
        dimension: DIMENSION,
        bits: 16,
        min_clients: u32::try_from(clients / 2).unwrap(),
        policy: ProofPolicy::None,
    };
    let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed(seed("kgc", 0)));
    let sys = GradsealSystem { kgc: *kgc.public(), crs: None };
    let mut keys = BTreeMap::new();
    let mut enrol = |label: &str, i: usize| {
        let mut rng = ChaCha20Rng::from_seed(seed(label, i));
        let secret = NodeSecret::generate(Identity::new(format!("{label}-{i}")).unwrap(), &mut rng);
        let partial = kgc.issue(&secret.request(kgc.public(), &mut rng), &mut rng).unwrap();
        let k = secret.complete(kgc.public(), &partial).unwrap();
        keys.insert((label.to_string(), i), k.to_secret_bytes().to_vec());
    };
    for (label, n) in [
        ("authority", 1),
        ("aggregator", 1),
        ("observer", 1),
        ("member", 3),
        ("relay", 6),
        ("client", clients),
    ] {
        for i in 0..n {
            enrol(label, i);
        }
    }
    let mut rng = ChaCha20Rng::from_seed(seed("updates", 0));
    let updates = (0..clients)
        .map(|_| {
            (0..DIMENSION)
                .map(|_| i64::try_from(rng.next_u64() % 60_001).unwrap() - 30_000)
                .collect()
        })
        .collect();
    Setup { plan, sys, keys, kgc_public: *kgc.public(), updates }
}

fn key(s: &Setup, label: &str, i: usize) -> NodeKeys {
    NodeKeys::from_secret_bytes(&s.kgc_public, &s.keys[&(label.to_string(), i)]).unwrap()
}

fn build(s: &Setup) -> sim::Sim {
    sim::build::<GradsealSuite>(&s.plan, &s.sys, |l, i| key(s, l, i), seed, s.updates.clone())
}

/// One round: `threads == 0` runs the one-message FIFO driver (every node on one thread:
/// the sum of all nodes' CPU time); otherwise the batched driver on that many threads
/// (nodes in parallel, as separate machines would be: wall time on this machine).
fn run_round(s: &Setup, threads: usize) -> Vec<i64> {
    let mut sim = build(s);
    let settled =
        if threads == 0 { sim.run(10_000_000) } else { sim.run_parallel(10_000_000, threads) };
    assert!(settled);
    sim.events
        .iter()
        .find_map(|(n, e)| match e {
            Event::Completed(r) if *n == AGGREGATOR => Some(r.sum.clone()),
            _ => None,
        })
        .expect("round completes")
}

/// Wraps a node and adds the time spent in its handlers to a per-role total.
struct Timed {
    inner: Box<dyn Role>,
    total: Arc<Mutex<Duration>>,
}

impl Role for Timed {
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        let t = Instant::now();
        self.inner.handle_message(now, from, bytes);
        *self.total.lock().unwrap() += t.elapsed();
    }
    fn handle_timeout(&mut self, now: Millis) {
        let t = Instant::now();
        self.inner.handle_timeout(now);
        *self.total.lock().unwrap() += t.elapsed();
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.inner.poll_transmit()
    }
    fn poll_event(&mut self) -> Option<Event> {
        self.inner.poll_event()
    }
    fn poll_timeout(&self) -> Option<Millis> {
        self.inner.poll_timeout()
    }
}

fn role_of(id: NodeId) -> &'static str {
    match id.0 {
        0 => "authority",
        1 => "aggregator",
        2 => "observer",
        10..=99 => "members",
        100..=999 => "relays",
        _ => "clients",
    }
}

/// One instrumented round: time per role and bytes per client.
fn phase_table(s: &Setup) {
    let mut totals: BTreeMap<&'static str, Arc<Mutex<Duration>>> = BTreeMap::new();
    let build_start = Instant::now();
    let mut sim = build(s);
    let build_time = build_start.elapsed();
    sim.log = Some(Vec::new());
    sim.map_nodes(|id, n| {
        let total = Arc::clone(totals.entry(role_of(id)).or_default());
        Box::new(Timed { inner: n, total })
    });
    let start = Instant::now();
    assert!(sim.run(10_000_000));
    let wall = start.elapsed();
    let up: u64 = sim
        .log
        .as_ref()
        .unwrap()
        .iter()
        .filter(|d| d.from.0 >= 1000)
        .map(|d| d.payload.len() as u64)
        .sum();
    let n = s.plan.clients as u64;
    println!(
        "\nround: {} clients x {} parameters, 3 members, 6 relays, (4,2), no proofs",
        n, DIMENSION
    );
    println!("  {:<12} {:>12}", "phase/role", "time");
    println!("  {:<12} {:>12.3?}", "build+announce", build_time);
    for (role, t) in &totals {
        println!("  {:<12} {:>12.3?}", role, *t.lock().unwrap());
    }
    println!("  {:<12} {:>12.3?}", "whole round", wall);
    println!(
        "  upload per client: {} bytes ({:.2} B/parameter)",
        up / n,
        up as f64 / n as f64 / f64::from(DIMENSION)
    );
}

fn plaintext_sum(updates: &[Vec<i64>]) -> Vec<i64> {
    let mut sum = vec![0i64; updates[0].len()];
    for u in updates {
        for (s, v) in sum.iter_mut().zip(u) {
            *s += v;
        }
    }
    sum
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("round");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for clients in [10usize, 100] {
        let s = setup(clients);
        phase_table(&s);
        let t = Instant::now();
        assert_eq!(run_round(&s, 2), plaintext_sum(&s.updates));
        println!("  whole round, batched driver on 2 threads: {:.3?}", t.elapsed());
        g.throughput(Throughput::Bytes(clients as u64 * u64::from(DIMENSION) * 4));
        g.bench_with_input(BenchmarkId::new("gradseal[proofs=none]", clients), &s, |b, s| {
            b.iter(|| run_round(s, 0))
        });
        g.bench_with_input(
            BenchmarkId::new("gradseal[proofs=none, 2 threads]", clients),
            &s,
            |b, s| b.iter(|| run_round(s, 2)),
        );
        g.bench_with_input(BenchmarkId::new("plaintext-sum", clients), &s, |b, s| {
            b.iter(|| plaintext_sum(&s.updates))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
