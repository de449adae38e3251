//! Transport choice and every bound the transport enforces. Spec: `spec/net.md` §4.

use std::net::SocketAddr;
use std::time::Duration;

use libp2p::Multiaddr;
use libp2p::multiaddr::Protocol;

use crate::Error;
use crate::codec::CHUNK_LEN;

/// Which libp2p transport carries the streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransportKind {
    /// QUIC v1 over UDP (TLS 1.3 with the libp2p certificate, QUIC's own streams): the
    /// default.
    #[default]
    Quic,
    /// TCP with Noise XX for authentication and encryption and Yamux for streams.
    Tcp,
}

impl TransportKind {
    /// The multiaddr of a socket address for this transport:
    /// `/ip4/A/udp/P/quic-v1` or `/ip4/A/tcp/P` (`ip6` likewise).
    pub fn multiaddr(self, addr: SocketAddr) -> Multiaddr {
        let ip = match addr.ip() {
            std::net::IpAddr::V4(a) => Protocol::Ip4(a),
            std::net::IpAddr::V6(a) => Protocol::Ip6(a),
        };
        let base = Multiaddr::empty().with(ip);
        match self {
            TransportKind::Quic => base.with(Protocol::Udp(addr.port())).with(Protocol::QuicV1),
            TransportKind::Tcp => base.with(Protocol::Tcp(addr.port())),
        }
    }

    /// The IP socket address of a multiaddr of this transport (`None` for other forms).
    pub fn socket_addr(self, addr: &Multiaddr) -> Option<SocketAddr> {
        let mut ip = None;
        let mut port = None;
        for p in addr.iter() {
            match (self, p) {
                (_, Protocol::Ip4(a)) => ip = Some(std::net::IpAddr::V4(a)),
                (_, Protocol::Ip6(a)) => ip = Some(std::net::IpAddr::V6(a)),
                (TransportKind::Quic, Protocol::Udp(p))
                | (TransportKind::Tcp, Protocol::Tcp(p)) => port = Some(p),
                _ => {}
            }
        }
        Some(SocketAddr::new(ip?, port?))
    }

    /// Whether `addr` is an address of this transport.
    pub fn accepts(self, addr: &Multiaddr) -> bool {
        let mut quic = false;
        let mut tcp = false;
        for p in addr.iter() {
            match p {
                Protocol::QuicV1 => quic = true,
                Protocol::Tcp(_) => tcp = true,
                _ => {}
            }
        }
        match self {
            TransportKind::Quic => quic && !tcp,
            TransportKind::Tcp => tcp && !quic,
        }
    }
}

