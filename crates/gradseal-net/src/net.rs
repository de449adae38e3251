//! The swarm, its event loop, the peer gate, and the handle the node drives it with.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures::StreamExt;
use libp2p::core::Endpoint;
use libp2p::core::transport::PortUse;
use libp2p::swarm::{
    ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, SwarmEvent, THandler,
    THandlerInEvent, THandlerOutEvent, ToSwarm, dummy,
};
use libp2p::{Multiaddr, PeerId, StreamProtocol, Swarm, connection_limits, noise, tcp, yamux};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};

use crate::config::{LISTEN_TIMEOUT, Limits, NetConfig, TransportKind};
use crate::inbound::{Inbound, accept_loop};
use crate::outbound::MessageWriter;
use crate::streams::{OpenRequest, Streams};
use crate::{Error, NetIdentity, NodeId, PeerTable};

/// The libp2p protocol name of a gradseal message stream (one message per stream).
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/gradseal/msg/1");

/// Counters of what the transport did, for logs, reports and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetStats {
    /// Connections closed right after the handshake because their PeerId maps to no node.
    pub connections_refused: u64,
    /// Connections closed by [`NetHandle::close_if_idle`].
    pub connections_closed: u64,
    /// Inbound streams refused at once (unknown peer, too many streams).
    pub streams_refused: u64,
    /// Inbound streams cut for a wrong header, a length above the maximum, a truncated body
    /// or trailing bytes.
    pub streams_malformed: u64,
    /// Inbound streams cut for stalling (header, stall or rate limit) or for want of budget.
    pub streams_stalled: u64,
    /// Inbound messages handed to the consumer (whole or as a reader).
    pub messages_received: u64,
    /// Body bytes received.
    pub bytes_received: u64,
    /// Messages sent completely (acknowledged).
    pub messages_sent: u64,
    /// Streams [`NetHandle::send`] opened again after one was not acknowledged.
    pub sends_retried: u64,
    /// Body bytes sent.
    pub bytes_sent: u64,
    /// Inbound budget held now, in bytes (counted in KiB units).
    pub budget_held: u64,
    /// The most inbound budget ever held at once, in bytes.
    pub budget_peak: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections_refused: AtomicU64,
    pub(crate) connections_closed: AtomicU64,
    pub(crate) streams_refused: AtomicU64,
    pub(crate) streams_malformed: AtomicU64,
    pub(crate) streams_stalled: AtomicU64,
    pub(crate) messages_received: AtomicU64,
    pub(crate) bytes_received: AtomicU64,
    pub(crate) messages_sent: AtomicU64,
    pub(crate) sends_retried: AtomicU64,
    pub(crate) bytes_sent: AtomicU64,
    pub(crate) budget_held: AtomicU64,
    pub(crate) budget_peak: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    fn snapshot(&self) -> NetStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        NetStats {
            connections_refused: g(&self.connections_refused),
            connections_closed: g(&self.connections_closed),
            streams_refused: g(&self.streams_refused),
            streams_malformed: g(&self.streams_malformed),
            streams_stalled: g(&self.streams_stalled),
            messages_received: g(&self.messages_received),
            bytes_received: g(&self.bytes_received),
            messages_sent: g(&self.messages_sent),
            sends_retried: g(&self.sends_retried),
            bytes_sent: g(&self.bytes_sent),
            budget_held: g(&self.budget_held),
            budget_peak: g(&self.budget_peak),
        }
    }
}

/// Per-peer inbound limits (created for nodes of the table).
#[derive(Debug)]
pub(crate) struct PeerLimits {
    pub(crate) budget: Arc<Semaphore>,
    pub(crate) streams: Arc<Semaphore>,
    /// Whether the node asked to take no new message from this peer for now
    /// ([`NetHandle::pause_inbound`]).
    pub(crate) paused: watch::Sender<bool>,
}

