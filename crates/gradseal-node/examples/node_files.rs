//! Key files, peer bindings and `inspect` without the command line: a KGC enrols a node
//! (authorising exactly that identity), the key files and the node's peer binding are
//! written and read back, protocol messages are wrapped as gradseal-net message streams, and
//! everything is described as `gradseal inspect` would.
//!
//! Run: `cargo run -p gradseal-node --example node_files`
//! With `--corpus DIR` it also writes fuzz seeds (key files, then one message stream per
//! message kind: the target decodes key files and runs `describe`) to `DIR/node_keyfile/`
//! (the committed corpus comes from
//! `cargo run -p gradseal-node --example node_files -- --corpus fuzz/corpus`).

#![allow(clippy::print_stdout, clippy::panic)] // an example prints what it shows

use std::path::PathBuf;

use chacha20::ChaCha20Rng;
use gradseal_clsc::{EnrolmentRegistry, Identity, Kgc, NodeSecretSeed};
use gradseal_core::hash;
use gradseal_net::codec::encode_all;
use gradseal_node::inspect::describe;
use gradseal_node::keyfile::{KeyFile, binding_of, enrol_locally};
use gradseal_protocol::sim::{self, RoundPlan};
use gradseal_protocol::{DEFAULT_MIN_CLIENTS, GradsealSuite, GradsealSystem, RoundId, ShardLayout};
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
    let binding = binding_of(&keys, &mut rng)?;
    let identity = Identity::new(b"client-1".to_vec())?;
    let mut policy = EnrolmentRegistry::new([identity.clone()]);
    let seed = NodeSecretSeed::generate(identity, &mut rng);
    let secret = seed.secret()?;
    let request = secret.request(kgc.public(), &mut rng);
    let partial = kgc.issue_authorised(&request, &mut policy, &mut rng)?;
    let files = vec![
        KeyFile::Binding(binding),
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

    // Real protocol messages of a small round (production suite), as gradseal-net streams.
    let plan = RoundPlan {
        round: RoundId(1),
        clients: 3,
        members: 2,
        privacy_threshold: 1,
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
    let mut stream_seeds = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for d in s.log.take().unwrap_or_default() {
        // One seed per message kind (the first byte).
        if kinds.insert(d.payload.first().copied()) {
            let stream = encode_all(&d.payload);
            if stream_seeds.is_empty() {
                println!("{}", describe(&stream)?);
            }
            stream_seeds.push(stream);
        }
    }
    println!("{} message kinds as streams", stream_seeds.len());

    if let Some(dir) = corpus {
        let d = dir.join("node_keyfile");
        std::fs::create_dir_all(&d)?;
        for (i, s) in keyfile_seeds.iter().chain(&stream_seeds).enumerate() {
            std::fs::write(d.join(format!("seed-{i}")), s)?;
        }
        println!("wrote {} seeds to {}", keyfile_seeds.len() + stream_seeds.len(), d.display());
    }
    Ok(())
}
