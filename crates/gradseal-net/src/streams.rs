//! The message-stream protocol as a libp2p behaviour: raw streams of [`PROTOCOL`], inbound
//! ones handed to the accept loop through a bounded queue (`max_inbound_streams` deep),
//! outbound ones opened on request (dialing the peer at its table addresses if needed).
//!
//! This replaces `libp2p-stream`, whose one-slot hand-off resets every inbound stream that
//! arrives while the previous one is still being handed over.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use libp2p::core::Endpoint;
use libp2p::core::transport::PortUse;
use libp2p::core::upgrade::ReadyUpgrade;
use libp2p::swarm::behaviour::{ConnectionClosed, ConnectionEstablished, DialFailure};
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::handler::{
    ConnectionEvent, DialUpgradeError, FullyNegotiatedInbound, FullyNegotiatedOutbound,
};
use libp2p::swarm::{
    ConnectionDenied, ConnectionHandler, ConnectionHandlerEvent, ConnectionId, DialError,
    FromSwarm, NetworkBehaviour, NotifyHandler, SubstreamProtocol, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm,
};
use libp2p::{Multiaddr, PeerId, Stream};
use tokio::sync::{mpsc, oneshot};

use crate::net::{Counters, PROTOCOL, Shared};

/// The answer to a request for an outbound stream.
pub(crate) type Reply = oneshot::Sender<Result<Stream, std::io::ErrorKind>>;

/// A request for an outbound stream to `peer`.
pub(crate) struct OpenRequest {
    pub(crate) peer: PeerId,
    pub(crate) reply: Reply,
}

/// Behaviour → handler: open one outbound stream and answer on `Reply`.
pub(crate) struct OpenStream(Reply);

impl std::fmt::Debug for OpenStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpenStream")
    }
}

pub(crate) struct Streams {
    shared: Arc<Shared>,
    inbound: mpsc::Sender<(PeerId, Stream)>,
    requests: mpsc::UnboundedReceiver<OpenRequest>,
    connections: HashMap<PeerId, Vec<ConnectionId>>,
    pending: HashMap<PeerId, Vec<Reply>>,
    events: VecDeque<ToSwarm<Infallible, OpenStream>>,
}

impl Streams {
    pub(crate) fn new(
        shared: Arc<Shared>,
        inbound: mpsc::Sender<(PeerId, Stream)>,
        requests: mpsc::UnboundedReceiver<OpenRequest>,
    ) -> Self {
        Streams {
            shared,
            inbound,
            requests,
            connections: HashMap::new(),
            pending: HashMap::new(),
            events: VecDeque::new(),
        }
    }

    fn handler(&self, peer: PeerId) -> Handler {
        Handler {
            peer,
            inbound: self.inbound.clone(),
            shared: Arc::clone(&self.shared),
            queued: VecDeque::new(),
            waker: None,
        }
    }

    fn request(&mut self, req: OpenRequest) {
        if let Some(conn) = self.connections.get(&req.peer).and_then(|c| c.first()) {
            self.events.push_back(ToSwarm::NotifyHandler {
                peer_id: req.peer,
                handler: NotifyHandler::One(*conn),
                event: OpenStream(req.reply),
            });
            return;
        }
        let waiting = self.pending.entry(req.peer).or_default();
        waiting.retain(|r| !r.is_closed());
        waiting.push(req.reply);
        self.events.push_back(ToSwarm::Dial {
            opts: DialOpts::peer_id(req.peer)
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .build(),
        });
    }
}

