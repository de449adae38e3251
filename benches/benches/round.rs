//! A whole gradseal round in memory, scheme v2 (gradseal-protocol's sans-IO roles over the
//! production suite, `GradsealSuite`): 10 and 100 clients × 10^5 parameters of 16 bits,
//! 3 committee members, 6 relays, (4, 2) sharding; beside it, in the same run, the floor: a
//! plaintext sum of the same updates.
//!
//! Two drivers: `Sim::run` delivers one message at a time on one thread (FIFO: the time is the
//! sum of every node's CPU time); `Sim::run_parallel` on 2 threads delivers each batch of
//! messages to different nodes in parallel, as separate machines would process them (the wall
//! time of a round on this machine). A round runs from the queued announcement to quiet:
//! clients' contributions (encode, encrypt, seal the seeds, sign, signcrypt, shard), relays,
//! the aggregator (rebuild, open, check, sum, transcript and member lists), members (list
//! check, signed agreement), the aggregator's quorum certificate, members (seed expansions,
//! one partial decryption each), the aggregator's combine, the observer's audit and the
//! clients' result checks. Building the nodes (key parsing) is part of each iteration and is
//! printed separately by the instrumented run.
//!
//! Before the criterion groups, one instrumented FIFO run per size prints the CPU time spent
//! in each role's handlers (clients all together, aggregator, members together, observer,
//! relays, authority) and the bytes each client uploads (every message a client sends: its
//! shards to the relays).
//!
//! The `committee` group is issue 16's comparison at 100 clients × 10^5 parameters: the
//! n-of-n committee (n, f) = (3, 2) with every member alive against the t-of-n committee
//! (5, 2) (quorum 4) with its last member killed (a node that receives and sends nothing,
//! from the announcement on). Both rounds must give the exact plaintext sum, audited, which
//! the instrumented run checks once outside the timed loop; it prints, for both side by
//! side, the CPU per role and the bytes each role sends and is sent.
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
use gradseal_protocol::sim::{self, AGGREGATOR, OBSERVER, RoundPlan};
use gradseal_protocol::{
    Event, GradsealSuite, GradsealSystem, Millis, NodeId, Role, RoundId, ShardLayout, Transmit,
};
use rand_core::{Rng, SeedableRng};

const DIMENSION: u32 = 100_000;
const RELAYS: usize = 6;
const LAYOUT: ShardLayout = ShardLayout { data: 4, parity: 2 };
/// Threads of the batched driver (the machine's cores).
const THREADS: usize = 2;

/// A committee: n members, privacy threshold f, and how many of its last members are killed.
#[derive(Debug, Clone, Copy)]
struct Shape {
    members: usize,
    threshold: u32,
    killed: usize,
}

impl Shape {
    fn quorum(self) -> usize {
        (self.members + self.threshold as usize) / 2 + 1
    }

    fn label(self) -> String {
        let (n, f) = (self.members, self.threshold);
        match self.killed {
            0 if f as usize + 1 == n => format!("({n},{f}) n-of-n"),
            0 => format!("({n},{f})"),
            k => format!("({n},{f}) {k} killed"),
        }
    }
}

/// The default committee of the `round` group: n-of-n, f = n − 1.
const NOFN: Shape = Shape { members: 3, threshold: 2, killed: 0 };
/// Issue 16's t-of-n committee with one member killed (quorum 4 of the 4 left).
const TOFN_ONE_KILLED: Shape = Shape { members: 5, threshold: 2, killed: 1 };

fn seed(label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v2/benches/round/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
}

struct Setup {
    plan: RoundPlan,
    shape: Shape,
    sys: GradsealSystem,
    keys: BTreeMap<(String, usize), Vec<u8>>,
    kgc_public: KgcPublic,
    updates: Vec<Vec<i64>>,
}

