//! The node's side of gradseal-net: its libp2p identity, the peer table built from the
//! config's address book, one ordered send queue per peer, and bounded reads of streamed
//! messages. Spec: `spec/node.md` §1.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use gradseal_clsc::{KgcPublic, NodeKeys};
use gradseal_net::{Inbound, Limits, Net, NetConfig, NetHandle, NetIdentity, PeerTable};
use gradseal_protocol::NodeId;
use tokio::sync::{Notify, Semaphore, mpsc};
use zeroize::Zeroizing;

use crate::backlog::{Backlog, SLOW_SEND};
use crate::config::Config;
use crate::{Error, keyfile};

/// Messages queued per peer before new ones are dropped (logged).
pub const PEER_QUEUE: usize = 1024;
/// Messages at least this long are "large": at most [`LARGE_SENDS`] of them are in flight
/// at once, node-wide, in the order they were queued.
pub const LARGE_MESSAGE: usize = 1 << 20;
/// Large messages in flight at once, granted in the order they were queued: the first queued
/// (the aggregator's transcript to the observers) gets the link instead of a 1/n share beside
/// n results.
pub const LARGE_SENDS: usize = 2;

/// Bytes of messages being sent at once, node-wide, until each is delivered (acknowledged by
/// its receiver): what the transport holds of them (quinn copies every stream's data into its
/// send buffer; up to 10 MB per connection) is bounded by this whatever the number of peers.
/// Without it a result broadcast to 100 clients (0.8 MB each at 10^5 coordinates) was
/// written into 100 send buffers at once. A longer message takes all of it.
pub const IN_FLIGHT_BYTES: usize = 16 << 20;

/// Inbound bytes the transport holds for the node, all peers together (read or being read,
/// waiting for the driver): gradseal-net's `node_budget`, instead of its 256 MiB default, so
/// that what a node holds in messages it has not handled yet does not grow with its number
/// of senders (at 10^5 coordinates, about 80 of the aggregator's 210 KB shards).
pub const INBOUND_NODE_BUDGET: u64 = 16 << 20;
/// The same, per peer (gradseal-net's `peer_budget`), and the longest message read whole by
/// the transport (`max_whole_message_len`); longer ones are streamed to the driver (§2).
pub const INBOUND_PEER_BUDGET: u64 = 8 << 20;

/// A relay's inbound budget, all peers together and per peer (instead of
/// [`INBOUND_NODE_BUDGET`] and [`INBOUND_PEER_BUDGET`]): about ten 210 KB shards at 10^5
/// coordinates. A relay reads few messages at once, so it reads its clients' shards about in
/// the order their headers arrived, which is about the order they were sent in and the same
/// at every relay. With the node budget some 80 shards were read at once and finished in any
/// order, each relay forwarded its clients in another order, and the aggregator's shard
/// window (which waits for groups to complete) made 100-client rounds take 1.66-1.82 s
/// instead of 1.13-1.16 s (`spec/node.md` §1). Relays' peak RSS: 49 → 33 MiB.
pub const RELAY_INBOUND_BUDGET: u64 = 2 << 20;

/// Inbound streams a relay keeps open at once, all peers together (gradseal-net's
/// `max_inbound_streams`, 256 by default): one per connection it accepts (`max_connections`),
/// since every client of a round sends each relay one shard at about the same moment. A
/// stream beyond the limit is refused and its sender retries for about a second; with 256,
/// at 500 clients each relay refused about 1 950 streams and clients lost shards after their
/// last retry (286 and 296 of 500 contributions accepted). A stream waiting for budget holds
/// its 12-byte header and the transport's state for it.
pub const RELAY_INBOUND_STREAMS: usize = gradseal_net::DEFAULT_MAX_CONNECTIONS as usize;

/// Logs one line to stderr, prefixed with the node id.
pub(crate) fn log(me: NodeId, msg: &str) {
    eprintln!("[node {}] {msg}", me.0);
}

/// The node's libp2p identity: an Ed25519 key derived from its node keys
/// (`hash(TAG_NET_IDENTITY, [node keys secret encoding])`), so the identity, and the
/// binding signed for it, last as long as the node keys do and need no file of their own.
///
/// # Errors
/// [`Error::Io`] if libp2p refuses the derived key (it never does for 32 bytes).
pub fn net_identity(keys: &NodeKeys, node: u32) -> Result<NetIdentity, Error> {
    let secret = keys.to_secret_bytes();
    let seed = Zeroizing::new(gradseal_core::hash(crate::tags::TAG_NET_IDENTITY, &[&secret[..]]));
    NetIdentity::from_seed(node, seed).map_err(|e| Error::Io(format!("net identity: {e}")))
}

