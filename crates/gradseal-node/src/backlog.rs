//! What the driver has handed to the peer queues and not yet sent: the byte bound behind the
//! driver's backpressure (`spec/node.md` §1, §2). While more than [`OUTBOUND_BYTES`] of
//! message buffers wait for, or are in, their send to peers that are up, the driver takes no
//! inbound message: the roles produce nothing new (timers still run), and the transport's
//! inbound budget holds the senders back in turn.
//!
//! A buffer is counted once however many peers it is queued for (a result broadcast to 100
//! clients is one buffer): what is bounded is the memory the queues hold. What the transport
//! holds of the messages being sent is bounded apart (`IN_FLIGHT_BYTES`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use gradseal_protocol::NodeId;
use tokio::sync::Notify;

/// Bytes of message buffers queued outbound (to peers that are up) above which the driver
/// takes no inbound message: about ten aggregator entries at 10^5 coordinates.
pub const OUTBOUND_BYTES: usize = 8 << 20;

/// A send (with a large message's wait for its turn, and the wait for its share of the bytes
/// in flight) taking longer than this marks its peer *down* until it delivers again, unless
/// the peer is a round's observer or committee member (`transport::Outbox::send`). An
/// 834 KB entry takes under a second at the transport's slowest accepted rate (1 MiB/s).
pub const SLOW_SEND: Duration = Duration::from_secs(2);

/// The buffers queued per peer. A peer whose last send failed, or whose current send has
/// taken longer than [`SLOW_SEND`], is *down*: its copies do not count (they drain as its
/// sends end, each within the transport's timeouts), so a dead or stalled peer holds the node
/// back for at most [`SLOW_SEND`] (an observer or member: until its send fails, within the
/// transport's timeouts); its next successful send counts them again.
#[derive(Debug, Default)]
pub(crate) struct Backlog {
    state: Mutex<State>,
    drained: Notify,
}

#[derive(Debug, Default)]
struct State {
    peers: HashMap<NodeId, Peer>,
    /// Per buffer (by address), its length and its copies queued.
    buffers: HashMap<usize, Buffer>,
    /// Bytes of the buffers with a copy queued for a peer that is up.
    counted: usize,
}

#[derive(Debug, Default)]
struct Peer {
    /// The buffers queued for it, one entry per copy.
    queued: Vec<usize>,
    down: bool,
}

#[derive(Debug)]
struct Buffer {
    len: usize,
    copies: usize,
    /// Copies queued for peers that are up.
    up: usize,
}

/// A buffer's identity while queued (its allocation cannot be reused while a copy holds it).
fn key(payload: &Arc<Vec<u8>>) -> usize {
    Arc::as_ptr(payload) as usize
}

impl State {
    /// One more (`up`) or one fewer copy of `key` queued for a peer that is up.
    fn count(&mut self, key: usize, up: bool) {
        let Some(b) = self.buffers.get_mut(&key) else { return };
        if up {
            if b.up == 0 {
                self.counted += b.len;
            }
            b.up += 1;
        } else {
            b.up = b.up.saturating_sub(1);
            if b.up == 0 {
                self.counted = self.counted.saturating_sub(b.len);
            }
        }
    }

    /// Marks `to` down or up, counting its queued copies accordingly.
    fn set_down(&mut self, to: NodeId, down: bool) {
        let p = self.peers.entry(to).or_default();
        if p.down == down {
            return;
        }
        p.down = down;
        for key in p.queued.clone() {
            self.count(key, !down);
        }
    }
}

impl Backlog {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `payload` was queued for `to`.
    pub(crate) fn queued(&self, to: NodeId, payload: &Arc<Vec<u8>>) {
        let k = key(payload);
        let mut st = self.state();
        st.buffers.entry(k).or_insert(Buffer { len: payload.len(), copies: 0, up: 0 }).copies += 1;
        let p = st.peers.entry(to).or_default();
        p.queued.push(k);
        if !p.down {
            st.count(k, true);
        }
    }

    /// `payload`'s copy for `to` left the queue: delivered (`ok`) or lost.
    pub(crate) fn done(&self, to: NodeId, payload: &Arc<Vec<u8>>, ok: bool) {
        let k = key(payload);
        let mut st = self.state();
        let p = st.peers.entry(to).or_default();
        let Some(i) = p.queued.iter().position(|q| *q == k) else { return };
        p.queued.swap_remove(i);
        if !p.down {
            st.count(k, false);
        }
        if let Some(b) = st.buffers.get_mut(&k) {
            b.copies -= 1;
            if b.copies == 0 {
                st.buffers.remove(&k);
            }
        }
        st.set_down(to, !ok);
        drop(st);
        self.drained.notify_one();
    }

    /// `to`'s current send is slow: its copies stop counting until it delivers.
    pub(crate) fn slow(&self, to: NodeId) {
        self.state().set_down(to, true);
        self.drained.notify_one();
    }

    /// Whether more than [`OUTBOUND_BYTES`] wait for peers that are up.
    pub(crate) fn full(&self) -> bool {
        self.state().counted > OUTBOUND_BYTES
    }

    /// Bytes waiting for peers that are up.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
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

    fn buf(len: usize) -> Arc<Vec<u8>> {
        Arc::new(vec![0; len])
    }

    #[test]
    fn a_down_peer_stops_counting_until_it_delivers_again() {
        const M: usize = 1 << 20;
        let b = Backlog::default();
        let (a, c) = (NodeId(1), NodeId(2));
        let (ma, mc): (Vec<_>, Vec<_>) = (0..6).map(|_| (buf(M), buf(M))).unzip();
        for (x, y) in ma.iter().zip(&mc) {
            b.queued(a, x);
            b.queued(c, y);
        }
        assert_eq!(b.bytes(), 12 * M);
        assert!(b.full());
        // a's send fails: its copies no longer count.
        b.done(a, &ma[0], false);
        assert_eq!(b.bytes(), 6 * M);
        assert!(!b.full());
        // a delivers again: its remaining 4 count again.
        b.done(a, &ma[1], true);
        assert_eq!(b.bytes(), 10 * M);
        // c is slow: its 6 stop counting (its message in flight too), then it delivers.
        b.slow(c);
        assert_eq!(b.bytes(), 4 * M);
        b.done(c, &mc[0], true);
        assert_eq!(b.bytes(), 9 * M);
    }

    #[test]
    fn a_buffer_queued_for_many_peers_counts_once_while_a_peer_that_is_up_holds_it() {
        const M: usize = 3 << 20;
        let b = Backlog::default();
        let (x, y, z) = (NodeId(1), NodeId(2), NodeId(3));
        let shared = buf(M);
        for p in [x, y, z] {
            b.queued(p, &shared);
        }
        assert_eq!(b.bytes(), M);
        // Two holders go down (one failed, one slow): the third still holds it.
        b.done(x, &shared, false);
        b.slow(y);
        assert_eq!(b.bytes(), M);
        // The last up copy is delivered: nothing counts, though y's copy still waits.
        b.done(z, &shared, true);
        assert_eq!(b.bytes(), 0);
        // y delivers: its copy is gone, and the buffer with it.
        b.done(y, &shared, true);
        assert_eq!(b.bytes(), 0);
        assert!(b.state().buffers.is_empty());
        // Another buffer for the same peers counts on its own.
        let other = buf(M);
        b.queued(x, &other);
        b.queued(y, &other);
        assert_eq!(b.bytes(), M, "x failed last, so only y's copy counts");
    }
}