impl NetworkBehaviour for Streams {
    type ConnectionHandler = Handler;
    type ToSwarm = Infallible;

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(self.handler(peer))
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(self.handler(peer))
    }

    fn on_swarm_event(&mut self, event: FromSwarm<'_>) {
        match event {
            FromSwarm::ConnectionEstablished(ConnectionEstablished {
                peer_id,
                connection_id,
                ..
            }) => {
                self.connections.entry(peer_id).or_default().push(connection_id);
                for reply in self.pending.remove(&peer_id).unwrap_or_default() {
                    self.events.push_back(ToSwarm::NotifyHandler {
                        peer_id,
                        handler: NotifyHandler::One(connection_id),
                        event: OpenStream(reply),
                    });
                }
            }
            FromSwarm::ConnectionClosed(ConnectionClosed { peer_id, connection_id, .. }) => {
                if let Some(c) = self.connections.get_mut(&peer_id) {
                    c.retain(|id| *id != connection_id);
                    if c.is_empty() {
                        self.connections.remove(&peer_id);
                    }
                }
            }
            FromSwarm::DialFailure(DialFailure { peer_id: Some(peer), error, .. }) => {
                // A dial skipped because another is under way is no failure.
                if matches!(error, DialError::DialPeerConditionFalse(_)) {
                    return;
                }
                if !self.connections.contains_key(&peer) {
                    for reply in self.pending.remove(&peer).unwrap_or_default() {
                        let _ = reply.send(Err(std::io::ErrorKind::ConnectionRefused));
                    }
                }
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        while let Poll::Ready(Some(req)) = self.requests.poll_recv(cx) {
            self.request(req);
        }
        match self.events.pop_front() {
            Some(e) => Poll::Ready(e),
            None => Poll::Pending,
        }
    }
}

/// One connection's side of the protocol.
pub(crate) struct Handler {
    peer: PeerId,
    inbound: mpsc::Sender<(PeerId, Stream)>,
    shared: Arc<Shared>,
    queued: VecDeque<Reply>,
    waker: Option<Waker>,
}

impl Handler {
    /// Beyond `max_inbound_streams` waiting for the accept loop, a stream is refused at once.
    fn hand_off(&mut self, stream: Stream) {
        if self.inbound.try_send((self.peer, stream)).is_err() {
            Counters::bump(&self.shared.counters.streams_refused, 1);
            tracing::debug!(peer = %self.peer, "inbound queue full; stream refused");
        }
    }
}

impl ConnectionHandler for Handler {
    type FromBehaviour = OpenStream;
    type ToBehaviour = Infallible;
    type InboundProtocol = ReadyUpgrade<libp2p::StreamProtocol>;
    type OutboundProtocol = ReadyUpgrade<libp2p::StreamProtocol>;
    type InboundOpenInfo = ();
    type OutboundOpenInfo = Reply;

    fn listen_protocol(&self) -> SubstreamProtocol<Self::InboundProtocol> {
        SubstreamProtocol::new(ReadyUpgrade::new(PROTOCOL), ())
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<ConnectionHandlerEvent<Self::OutboundProtocol, Reply, Infallible>> {
        while let Some(reply) = self.queued.pop_front() {
            if reply.is_closed() {
                continue; // the requester gave up
            }
            return Poll::Ready(ConnectionHandlerEvent::OutboundSubstreamRequest {
                protocol: SubstreamProtocol::new(ReadyUpgrade::new(PROTOCOL), reply),
            });
        }
        self.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn on_behaviour_event(&mut self, OpenStream(reply): OpenStream) {
        self.queued.push_back(reply);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }

    fn on_connection_event(
        &mut self,
        event: ConnectionEvent<'_, Self::InboundProtocol, Self::OutboundProtocol, (), Reply>,
    ) {
        match event {
            ConnectionEvent::FullyNegotiatedInbound(FullyNegotiatedInbound {
                protocol: stream,
                ..
            }) => self.hand_off(stream),
            ConnectionEvent::FullyNegotiatedOutbound(FullyNegotiatedOutbound {
                protocol: stream,
                info: reply,
            }) => {
                let _ = reply.send(Ok(stream));
            }
            ConnectionEvent::DialUpgradeError(DialUpgradeError { info: reply, error }) => {
                let kind = match error {
                    libp2p::swarm::StreamUpgradeError::Timeout => std::io::ErrorKind::TimedOut,
                    libp2p::swarm::StreamUpgradeError::Io(e) => e.kind(),
                    _ => std::io::ErrorKind::Unsupported,
                };
                let _ = reply.send(Err(kind));
            }
            _ => {}
        }
    }
}