/// The transport limits of a node with this config (gradseal-net defaults but for the
/// config's `[net]` section).
pub fn limits(cfg: &Config) -> Limits {
    let ms = Duration::from_millis;
    let (node, peer, streams) = match cfg.role {
        crate::config::RoleKind::Relay => {
            (RELAY_INBOUND_BUDGET, RELAY_INBOUND_BUDGET, RELAY_INBOUND_STREAMS)
        }
        _ => (INBOUND_NODE_BUDGET, INBOUND_PEER_BUDGET, gradseal_net::DEFAULT_MAX_INBOUND_STREAMS),
    };
    Limits {
        connect_retry: ms(cfg.net.connect_retry_ms),
        stall_timeout: ms(cfg.net.stall_ms),
        header_timeout: ms(cfg.net.header_ms),
        idle_connection_timeout: ms(cfg.net.idle_ms),
        peer_budget: peer,
        node_budget: node,
        max_whole_message_len: peer,
        max_inbound_streams: streams,
        ..Limits::default()
    }
}

/// The peer table of the config's address book: each peer's bundle and binding are read
/// and the binding verified against the bundle (under `kgc`).
///
/// # Errors
/// [`Error::KeyFile`] naming the peer's file if a file is unreadable or the binding does not
/// verify.
pub fn peer_table(cfg: &Config, kgc: &KgcPublic) -> Result<PeerTable, Error> {
    let mut table = PeerTable::new(*kgc);
    for p in &cfg.peers {
        let bundle = keyfile::read_bundle(&p.bundle)?;
        let binding = keyfile::read_binding(&p.binding)?;
        let addr = cfg.transport.kind().multiaddr(p.addr);
        table
            .insert(p.id, bundle, binding, vec![addr])
            .map_err(|e| Error::KeyFile(format!("peer {} ({}): {e}", p.id, p.binding.display())))?;
    }
    Ok(table)
}

/// Starts the transport for `cfg`.
///
/// # Errors
/// A one-line error: `cannot listen on ADDR: ...`, or the peer table's.
pub async fn start(
    cfg: &Config,
    keys: &NodeKeys,
) -> Result<(NetHandle, mpsc::Receiver<Inbound>), Error> {
    let table = peer_table(cfg, keys.kgc())?;
    let identity = net_identity(keys, cfg.id)?;
    let mut config = NetConfig::new(cfg.transport.kind(), cfg.listen);
    config.limits = limits(cfg);
    Net::start(config, identity, table).await.map_err(|e| {
        Error::Io(format!("cannot listen on {} ({}): {e}", cfg.listen, cfg.transport.name()))
    })
}

/// A large message's turn: the permit arrives once it is the message's turn (see [`Turns`]).
type Turn = tokio::sync::oneshot::Receiver<tokio::sync::OwnedSemaphorePermit>;
/// What a peer's queue holds: a message and how to send it ([`Outbox::send`]).
struct Queued {
    payload: Arc<Vec<u8>>,
    /// Its turn, if it is large.
    turn: Option<Turn>,
    /// To a round's observers or committee members.
    first: bool,
    /// Close the connection once it is delivered.
    close_after: bool,
}
/// Where a large message's permit is delivered.
type TurnSender = tokio::sync::oneshot::Sender<tokio::sync::OwnedSemaphorePermit>;

/// Large messages waiting for one of the [`LARGE_SENDS`] slots: those to a round's observers
/// and committee members first, then the others, each in the order they were queued. Why:
/// a round's large messages to its clients may still be going out when the next round's
/// message to the observer is ready; in queue order it waited for them (seen with results
/// of 100 × 3.2 MB at 10^5 coordinates: 0.5 s of a 2 s round in the headline; results now
/// carry the partials by reference, 0.8 MB, below [`LARGE_MESSAGE`]).
#[derive(Debug, Default)]
pub(crate) struct Turns {
    waiting: std::sync::Mutex<[VecDeque<TurnSender>; 2]>,
    wake: Notify,
}

impl Turns {
    /// Queues a turn, among the first (`first`) or the others.
    pub(crate) fn request(&self, first: bool) -> Turn {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let mut w = self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(q) = w.get_mut(usize::from(!first)) {
            q.push_back(tx);
        }
        drop(w);
        self.wake.notify_one();
        rx
    }

    fn next(&self) -> Option<TurnSender> {
        let mut w = self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        w.iter_mut().find_map(VecDeque::pop_front)
    }

    /// Hands the slots out for as long as the runtime runs: a free slot goes to the first
    /// turn waiting. A turn whose sender is gone hands the slot straight back (dropped).
    pub(crate) async fn dispatch(self: Arc<Self>, slots: Arc<Semaphore>) {
        loop {
            let Ok(permit) = Arc::clone(&slots).acquire_owned().await else { return };
            let turn = loop {
                if let Some(t) = self.next() {
                    break t;
                }
                self.wake.notified().await;
            };
            let _ = turn.send(permit);
        }
    }
}

