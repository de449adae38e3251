//! A whole gradseal round in memory, scheme v2 (gradseal-protocol's sans-IO roles over the
//! production suite, `GradsealSuite`): 10 and 100 clients × 10^5 parameters of 16 bits,
//! 3 committee members, 6 relays, (4, 2) sharding; beside it, in the same run, the floor: a
//! plaintext sum of the same updates.
//!
//! Two drivers: `Sim::run` delivers one message at a time on one thread (FIFO: the time is the
//! sum of every node's CPU time); `Sim::run_parallel` on 2 threads delivers each batch of
//! messages to different nodes in parallel, as separate machines would process them (the wall
//! time of a round on this machine). A round runs from the queued announcement to quiet:
//! clients' contributions (encode, encrypt, seal k seeds, sign, signcrypt, shard), relays,
//! the aggregator (rebuild, open, check, sum, transcript and member lists), members (list
//! check, seed expansions, one partial decryption each), the aggregator's combine, the
//! observer's audit and the clients' result checks. Building the nodes (key parsing) is part
//! of each iteration and is printed separately by the instrumented run.
//!
//! Before the criterion groups, one instrumented FIFO run per size prints the CPU time spent
//! in each role's handlers (clients all together, aggregator, members together, observer,
//! relays, authority) and the bytes each client uploads (every message a client sends: its
//! shards to the relays).
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
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chacha20::ChaCha20Rng;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gradseal_clsc::{EnrolmentRegistry, Identity, Kgc, KgcPublic, NodeKeys, NodeSecret};
use gradseal_core::hash;
use gradseal_protocol::sim::{self, AGGREGATOR, RoundPlan};
use gradseal_protocol::{
    Event, GradsealSuite, GradsealSystem, Millis, NodeId, Role, RoundId, ShardLayout, Transmit,
};
use rand_core::{Rng, SeedableRng};

const DIMENSION: u32 = 100_000;
const MEMBERS: usize = 3;
/// n-of-n: f = n − 1.
const MEMBERS_THRESHOLD: u32 = 2;
const RELAYS: usize = 6;
const LAYOUT: ShardLayout = ShardLayout { data: 4, parity: 2 };
/// Threads of the batched driver (the machine's cores).
const THREADS: usize = 2;

fn seed(label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v2/benches/round/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
}

struct Setup {
    plan: RoundPlan,
    sys: GradsealSystem,
    keys: BTreeMap<(String, usize), Vec<u8>>,
    kgc_public: KgcPublic,
    updates: Vec<Vec<i64>>,
}

fn setup(clients: usize) -> Setup {
    let plan = RoundPlan {
        round: RoundId(1),
        clients,
        members: MEMBERS,
        privacy_threshold: MEMBERS_THRESHOLD,
        relays: RELAYS,
        layout: LAYOUT,
        dimension: DIMENSION,
        bits: 16,
        min_clients: u32::try_from(clients / 2).unwrap(),
    };
    let nodes = [
        ("authority", 1),
        ("aggregator", 1),
        ("observer", 1),
        ("member", MEMBERS),
        ("relay", RELAYS),
        ("client", clients),
    ];
    let identity = |label: &str, i: usize| Identity::new(format!("{label}-{i}")).unwrap();
    let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed(seed("kgc", 0)));
    let mut registry = EnrolmentRegistry::new(
        nodes.iter().flat_map(|&(label, n)| (0..n).map(move |i| identity(label, i))),
    );
    let sys = GradsealSystem { kgc: *kgc.public() };
    let mut keys = BTreeMap::new();
    for (label, n) in nodes {
        for i in 0..n {
            let mut rng = ChaCha20Rng::from_seed(seed(label, i));
            let secret = NodeSecret::generate(identity(label, i), &mut rng);
            let k = kgc.enrol_in_process(&secret, &mut registry, &mut rng).unwrap();
            keys.insert((label.to_string(), i), k.to_secret_bytes().to_vec());
        }
    }
    // Already-quantized updates within 16 bits.
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
        .unwrap()
}

fn sum_of(sim: &sim::Sim) -> Vec<i64> {
    sim.events_of(AGGREGATOR)
        .find_map(|e| match e {
            Event::Completed(r) => Some(r.sum.clone()),
            _ => None,
        })
        .expect("round completes")
}

/// One round: `threads == 0` runs the one-message FIFO driver (every node on one thread:
/// the sum of all nodes' CPU time); otherwise the batched driver on that many threads
/// (nodes in parallel, as separate machines would be: wall time on this machine).
fn run_round(s: &Setup, threads: usize) -> Vec<i64> {
    let mut sim = build(s);
    let settled =
        if threads == 0 { sim.run(10_000_000) } else { sim.run_parallel(10_000_000, threads) };
    assert!(settled);
    sum_of(&sim)
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
    match id {
        sim::AUTHORITY => "authority",
        sim::AGGREGATOR => "aggregator",
        sim::OBSERVER => "observer",
        NodeId(10..=99) => "members",
        NodeId(100..=999) => "relays",
        _ => "clients",
    }
}

/// One instrumented FIFO round: CPU time per role and bytes per client; checks the sum.
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
    assert_eq!(sum_of(&sim), plaintext_sum(&s.updates));
    let log = sim.log.as_ref().unwrap();
    let up: u64 = log.iter().filter(|d| d.from.0 >= 1000).map(|d| d.payload.len() as u64).sum();
    let n = s.plan.clients as u64;
    println!(
        "\nround: {n} clients x {DIMENSION} parameters of 16 bits, {MEMBERS} members, \
         {RELAYS} relays, ({},{}), FIFO driver, instrumented",
        LAYOUT.data, LAYOUT.parity
    );
    println!("  {:<22} {:>12}", "role (CPU in handlers)", "time");
    println!("  {:<22} {:>12.3?}", "build nodes", build_time);
    for (role, t) in &totals {
        println!("  {:<22} {:>12.3?}", role, *t.lock().unwrap());
    }
    println!("  {:<22} {:>12.3?}", "whole round", wall);
    println!(
        "  upload per client: {} bytes ({:.3} B/parameter, shards included)",
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
        assert_eq!(run_round(&s, THREADS), plaintext_sum(&s.updates));
        println!("  whole round, batched driver on {THREADS} threads: {:.3?}", t.elapsed());
        g.throughput(Throughput::Elements(clients as u64 * u64::from(DIMENSION)));
        g.bench_with_input(BenchmarkId::new("gradseal[FIFO, 1 thread]", clients), &s, |b, s| {
            b.iter(|| run_round(s, 0))
        });
        g.bench_with_input(
            BenchmarkId::new("gradseal[batched, 2 threads]", clients),
            &s,
            |b, s| b.iter(|| run_round(s, THREADS)),
        );
        g.bench_with_input(BenchmarkId::new("plaintext-sum", clients), &s, |b, s| {
            b.iter(|| plaintext_sum(black_box(&s.updates)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
