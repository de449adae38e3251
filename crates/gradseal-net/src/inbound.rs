//! Inbound streams: admission, header, budget, body; whole messages and chunk readers.

use std::sync::Arc;
use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use libp2p::{PeerId, Stream};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::Instant;

use crate::codec::{ACCEPT, ACK, CHUNK_LEN, HEADER_LEN, Step, StreamDecoder};
use crate::net::{Counters, PeerLimits, Reservation, Shared};
use crate::{Error, NodeId};

/// What the transport hands the consumer: a message from an authenticated node.
#[derive(Debug)]
pub enum Inbound {
    /// A message read whole (its length was at most `max_whole_message_len`).
    Message(Message),
    /// A larger message, to consume chunk by chunk.
    Stream(Box<MessageReader>),
}

impl Inbound {
    /// The node that sent it (authenticated: see the crate docs).
    pub fn from(&self) -> NodeId {
        match self {
            Inbound::Message(m) => m.from,
            Inbound::Stream(r) => r.from,
        }
    }

    /// The message's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Inbound::Message(m) => m.bytes.len() as u64,
            Inbound::Stream(r) => r.len,
        }
    }

    /// Whether the message is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole message, reading a streamed one to its end if it is at most `max` bytes.
    ///
    /// # Errors
    /// [`Error::MessageTooLong`] if a streamed message is longer than `max` (nothing is
    /// read), or the reader's errors.
    pub async fn into_bytes(self, max: u64) -> Result<(NodeId, Vec<u8>), Error> {
        match self {
            Inbound::Message(m) => Ok((m.from, m.into_bytes())),
            Inbound::Stream(r) => {
                let from = r.from;
                Ok((from, r.read_to_end(max).await?))
            }
        }
    }
}

/// A whole message. Its bytes count against the sender's and the node's inbound budgets
/// until it is dropped or [`Message::into_bytes`] is called.
#[derive(Debug)]
pub struct Message {
    from: NodeId,
    bytes: Vec<u8>,
    _budget: Reservation,
}

impl Message {
    /// The node that sent it.
    pub fn from(&self) -> NodeId {
        self.from
    }

    /// The message bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The message bytes; the budget they held is released.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// A message too large to be read whole, delivered as it arrives: call
/// [`MessageReader::next_chunk`] until it returns `Ok(None)`. It holds one inbound stream
/// slot and one chunk of budget until dropped; dropping it early cuts the stream.
///
/// Time spent waiting for the peer counts against the message's stall and rate limits; time
/// the consumer spends between chunks does not (the sender's flow control waits instead).
pub struct MessageReader {
    from: NodeId,
    len: u64,
    stream: Stream,
    decoder: StreamDecoder,
    buf: Box<[u8]>,
    waited: Duration,
    allowance: Duration,
    failed: Option<Error>,
    finished: bool,
    shared: Arc<Shared>,
    slots: Option<Slots>,
    _budget: Reservation,
}

impl std::fmt::Debug for MessageReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageReader")
            .field("from", &self.from)
            .field("len", &self.len)
            .field("remaining", &self.decoder.remaining())
            .finish_non_exhaustive()
    }
}

impl MessageReader {
    /// The node that sent it.
    pub fn from(&self) -> NodeId {
        self.from
    }

    /// The declared length (at most `max_message_len`).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the declared length is 0.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Body bytes not yet returned.
    pub fn remaining(&self) -> u64 {
        self.decoder.remaining()
    }

    /// The next piece of the body (1 to [`CHUNK_LEN`] bytes), or `Ok(None)` once the whole
    /// body has been returned and the stream has ended cleanly. Only then is the message
    /// complete: a consumer must not act on a message whose reader returned an error.
    ///
    /// # Errors
    /// [`Error::Stalled`], [`Error::Truncated`], [`Error::TrailingBytes`], [`Error::Io`];
    /// after an error every call returns it again.
    pub async fn next_chunk(&mut self) -> Result<Option<&[u8]>, Error> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if self.finished {
            return Ok(None);
        }
        if self.decoder.is_complete() {
            let r = expect_end(
                &mut self.stream,
                &self.shared,
                &mut self.waited,
                self.allowance,
                &mut self.slots,
            )
            .await;
            return match r {
                Ok(()) => {
                    self.finished = true;
                    Ok(None)
                }
                Err(e) => Err(self.fail(e)),
            };
        }
        let want = self.decoder.wanted().min(self.buf.len());
        let n = match read_some(
            &mut self.stream,
            self.buf.get_mut(..want).unwrap_or_default(),
            &self.shared,
            &mut self.waited,
            self.allowance,
        )
        .await
        {
            Ok(n) => n,
            Err(e) => return Err(self.fail(e)),
        };
        let piece = self.buf.get(..n).unwrap_or_default();
        match self.decoder.feed(piece) {
            Ok((used, Step::Body(_))) if used == n => {
                Counters::bump(&self.shared.counters.bytes_received, n as u64);
                Ok(self.buf.get(..n))
            }
            Ok(_) => Err(self.fail(Error::TrailingBytes)),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        count_failure(&self.shared, e);
        self.failed = Some(e);
        e
    }

