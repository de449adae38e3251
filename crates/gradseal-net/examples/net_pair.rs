//! Two nodes on 127.0.0.1: enrol both under one KGC, bind each libp2p PeerId to its node key,
//! exchange a small message each way and stream a larger one chunk by chunk.
//!
//! ```sh
//! cargo run --release -p gradseal-net --example net_pair            # QUIC, 16 MB
//! cargo run --release -p gradseal-net --example net_pair -- tcp 64  # TCP+Noise+Yamux, 64 MB
//! ```
#![allow(clippy::print_stdout)]

use std::time::Instant;

use gradseal_clsc::{EnrolmentRegistry, Identity, Kgc, NodeKeys, NodeSecret};
use gradseal_net::{Inbound, Net, NetConfig, NetIdentity, PeerTable, TransportKind};
use rand_core::SeedableRng;

fn enrol(
    kgc: &Kgc,
    name: &str,
    rng: &mut chacha20::ChaCha20Rng,
) -> Result<NodeKeys, Box<dyn std::error::Error>> {
    let identity = Identity::new(name)?;
    // The KGC enrols only identities its operator authorised (here: this one, once).
    let mut registry = EnrolmentRegistry::new([identity.clone()]);
    let secret = NodeSecret::generate(identity, rng);
    Ok(kgc.enrol_in_process(&secret, &mut registry, rng)?)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = match args.first().map(String::as_str) {
        Some("tcp") => TransportKind::Tcp,
        _ => TransportKind::Quic,
    };
    let mb: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(16);

    // Enrolment (normally offline, with key files) and the PeerId bindings.
    let mut rng = chacha20::ChaCha20Rng::from_seed([42; 32]);
    let kgc = Kgc::generate(&mut rng);
    let (alice_keys, bob_keys) = (enrol(&kgc, "alice", &mut rng)?, enrol(&kgc, "bob", &mut rng)?);
    let alice_id = NetIdentity::generate(1, &mut rng)?;
    let bob_id = NetIdentity::generate(2, &mut rng)?;
    let alice_binding = alice_id.bind(&alice_keys, &mut rng);
    let bob_binding = bob_id.bind(&bob_keys, &mut rng);
    println!("alice = node 1 = {}", alice_id.peer_id());
    println!("bob   = node 2 = {}", bob_id.peer_id());

    // Start both on free ports, then give each the table of both (verifies the bindings).
    let mut config = NetConfig::new(kind, "127.0.0.1:0".parse()?);
    config.limits.max_whole_message_len = 1 << 20; // above 1 MiB: streamed to the consumer
    let empty = PeerTable::new(*kgc.public());
    let (alice, _alice_rx) = Net::start(config.clone(), alice_id, empty.clone()).await?;
    let (bob, mut bob_rx) = Net::start(config, bob_id, empty).await?;
    let mut table = PeerTable::new(*kgc.public());
    table.insert(1, alice_keys.bundle().clone(), alice_binding, alice.listen_addrs())?;
    table.insert(2, bob_keys.bundle().clone(), bob_binding, bob.listen_addrs())?;
    alice.set_peers(table.clone()).await?;
    bob.set_peers(table).await?;
    println!("{kind:?}: alice on {:?}, bob on {:?}", alice.listen_addrs(), bob.listen_addrs());

    alice.send(2, b"hello bob").await?;
    if let Some(Inbound::Message(m)) = bob_rx.recv().await {
        println!("bob got {:?} from node {}", String::from_utf8_lossy(m.bytes()), m.from());
    }

    let big: Vec<u8> = (0..mb << 20).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect();
    let started = Instant::now();
    let sender = tokio::spawn({
        let alice = alice.clone();
        async move { alice.send(2, &big).await }
    });
    let Some(Inbound::Stream(mut reader)) = bob_rx.recv().await else {
        return Err("expected a streamed message".into());
    };
    let (mut n, mut sum) = (0u64, 0u64);
    while let Some(chunk) = reader.next_chunk().await? {
        n += chunk.len() as u64;
        sum = chunk.iter().fold(sum, |s, &b| s.wrapping_mul(31).wrapping_add(u64::from(b)));
    }
    sender.await??;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "bob streamed {n} bytes from node {} in {secs:.2} s ({:.0} MB/s), checksum {sum:016x}",
        reader.from(),
        n as f64 / secs / 1e6
    );
    println!("bob's counters: {:?}", bob.stats());
    alice.shutdown().await;
    bob.shutdown().await;
    Ok(())
}