/// State shared by the handle, the event loop and the stream tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) limits: Limits,
    pub(crate) local_peer: PeerId,
    pub(crate) transport: TransportKind,
    peers: Mutex<Arc<PeerTable>>,
    per_peer: Mutex<HashMap<NodeId, Arc<PeerLimits>>>,
    /// Outbound streams open per destination (at most `max_streams_per_peer`, the limit the
    /// receiver applies when configured alike: senders wait instead of being refused).
    outbound_per_peer: Mutex<HashMap<NodeId, Arc<Semaphore>>>,
    pub(crate) node_budget: Arc<Semaphore>,
    pub(crate) node_streams: Arc<Semaphore>,
    pub(crate) outbound: Arc<Semaphore>,
    pub(crate) counters: Counters,
    listen_addrs: Mutex<Vec<Multiaddr>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves consistent data (plain replacements).
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Budget units: KiB, rounded up.
pub(crate) fn kib(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

impl Shared {
    pub(crate) fn peers(&self) -> Arc<PeerTable> {
        Arc::clone(&lock(&self.peers))
    }

    pub(crate) fn peer_limits(&self, node: NodeId) -> Arc<PeerLimits> {
        let mut m = lock(&self.per_peer);
        Arc::clone(m.entry(node).or_insert_with(|| {
            Arc::new(PeerLimits {
                budget: Arc::new(Semaphore::new(kib(self.limits.peer_budget) as usize)),
                streams: Arc::new(Semaphore::new(self.limits.max_streams_per_peer)),
                paused: watch::Sender::new(false),
            })
        }))
    }

    pub(crate) fn outbound_limit(&self, node: NodeId) -> Arc<Semaphore> {
        let mut m = lock(&self.outbound_per_peer);
        Arc::clone(
            m.entry(node)
                .or_insert_with(|| Arc::new(Semaphore::new(self.limits.max_streams_per_peer))),
        )
    }

    /// Whether no message stream to or from `node` is open or being opened: every one holds
    /// a permit of its per-peer limit from before it is requested (outbound) or right after
    /// it is accepted (inbound) until it ends.
    fn idle(&self, node: NodeId) -> bool {
        let max = self.limits.max_streams_per_peer;
        let free = |s: Option<&Arc<Semaphore>>| s.is_none_or(|s| s.available_permits() == max);
        free(lock(&self.outbound_per_peer).get(&node))
            && free(lock(&self.per_peer).get(&node).map(|l| &l.streams))
    }

    fn set_peers(&self, table: PeerTable) -> Vec<PeerId> {
        let table = Arc::new(table);
        let old = std::mem::replace(&mut *lock(&self.peers), Arc::clone(&table));
        lock(&self.per_peer).retain(|node, _| table.entry(*node).is_some());
        lock(&self.outbound_per_peer).retain(|node, _| table.entry(*node).is_some());
        // Peers gone or rebound: their connections are closed.
        old.peer_ids().filter(|p| table.node_of(p) != old.node_of(p)).copied().collect()
    }

    pub(crate) fn stats(&self) -> NetStats {
        self.counters.snapshot()
    }
}

/// A reservation of inbound budget (peer and node), released on drop.
#[derive(Debug)]
pub(crate) struct Reservation {
    _peer: OwnedSemaphorePermit,
    _node: OwnedSemaphorePermit,
    bytes: u64,
    shared: Arc<Shared>,
}

impl Reservation {
    /// Waits (at most `budget_timeout`) for `peer` not to be paused, then for `bytes` of
    /// budget from `peer` and from the node.
    pub(crate) async fn acquire(
        shared: &Arc<Shared>,
        peer: &PeerLimits,
        bytes: u64,
    ) -> Result<Reservation, Error> {
        let units = kib(bytes);
        let mut pause = peer.paused.subscribe();
        let wait = async {
            // The sender holds its `sender` half in `peer`, so this ends only when resumed.
            let _ = pause.wait_for(|paused| !paused).await;
            let p = Arc::clone(&peer.budget).acquire_many_owned(units).await;
            let n = Arc::clone(&shared.node_budget).acquire_many_owned(units).await;
            (p, n)
        };
        match tokio::time::timeout(shared.limits.budget_timeout, wait).await {
            Ok((Ok(p), Ok(n))) => {
                let held = u64::from(units) * 1024;
                let c = &shared.counters;
                let now = c.budget_held.fetch_add(held, Ordering::Relaxed) + held;
                c.budget_peak.fetch_max(now, Ordering::Relaxed);
                Ok(Reservation { _peer: p, _node: n, bytes: held, shared: Arc::clone(shared) })
            }
            Ok(_) => Err(Error::Closed),
            Err(_) => Err(Error::BudgetExhausted),
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.shared.counters.budget_held.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// Refuses connections from (and dials to) PeerIds that map to no node, and supplies the
/// peer table's addresses when a stream is opened to a node not yet connected.
struct Gate {
    shared: Arc<Shared>,
}

impl Gate {
    fn check(&self, peer: &PeerId) -> Result<(), ConnectionDenied> {
        if self.shared.peers().node_of(peer).is_some() {
            Ok(())
        } else {
            Counters::bump(&self.shared.counters.connections_refused, 1);
            tracing::debug!(%peer, "connection refused: PeerId bound to no node");
            Err(ConnectionDenied::new(Error::UnknownPeer))
        }
    }
}

impl NetworkBehaviour for Gate {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(&peer)?;
        Ok(dummy::ConnectionHandler)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: Option<PeerId>,
        _: &[Multiaddr],
        _: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        let Some(peer) = peer else { return Ok(Vec::new()) };
        let table = self.shared.peers();
        let Some(node) = table.node_of(&peer) else {
            return Err(ConnectionDenied::new(Error::UnknownPeer));
        };
        let transport = self.shared.transport;
        Ok(table
            .entry(node)
            .map(|e| e.addrs().iter().filter(|a| transport.accepts(a)).cloned().collect())
            .unwrap_or_default())
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(&peer)?;
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, _: FromSwarm<'_>) {}

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}

#[derive(NetworkBehaviour)]
#[behaviour(prelude = "libp2p::swarm::derive_prelude")]
struct Behaviour {
    limits: connection_limits::Behaviour,
    gate: Gate,
    stream: Streams,
}

enum Command {
    Disconnect(Vec<PeerId>),
    CloseIfIdle { node: NodeId, peer: PeerId, reply: oneshot::Sender<bool> },
    Shutdown,
}

/// Failures after which a message is sent again on a new stream: the receiver refused or
/// reset the stream, or did not acknowledge it (it then holds no copy of the message, except
/// if the acknowledgement itself was lost).
fn retryable(e: Error) -> bool {
    matches!(e, Error::NotDelivered | Error::Io(_))
}

/// The transport: [`Net::start`] builds it and returns its handle and inbound queue.
#[derive(Debug)]
pub struct Net;

impl Net {
    /// Starts the transport of `identity` on a tokio runtime: listens on `config.listen`,
    /// accepts streams from the peers of `peers` only, and returns once the listener has an
    /// address.
    ///
    /// The returned receiver yields every message that passed the transport's checks
    /// ([`Inbound`]); the transport runs until [`NetHandle::shutdown`] or until every
    /// handle is dropped.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for inconsistent limits or a listen address of another
    /// transport; [`Error::Listen`] if the address cannot be bound.
    pub async fn start(
        config: NetConfig,
        identity: NetIdentity,
        peers: PeerTable,
    ) -> Result<(NetHandle, mpsc::Receiver<Inbound>), Error> {
        let NetConfig { transport, listen, limits } = config;
        limits.validate()?;
        if !transport.accepts(&listen) {
            return Err(Error::InvalidConfig("listen address of another transport"));
        }
        let shared = Arc::new(Shared {
            local_peer: identity.peer_id(),
            transport,
            peers: Mutex::new(Arc::new(peers)),
            per_peer: Mutex::new(HashMap::new()),
            outbound_per_peer: Mutex::new(HashMap::new()),
            node_budget: Arc::new(Semaphore::new(kib(limits.node_budget) as usize)),
            node_streams: Arc::new(Semaphore::new(limits.max_inbound_streams)),
            outbound: Arc::new(Semaphore::new(limits.max_outbound_streams)),
            counters: Counters::default(),
            listen_addrs: Mutex::new(Vec::new()),
            limits,
        });
        probe_listen(transport, &listen)?;
        let (inbound_tx, inbound_rx) = mpsc::channel(shared.limits.max_inbound_streams);
        let (requests_tx, requests_rx) = mpsc::unbounded_channel();
        let streams = Streams::new(Arc::clone(&shared), inbound_tx, requests_rx);
        let mut swarm = build_swarm(&identity, &shared, streams, &listen)?;
        swarm.listen_on(listen).map_err(|e| match e {
            libp2p::TransportError::Other(io) => Error::Listen(io.kind()),
            libp2p::TransportError::MultiaddrNotSupported(_) => {
                Error::InvalidConfig("listen address not supported")
            }
        })?;
        let (cmd_tx, cmd_rx) = mpsc::channel(16);
        let (ready_tx, ready_rx) = oneshot::channel();
        tokio::spawn(event_loop(swarm, cmd_rx, Arc::clone(&shared), ready_tx));
        match tokio::time::timeout(LISTEN_TIMEOUT, ready_rx).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => return Err(e),
            Ok(Err(_)) | Err(_) => return Err(Error::Listen(std::io::ErrorKind::TimedOut)),
        }
        let (tx, rx) = mpsc::channel(shared.limits.inbound_queue);
        tokio::spawn(accept_loop(Arc::clone(&shared), inbound_rx, tx));
        let handle = NetHandle {
            shared,
            requests: requests_tx,
            commands: cmd_tx,
            node_id: identity.node_id(),
        };
        Ok((handle, rx))
    }
}

/// libp2p-tcp binds its listeners with `SO_REUSEPORT` (so that dials can reuse the port),
/// which lets a second node bind a port already in use and share its connections. Binding the
/// port once without it first turns that into [`Error::Listen`] (`AddrInUse`), as it is for
/// any other server; the probe socket is closed before libp2p binds.
fn probe_listen(transport: TransportKind, listen: &Multiaddr) -> Result<(), Error> {
    let Some(addr) = transport.socket_addr(listen) else { return Ok(()) };
    if addr.port() == 0 {
        return Ok(());
    }
    let r = match transport {
        TransportKind::Tcp => std::net::TcpListener::bind(addr).map(drop),
        TransportKind::Quic => std::net::UdpSocket::bind(addr).map(drop),
    };
    r.map_err(|e| Error::Listen(e.kind()))
}

fn build_swarm(
    identity: &NetIdentity,
    shared: &Arc<Shared>,
    streams: Streams,
    listen: &Multiaddr,
) -> Result<Swarm<Behaviour>, Error> {
    let l = &shared.limits;
    let behaviour = |_: &libp2p::identity::Keypair| Behaviour {
        limits: connection_limits::Behaviour::new(
            connection_limits::ConnectionLimits::default()
                .with_max_pending_incoming(Some(l.max_pending_incoming))
                .with_max_established(Some(l.max_connections))
                .with_max_established_per_peer(Some(l.max_connections_per_peer)),
        ),
        gate: Gate { shared: Arc::clone(shared) },
        stream: streams,
    };
    let builder =
        libp2p::SwarmBuilder::with_existing_identity(identity.keypair().clone()).with_tokio();
    let (idle, handshake) = (l.idle_connection_timeout, l.handshake_timeout);
    let swarm = match shared.transport {
        TransportKind::Quic => match builder
            .with_quic_config(|mut c| {
                c.handshake_timeout = handshake;
                let c = c
                    .socket_receive_buffer(crate::config::QUIC_RECEIVE_BUFFER)
                    .max_udp_payload_size(crate::config::QUIC_MAX_UDP_PAYLOAD)
                    .mtu_upper_bound(crate::config::QUIC_MAX_UDP_PAYLOAD);
                match crate::config::quic_loopback_start(listen) {
                    Some((mtu, window)) => c.initial_mtu(mtu).initial_congestion_window(window),
                    None => c,
                }
            })
            .with_behaviour(behaviour)
        {
            Ok(b) => b
                .with_swarm_config(|c| swarm_config(c, idle))
                .with_connection_timeout(handshake)
                .build(),
            Err(never) => match never {},
        },
        TransportKind::Tcp => match builder
            .with_tcp(
                tcp::Config::default().nodelay(true),
                noise::Config::new,
                yamux::Config::default,
            )
            .map_err(|_| Error::InvalidConfig("noise key"))?
            .with_behaviour(behaviour)
        {
            Ok(b) => b
                .with_swarm_config(|c| swarm_config(c, idle))
                .with_connection_timeout(handshake)
                .build(),
            Err(never) => match never {},
        },
    };
    Ok(swarm)
}

/// The swarm's settings: idle connections closed after `idle`, and outbound streams
/// negotiated with multistream-select's `V1Lazy`: every message is one stream of the one
/// protocol, so the message's first bytes go with the protocol proposal instead of a round
/// trip later (`spec/net.md` §1). The wire format is V1's; a listener that refuses the
/// protocol resets the stream, which the sender sees as a failed send.
fn swarm_config(c: libp2p::swarm::Config, idle: std::time::Duration) -> libp2p::swarm::Config {
    c.with_idle_connection_timeout(idle)
        .with_substream_upgrade_protocol_override(libp2p::core::upgrade::Version::V1Lazy)
}

async fn event_loop(
    mut swarm: Swarm<Behaviour>,
    mut commands: mpsc::Receiver<Command>,
    shared: Arc<Shared>,
    ready: oneshot::Sender<Result<(), Error>>,
) {
    let mut ready = Some(ready);
    // Peers whose connections `close_if_idle` is closing: the swarm counts them as connected
    // until they are gone, so a second call must not close (and count) them again.
    let mut closing: std::collections::HashSet<PeerId> = std::collections::HashSet::new();
    loop {
        tokio::select! {
            cmd = commands.recv() => match cmd {
                Some(Command::Disconnect(peers)) => {
                    for p in peers {
                        let _ = swarm.disconnect_peer_id(p);
                    }
                }
                Some(Command::CloseIfIdle { node, peer, reply }) => {
                    // Checked here, in the loop that opens streams, so no stream is requested
                    // between the check and the close.
                    let closed = !closing.contains(&peer)
                        && shared.idle(node)
                        && swarm.disconnect_peer_id(peer).is_ok();
                    if closed {
                        closing.insert(peer);
                        Counters::bump(&shared.counters.connections_closed, 1);
                    }
                    let _ = reply.send(closed);
                }
                Some(Command::Shutdown) | None => break,
            },
            event = swarm.select_next_some() => match event {
                SwarmEvent::NewListenAddr { address, .. } => {
                    tracing::debug!(%address, "listening");
                    lock(&shared.listen_addrs).push(address);
                    if let Some(r) = ready.take() {
                        let _ = r.send(Ok(()));
                    }
                }
                SwarmEvent::ExpiredListenAddr { address, .. } => {
                    lock(&shared.listen_addrs).retain(|a| *a != address);
                }
                SwarmEvent::ListenerClosed { reason: Err(e), .. } | SwarmEvent::ListenerError { error: e, .. } => {
                    tracing::warn!(error = %e, "listener failed");
                    if let Some(r) = ready.take() {
                        let _ = r.send(Err(Error::Listen(e.kind())));
                    }
                }
                SwarmEvent::IncomingConnectionError { error, send_back_addr, .. } => {
                    tracing::debug!(%send_back_addr, %error, "inbound connection failed");
                }
                SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                    tracing::debug!(?peer_id, %error, "outbound connection failed");
                }
                // A new connection is not one being closed; the last one gone, none is.
                SwarmEvent::ConnectionEstablished { peer_id, .. }
                | SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
                    closing.remove(&peer_id);
                }
                _ => {}
            },
        }
    }
    tracing::debug!("transport stopped");
}

/// The node's handle on the transport: send messages, update the peer table, read
/// counters, shut down. Cheap to clone.
#[derive(Clone)]
pub struct NetHandle {
    shared: Arc<Shared>,
    requests: mpsc::UnboundedSender<OpenRequest>,
    commands: mpsc::Sender<Command>,
    node_id: NodeId,
}

impl std::fmt::Debug for NetHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetHandle")
            .field("node_id", &self.node_id)
            .field("peer_id", &self.shared.local_peer)
            .finish_non_exhaustive()
    }
}

