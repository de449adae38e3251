//! A whole round in memory with the production suite (scheme v2): 20 clients, 3 committee
//! members, 6 relays, (4, 2) sharding, 1000 coordinates. Prints the phases, the bytes each
//! client uploads and each member receives, and the result.
//!
//! `cargo run --release -p gradseal-protocol --example protocol_round`

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use chacha20::ChaCha20Rng;
use gradseal_clsc::{EnrolmentRegistry, Identity, Kgc, NodeSecret};
use gradseal_core::Codec;
use gradseal_core::hash;
use gradseal_protocol::messages::Message;
use gradseal_protocol::sim::{self, AGGREGATOR, RoundPlan};
use gradseal_protocol::{Event, GradsealSuite, GradsealSystem, RoundId, ShardLayout};
use rand_core::{Rng, SeedableRng};

fn seed(label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v1/protocol/example/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
}

fn main() {
    let plan = RoundPlan {
        round: RoundId(1),
        clients: 20,
        members: 3,
        privacy_threshold: 2,
        relays: 6,
        layout: ShardLayout { data: 4, parity: 2 },
        dimension: 1000,
        bits: 16,
        min_clients: 10,
    };
    // Enrolment (before any round): the KGC issues a partial key to every node.
    let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed(seed("kgc", 0)));
    let sys = GradsealSystem { kgc: *kgc.public() };
    let key = |label: &str, i: usize| {
        let mut rng = ChaCha20Rng::from_seed(seed(label, i));
        let id = Identity::new(format!("{label}-{i}")).unwrap();
        // The KGC authorises this identity (a deployment's policy: an allow-list, a registry).
        let mut policy = EnrolmentRegistry::new([id.clone()]);
        let secret = NodeSecret::generate(id, &mut rng);
        kgc.enrol_in_process(&secret, &mut policy, &mut rng).unwrap()
    };
    // Already-quantized updates: integers of at most 15 bits (value = q / 1000).
    let mut rng = ChaCha20Rng::from_seed(seed("updates", 0));
    let updates: Vec<Vec<i64>> = (0..plan.clients)
        .map(|_| (0..1000).map(|_| (rng.next_u64() % 2001) as i64 - 1000).collect())
        .collect();
    let expected: Vec<i64> = (0..1000).map(|j| updates.iter().map(|u| u[j]).sum()).collect();

    let start = std::time::Instant::now();
    let mut s = sim::build::<GradsealSuite>(&plan, &sys, key, seed, updates).expect("valid plan");
    s.log = Some(Vec::new());
    assert!(s.run(1_000_000));
    println!(
        "round of {} clients x {} coordinates in {:?}",
        plan.clients,
        plan.dimension,
        start.elapsed()
    );
    for (node, e) in &s.events {
        match e {
            Event::TranscriptPublished { accepted, .. } => {
                println!("{node:?}: transcript with {accepted} contributions")
            }
            Event::Decrypted { .. } => {
                println!("{node:?}: checked its list, sent its partial decryption")
            }
            Event::AuditPassed { count } => {
                println!("{node:?}: audit passed ({count} contributions)")
            }
            _ => {}
        }
    }
    let result = s
        .events
        .iter()
        .find_map(|(n, e)| match e {
            Event::Completed(r) if *n == AGGREGATOR => Some(r.clone()),
            _ => None,
        })
        .expect("the round completes");
    assert_eq!(result.sum, expected);
    let log = s.log.as_ref().expect("logged");
    let bytes = |pred: &dyn Fn(&Message) -> bool| -> usize {
        log.iter()
            .filter(|d| Message::from_bytes(&d.payload).is_ok_and(|m| pred(&m)))
            .map(|d| d.payload.len())
            .sum()
    };
    // Every shard travels twice (client to relay, relay to aggregator).
    let shards = bytes(&|m| matches!(m, Message::Shard(_))) / 2;
    let lists = bytes(&|m| matches!(m, Message::List(_)));
    println!(
        "upload per client: {} B ({:.1} B per coordinate, (4, 2) sharding included); list per member: {} B",
        shards / plan.clients,
        shards as f64 / (plan.clients * 1000) as f64,
        lists / plan.members
    );
    println!("mean of coordinate 0: {:.4} (exact)", result.mean(1000)[0]);
}