/// Default per-message maximum: 4 GiB (the protocol's largest transcripts stream through).
pub const DEFAULT_MAX_MESSAGE_LEN: u64 = 4 << 30;
/// Default largest message delivered whole ([`crate::Inbound::Message`]): 64 MiB. Larger
/// ones are delivered as a [`crate::MessageReader`] to consume chunk by chunk.
pub const DEFAULT_MAX_WHOLE_MESSAGE_LEN: u64 = 64 << 20;
/// Default inbound byte budget of one peer: 128 MiB.
pub const DEFAULT_PEER_BUDGET: u64 = 128 << 20;
/// Default inbound byte budget of the node, all peers together: 256 MiB.
pub const DEFAULT_NODE_BUDGET: u64 = 256 << 20;
/// Default inbound streams open at once from one peer: 16.
pub const DEFAULT_MAX_STREAMS_PER_PEER: usize = 16;
/// Default inbound streams open at once, all peers together: 256.
pub const DEFAULT_MAX_INBOUND_STREAMS: usize = 256;
/// Default outbound streams open at once: 256.
pub const DEFAULT_MAX_OUTBOUND_STREAMS: usize = 256;
/// Default messages queued for the consumer: 256.
pub const DEFAULT_INBOUND_QUEUE: usize = 256;
/// Default time for a stream's 12-byte header to arrive once the stream is open: 10 s.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default longest wait for any byte inside a message (both directions): 10 s.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Default slowest acceptable average rate of a message body: 1 MiB/s.
pub const DEFAULT_MIN_BYTES_PER_SEC: u64 = 1 << 20;
/// Default longest wait for inbound budget before a stream is cut: 30 s.
pub const DEFAULT_BUDGET_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time a connection with no open stream is kept: 60 s.
pub const DEFAULT_IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// Default time for a connection's handshake (QUIC/TLS or TCP/Noise/Yamux): 10 s.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for one attempt to open a stream (dialing if needed): 5 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time a sender keeps retrying a peer that cannot be reached (it may be starting): 5 s.
pub const DEFAULT_CONNECT_RETRY: Duration = Duration::from_secs(5);
/// Streams [`crate::NetHandle::send`] tries for one message before it reports the failure:
/// 5 (the pause before attempt `k + 1` is `k` × [`CONNECT_RETRY_INTERVAL`], 1 s in all).
pub const SEND_ATTEMPTS: u32 = 5;
/// Pause between two attempts to reach a peer: 100 ms.
pub const CONNECT_RETRY_INTERVAL: Duration = Duration::from_millis(100);
/// Default connections being handshaken at once, inbound: 64 (unknown peers cost at most
/// this many handshakes in flight).
pub const DEFAULT_MAX_PENDING_INCOMING: u32 = 64;
/// Default established connections, all peers: 1024.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 1024;
/// Default established connections per peer: 2 (two nodes may dial each other at once).
pub const DEFAULT_MAX_CONNECTIONS_PER_PEER: u32 = 2;
/// How long [`crate::Net::start`] waits for its listener to report an address: 5 s.
pub const LISTEN_TIMEOUT: Duration = Duration::from_secs(5);
/// Receive buffer (`SO_RCVBUF`) asked for the QUIC transport's UDP socket: 4 MiB (the kernel
/// caps it at `net.core.rmem_max`). All of a node's QUIC connections share that one socket;
/// with the system default (208 KiB) a node that many peers send to at once drops datagrams
/// (the headline round lost about 10% of them) and QUIC retransmits and backs off. `spec/net.md` §4.
pub const QUIC_RECEIVE_BUFFER: usize = 4 << 20;
/// Largest UDP payload the QUIC transport announces and searches for by MTU discovery: 6500
/// bytes (quinn's default is 1472). Where the path allows it (127.0.0.1: 65536-byte MTU) a
/// packet then carries 4.4 times as many bytes, and QUIC's cost is mostly per packet (crypto,
/// framing, acknowledgements, wake-ups). Not more: quinn sends up to 10 packets in one
/// segmentation-offload write, which Linux refuses (and quinn drops silently) above 65507
/// bytes. `spec/net.md` §4.
pub const QUIC_MAX_UDP_PAYLOAD: u16 = 6500;
/// Congestion window a QUIC connection starts with on a loopback node: ten packets of
/// [`QUIC_MAX_UDP_PAYLOAD`], RFC 9002's ten initial datagrams (quinn's default is 12 000
/// bytes: ten of 1200, less than two of 6500). 1 MiB made the nodes' UDP receive buffers
/// overflow 3-4 times as often in the headline round. `spec/net.md` §4.
pub const QUIC_LOOPBACK_INITIAL_WINDOW: u64 = 10 * QUIC_MAX_UDP_PAYLOAD as u64;

/// The QUIC start settings of a node listening on `listen`: `(initial_mtu, initial congestion
/// window)` if it is a loopback address, else `None` (quinn's defaults: 1200 bytes then MTU
/// discovery, 12 000 bytes then slow start). A node that listens on loopback can only be
/// reached over loopback (65536-byte MTU, no competing traffic), so its connections may start
/// at [`QUIC_MAX_UDP_PAYLOAD`] and [`QUIC_LOOPBACK_INITIAL_WINDOW`]; `spec/net.md` §4.
#[must_use]
pub fn quic_loopback_start(listen: &Multiaddr) -> Option<(u16, u64)> {
    let addr = TransportKind::Quic.socket_addr(listen)?;
    addr.ip().is_loopback().then_some((QUIC_MAX_UDP_PAYLOAD, QUIC_LOOPBACK_INITIAL_WINDOW))
}

