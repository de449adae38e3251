//! The transport over 127.0.0.1: QUIC and TCP, two and three nodes, a 50 MB message
//! streamed, a paused peer, and the refusals (unknown peer, forged binding, garbage stream,
//! stalls).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
// Test patterns and seeds are built from small counters: truncation is intended.
#![allow(clippy::cast_possible_truncation)]

use std::time::Duration;

use chacha20::ChaCha20Rng;
use gradseal_clsc::{EnrolmentRegistry, Identity, Kgc, NodeKeys, NodeSecret};
use gradseal_net::codec::{CHUNK_LEN, STREAM_MAGIC, encode_header};
use gradseal_net::{
    Error, Inbound, Limits, Net, NetConfig, NetHandle, NetIdentity, PeerBinding, PeerTable,
    TransportKind,
};
use rand_core::SeedableRng;
use tokio::sync::mpsc::Receiver;
use tokio::time::timeout;

/// One enrolled node: gradseal keys, libp2p identity and its binding.
struct Enrolled {
    id: u32,
    keys: NodeKeys,
    identity: Option<NetIdentity>,
    binding: PeerBinding,
    /// Limits of this node, if not the test's common ones.
    limits: Option<Limits>,
}

struct World {
    kgc: Kgc,
    rng: ChaCha20Rng,
    enrolled: u32,
}

impl World {
    fn new(seed: u8) -> Self {
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        World { kgc: Kgc::generate(&mut rng), rng, enrolled: 0 }
    }

    fn enrol(&mut self, id: u32) -> Enrolled {
        let rng = &mut self.rng;
        // A fresh name per enrolment: some tests enrol the same node id more than once.
        self.enrolled += 1;
        let identity = Identity::new(format!("node-{id}-{}", self.enrolled)).unwrap();
        let mut registry = EnrolmentRegistry::new([identity.clone()]);
        let secret = NodeSecret::generate(identity, rng);
        let keys = self.kgc.enrol_in_process(&secret, &mut registry, rng).unwrap();
        let identity = NetIdentity::generate(id, rng).unwrap();
        let binding = identity.bind(&keys, rng);
        Enrolled { id, keys, identity: Some(identity), binding, limits: None }
    }
}

/// Limits small enough that every refusal in these tests happens within about a second.
fn test_limits() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(1500),
        stall_timeout: Duration::from_millis(1500),
        budget_timeout: Duration::from_millis(1500),
        connect_timeout: Duration::from_millis(1000),
        connect_retry: Duration::from_millis(1000),
        ..Limits::default()
    }
}

struct Running {
    id: u32,
    net: NetHandle,
    rx: Receiver<Inbound>,
}

/// Starts every node on 127.0.0.1 (port 0), then gives each the table of `known` nodes
/// (every node when `known` is `None`), with their real addresses.
async fn start(
    world: &World,
    nodes: &mut [Enrolled],
    kind: TransportKind,
    limits: &Limits,
    known: Option<&[u32]>,
) -> Vec<Running> {
    let mut running = Vec::new();
    for n in nodes.iter_mut() {
        let mut config = NetConfig::new(kind, "127.0.0.1:0".parse().unwrap());
        config.limits = n.limits.clone().unwrap_or_else(|| limits.clone());
        let table = PeerTable::new(*world.kgc.public());
        let (net, rx) = Net::start(config, n.identity.take().unwrap(), table).await.unwrap();
        running.push(Running { id: n.id, net, rx });
    }
    let mut table = PeerTable::new(*world.kgc.public());
    for (n, r) in nodes.iter().zip(&running) {
        if known.is_none_or(|k| k.contains(&n.id)) {
            table
                .insert(n.id, n.keys.bundle().clone(), n.binding.clone(), r.net.listen_addrs())
                .unwrap();
        }
    }
    for r in &running {
        r.net.set_peers(table.clone()).await.unwrap();
    }
    running
}

fn pattern(len: usize, salt: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt) ^ ((i >> 16) as u8)).collect()
}

async fn recv_whole(r: &mut Running) -> (u32, Vec<u8>) {
    let msg =
        timeout(Duration::from_secs(20), r.rx.recv()).await.expect("no message in time").unwrap();
    msg.into_bytes(u64::MAX).await.unwrap()
}

async fn nothing_arrives(r: &mut Running, wait: Duration) {
    if let Ok(Some(m)) = timeout(wait, r.rx.recv()).await {
        panic!("node {} received a message from {} that it must not", r.id, m.from());
    }
}

