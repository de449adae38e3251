//! TCP plumbing: a listener that turns connections into frames on a channel, and one writer
//! task per peer that connects lazily and writes frames with timeouts.
//!
//! A peer that sends an oversized or truncated frame, or stalls inside a frame, is
//! disconnected (logged); a peer that cannot be reached loses the messages addressed to it
//! (logged). Neither stops the node.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use gradseal_protocol::NodeId;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::timeout;

use crate::config::Timeouts;
use crate::frame::{Frame, HEADER_LEN, Header};

/// Most inbound connections served at once (more are closed on accept).
pub(crate) const MAX_CONNECTIONS: usize = 512;
/// Bytes of inbound frame payloads held at once (read but not yet handled), across all
/// connections, in KiB: readers wait for budget before allocating, so many peers announcing
/// large frames cannot exhaust memory.
pub(crate) const INBOUND_BUDGET_KIB: u32 = 256 * 1024;

/// An inbound frame with the share of the inbound budget its payload holds (released when
/// it is dropped).
pub(crate) struct Inbound {
    /// The frame.
    pub(crate) frame: Frame,
    _budget: OwnedSemaphorePermit,
}

/// Frames queued per peer before new ones are dropped.
pub(crate) const PEER_QUEUE: usize = 1024;

/// Logs one line to stderr, prefixed with the node id.
pub(crate) fn log(me: NodeId, msg: &str) {
    eprintln!("[node {}] {msg}", me.0);
}

/// Accepts connections forever; every complete frame goes to `tx`.
pub(crate) async fn accept_loop(
    me: NodeId,
    listener: TcpListener,
    tx: mpsc::Sender<Inbound>,
    read_ms: u64,
) {
    let budget = Arc::new(Semaphore::new(INBOUND_BUDGET_KIB as usize));
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                log(me, &format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            log(me, &format!("too many connections; closed {peer}"));
            continue;
        };
        let (tx, budget) = (tx.clone(), Arc::clone(&budget));
        tokio::spawn(async move {
            read_conn(me, stream, peer, tx, budget, read_ms).await;
            drop(permit);
        });
    }
}

async fn read_conn(
    me: NodeId,
    mut stream: TcpStream,
    peer: SocketAddr,
    tx: mpsc::Sender<Inbound>,
    budget: Arc<Semaphore>,
    read_ms: u64,
) {
    loop {
        // An idle connection may wait for its next header indefinitely; a started frame
        // must complete within `read_ms`.
        let mut head = [0u8; HEADER_LEN];
        match stream.read_exact(&mut head).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return,
            Err(e) => {
                log(me, &format!("peer {peer} disconnected: {e}"));
                return;
            }
        }
        let h = match Header::parse(head) {
            Ok(h) => h,
            Err(e) => {
                log(me, &format!("peer {peer} sent garbage ({e}); dropped"));
                return;
            }
        };
        // h.len <= MAX_FRAME_LEN (64 MiB) = 65536 KiB < the budget: this always completes.
        let kib = u32::try_from(h.len / 1024 + 1).unwrap_or(INBOUND_BUDGET_KIB);
        let Ok(permit) = Arc::clone(&budget).acquire_many_owned(kib).await else { return };
        let mut payload = vec![0u8; h.len];
        match timeout(Duration::from_millis(read_ms), stream.read_exact(&mut payload)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                log(me, &format!("peer {peer} disconnected inside a frame: {e}"));
                return;
            }
            Err(_) => {
                log(me, &format!("peer {peer} stalled inside a frame; dropped"));
                return;
            }
        }
        let inbound = Inbound { frame: Frame { from: h.from, payload }, _budget: permit };
        if tx.send(inbound).await.is_err() {
            return;
        }
    }
}

/// Outgoing side: the address book and one queue per peer.
#[derive(Debug)]
pub(crate) struct Net {
    me: NodeId,
    book: HashMap<NodeId, SocketAddr>,
    writers: HashMap<NodeId, mpsc::Sender<Arc<[u8]>>>,
    timeouts: Timeouts,
}

impl Net {
    pub(crate) fn new(me: NodeId, book: HashMap<NodeId, SocketAddr>, timeouts: Timeouts) -> Self {
        Net { me, book, writers: HashMap::new(), timeouts }
    }

    /// Queues `payload` for `to` (never blocks).
    pub(crate) fn send(&mut self, to: NodeId, payload: Arc<[u8]>) {
        let Some(addr) = self.book.get(&to).copied() else {
            log(self.me, &format!("no address for node {}; message dropped", to.0));
            return;
        };
        let (me, t) = (self.me, self.timeouts.clone());
        let tx = self.writers.entry(to).or_insert_with(|| {
            let (tx, rx) = mpsc::channel(PEER_QUEUE);
            tokio::spawn(writer(me, to, addr, t, rx));
            tx
        });
        if tx.try_send(payload).is_err() {
            log(self.me, &format!("queue to node {} full; message dropped", to.0));
        }
    }
}

async fn connect(addr: SocketAddr, t: &Timeouts, patient: bool) -> Option<TcpStream> {
    let give_up = tokio::time::Instant::now()
        + Duration::from_millis(if patient { t.connect_retry_ms } else { 0 });
    loop {
        if let Ok(Ok(s)) =
            timeout(Duration::from_millis(t.connect_ms), TcpStream::connect(addr)).await
        {
            // Frames are small and latency matters more than batching.
            let _ = s.set_nodelay(true);
            return Some(s);
        }
        if tokio::time::Instant::now() >= give_up {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn writer(
    me: NodeId,
    to: NodeId,
    addr: SocketAddr,
    t: Timeouts,
    mut rx: mpsc::Receiver<Arc<[u8]>>,
) {
    let mut conn: Option<TcpStream> = None;
    // Until the peer has been unreachable once, keep retrying (it may still be starting).
    let mut patient = true;
    while let Some(payload) = rx.recv().await {
        let frame = match Frame::encode(me, &payload) {
            Ok(f) => f,
            Err(e) => {
                log(me, &format!("message to node {} not sent: {e}", to.0));
                continue;
            }
        };
        // One retry on a fresh connection: the old one may be stale.
        for _ in 0..2 {
            if conn.is_none() {
                conn = connect(addr, &t, patient).await;
                if conn.is_none() {
                    patient = false;
                    log(me, &format!("node {} at {addr} unreachable; message dropped", to.0));
                    break;
                }
                patient = true;
            }
            let Some(s) = conn.as_mut() else { break };
            match timeout(Duration::from_millis(t.write_ms), s.write_all(&frame)).await {
                Ok(Ok(())) => break,
                Ok(Err(e)) => log(me, &format!("write to node {} failed: {e}", to.0)),
                Err(_) => log(me, &format!("write to node {} timed out", to.0)),
            }
            conn = None;
        }
    }
}