    /// Reads the rest of the message into memory if it is at most `max` bytes.
    ///
    /// # Errors
    /// [`Error::MessageTooLong`] (nothing read), or as [`MessageReader::next_chunk`].
    pub async fn read_to_end(mut self, max: u64) -> Result<Vec<u8>, Error> {
        if self.len > max {
            return Err(Error::MessageTooLong { len: self.len, max });
        }
        let mut out = Vec::new();
        while let Some(chunk) = self.next_chunk().await? {
            out.extend_from_slice(chunk);
        }
        Ok(out)
    }
}

/// The stream slots (node and peer) an inbound stream holds.
#[derive(Debug)]
pub(crate) struct Slots {
    _node: OwnedSemaphorePermit,
    _peer: OwnedSemaphorePermit,
}

fn count_failure(shared: &Shared, e: Error) {
    let c = &shared.counters;
    match e {
        Error::Stalled | Error::BudgetExhausted => Counters::bump(&c.streams_stalled, 1),
        Error::WrongMagic
        | Error::MessageTooLong { .. }
        | Error::Truncated
        | Error::TrailingBytes => Counters::bump(&c.streams_malformed, 1),
        _ => {}
    }
}

/// One read of at most `buf.len()` bytes (never 0 requested), counting the wait against
/// `allowance` and cutting at `stall_timeout`. `Ok(0)` never returns: the end of the stream
/// here is [`Error::Truncated`].
async fn read_some(
    stream: &mut Stream,
    buf: &mut [u8],
    shared: &Shared,
    waited: &mut Duration,
    allowance: Duration,
) -> Result<usize, Error> {
    let limit = shared.limits.stall_timeout.min(allowance.saturating_sub(*waited));
    let start = Instant::now();
    let r = tokio::time::timeout(limit, stream.read(buf)).await;
    *waited += start.elapsed();
    match r {
        Err(_) => Err(Error::Stalled),
        Ok(Err(e)) => Err(Error::from(e)),
        Ok(Ok(0)) => Err(Error::Truncated),
        Ok(Ok(n)) => Ok(n),
    }
}

/// After the body: the stream must end (no further byte) within the limits; then the
/// message is acknowledged with [`ACK`] (a failure to write it is not the message's fault:
/// the sender will report it undelivered and may send it again).
///
/// The stream's slots are released before the acknowledgement, so that a sender that opens
/// its next stream on seeing it finds them free.
async fn expect_end(
    stream: &mut Stream,
    shared: &Shared,
    waited: &mut Duration,
    allowance: Duration,
    slots: &mut Option<Slots>,
) -> Result<(), Error> {
    let mut one = [0u8; 1];
    match read_some(stream, &mut one, shared, waited, allowance).await {
        Err(Error::Truncated) => {}
        Err(e) => return Err(e),
        Ok(_) => return Err(Error::TrailingBytes),
    }
    drop(slots.take());
    let ack = async {
        stream.write_all(&[ACK]).await?;
        stream.close().await
    };
    if tokio::time::timeout(shared.limits.stall_timeout, ack).await.is_err() {
        tracing::debug!("acknowledgement not written in time");
    }
    Ok(())
}

/// Tells the sender that its header passed and its message has what it needs: [`ACCEPT`].
async fn accept(stream: &mut Stream, shared: &Shared) -> Result<(), Error> {
    let write = async {
        stream.write_all(&[ACCEPT]).await?;
        stream.flush().await
    };
    match tokio::time::timeout(shared.limits.stall_timeout, write).await {
        Ok(r) => r.map_err(Error::from),
        Err(_) => Err(Error::Stalled),
    }
}

/// Takes inbound streams from the connection handlers and serves each in a task of its own.
pub(crate) async fn accept_loop(
    shared: Arc<Shared>,
    mut incoming: mpsc::Receiver<(PeerId, Stream)>,
    tx: mpsc::Sender<Inbound>,
) {
    while let Some((peer, stream)) = incoming.recv().await {
        match admit(&shared, &peer) {
            Ok((node, limits, slots)) => {
                tokio::spawn(serve(Arc::clone(&shared), node, limits, slots, stream, tx.clone()));
            }
            Err(e) => {
                Counters::bump(&shared.counters.streams_refused, 1);
                tracing::debug!(%peer, error = %e, "inbound stream refused");
                drop(stream);
            }
        }
    }
}

