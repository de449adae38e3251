//! Key files, frames and `inspect` without the command line: a KGC enrols a node, the key
//! files are written and read back, a protocol message is framed for TCP, and everything is
//! described as `gradseal inspect` would.
//!
//! Run: `cargo run -p gradseal-node --example node_files`
//! With `--corpus DIR` it also writes fuzz seeds to `DIR/node_frame/` and
//! `DIR/node_keyfile/` (the committed corpora come from
//! `cargo run -p gradseal-node --example node_files -- --corpus fuzz/corpus`).

#![allow(clippy::print_stdout, clippy::panic)] // an example prints what it shows

use std::path::PathBuf;

use chacha20::ChaCha20Rng;
use gradseal_clsc::{Identity, Kgc, NodeSecretSeed};
use gradseal_core::hash;
use gradseal_node::frame::Frame;
use gradseal_node::inspect::describe;
use gradseal_node::keyfile::{KeyFile, enrol_locally};
use gradseal_protocol::sim::{self, RoundPlan};
use gradseal_protocol::{
    DEFAULT_MIN_CLIENTS, GradsealSuite, GradsealSystem, NodeId, RoundId, ShardLayout,
};
use rand_core::SeedableRng;

fn seed_of(label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v1/node/example/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = std::env::args().skip_while(|a| a != "--corpus").nth(1).map(PathBuf::from);

    // Fixed seed: the example (and the corpus) are reproducible.
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let kgc = Kgc::generate(&mut rng);
    let keys = enrol_locally(&kgc, "client-0", &mut rng)?;
    let seed = NodeSecretSeed::generate(Identity::new(b"client-1".to_vec())?, &mut rng);
    let secret = seed.secret()?;
    let request = secret.request(kgc.public(), &mut rng);
    let partial = kgc.issue(&request, &mut rng)?;
    let files = vec![
        KeyFile::KgcPublic(*kgc.public()),
        KeyFile::Bundle(keys.bundle().clone()),
        KeyFile::NodeSecret(seed),
        KeyFile::Request(request),
        KeyFile::Partial(partial),
        KeyFile::NodeKeys(keys),
        KeyFile::KgcSecret(kgc),
    ];
    let mut keyfile_seeds = Vec::new();
    for f in &files {
        let bytes = f.to_bytes();
        // Every file decodes back to the same bytes.
        assert_eq!(&KeyFile::from_bytes(&bytes)?.to_bytes()[..], &bytes[..]);
        println!("{}", describe(&bytes)?);
        keyfile_seeds.push(bytes.to_vec());
    }

    // Real protocol messages of a small round (production suite), framed for TCP.
    let plan = RoundPlan {
        round: RoundId(1),
        clients: 3,
        members: 2,
        relays: 3,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: 4,
        bits: 8,
        min_clients: DEFAULT_MIN_CLIENTS,
    };
    let round_kgc = Kgc::generate(&mut ChaCha20Rng::from_seed([43; 32]));
    let sys = GradsealSystem { kgc: *round_kgc.public() };
    let key = |label: &str, i: usize| {
        let mut rng = ChaCha20Rng::from_seed(seed_of(label, i));
        enrol_locally(&round_kgc, &format!("{label}-{i}"), &mut rng)
            .unwrap_or_else(|e| panic!("enrolment of {label}-{i}: {e}"))
    };
    let updates = vec![vec![1, -2, 3, -4]; 3];
    let mut s = sim::build::<GradsealSuite>(&plan, &sys, key, seed_of, updates)?;
    s.log = Some(Vec::new());
    s.run(10_000);
    let mut frame_seeds = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for d in s.log.take().unwrap_or_default() {
        // One seed per message kind (the first byte).
        if kinds.insert(d.payload.first().copied()) {
            let frame = Frame::encode(d.from, &d.payload)?;
            if frame_seeds.is_empty() {
                println!("{}", describe(&frame)?);
            }
            frame_seeds.push(frame);
        }
    }
    frame_seeds.push(Frame::encode(NodeId(7), b"")?);
    println!("{} message kinds framed", frame_seeds.len() - 1);

    if let Some(dir) = corpus {
        for (target, seeds) in [("node_frame", &frame_seeds), ("node_keyfile", &keyfile_seeds)] {
            let d = dir.join(target);
            std::fs::create_dir_all(&d)?;
            for (i, s) in seeds.iter().enumerate() {
                std::fs::write(d.join(format!("seed-{i}")), s)?;
            }
            println!("wrote {} seeds to {}", seeds.len(), d.display());
        }
    }
    Ok(())
}
