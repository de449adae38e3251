//! The driver's round bookkeeping without sockets: early messages, forged announcements,
//! replay after the announcement, and the bound on open rounds.

use chacha20::ChaCha20Rng;
use gradseal_clsc::Kgc;
use gradseal_core::Codec;
use gradseal_protocol::messages::Party;
use gradseal_protocol::{
    Announcement, Authority, DEFAULT_MIN_CLIENTS, GradsealSystem, Message, Millis, NodeConfig,
    NodeId, RoundId, RoundParams, ShardLayout,
};
use rand_core::SeedableRng;

use super::*;
use crate::config::{ClientSection, NetSection, Transport};
use crate::keyfile::{KeyFile, enrol_locally};

struct Fixture {
    node: Node,
    kgc: Kgc,
    authority: Vec<u8>,
    authority_key: zeroize::Zeroizing<Vec<u8>>,
    client: Vec<u8>,
    _dir: std::path::PathBuf,
}

fn fixture(name: &str) -> Fixture {
    fixture_with(name, ClientSection { update_seed: Some("11".repeat(32)), update_file: None })
}

fn fixture_with(name: &str, client_section: ClientSection) -> Fixture {
    let dir = std::env::temp_dir().join(format!("gradseal-driver-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let kgc = Kgc::generate(&mut rng);
    let auth = enrol_locally(&kgc, "authority", &mut rng).unwrap();
    let client = enrol_locally(&kgc, "client-0", &mut rng).unwrap();
    let (authority, client_bundle) = (auth.bundle().to_bytes(), client.bundle().to_bytes());
    KeyFile::KgcPublic(*kgc.public()).write(&dir.join("kgc.pub")).unwrap();
    KeyFile::Bundle(auth.bundle().clone()).write(&dir.join("authority.bundle")).unwrap();
    KeyFile::NodeKeys(client).write(&dir.join("client.key")).unwrap();
    let cfg = Config {
        role: RoleKind::Client,
        id: 1000,
        listen: "127.0.0.1:0".parse().unwrap(),
        key: dir.join("client.key"),
        kgc_public: dir.join("kgc.pub"),
        authority_bundle: dir.join("authority.bundle"),
        report: None,
        peers: Vec::new(),
        connect_at_start: Vec::new(),
        transport: Transport::Quic,
        net: NetSection::default(),
        client: Some(client_section),
        authority: None,
    };
    let node = Node::new(&cfg).unwrap();
    let authority_key = auth.to_secret_bytes();
    Fixture { node, kgc, authority, authority_key, client: client_bundle, _dir: dir }
}

/// A signed announcement of `round` naming the fixture's client.
fn announcement(f: &Fixture, round: u64, signer: &str) -> Vec<u8> {
    let mut rng = ChaCha20Rng::from_seed([u8::try_from(round % 256).unwrap(); 32]);
    let party = |name: &str, id: u32, rng: &mut ChaCha20Rng| Party {
        node: NodeId(id),
        bundle: enrol_locally(&f.kgc, name, rng).unwrap().bundle().to_bytes(),
    };
    let ann = Announcement {
        round: RoundId(round),
        params: RoundParams {
            model_version: 1,
            dimension: 8,
            bits: 16,
            scale: 1000,
            min_clients: DEFAULT_MIN_CLIENTS,
            contribution_deadline: Millis(1000),
            decryption_deadline: Millis(2000),
            shards: ShardLayout { data: 2, parity: 1 },
            privacy_threshold: 1,
        },
        aggregator: party("aggregator", 1, &mut rng),
        relays: vec![NodeId(100)],
        observers: vec![NodeId(0)],
        committee: vec![party("member-0", 10, &mut rng), party("member-1", 11, &mut rng)],
        roster: vec![
            Party { node: NodeId(1000), bundle: f.client.clone() },
            party("client-1", 1001, &mut rng),
            party("client-2", 1002, &mut rng),
        ],
        signature: Vec::new(),
    };
    let key = if signer == "authority" {
        NodeKeys::from_secret_bytes(f.kgc.public(), &f.authority_key).unwrap()
    } else {
        enrol_locally(&f.kgc, signer, &mut rng).unwrap()
    };
    let cfg = NodeConfig {
        sys: GradsealSystem { kgc: *f.kgc.public() },
        // A different signer than the configured authority gives a forged announcement.
        authority: if signer == "authority" {
            f.authority.clone()
        } else {
            key.bundle().to_bytes()
        },
        key,
        round: RoundId(round),
        seed: [1; 32],
    };
    let signed = Authority::<GradsealSuite>::new(cfg).announce(ann).unwrap();
    Message::Announcement(signed).to_bytes()
}

fn other_message(round: u64) -> Vec<u8> {
    // kind 5 (partial decryption) with the round; the rest is garbage the role will drop.
    let mut m = vec![5];
    m.extend_from_slice(&round.to_be_bytes());
    m.extend_from_slice(b"garbage");
    m
}

#[tokio::test]
async fn early_messages_are_held_then_replayed_and_forgeries_ignored() {
    let mut f = fixture("early");
    // Too short to route: dropped.
    f.node.on_message(NodeId(1), vec![2, 0, 0]);
    assert!(f.node.early.is_empty());
    // A message of a round not yet announced is held.
    f.node.on_message(NodeId(10), other_message(1));
    assert_eq!(f.node.early.len(), 1);
    // An announcement signed by someone else opens nothing.
    let forged = announcement(&f, 1, "mallory");
    f.node.on_message(NodeId(0), forged);
    assert!(f.node.slots.is_empty());
    // The real one opens the round and replays what was held.
    let real = announcement(&f, 1, "authority");
    f.node.on_message(NodeId(0), real);
    assert_eq!(f.node.slots.len(), 1);
    assert!(f.node.early.is_empty());
    f.node.pump();
}

#[tokio::test]
async fn early_buffer_and_open_rounds_are_bounded() {
    let mut f = fixture("bounds");
    for _ in 0..MAX_EARLY + 10 {
        f.node.on_message(NodeId(10), other_message(2));
    }
    assert_eq!(f.node.early.len(), MAX_EARLY);
    for round in 1..=3 {
        let ann = announcement(&f, round, "authority");
        f.node.on_message(NodeId(0), ann);
    }
    assert_eq!(f.node.slots.len(), MAX_ROUNDS);
    assert_eq!(f.node.slots.iter().map(|s| s.round.0).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(f.node.finished_upto, 1);
    // Round 1 is forgotten: its messages are no longer held.
    f.node.on_message(NodeId(10), other_message(1));
    assert!(f.node.early.iter().all(|(r, _, _)| r.0 != 1));
    f.node.pump();
}

#[tokio::test]
async fn a_client_takes_its_update_from_the_round_file_or_sits_the_round_out() {
    let dir = std::env::temp_dir().join(format!("gradseal-driver-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pattern = dir.join("round-{round}.f32").to_string_lossy().into_owned();
    let mut f =
        fixture_with("files", ClientSection { update_seed: None, update_file: Some(pattern) });
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    f.node.results = Some(Box::new(crate::update::ChannelSink(tx)));
    // Round 1: no file. The client sits the round out and says why.
    let ann = announcement(&f, 1, "authority");
    f.node.on_message(NodeId(0), ann);
    assert!(f.node.slots.is_empty());
    let (round, outcome) = rx.try_recv().unwrap();
    assert_eq!(round, RoundId(1));
    assert!(matches!(
        outcome,
        crate::update::Outcome::NoUpdate(crate::update::UpdateError::Missing { .. })
    ));
    // Round 2: a file of the round's dimension (8 values) opens the round and contributes.
    let body: Vec<u8> = (0..8).flat_map(|i| (i as f32 * 0.25).to_le_bytes()).collect();
    std::fs::write(dir.join("round-2.f32"), &body).unwrap();
    let ann = announcement(&f, 2, "authority");
    f.node.on_message(NodeId(0), ann);
    assert_eq!(f.node.slots.len(), 1);
    // Round 3: a file of the wrong length is refused, typed.
    std::fs::write(dir.join("round-3.f32"), &body[..12]).unwrap();
    let ann = announcement(&f, 3, "authority");
    f.node.on_message(NodeId(0), ann);
    let (_, outcome) = rx.try_recv().unwrap();
    assert!(matches!(
        outcome,
        crate::update::Outcome::NoUpdate(crate::update::UpdateError::WrongLength {
            got: 3,
            want: 8,
            ..
        })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A role that only asks for pauses.
struct Pausing(Vec<NodeId>);

impl Role for Pausing {
    fn handle_message(&mut self, _: Millis, _: NodeId, _: &[u8]) {}
    fn handle_timeout(&mut self, _: Millis) {}
    fn poll_transmit(&mut self) -> Option<gradseal_protocol::Transmit> {
        None
    }
    fn poll_event(&mut self) -> Option<Event> {
        None
    }
    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
    fn paused_senders(&self) -> &[NodeId] {
        &self.0
    }
}

fn pausing_slot(round: u64, paused: &[u32], finished: bool) -> Slot {
    Slot {
        round: RoundId(round),
        start: Instant::now(),
        role: Box::new(Pausing(paused.iter().copied().map(NodeId).collect())),
        announcer: None,
        sent_bytes: 0,
        finished,
        max_message: 0,
        scale: 1,
        observers: Vec::new(),
        committee: Vec::new(),
    }
}

/// The driver pauses the senders any open round's role names (each once, counted once),
/// and resumes them when no open round names them any more, a finished round's included.
#[test]
fn the_senders_open_rounds_pause_are_paused_until_no_round_names_them() {
    let mut f = fixture("pauses");
    f.node.slots.push(pausing_slot(1, &[7, 3], false));
    f.node.slots.push(pausing_slot(2, &[3, 9], false));
    f.node.pump();
    assert_eq!(f.node.paused, [NodeId(3), NodeId(7), NodeId(9)]);
    assert_eq!(f.node.pauses, 3);
    // Round 1 finishes: 7 is resumed; 3 stays paused for round 2 (not paused again).
    f.node.slots[0].finished = true;
    f.node.pump();
    assert_eq!(f.node.paused, [NodeId(3), NodeId(9)]);
    assert_eq!(f.node.pauses, 3);
    f.node.slots.clear();
    f.node.pump();
    assert!(f.node.paused.is_empty());
}