/// Maps the PeerId to its node and takes a stream slot of the node and of the peer, or
/// refuses at once (before reading anything).
fn admit(shared: &Arc<Shared>, peer: &PeerId) -> Result<(NodeId, Arc<PeerLimits>, Slots), Error> {
    let node = shared.peers().node_of(peer).ok_or(Error::UnknownPeer)?;
    let limits = shared.peer_limits(node);
    let node_slot =
        Arc::clone(&shared.node_streams).try_acquire_owned().map_err(|_| Error::TooManyStreams)?;
    let peer_slot =
        Arc::clone(&limits.streams).try_acquire_owned().map_err(|_| Error::TooManyStreams)?;
    Ok((node, limits, Slots { _node: node_slot, _peer: peer_slot }))
}

async fn serve(
    shared: Arc<Shared>,
    from: NodeId,
    peer: Arc<PeerLimits>,
    slots: Slots,
    mut stream: Stream,
    tx: mpsc::Sender<Inbound>,
) {
    match receive(&shared, from, &peer, slots, &mut stream).await {
        Ok(Received::Whole(m)) => {
            Counters::bump(&shared.counters.messages_received, 1);
            let _ = tx.send(Inbound::Message(m)).await;
        }
        Ok(Received::Header { len, decoder, slots }) => {
            let budget = match Reservation::acquire(&shared, &peer, CHUNK_LEN as u64).await {
                Ok(b) => b,
                Err(e) => {
                    count_failure(&shared, e);
                    tracing::debug!(node = from, error = %e, "inbound stream cut");
                    return;
                }
            };
            if let Err(e) = accept(&mut stream, &shared).await {
                count_failure(&shared, e);
                return;
            }
            Counters::bump(&shared.counters.messages_received, 1);
            let reader = MessageReader {
                from,
                len,
                stream,
                decoder,
                buf: vec![0u8; CHUNK_LEN].into_boxed_slice(),
                waited: Duration::ZERO,
                allowance: shared.limits.body_allowance(len),
                failed: None,
                finished: false,
                shared: Arc::clone(&shared),
                slots: Some(slots),
                _budget: budget,
            };
            let _ = tx.send(Inbound::Stream(Box::new(reader))).await;
        }
        Err(e) => {
            count_failure(&shared, e);
            tracing::debug!(node = from, error = %e, "inbound stream cut");
        }
    }
}

enum Received {
    Whole(Message),
    Header { len: u64, decoder: StreamDecoder, slots: Slots },
}

/// Reads the header within `header_timeout`; then either the whole body (if small enough,
/// under budget) or stops after the header for a [`MessageReader`].
async fn receive(
    shared: &Arc<Shared>,
    from: NodeId,
    peer: &PeerLimits,
    slots: Slots,
    stream: &mut Stream,
) -> Result<Received, Error> {
    let l = &shared.limits;
    let mut decoder = StreamDecoder::new(l.max_message_len);
    let mut head = [0u8; HEADER_LEN];
    let mut waited = Duration::ZERO;
    let len = loop {
        let want = decoder.wanted().min(HEADER_LEN);
        let n = read_some(
            stream,
            head.get_mut(..want).unwrap_or_default(),
            shared,
            &mut waited,
            l.header_timeout,
        )
        .await?;
        match decoder.feed(head.get(..n).unwrap_or_default())? {
            (_, Step::Header { len }) => break len,
            _ => continue,
        }
    };
    if len > l.max_whole_message_len {
        return Ok(Received::Header { len, decoder, slots });
    }
    let budget = Reservation::acquire(shared, peer, len).await?;
    accept(stream, shared).await?;
    let allowance = l.body_allowance(len);
    let mut waited = Duration::ZERO;
    // `len` was checked against `max_whole_message_len` and is reserved in both budgets:
    // the allocation is exactly what the budgets account for.
    let mut body = Vec::with_capacity(usize::try_from(len).map_err(|_| Error::BudgetExhausted)?);
    let mut buf = vec![0u8; CHUNK_LEN.min(usize::try_from(len).unwrap_or(CHUNK_LEN))];
    while !decoder.is_complete() {
        let want = decoder.wanted().min(buf.len());
        let n = read_some(
            stream,
            buf.get_mut(..want).unwrap_or_default(),
            shared,
            &mut waited,
            allowance,
        )
        .await?;
        let piece = buf.get(..n).unwrap_or_default();
        match decoder.feed(piece)? {
            (used, Step::Body(p)) if used == n => body.extend_from_slice(p),
            _ => return Err(Error::TrailingBytes),
        }
    }
    let mut slots = Some(slots);
    expect_end(stream, shared, &mut waited, allowance, &mut slots).await?;
    Counters::bump(&shared.counters.bytes_received, len);
    Ok(Received::Whole(Message { from, bytes: body, _budget: budget }))
}