impl NetHandle {
    /// This node's id.
    pub fn node_id(&self) -> NodeId {
        self.node_id
    }

    /// This node's PeerId.
    pub fn peer_id(&self) -> PeerId {
        self.shared.local_peer
    }

    /// The addresses the listener is bound to (with the real port if the configuration
    /// asked for port 0).
    pub fn listen_addrs(&self) -> Vec<Multiaddr> {
        lock(&self.shared.listen_addrs).clone()
    }

    /// Replaces the peer table. Connections of peers that left (or whose PeerId now maps to
    /// another node) are closed; their streams in progress fail.
    ///
    /// # Errors
    /// [`Error::Closed`] if the transport has shut down.
    pub async fn set_peers(&self, table: PeerTable) -> Result<(), Error> {
        let gone = self.shared.set_peers(table);
        if gone.is_empty() {
            return Ok(());
        }
        self.commands.send(Command::Disconnect(gone)).await.map_err(|_| Error::Closed)
    }

    /// The current peer table.
    pub fn peers(&self) -> Arc<PeerTable> {
        self.shared.peers()
    }

    /// Counters so far.
    pub fn stats(&self) -> NetStats {
        self.shared.stats()
    }

    /// The bounds in force.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// Stops (`paused`) or resumes taking new messages from `node`: backpressure on one
    /// peer. While it is paused, its new streams wait after their header, before any budget
    /// is reserved or [`crate::codec::ACCEPT`] sent, so each holds a stream slot and its
    /// header only, and its sender holds the body; the wait counts against `budget_timeout`.
    /// Messages already accepted are still delivered. Pausing twice is pausing once.
    pub fn pause_inbound(&self, node: NodeId, paused: bool) {
        self.shared.peer_limits(node).paused.send_replace(paused);
    }