fn setup(clients: usize, shape: Shape) -> Setup {
    let plan = RoundPlan {
        round: RoundId(1),
        clients,
        members: shape.members,
        privacy_threshold: shape.threshold,
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
        ("member", shape.members),
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
    Setup { plan, shape, sys, keys, kgc_public: *kgc.public(), updates }
}

fn key(s: &Setup, label: &str, i: usize) -> NodeKeys {
    NodeKeys::from_secret_bytes(&s.kgc_public, &s.keys[&(label.to_string(), i)]).unwrap()
}

/// The round's nodes, the last `shape.killed` members replaced by [`sim::Offline`] nodes.
fn build(s: &Setup) -> sim::Sim {
    let mut sim =
        sim::build::<GradsealSuite>(&s.plan, &s.sys, |l, i| key(s, l, i), seed, s.updates.clone())
            .unwrap();
    let dead: Vec<NodeId> =
        (s.shape.members - s.shape.killed..s.shape.members).map(sim::member).collect();
    if !dead.is_empty() {
        sim.map_nodes(|id, n| if dead.contains(&id) { Box::new(sim::Offline) } else { n });
    }
    sim
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
    fn paused_senders(&self) -> &[NodeId] {
        self.inner.paused_senders()
    }
}

/// The roles, in table order.
const ROLES: [&str; 6] = ["authority", "aggregator", "observer", "members", "relays", "clients"];

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

/// What one instrumented FIFO round measured.
struct Phases {
    build: Duration,
    wall: Duration,
    /// CPU time in each role's handlers.
    cpu: BTreeMap<&'static str, Duration>,
    /// Bytes each node sent (every transmit, as logged).
    sent: BTreeMap<NodeId, u64>,
    /// Bytes sent to each node (to a killed member too: it is sent them, and drops them).
    received: BTreeMap<NodeId, u64>,
    /// The certified quorum (bit j = member j).
    quorum: u64,
    /// Contributions the observer's audit counted.
    audited: u32,
}

impl Phases {
    fn sent_by(&self, role: &str) -> u64 {
        self.sent.iter().filter(|(id, _)| role_of(**id) == role).map(|(_, b)| b).sum()
    }
    fn sent_to(&self, role: &str) -> u64 {
        self.received.iter().filter(|(id, _)| role_of(**id) == role).map(|(_, b)| b).sum()
    }
}

/// One instrumented FIFO round: CPU time per role and bytes per node; checks the sum
/// against the plaintext sum, that the observer's audit passed for every client and that a
/// quorum of the committee's size was certified.
fn measure(s: &Setup) -> Phases {
    let mut totals: BTreeMap<&'static str, Arc<Mutex<Duration>>> = BTreeMap::new();
    let build_start = Instant::now();
    let mut sim = build(s);
    let build = build_start.elapsed();
    sim.log = Some(Vec::new());
    sim.map_nodes(|id, n| {
        let total = Arc::clone(totals.entry(role_of(id)).or_default());
        Box::new(Timed { inner: n, total })
    });
    let start = Instant::now();
    assert!(sim.run(10_000_000));
    let wall = start.elapsed();
    assert_eq!(sum_of(&sim), plaintext_sum(&s.updates), "{}: exact sum", s.shape.label());
    let audited = sim
        .events_of(OBSERVER)
        .find_map(|e| match e {
            Event::AuditPassed { count } => Some(*count),
            _ => None,
        })
        .expect("audit passes");
    assert_eq!(audited as usize, s.plan.clients, "{}: every client audited", s.shape.label());
    let quorum = sim
        .events_of(AGGREGATOR)
        .find_map(|e| match e {
            Event::Certified { quorum } => Some(*quorum),
            _ => None,
        })
        .expect("quorum certified");
    assert_eq!(quorum.count_ones() as usize, s.shape.quorum());
    let mut sent = BTreeMap::new();
    let mut received = BTreeMap::new();
    for d in sim.log.as_ref().unwrap() {
        *sent.entry(d.from).or_default() += d.payload.len() as u64;
        *received.entry(d.to).or_default() += d.payload.len() as u64;
    }
    let cpu = totals.iter().map(|(r, t)| (*r, *t.lock().unwrap())).collect();
    Phases { build, wall, cpu, sent, received, quorum, audited }
}

fn nodes_of(s: &Setup, role: &str) -> usize {
    match role {
        "members" => s.shape.members,
        "relays" => RELAYS,
        "clients" => s.plan.clients,
        _ => 1,
    }
}

/// The instrumented round of the `round` group: CPU per role and the upload per client.
fn phase_table(s: &Setup) {
    let p = measure(s);
    let n = s.plan.clients as u64;
    println!(
        "\nround: {n} clients x {DIMENSION} parameters of 16 bits, {} members, \
         {RELAYS} relays, ({},{}), FIFO driver, instrumented",
        s.shape.members, LAYOUT.data, LAYOUT.parity
    );
    println!("  {:<22} {:>12}", "role (CPU in handlers)", "time");
    println!("  {:<22} {:>12.3?}", "build nodes", p.build);
    for (role, t) in &p.cpu {
        println!("  {:<22} {:>12.3?}", role, t);
    }
    println!("  {:<22} {:>12.3?}", "whole round", p.wall);
    let up = p.sent_by("clients");
    println!(
        "  upload per client: {} bytes ({:.3} B/parameter, shards included)",
        up / n,
        up as f64 / n as f64 / f64::from(DIMENSION)
    );
}

/// Instrumented rounds and batched rounds of each committee, interleaved (A, B, A, B, …)
/// so that a change of the machine's load falls on both alike.
const REPEATS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Issue 16's comparison, side by side: `REPEATS` instrumented FIFO rounds of each committee
/// (CPU per role: the least of the repeats, the least disturbed by other processes; bytes
/// per role, sent and sent to, in all and per node; the bytes of each member), then
/// `REPEATS` batched rounds of each (the sum checked every time).
fn committee_table(setups: &[Setup]) {
    let mut runs: Vec<Vec<Phases>> = setups.iter().map(|_| Vec::new()).collect();
    for _ in 0..REPEATS {
        for (s, r) in setups.iter().zip(&mut runs) {
            r.push(measure(s));
        }
    }
    let mut batched: Vec<Vec<Duration>> = setups.iter().map(|_| Vec::new()).collect();
    for _ in 0..REPEATS {
        for (s, r) in setups.iter().zip(&mut batched) {
            let t = Instant::now();
            assert_eq!(run_round(s, THREADS), plaintext_sum(&s.updates));
            r.push(t.elapsed());
        }
    }
    for r in &runs {
        assert!(r.iter().all(|p| p.sent == r[0].sent), "bytes differ between repeats");
    }
    let clients = setups[0].plan.clients;
    println!(
        "\ncommittee: {clients} clients x {DIMENSION} parameters of 16 bits, {RELAYS} relays, \
         ({},{}); {REPEATS} instrumented FIFO rounds and {REPEATS} batched rounds of each, \
         interleaved; exact sum, audit of every client and quorum checked in each",
        LAYOUT.data, LAYOUT.parity
    );
    let row = |name: &str, cells: Vec<String>| {
        let mut line = format!("  {name:<36}");
        for c in cells {
            line.push_str(&format!(" {c:>28}"));
        }
        println!("{line}");
    };
    let per = |f: &dyn Fn(&Setup, &[Phases]) -> String| -> Vec<String> {
        setups.iter().zip(&runs).map(|(s, r)| f(s, r)).collect()
    };
    row("", setups.iter().map(|s| s.shape.label()).collect());
    row(
        "quorum q; certified set (bit j)",
        per(&|s, r| format!("{}; {:#07b}", s.shape.quorum(), r[0].quorum)),
    );
    row("audited contributions", per(&|_, r| r[0].audited.to_string()));
    row(
        "build nodes (least)",
        per(&|_, r| format!("{:.3?}", r.iter().map(|p| p.build).min().unwrap())),
    );
    for role in ROLES {
        row(
            &format!("CPU {role} (least)"),
            per(&|_, r| {
                let t = r.iter().map(|p| p.cpu.get(role).copied().unwrap_or_default()).min();
                format!("{:.3?}", t.unwrap())
            }),
        );
    }
    row(
        "round, FIFO (least; median)",
        per(&|_, r| {
            let w: Vec<Duration> = r.iter().map(|p| p.wall).collect();
            format!("{:.3?}; {:.3?}", w.iter().min().unwrap(), median(w.clone()))
        }),
    );
    row(
        &format!("round, batched {THREADS} thr. (least; median)"),
        batched
            .iter()
            .map(|w| format!("{:.3?}; {:.3?}", w.iter().min().unwrap(), median(w.clone())))
            .collect(),
    );
    for role in ROLES {
        row(
            &format!("bytes sent by {role} (per node)"),
            per(&|s, r| {
                let b = r[0].sent_by(role);
                format!("{b} ({})", b / nodes_of(s, role) as u64)
            }),
        );
    }
    for role in ROLES {
        row(
            &format!("bytes sent to {role} (per node)"),
            per(&|s, r| {
                let b = r[0].sent_to(role);
                format!("{b} ({})", b / nodes_of(s, role) as u64)
            }),
        );
    }
    row(
        "upload per client (B/parameter)",
        per(&|s, r| {
            let up = r[0].sent_by("clients") as f64 / s.plan.clients as f64;
            format!("{} ({:.3})", up as u64, up / f64::from(DIMENSION))
        }),
    );
    row("bytes delivered in all", per(&|_, r| r[0].sent.values().sum::<u64>().to_string()));
    for (s, r) in setups.iter().zip(&runs) {
        let members: Vec<String> = (0..s.shape.members)
            .map(|j| {
                let id = sim::member(j);
                let out = r[0].sent.get(&id).copied().unwrap_or_default();
                let inb = r[0].received.get(&id).copied().unwrap_or_default();
                let dead = if j >= s.shape.members - s.shape.killed { ", killed" } else { "" };
                format!("{j}: {out} sent, {inb} sent to{dead}")
            })
            .collect();
        println!("  members of {}: {}", s.shape.label(), members.join("; "));
    }
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
        let s = setup(clients, NOFN);
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

/// Issue 16: (3, 2) n-of-n, every member alive, against (5, 2) with one member killed, at 100
/// clients × 10^5 parameters, both drivers, in one group.
fn bench_committee(c: &mut Criterion) {
    let clients = 100;
    let setups = [setup(clients, NOFN), setup(clients, TOFN_ONE_KILLED)];
    committee_table(&setups);
    let mut g = c.benchmark_group("committee");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(clients as u64 * u64::from(DIMENSION)));
    for s in &setups {
        let label = s.shape.label();
        g.bench_with_input(BenchmarkId::new("FIFO, 1 thread", &label), s, |b, s| {
            b.iter(|| run_round(s, 0))
        });
        g.bench_with_input(BenchmarkId::new("batched, 2 threads", &label), s, |b, s| {
            b.iter(|| run_round(s, THREADS))
        });
    }
    g.finish();
}

criterion_group!(benches, bench, bench_committee);
criterion_main!(benches);