/// Every bound of the transport (see each field and `spec/net.md` §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest message accepted or sent, checked on the header before any body byte is read.
    pub max_message_len: u64,
    /// Largest message the transport reads whole and delivers as bytes; larger messages (up
    /// to `max_message_len`) are delivered as a chunk-by-chunk reader. At most
    /// `peer_budget`.
    pub max_whole_message_len: u64,
    /// Bytes of one peer's messages held at once: whole messages read or being read and not
    /// yet dropped by the consumer, plus one chunk buffer per open reader.
    pub peer_budget: u64,
    /// The same, all peers together. At least `peer_budget`.
    pub node_budget: u64,
    /// Inbound streams from one peer open at once (beyond: refused at once); also the
    /// outbound streams this node opens to one peer at once (beyond: senders wait).
    pub max_streams_per_peer: usize,
    /// Inbound streams open at once, all peers (beyond: refused at once).
    pub max_inbound_streams: usize,
    /// Outbound streams open at once (beyond: senders wait).
    pub max_outbound_streams: usize,
    /// Inbound messages and readers queued for the consumer (beyond: readers wait, which
    /// stalls their streams into the senders' flow control).
    pub inbound_queue: usize,
    /// Time for the header to arrive once a stream is open.
    pub header_timeout: Duration,
    /// Longest wait for the next byte inside a message: a receiver cuts a stream that sends
    /// nothing for this long, a sender gives up on a stream that accepts nothing for this
    /// long.
    pub stall_timeout: Duration,
    /// Slowest average body rate: a message of `len` bytes must arrive within
    /// `stall_timeout + len / min_bytes_per_sec` of waiting on the network (time the
    /// consumer takes between chunks is not counted). At least 1.
    pub min_bytes_per_sec: u64,
    /// Longest wait for inbound budget before the stream is cut.
    pub budget_timeout: Duration,
    /// A connection with no stream open is closed after this long.
    pub idle_connection_timeout: Duration,
    /// Time for a connection's transport handshake.
    pub handshake_timeout: Duration,
    /// Time for one attempt at opening a stream, dial included.
    pub connect_timeout: Duration,
    /// How long a sender retries (every [`CONNECT_RETRY_INTERVAL`]) to open a stream to a
    /// peer before the message fails with [`Error::Unreachable`].
    pub connect_retry: Duration,
    /// Inbound connections in their handshake at once.
    pub max_pending_incoming: u32,
    /// Established connections, all peers.
    pub max_connections: u32,
    /// Established connections per peer.
    pub max_connections_per_peer: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
            max_whole_message_len: DEFAULT_MAX_WHOLE_MESSAGE_LEN,
            peer_budget: DEFAULT_PEER_BUDGET,
            node_budget: DEFAULT_NODE_BUDGET,
            max_streams_per_peer: DEFAULT_MAX_STREAMS_PER_PEER,
            max_inbound_streams: DEFAULT_MAX_INBOUND_STREAMS,
            max_outbound_streams: DEFAULT_MAX_OUTBOUND_STREAMS,
            inbound_queue: DEFAULT_INBOUND_QUEUE,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            min_bytes_per_sec: DEFAULT_MIN_BYTES_PER_SEC,
            budget_timeout: DEFAULT_BUDGET_TIMEOUT,
            idle_connection_timeout: DEFAULT_IDLE_CONNECTION_TIMEOUT,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            connect_retry: DEFAULT_CONNECT_RETRY,
            max_pending_incoming: DEFAULT_MAX_PENDING_INCOMING,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_peer: DEFAULT_MAX_CONNECTIONS_PER_PEER,
        }
    }
}

/// Largest budget expressible (budgets are counted in KiB in a `u32`-sized semaphore): 4 TiB.
pub const MAX_BUDGET: u64 = (u32::MAX as u64) << 10;