    /// Closes this node's connections to `node` if no message stream to or from it is open or
    /// being opened and they are not being closed already, and returns whether it did; a
    /// later [`NetHandle::send`] dials again.
    /// For a node that will exchange nothing with `node` for a while and should not keep the
    /// connection's state meanwhile (an aggregator, once a client has its result: the
    /// connections would otherwise grow with the number of clients). A stream the peer
    /// opens as the connection closes is refused before its acknowledgement, and its sender
    /// sends it again on a new connection.
    pub async fn close_if_idle(&self, node: NodeId) -> bool {
        let Some(peer) = self.shared.peers().peer_of(node) else { return false };
        let (reply, answer) = oneshot::channel();
        if self.commands.send(Command::CloseIfIdle { node, peer, reply }).await.is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }

    /// Sends `message` to node `to` on a stream of its own, in chunks of at most
    /// [`crate::codec::CHUNK_LEN`]; returns once the receiver has acknowledged the whole
    /// message. Dials the node at its table addresses if it is not connected, retrying for
    /// `connect_retry`. A stream that fails before the acknowledgement (reset, refused) is
    /// sent again, up to [`crate::SEND_ATTEMPTS`] streams in all: a message is delivered at
    /// least once if this returns `Ok`, and twice only if an acknowledgement was lost after
    /// the receiver had queued the message. Run it in a task of its own to send without
    /// waiting.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::Unreachable`], [`Error::MessageTooLong`],
    /// [`Error::Stalled`] (the receiver accepted nothing for `stall_timeout`),
    /// [`Error::NotDelivered`], [`Error::Io`].
    pub async fn send(&self, to: NodeId, message: &[u8]) -> Result<(), Error> {
        let mut attempt = 1;
        loop {
            let r = async {
                let mut w = self.open_once(to, message.len() as u64).await?;
                for chunk in message.chunks(crate::codec::CHUNK_LEN) {
                    w.write_chunk(chunk).await?;
                }
                w.finish().await
            }
            .await;
            match r {
                Ok(()) => return Ok(()),
                Err(e) if retryable(e) && attempt < crate::config::SEND_ATTEMPTS => {
                    self.pause_before_retry(to, attempt).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Opens a stream to `to` for a message of exactly `len` bytes: writes its header and
    /// waits for the receiver's [`crate::codec::ACCEPT`] (the header passed its checks and
    /// the receiver reserved the message's budget); a stream refused before that is opened
    /// again, up to [`crate::SEND_ATTEMPTS`] times. The caller then writes the body with
    /// [`MessageWriter::write_chunk`] (so a message need never be whole in the sender's
    /// memory) and ends with [`MessageWriter::finish`]; nothing is retried after `ACCEPT`.
    ///
    /// # Errors
    /// As [`NetHandle::send`].
    pub async fn open_message(&self, to: NodeId, len: u64) -> Result<MessageWriter, Error> {
        let mut attempt = 1;
        loop {
            match self.open_once(to, len).await {
                Ok(w) => return Ok(w),
                Err(e) if retryable(e) && attempt < crate::config::SEND_ATTEMPTS => {
                    self.pause_before_retry(to, attempt).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn pause_before_retry(&self, to: NodeId, attempt: u32) {
        tracing::debug!(node = to, attempt, "stream refused or not acknowledged; opening another");
        Counters::bump(&self.shared.counters.sends_retried, 1);
        tokio::time::sleep(crate::config::CONNECT_RETRY_INTERVAL * attempt).await;
    }

    async fn open_once(&self, to: NodeId, len: u64) -> Result<MessageWriter, Error> {
        if len > self.shared.limits.max_message_len {
            return Err(Error::MessageTooLong { len, max: self.shared.limits.max_message_len });
        }
        let mut w = self.danger_open_raw_stream(to).await?;
        w.start(len).await?;
        Ok(w)
    }

    /// Opens a stream to `to` and returns it without writing a header: for tests of the
    /// receiver's checks (garbage headers, stalls) only.
    ///
    /// # Errors
    /// As [`NetHandle::send`].
    #[doc(hidden)]
    pub async fn danger_open_raw_stream(&self, to: NodeId) -> Result<MessageWriter, Error> {
        let Some(peer) = self.shared.peers().peer_of(to) else {
            return Err(Error::UnknownNode { node: to });
        };
        if peer == self.shared.local_peer {
            return Err(Error::Unreachable { node: to });
        }
        let peer_slot =
            self.shared.outbound_limit(to).acquire_owned().await.map_err(|_| Error::Closed)?;
        let slot =
            Arc::clone(&self.shared.outbound).acquire_owned().await.map_err(|_| Error::Closed)?;
        let l = &self.shared.limits;
        let give_up = tokio::time::Instant::now() + l.connect_retry;
        loop {
            if self.commands.is_closed() {
                return Err(Error::Closed);
            }
            let (reply, answer) = oneshot::channel();
            self.requests.send(OpenRequest { peer, reply }).map_err(|_| Error::Closed)?;
            match tokio::time::timeout(l.connect_timeout, answer).await {
                Ok(Ok(Ok(stream))) => {
                    return Ok(MessageWriter::new(
                        stream,
                        Arc::clone(&self.shared),
                        [slot, peer_slot],
                    ));
                }
                Ok(Ok(Err(kind))) => tracing::debug!(node = to, ?kind, "cannot open stream"),
                Ok(Err(_)) => tracing::debug!(node = to, "stream request dropped"),
                Err(_) => tracing::debug!(node = to, "opening a stream timed out"),
            }
            if tokio::time::Instant::now() + crate::config::CONNECT_RETRY_INTERVAL > give_up {
                return Err(Error::Unreachable { node: to });
            }
            tokio::time::sleep(crate::config::CONNECT_RETRY_INTERVAL).await;
        }
    }

    /// Stops the transport: closes the listener and every connection. Messages in flight
    /// fail; the inbound receiver ends once the last stream task is done.
    pub async fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown).await;
    }
}