async fn exchange(kind: TransportKind, n: usize) {
    let mut world = World::new(n as u8 + kind as u8 * 16);
    let mut nodes: Vec<_> = (0..n as u32).map(|i| world.enrol(10 + i)).collect();
    let mut running = start(&world, &mut nodes, kind, &test_limits(), None).await;
    let sizes = [0usize, 1, 1000, 3 * CHUNK_LEN + 5];
    // Every node sends every size to every other node, all at once.
    let mut sends = Vec::new();
    for a in &running {
        for b in &running {
            if a.id == b.id {
                continue;
            }
            for (k, &size) in sizes.iter().enumerate() {
                let (net, to) = (a.net.clone(), b.id);
                let body = pattern(size, (a.id * 7 + k as u32) as u8);
                sends.push(tokio::spawn(async move { net.send(to, &body).await }));
            }
        }
    }
    for s in sends {
        s.await.unwrap().unwrap();
    }
    for r in &mut running {
        let mut got = Vec::new();
        for _ in 0..(n - 1) * sizes.len() {
            got.push(recv_whole(r).await);
        }
        got.sort();
        let mut want = Vec::new();
        for from in (0..n as u32).map(|i| 10 + i).filter(|f| *f != r.id) {
            for (k, &size) in sizes.iter().enumerate() {
                want.push((from, pattern(size, (from * 7 + k as u32) as u8)));
            }
        }
        want.sort();
        assert_eq!(got, want, "node {} got other messages than were sent", r.id);
        let s = r.net.stats();
        assert_eq!(s.messages_received as usize, (n - 1) * sizes.len());
        assert_eq!(s.streams_malformed + s.streams_stalled + s.connections_refused, 0);
    }
    // Every whole message was dropped: no budget is held any more.
    assert!(running.iter().all(|r| r.net.stats().budget_held == 0));
    let retried: u64 = running.iter().map(|r| r.net.stats().sends_retried).sum();
    eprintln!(
        "{kind:?}, {n} nodes: {} messages, {retried} streams sent again",
        n * (n - 1) * sizes.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_over_quic() {
    exchange(TransportKind::Quic, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_over_tcp() {
    exchange(TransportKind::Tcp, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_over_quic() {
    exchange(TransportKind::Quic, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_over_tcp() {
    exchange(TransportKind::Tcp, 3).await;
}

const FIFTY_MB: usize = 50_000_000;

/// 50 MB above `max_whole_message_len`: delivered as a reader and consumed chunk by chunk,
/// so the receiver never holds more than one chunk of it.
async fn fifty_mb_streamed(kind: TransportKind) {
    let mut world = World::new(40 + kind as u8);
    let mut nodes = vec![world.enrol(1), world.enrol(2)];
    let limits = Limits { max_whole_message_len: 1 << 20, ..test_limits() };
    let mut running = start(&world, &mut nodes, kind, &limits, None).await;
    let body = pattern(FIFTY_MB, 9);
    let net = running[0].net.clone();
    let sender = tokio::spawn(async move {
        let started = std::time::Instant::now();
        net.send(2, &body).await.map(|()| started.elapsed())
    });
    let msg = timeout(Duration::from_secs(30), running[1].rx.recv()).await.unwrap().unwrap();
    let Inbound::Stream(mut reader) = msg else { panic!("50 MB must arrive as a stream") };
    assert_eq!((reader.from(), reader.len()), (1, FIFTY_MB as u64));
    let expected = pattern(FIFTY_MB, 9);
    let mut at = 0usize;
    let mut chunks = 0usize;
    while let Some(chunk) = reader.next_chunk().await.unwrap() {
        assert!(!chunk.is_empty() && chunk.len() <= CHUNK_LEN);
        assert_eq!(chunk, &expected[at..at + chunk.len()], "chunk at {at} differs");
        at += chunk.len();
        chunks += 1;
    }
    assert_eq!(at, FIFTY_MB);
    assert!(reader.next_chunk().await.unwrap().is_none());
    let elapsed = sender.await.unwrap().unwrap();
    let stats = running[1].net.stats();
    // The receiver's budget never held more than one chunk buffer.
    assert!(stats.budget_peak <= CHUNK_LEN as u64, "peak budget {}", stats.budget_peak);
    assert_eq!(stats.bytes_received, FIFTY_MB as u64);
    eprintln!("{kind:?}: 50 MB streamed in {elapsed:?} ({chunks} chunks)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_mb_streamed_over_quic() {
    fifty_mb_streamed(TransportKind::Quic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_mb_whole_over_tcp() {
    let mut world = World::new(50);
    let mut nodes = vec![world.enrol(1), world.enrol(2)];
    let mut running = start(&world, &mut nodes, TransportKind::Tcp, &test_limits(), None).await;
    let body = pattern(FIFTY_MB, 3);
    let net = running[0].net.clone();
    let sent = body.clone();
    let sender = tokio::spawn(async move { net.send(2, &sent).await });
    let (from, got) = recv_whole(&mut running[1]).await;
    sender.await.unwrap().unwrap();
    assert_eq!(from, 1);
    assert!(got == body, "50 MB message differs");
    assert_eq!(running[1].net.stats().budget_peak, FIFTY_MB.div_ceil(1024) as u64 * 1024);
}

/// Nodes 1 and 2 know each other; node 3 has a valid libp2p identity and a valid binding
/// but is in no one's table. Its connections are refused and nothing it sends arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_peer_is_refused() {
    let mut world = World::new(60);
    for kind in [TransportKind::Quic, TransportKind::Tcp] {
        let mut nodes = vec![world.enrol(1), world.enrol(2), world.enrol(3)];
        let mut running = start(&world, &mut nodes, kind, &test_limits(), Some(&[1, 2])).await;
        // Node 3 knows node 1 (so it can dial it); node 1 does not know node 3.
        let mut t3 = PeerTable::new(*world.kgc.public());
        t3.insert(
            1,
            nodes[0].keys.bundle().clone(),
            nodes[0].binding.clone(),
            running[0].net.listen_addrs(),
        )
        .unwrap();
        running[2].net.set_peers(t3).await.unwrap();
        let r = running[2].net.send(1, b"let me in").await;
        // Refused while dialing or while opening the stream; or, since streams open with
        // multistream-select V1Lazy (the message goes out with the protocol proposal), after
        // the stream opened, when node 1 closes the connection unacknowledged.
        assert!(
            matches!(r, Err(Error::Unreachable { node: 1 } | Error::Io(_) | Error::NotDelivered)),
            "{r:?}"
        );
        nothing_arrives(&mut running[0], Duration::from_millis(300)).await;
        let s = running[0].net.stats();
        assert!(s.connections_refused >= 1, "{kind:?}: {s:?}");
        assert_eq!((s.messages_received, s.bytes_received, s.budget_peak), (0, 0, 0));
        // The known peer still gets through.
        running[1].net.send(1, b"hello").await.unwrap();
        assert_eq!(recv_whole(&mut running[0]).await, (2, b"hello".to_vec()));
    }
}

/// A binding whose signature is not by the node's own key is refused by the table, so the
/// peer stays unknown and is refused on the network.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_binding_is_refused() {
    let mut world = World::new(70);
    let mut nodes = vec![world.enrol(1), world.enrol(2)];
    let mallory = world.enrol(3);
    // Mallory's PeerId, "vouched for" by node 2's key but claimed for Mallory's bundle.
    let forged = PeerBinding::sign(&nodes[1].keys, mallory.binding.peer_id(), &mut world.rng);
    let mut table = PeerTable::new(*world.kgc.public());
    assert_eq!(
        table.insert(3, mallory.keys.bundle().clone(), forged.clone(), vec![]),
        Err(Error::InvalidBinding)
    );
    // Node 2's genuine binding replayed for Mallory's PeerId is a binding of node 2's PeerId.
    assert_ne!(nodes[1].binding.peer_id(), mallory.binding.peer_id());
    // A binding with one flipped signature bit does not verify either.
    let mut bytes = mallory.binding.encode();
    let last = bytes.len() - 40;
    bytes[last] ^= 1;
    match PeerBinding::decode(&bytes) {
        Ok(b) => assert_eq!(
            table.insert(3, mallory.keys.bundle().clone(), b, vec![]),
            Err(Error::InvalidBinding)
        ),
        Err(e) => assert_eq!(e, Error::MalformedBinding),
    }
    assert!(table.is_empty());
    // The genuine binding round-trips and verifies.
    assert_eq!(PeerBinding::decode(&mallory.binding.encode()).unwrap(), mallory.binding);

    // On the network: node 1's table holds node 2 only (Mallory's entry was refused).
    let mut running = start(&world, &mut nodes, TransportKind::Quic, &test_limits(), None).await;
    let mut mallory = mallory;
    let (mnet, _mrx) = {
        let mut config = NetConfig::new(TransportKind::Quic, "127.0.0.1:0".parse().unwrap());
        config.limits = test_limits();
        let mut t = PeerTable::new(*world.kgc.public());
        t.insert(
            1,
            nodes[0].keys.bundle().clone(),
            nodes[0].binding.clone(),
            running[0].net.listen_addrs(),
        )
        .unwrap();
        Net::start(config, mallory.identity.take().unwrap(), t).await.unwrap()
    };
    assert!(mnet.send(1, b"i am node 3").await.is_err());
    nothing_arrives(&mut running[0], Duration::from_millis(300)).await;
    assert!(running[0].net.stats().connections_refused >= 1);
}

/// A known peer sends streams with a wrong magic and with a length above the maximum:
/// both are cut after the 12-byte header, no budget is ever reserved, nothing is delivered,
/// and the peer's next well-formed message still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_stream_is_refused_with_bounded_memory() {
    let mut world = World::new(80);
    let mut nodes = vec![world.enrol(1), world.enrol(2)];
    let limits = Limits { max_message_len: 1 << 30, ..test_limits() };
    let mut running = start(&world, &mut nodes, TransportKind::Quic, &limits, None).await;
    let a = running[0].net.clone();

    // One stream at a time (100 ms apart), so that each check is seen in turn. Writes after
    // the header may fail: the receiver resets the stream as soon as it has seen enough.
    let pause = || tokio::time::sleep(Duration::from_millis(100));
    let mut w = a.danger_open_raw_stream(2).await.unwrap();
    let _ = w.danger_write_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    pause().await;
    // A header announcing 1 TiB, followed by a little junk.
    let mut w2 = a.danger_open_raw_stream(2).await.unwrap();
    let _ = w2.danger_write_raw(&encode_header(1 << 40)).await;
    let _ = w2.danger_write_raw(&[0xAA; 4096]).await;
    pause().await;
    // The right magic with another version byte.
    let mut w3 = a.danger_open_raw_stream(2).await.unwrap();
    let mut h = encode_header(10);
    h[3] = STREAM_MAGIC[3] + 1;
    let _ = w3.danger_write_raw(&h).await;
    pause().await;
    // And a body longer than its header says (trailing bytes).
    let mut w4 = a.danger_open_raw_stream(2).await.unwrap();
    let _ = w4.danger_write_raw(&encode_header(3)).await;
    let _ = w4.danger_write_raw(b"abcdef").await;

    nothing_arrives(&mut running[1], Duration::from_millis(500)).await;
    drop((w, w2, w3, w4));
    let s = running[1].net.stats();
    assert_eq!(s.streams_malformed, 4, "{s:?}");
    assert_eq!(s.messages_received, 0);
    // The trailing-bytes stream reserved 1 KiB for its 3-byte body; the others nothing.
    assert!(s.budget_peak <= 1024, "{s:?}");
    assert_eq!(s.budget_held, 0);
    // Too long for the sender's own maximum: refused before anything is sent.
    assert_eq!(
        a.open_message(2, (1 << 30) + 1).await.err(),
        Some(Error::MessageTooLong { len: (1 << 30) + 1, max: 1 << 30 })
    );
    a.send(2, b"still welcome").await.unwrap();
    assert_eq!(recv_whole(&mut running[1]).await, (1, b"still welcome".to_vec()));
}

/// Streams that stall are cut at their limit: in the header, inside a whole message, inside
/// a streamed message, and one that trickles below the minimum rate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_streams_are_cut() {
    let mut world = World::new(90);
    let mut nodes = vec![world.enrol(1), world.enrol(2)];
    let limits = Limits {
        header_timeout: Duration::from_millis(300),
        stall_timeout: Duration::from_millis(300),
        min_bytes_per_sec: 10_000,
        max_whole_message_len: 1 << 20,
        ..test_limits()
    };
    let mut running = start(&world, &mut nodes, TransportKind::Tcp, &limits, None).await;
    let a = running[0].net.clone();
    let started = std::time::Instant::now();

    // Streams opened 50 ms apart, so that the three limits are hit in a known order.
    let pause = || tokio::time::sleep(Duration::from_millis(50));
    // 1. Half a header, then silence.
    let mut w1 = a.danger_open_raw_stream(2).await.unwrap();
    w1.danger_write_raw(&STREAM_MAGIC).await.unwrap();
    pause().await;
    // 2. A whole-size message (100 KB) that stops after 10 KB.
    let mut w2 = a.open_message(2, 100_000).await.unwrap();
    w2.write_chunk(&[1; 10_000]).await.unwrap();
    pause().await;
    // 3. A trickle: 2000 bytes declared (allowance 0.3 s + 0.2 s), 10 bytes every 100 ms.
    let a3 = a.clone();
    let trickle = tokio::spawn(async move {
        let mut w = a3.open_message(2, 2000).await.unwrap();
        for _ in 0..200 {
            if w.write_chunk(&[2; 10]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    nothing_arrives(&mut running[1], Duration::from_millis(1200)).await;
    let s = running[1].net.stats();
    assert_eq!(s.streams_stalled, 3, "{s:?}");
    assert_eq!(s.budget_held, 0, "{s:?}");
    trickle.abort();

    // 4. A streamed message (2 MiB > max_whole) that stops after one chunk: the reader's next
    // chunk fails with Stalled.
    let mut w4 = a.open_message(2, 2 << 20).await.unwrap();
    w4.write_chunk(&[4; CHUNK_LEN]).await.unwrap();
    let Some(Inbound::Stream(mut reader)) =
        timeout(Duration::from_secs(5), running[1].rx.recv()).await.unwrap()
    else {
        panic!("expected a streamed message")
    };
    let mut got = 0;
    let err = loop {
        match reader.next_chunk().await {
            Ok(Some(c)) => got += c.len(),
            Ok(None) => panic!("a stalled message must not complete"),
            Err(e) => break e,
        }
    };
    assert_eq!((got, err), (CHUNK_LEN, Error::Stalled));
    assert_eq!(reader.next_chunk().await.err(), Some(Error::Stalled));
    drop(reader);
    let s = running[1].net.stats();
    assert_eq!((s.streams_stalled, s.budget_held), (4, 0), "{s:?}");
    drop((w1, w2, w4));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

/// A peer opening more streams than the receiver's `max_streams_per_peer` has the extra
/// ones refused at once (nothing read) and opened again later; a sender configured alike
/// waits for its own per-peer limit instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_per_peer_are_bounded() {
    let mut world = World::new(100);
    let mut nodes = vec![world.enrol(1), world.enrol(2)];
    // The sender allows itself 4 streams per peer; the receiver accepts 2.
    nodes[0].limits = Some(Limits { max_streams_per_peer: 4, ..test_limits() });
    let limits = Limits { max_streams_per_peer: 2, ..test_limits() };
    let mut running = start(&world, &mut nodes, TransportKind::Quic, &limits, None).await;
    let a = running[0].net.clone();
    // Two streams hold both of the receiver's slots (headers accepted, bodies pending).
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut w = a.open_message(2, 10).await.unwrap();
        w.write_chunk(b"12345").await.unwrap();
        held.push(w);
    }
    // A third is refused at once, and re-opened until the held ones are done.
    let a3 = a.clone();
    let third = tokio::spawn(async move { a3.send(2, b"third").await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(running[1].net.stats().streams_refused >= 1);
    for mut w in held {
        w.write_chunk(b"67890").await.unwrap();
        w.finish().await.unwrap();
    }
    third.await.unwrap().unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(recv_whole(&mut running[1]).await);
    }
    got.sort();
    assert_eq!(
        got,
        vec![(1, b"1234567890".to_vec()), (1, b"1234567890".to_vec()), (1, b"third".to_vec())]
    );
    assert!(a.stats().sends_retried >= 1);
}

/// Bursts: three nodes send 40 messages each to one node, all at once. Senders queue on
/// their own per-peer stream limit, the receiver's inbound queue absorbs the rest: every
/// message arrives, no stream is refused and none is sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_are_absorbed_without_refusals() {
    let mut world = World::new(105);
    let mut nodes: Vec<_> = (1..=4).map(|i| world.enrol(i)).collect();
    let mut running = start(&world, &mut nodes, TransportKind::Quic, &test_limits(), None).await;
    let mut sends = Vec::new();
    for r in &running[1..] {
        for k in 0..40u32 {
            let (net, from) = (r.net.clone(), r.id);
            sends.push(tokio::spawn(async move {
                net.send(1, &pattern(10_000 + k as usize, (from * 40 + k) as u8)).await
            }));
        }
    }
    for s in sends {
        s.await.unwrap().unwrap();
    }
    let mut got = Vec::new();
    for _ in 0..120 {
        got.push(recv_whole(&mut running[0]).await);
    }
    got.sort();
    let mut want: Vec<_> = (2..=4u32)
        .flat_map(|from| {
            (0..40u32).map(move |k| (from, pattern(10_000 + k as usize, (from * 40 + k) as u8)))
        })
        .collect();
    want.sort();
    assert!(got == want, "the burst's messages differ");
    assert_eq!(running[0].net.stats().streams_refused, 0);
    assert!(running.iter().all(|r| r.net.stats().sends_retried == 0));
}

/// A paused peer's messages wait at its sender, unread, while another peer's arrive; once
/// resumed they are delivered and the send returns. A streamed message waits alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_peer_waits_until_resumed() {
    let mut world = World::new(106);
    let mut nodes: Vec<_> = (1..=3).map(|i| world.enrol(i)).collect();
    let limits = Limits { max_whole_message_len: 1 << 16, ..test_limits() };
    let mut running = start(&world, &mut nodes, TransportKind::Quic, &limits, None).await;
    running[0].net.pause_inbound(2, true);
    let (b, c) = (running[1].net.clone(), running[2].net.clone());
    let small = tokio::spawn(async move { b.send(1, b"held").await });
    let b = running[1].net.clone();
    let large = tokio::spawn(async move { b.send(1, &pattern(1 << 17, 2)).await });
    c.send(1, b"passes").await.unwrap();
    assert_eq!(recv_whole(&mut running[0]).await, (3, b"passes".to_vec()));
    nothing_arrives(&mut running[0], Duration::from_millis(400)).await;
    assert!(!small.is_finished() && !large.is_finished(), "a paused peer's send returned");
    assert_eq!(running[0].net.stats().budget_held, 0, "a paused peer holds budget");
    running[0].net.pause_inbound(2, false);
    // (A streamed message is acknowledged once read: read both, then see the sends end.)
    let mut got = vec![recv_whole(&mut running[0]).await, recv_whole(&mut running[0]).await];
    got.sort();
    assert_eq!(got, vec![(2, pattern(1 << 17, 2)), (2, b"held".to_vec())]);
    small.await.unwrap().unwrap();
    large.await.unwrap().unwrap();
}

/// `close_if_idle` closes a connection no stream uses (a second call finds none to close) and
/// a later send dials again, in both directions; while a stream to or from the peer is open
/// it closes nothing, and that message is delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_and_dialed_again() {
    let mut world = World::new(107);
    let mut nodes: Vec<_> = (1..=2).map(|i| world.enrol(i)).collect();
    let mut running = start(&world, &mut nodes, TransportKind::Quic, &test_limits(), None).await;
    let (a, b) = (running[0].net.clone(), running[1].net.clone());
    a.send(2, b"result").await.unwrap();
    assert_eq!(recv_whole(&mut running[1]).await, (1, b"result".to_vec()));
    assert!(a.close_if_idle(2).await, "an idle connection was not closed");
    assert!(!a.close_if_idle(2).await, "a closed connection was closed again");
    assert_eq!(a.stats().connections_closed, 1);
    b.send(1, b"after").await.unwrap();
    assert_eq!(recv_whole(&mut running[0]).await, (2, b"after".to_vec()));
    a.send(2, b"again").await.unwrap();
    assert_eq!(recv_whole(&mut running[1]).await, (1, b"again".to_vec()));
    // A stream open from this node, then one from the peer: nothing is closed.
    let mut w = a.open_message(2, 4).await.unwrap();
    assert!(!a.close_if_idle(2).await, "closed under an open outbound stream");
    w.write_chunk(b"busy").await.unwrap();
    w.finish().await.unwrap();
    assert_eq!(recv_whole(&mut running[1]).await, (1, b"busy".to_vec()));
    let mut w = b.open_message(1, 4).await.unwrap();
    w.write_chunk(b"in").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!a.close_if_idle(2).await, "closed under an open inbound stream");
    let finish = tokio::spawn(async move {
        w.write_chunk(b"c!").await?;
        w.finish().await
    });
    assert_eq!(recv_whole(&mut running[0]).await, (2, b"inc!".to_vec()));
    finish.await.unwrap().unwrap();
    assert_eq!(a.stats().connections_closed, 1);
    // The peer's first send after the close may have gone out on the closing connection:
    // it is then sent again on a new one (spec/net.md §4), at most that once.
    assert!(b.stats().sends_retried <= 1, "{:?}", b.stats());
}

/// Start-up errors are typed: an address in use, an address of the other transport, and
/// inconsistent limits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_errors_are_typed() {
    let mut world = World::new(110);
    let mut nodes = vec![world.enrol(1)];
    let running = start(&world, &mut nodes, TransportKind::Tcp, &test_limits(), None).await;
    let taken = running[0].net.listen_addrs()[0].clone();
    let table = PeerTable::new(*world.kgc.public());
    let identity = || NetIdentity::generate(5, &mut ChaCha20Rng::from_seed([5; 32])).unwrap();
    let mut config = NetConfig::new(TransportKind::Tcp, "127.0.0.1:0".parse().unwrap());
    config.listen = taken;
    let r = Net::start(config.clone(), identity(), table.clone()).await;
    assert_eq!(r.err(), Some(Error::Listen(std::io::ErrorKind::AddrInUse)));
    // The same over QUIC (a UDP port in use).
    let mut quic = vec![world.enrol(2)];
    let q = start(&world, &mut quic, TransportKind::Quic, &test_limits(), None).await;
    let mut qconfig = NetConfig::new(TransportKind::Quic, "127.0.0.1:0".parse().unwrap());
    qconfig.listen = q[0].net.listen_addrs()[0].clone();
    let r = Net::start(qconfig, identity(), table.clone()).await;
    assert_eq!(r.err(), Some(Error::Listen(std::io::ErrorKind::AddrInUse)));
    config.transport = TransportKind::Quic;
    let r = Net::start(config, identity(), table.clone()).await;
    assert_eq!(r.err(), Some(Error::InvalidConfig("listen address of another transport")));
    let mut config = NetConfig::new(TransportKind::Quic, "127.0.0.1:0".parse().unwrap());
    config.limits.node_budget = config.limits.peer_budget - 1;
    let r = Net::start(config, identity(), table).await;
    assert_eq!(r.err(), Some(Error::InvalidConfig("peer_budget > node_budget")));
}

/// Binding encodings: canonical, bounded, trailing bytes refused; a binding verifies only
/// under the key that signed it and only for its own PeerId.
#[test]
fn binding_encoding_and_verification() {
    let mut world = World::new(120);
    let a = world.enrol(1);
    let b = world.enrol(2);
    let enc = a.binding.encode();
    assert_eq!(enc.len(), 4 + 38 + 64, "Ed25519 PeerIds are 38 bytes");
    assert_eq!(PeerBinding::decode(&enc).unwrap().encode(), enc);
    let mut longer = enc.clone();
    longer.push(0);
    assert_eq!(PeerBinding::decode(&longer), Err(Error::MalformedBinding));
    assert_eq!(PeerBinding::decode(&enc[..enc.len() - 1]), Err(Error::MalformedBinding));
    let mut huge = enc.clone();
    huge[..4].copy_from_slice(&1000u32.to_be_bytes());
    assert_eq!(PeerBinding::decode(&huge), Err(Error::MalformedBinding));
    a.binding.verify(a.keys.public_key()).unwrap();
    assert_eq!(a.binding.verify(b.keys.public_key()), Err(Error::InvalidBinding));
    // A's signature presented for B's PeerId.
    let swapped = PeerBinding::from_parts(*b.binding.peer_id(), *a.binding.signature());
    assert_eq!(swapped.verify(a.keys.public_key()), Err(Error::InvalidBinding));
    // The same PeerId may not be bound to two nodes of one table.
    let mut table = PeerTable::new(*world.kgc.public());
    table.insert(1, a.keys.bundle().clone(), a.binding.clone(), vec![]).unwrap();
    let again = PeerBinding::sign(&b.keys, a.binding.peer_id(), &mut world.rng);
    assert_eq!(
        table.insert(2, b.keys.bundle().clone(), again, vec![]),
        Err(Error::DuplicatePeer { node: 2 })
    );
    assert_eq!(table.node_of(a.binding.peer_id()), Some(1));
    assert_eq!(table.len(), 1);
}