/// Outgoing side: one ordered queue and sender task per peer, so messages to one peer
/// arrive in the order the roles produced them and a slow or dead peer costs only its own
/// queue; large messages share [`LARGE_SENDS`] node-wide slots (a dispatcher hands the
/// permits out, [`Turns`]).
#[derive(Debug)]
pub(crate) struct Outbox {
    me: NodeId,
    net: NetHandle,
    queues: HashMap<NodeId, mpsc::Sender<Queued>>,
    turns: Arc<Turns>,
    /// [`IN_FLIGHT_BYTES`], in KiB.
    in_flight: Arc<Semaphore>,
    /// The bytes queued, for the driver's backpressure.
    pub(crate) backlog: Arc<Backlog>,
}

impl Outbox {
    /// Stops or resumes taking new messages from `node` (gradseal-net's `pause_inbound`).
    pub(crate) fn pause_inbound(&self, node: NodeId, paused: bool) {
        self.net.pause_inbound(node.0, paused);
    }

    pub(crate) fn new(me: NodeId, net: NetHandle) -> Self {
        let turns = Arc::new(Turns::default());
        tokio::spawn(Arc::clone(&turns).dispatch(Arc::new(Semaphore::new(LARGE_SENDS))));
        let in_flight = Arc::new(Semaphore::new(IN_FLIGHT_BYTES >> 10));
        Outbox { me, net, queues: HashMap::new(), turns, in_flight, backlog: Arc::default() }
    }

    /// Queues `payload` for `to` (never blocks); if it is large, its turn comes before those
    /// of large messages not `first` (to a round's observers and committee members). With
    /// `close_after`, the connection to `to` is closed once the message is delivered, if
    /// nothing else is queued for `to` and no stream to or from it is open
    /// (`NetHandle::close_if_idle`).
    pub(crate) fn send(
        &mut self,
        to: NodeId,
        payload: Arc<Vec<u8>>,
        first: bool,
        close_after: bool,
    ) {
        let me = self.me;
        let net = self.net.clone();
        let backlog = Arc::clone(&self.backlog);
        let in_flight = Arc::clone(&self.in_flight);
        let tx = self.queues.entry(to).or_insert_with(|| {
            let (tx, mut rx) = mpsc::channel::<Queued>(PEER_QUEUE);
            tokio::spawn(async move {
                while let Some(Queued { payload: p, turn, first, close_after }) = rx.recv().await {
                    let send = async {
                        // A large message waits for its turn; if the dispatcher is gone, it goes.
                        let _slot = match turn {
                            Some(t) => t.await.ok(),
                            None => None,
                        };
                        // Then its bytes in flight (the semaphore is never closed).
                        let _bytes = in_flight.acquire_many(in_flight_kib(p.len())).await.ok();
                        net.send(to.0, &p).await
                    };
                    tokio::pin!(send);
                    // A send slower than SLOW_SEND takes its peer's bytes out of the backlog
                    // until the peer delivers again: a slow or dead peer holds the node back
                    // for at most that long. Not an observer's or a member's: the round
                    // needs every message it gets, so a slow one holds the node back instead
                    // of its queue growing (a failed send still takes them out).
                    let sent = tokio::select! {
                        r = &mut send => r,
                        () = tokio::time::sleep(SLOW_SEND), if !first => {
                            backlog.slow(to);
                            send.await
                        }
                    };
                    if let Err(e) = &sent {
                        log(me, &format!("message to node {} ({} bytes) lost: {e}", to.0, p.len()));
                    }
                    backlog.done(to, &p, sent.is_ok());
                    if close_after && sent.is_ok() && rx.is_empty() {
                        net.close_if_idle(to.0).await;
                    }
                }
            });
            tx
        });
        // Room in the peer's queue first, then the turn: a dropped message takes no turn, so
        // the turns waiting are at most the large messages in the peer queues.
        let Ok(room) = tx.try_reserve() else {
            log(self.me, &format!("queue to node {} full; message dropped", to.0));
            return;
        };
        let turn = (payload.len() >= LARGE_MESSAGE).then(|| self.turns.request(first));
        self.backlog.queued(to, &payload);
        room.send(Queued { payload, turn, first, close_after });
    }
}