impl Limits {
    /// Checks the relations between the bounds.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first offending field.
    pub fn validate(&self) -> Result<(), Error> {
        let chunk = CHUNK_LEN as u64;
        let checks: [(bool, &'static str); 10] = [
            (
                self.max_whole_message_len <= self.max_message_len,
                "max_whole_message_len > max_message_len",
            ),
            (self.max_whole_message_len <= self.peer_budget, "max_whole_message_len > peer_budget"),
            (self.peer_budget >= chunk, "peer_budget below one chunk"),
            (self.peer_budget <= self.node_budget, "peer_budget > node_budget"),
            (self.node_budget <= MAX_BUDGET, "node_budget above 4 TiB"),
            (self.max_streams_per_peer >= 1, "max_streams_per_peer is 0"),
            (
                self.max_inbound_streams >= 1 && self.max_outbound_streams >= 1,
                "stream limits are 0",
            ),
            (self.inbound_queue >= 1, "inbound_queue is 0"),
            (self.min_bytes_per_sec >= 1, "min_bytes_per_sec is 0"),
            (
                self.max_connections_per_peer >= 1 && self.max_connections >= 1,
                "connection limits are 0",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, what)) => Err(Error::InvalidConfig(what)),
            None => Ok(()),
        }
    }

    /// The network waiting time allowed for a body of `len` bytes:
    /// `stall_timeout + len / min_bytes_per_sec`.
    pub fn body_allowance(&self, len: u64) -> Duration {
        let secs = len / self.min_bytes_per_sec.max(1);
        let frac = len % self.min_bytes_per_sec.max(1);
        let nanos = u128::from(frac) * 1_000_000_000 / u128::from(self.min_bytes_per_sec.max(1));
        self.stall_timeout
            .saturating_add(Duration::from_secs(secs))
            .saturating_add(Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX)))
    }
}

/// The transport's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    /// QUIC (default) or TCP + Noise + Yamux.
    pub transport: TransportKind,
    /// Where to listen, an address of `transport` (port 0 picks a free port: read the
    /// result with [`crate::NetHandle::listen_addrs`]).
    pub listen: Multiaddr,
    /// Every bound.
    pub limits: Limits,
}

impl NetConfig {
    /// A configuration with default limits listening on `listen` with `transport`.
    pub fn new(transport: TransportKind, listen: SocketAddr) -> Self {
        NetConfig { transport, listen: transport.multiaddr(listen), limits: Limits::default() }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn defaults_validate_and_bad_relations_are_named() {
        Limits::default().validate().unwrap();
        let l = Limits { max_whole_message_len: DEFAULT_PEER_BUDGET + 1, ..Limits::default() };
        assert_eq!(l.validate(), Err(Error::InvalidConfig("max_whole_message_len > peer_budget")));
        let l = Limits { min_bytes_per_sec: 0, ..Limits::default() };
        assert_eq!(l.validate(), Err(Error::InvalidConfig("min_bytes_per_sec is 0")));
    }

    #[test]
    fn allowance_grows_with_length() {
        let l = Limits {
            stall_timeout: Duration::from_secs(1),
            min_bytes_per_sec: 1000,
            ..Limits::default()
        };
        assert_eq!(l.body_allowance(0), Duration::from_secs(1));
        assert_eq!(l.body_allowance(2500), Duration::from_millis(3500));
    }

    #[test]
    fn multiaddrs_per_transport() {
        let a: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let q = TransportKind::Quic.multiaddr(a);
        let t = TransportKind::Tcp.multiaddr(a);
        assert_eq!(q.to_string(), "/ip4/127.0.0.1/udp/4000/quic-v1");
        assert_eq!(t.to_string(), "/ip4/127.0.0.1/tcp/4000");
        assert!(TransportKind::Quic.accepts(&q) && !TransportKind::Quic.accepts(&t));
        assert!(TransportKind::Tcp.accepts(&t) && !TransportKind::Tcp.accepts(&q));
    }

    #[test]
    fn only_a_loopback_listener_starts_quic_at_full_size() {
        let start = |a: &str| quic_loopback_start(&a.parse().unwrap());
        let full = Some((QUIC_MAX_UDP_PAYLOAD, QUIC_LOOPBACK_INITIAL_WINDOW));
        assert_eq!(start("/ip4/127.0.0.1/udp/9000/quic-v1"), full);
        assert_eq!(start("/ip4/127.3.2.1/udp/9000/quic-v1"), full);
        assert_eq!(start("/ip6/::1/udp/9000/quic-v1"), full);
        assert_eq!(start("/ip4/0.0.0.0/udp/9000/quic-v1"), None, "any interface: any path");
        assert_eq!(start("/ip4/10.1.2.3/udp/9000/quic-v1"), None);
        assert_eq!(start("/ip6/::/udp/9000/quic-v1"), None);
    }
}
