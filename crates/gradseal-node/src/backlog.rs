//! What the driver has handed to the peer queues and not yet sent: the byte bound behind the
//! driver's backpressure (`spec/node.md` §1, §2). While more than [`OUTBOUND_BYTES`] of
//! messages shorter than [`LARGE_MESSAGE`] wait for, or are in, their send to peers that are
//! up, the driver takes no inbound message: the roles produce nothing new (timers still
//! run), and the transport's inbound budget holds the senders back in turn.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use gradseal_protocol::NodeId;
use tokio::sync::Notify;

use crate::transport::LARGE_MESSAGE;

/// Bytes queued outbound (messages shorter than [`LARGE_MESSAGE`], to peers that are up)
/// above which the driver takes no inbound message: about ten aggregator entries at
/// 10^5 coordinates.
pub const OUTBOUND_BYTES: usize = 8 << 20;

/// A send (with a large message's wait for its turn, and the wait for its share of the bytes
/// in flight) taking longer than this marks its peer *down* until it delivers again. An
/// 834 KB entry takes under a second at the transport's slowest accepted rate (1 MiB/s).
pub const SLOW_SEND: Duration = Duration::from_secs(2);

/// The bytes queued per peer. A peer whose last send failed, or whose current send has
/// taken longer than [`SLOW_SEND`], is *down*: its bytes do not count (they drain as its
/// sends end, each within the transport's timeouts), so a dead or stalled peer holds the node
/// back for at most [`SLOW_SEND`]; its next successful send counts them again.
#[derive(Debug, Default)]
pub(crate) struct Backlog {
    state: Mutex<State>,
    drained: Notify,
}

#[derive(Debug, Default)]
struct State {
    peers: HashMap<NodeId, Peer>,
    /// Bytes queued to peers that are up.
    counted: usize,
}

#[derive(Debug, Default)]
struct Peer {
    bytes: usize,
    down: bool,
}

/// Large messages are bounded apart (`LARGE_SENDS` in flight) and are in practice one
/// shared buffer broadcast to many peers (a result), so they are not counted here.
fn counts(len: usize) -> bool {
    len < LARGE_MESSAGE
}

impl Backlog {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A message of `len` bytes was queued for `to`.
    pub(crate) fn queued(&self, to: NodeId, len: usize) {
        if !counts(len) {
            return;
        }
        let mut st = self.state();
        let p = st.peers.entry(to).or_default();
        p.bytes += len;
        if !p.down {
            st.counted += len;
        }
    }

    /// A message of `len` bytes to `to` left the queue: delivered (`ok`) or lost.
    pub(crate) fn done(&self, to: NodeId, len: usize, ok: bool) {
        let mut st = self.state();
        let p = st.peers.entry(to).or_default();
        let len = if counts(len) { len } else { 0 };
        p.bytes = p.bytes.saturating_sub(len);
        let (was_down, bytes) = (p.down, p.bytes);
        p.down = !ok;
        let counted = match (was_down, ok) {
            (false, true) => st.counted.saturating_sub(len),
            (false, false) => st.counted.saturating_sub(len + bytes),
            (true, true) => st.counted + bytes,
            (true, false) => st.counted,
        };
        st.counted = counted;
        drop(st);
        self.drained.notify_one();
    }

    /// `to`'s current send is slow: its bytes stop counting until it delivers.
    pub(crate) fn slow(&self, to: NodeId) {
        let mut st = self.state();
        let p = st.peers.entry(to).or_default();
        if p.down {
            return;
        }
        p.down = true;
        let bytes = p.bytes;
        st.counted = st.counted.saturating_sub(bytes);
        drop(st);
        self.drained.notify_one();
    }

    /// Whether more than [`OUTBOUND_BYTES`] wait for peers that are up.
    pub(crate) fn full(&self) -> bool {
        self.state().counted > OUTBOUND_BYTES
    }

    /// Bytes waiting for peers that are up.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.state().counted
    }

    /// Returns once a message left the queues since the last call (or at once if one did).
    pub(crate) async fn drained(&self) {
        self.drained.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_down_peer_stops_counting_until_it_delivers_again() {
        const M: usize = LARGE_MESSAGE - 1;
        let b = Backlog::default();
        let (a, c) = (NodeId(1), NodeId(2));
        for _ in 0..6 {
            b.queued(a, M);
            b.queued(c, M);
        }
        assert_eq!(b.bytes(), 12 * M);
        assert!(b.full());
        // a's send fails: its bytes no longer count.
        b.done(a, M, false);
        assert_eq!(b.bytes(), 6 * M);
        assert!(!b.full());
        // a delivers again: its remaining 4 count again.
        b.done(a, M, true);
        assert_eq!(b.bytes(), 10 * M);
        // c is slow: its 6 stop counting (its message in flight too), then it delivers.
        b.slow(c);
        assert_eq!(b.bytes(), 4 * M);
        b.done(c, M, true);
        assert_eq!(b.bytes(), 9 * M);
        // Large messages are not counted.
        b.queued(c, LARGE_MESSAGE);
        b.done(c, LARGE_MESSAGE, true);
        assert_eq!(b.bytes(), 9 * M);
    }
}