/// The [`IN_FLIGHT_BYTES`] permits (KiB) a message of `len` bytes takes: its size rounded up,
/// at most all of them.
fn in_flight_kib(len: usize) -> u32 {
    u32::try_from(len.div_ceil(1024).clamp(1, IN_FLIGHT_BYTES >> 10)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(role: &str) -> Config {
        Config::parse(&format!(
            "role = \"{role}\"\nid = 100\nlisten = \"127.0.0.1:4000\"\nkey = \"k\"\n\
             kgc_public = \"p\"\nauthority_bundle = \"a\"\npeers = []\n"
        ))
        .unwrap()
    }

    /// Two peers that never answer (a UDP socket that reads nothing): a message to a member
    /// (`first`) keeps counting in the backlog past `SLOW_SEND`, the other's stops; both stop
    /// once their sends fail.
    #[tokio::test]
    async fn a_slow_member_or_observer_holds_the_node_back_until_its_send_fails() {
        use crate::keyfile::{binding_of, enrol_locally};
        use rand_core::SeedableRng;
        let mut rng = chacha20::ChaCha20Rng::from_seed([3; 32]);
        let kgc = gradseal_clsc::Kgc::generate(&mut rng);
        let me = enrol_locally(&kgc, "me", &mut rng).unwrap();
        let mut table = PeerTable::new(*kgc.public());
        let silent: Vec<std::net::UdpSocket> =
            (0..2).map(|_| std::net::UdpSocket::bind("127.0.0.1:0").unwrap()).collect();
        for (id, sock) in [2u32, 3].into_iter().zip(&silent) {
            let keys = enrol_locally(&kgc, &format!("peer-{id}"), &mut rng).unwrap();
            let addr = gradseal_net::TransportKind::Quic.multiaddr(sock.local_addr().unwrap());
            let binding = binding_of(&keys, &mut rng).unwrap();
            table.insert(id, keys.bundle().clone(), binding, vec![addr]).unwrap();
        }
        let mut config =
            NetConfig::new(gradseal_net::TransportKind::Quic, "127.0.0.1:0".parse().unwrap());
        config.limits.connect_timeout = Duration::from_millis(1000);
        config.limits.connect_retry = Duration::from_millis(3500);
        let (net, _rx) = Net::start(config, net_identity(&me, 1).unwrap(), table).await.unwrap();
        let mut out = Outbox::new(NodeId(1), net);
        const M: usize = 5 << 20;
        out.send(NodeId(2), Arc::new(vec![1; M]), true, false);
        out.send(NodeId(3), Arc::new(vec![2; M]), false, false);
        assert_eq!(out.backlog.bytes(), 2 * M);
        tokio::time::sleep(SLOW_SEND + Duration::from_millis(500)).await;
        assert_eq!(out.backlog.bytes(), M, "only the member's message still counts");
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(out.backlog.bytes(), 0, "a failed send stops counting");
    }

    #[test]
    fn a_relay_reads_little_at_once_but_takes_a_stream_from_every_connection() {
        let relay = limits(&config("relay"));
        assert_eq!((relay.node_budget, relay.peer_budget), (2 << 20, 2 << 20));
        assert!(relay.max_inbound_streams >= relay.max_connections as usize);
        relay.validate().unwrap();
        let member = limits(&config("committee"));
        assert_eq!(member.node_budget, INBOUND_NODE_BUDGET);
        assert_eq!(member.max_inbound_streams, gradseal_net::DEFAULT_MAX_INBOUND_STREAMS);
        member.validate().unwrap();
    }

    #[test]
    fn a_message_takes_its_size_of_the_in_flight_bytes_at_most_all_of_them() {
        assert_eq!(in_flight_kib(0), 1);
        assert_eq!(in_flight_kib(1024), 1);
        assert_eq!(in_flight_kib(1025), 2);
        assert_eq!(in_flight_kib(800_000), 782);
        assert_eq!(in_flight_kib(usize::MAX), 16 << 10);
    }

    #[tokio::test]
    async fn observers_and_members_get_the_next_large_slot_before_others_queued_earlier() {
        let turns = Arc::new(Turns::default());
        tokio::spawn(Arc::clone(&turns).dispatch(Arc::new(Semaphore::new(1))));
        let held = turns.request(false).await.unwrap();
        let (mut other, member, observer) =
            (turns.request(false), turns.request(true), turns.request(true));
        drop(held);
        // One slot: whichever turn gets it resolves; it must be the member's, then the
        // observer's, then the other's.
        for first in [member, observer] {
            tokio::select! {
                slot = first => drop(slot.unwrap()),
                _ = &mut other => panic!("a turn queued earlier but not first got the slot"),
            }
        }
        drop(other.await.unwrap());
    }

    #[tokio::test]
    async fn a_turn_nobody_waits_for_hands_its_slot_on() {
        let turns = Arc::new(Turns::default());
        tokio::spawn(Arc::clone(&turns).dispatch(Arc::new(Semaphore::new(1))));
        drop(turns.request(true));
        drop(turns.request(false).await.unwrap());
    }
}
