//! What roles hand back to the caller: transmits, events, and the common [`Role`] interface.

use std::collections::VecDeque;
use std::sync::Arc;

use gradseal_core::Codec;

use crate::messages::{Digest, Message, RoundResult};
use crate::params::{Millis, NodeId, RoundId};
use crate::reason::{BadRelay, ProtocolError, RejectReason, RoundFailure, TranscriptFault};

/// Bound on queued events; beyond it, [`Event::Dropped`] events are counted, not queued, so
/// a flood of bad messages cannot grow memory when the caller does not drain events.
pub const MAX_QUEUED_EVENTS: usize = 4096;

/// One outgoing message. `payload` is shared between the copies of a broadcast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Destination address.
    pub to: NodeId,
    /// Encoded [`Message`]: the encoder's buffer itself, shared (an `Arc<[u8]>` would copy
    /// every payload once more, 84 MB for the transcript of a 100 × 10^5 round).
    pub payload: Arc<Vec<u8>>,
}

/// Something a role wants its owner to know. Each outcome in `spec/protocol.md`
/// ("Failure handling") has one variant.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A valid announcement for this round was received.
    Announced {
        /// The round.
        round: RoundId,
    },
    /// The client sent its contribution (this many shards).
    Contributed {
        /// Shards sent.
        shards: usize,
    },
    /// The node is not on this round's roster or committee and will not take part.
    NotParticipating,
    /// Aggregator: a contribution was accepted.
    Accepted {
        /// Roster index.
        client: u32,
    },
    /// Aggregator: an item was rejected (also recorded in the transcript).
    /// Client: the aggregator's signed rejection of its contribution.
    Rejected {
        /// Roster index, if known.
        client: Option<u32>,
        /// Why.
        reason: RejectReason,
    },
    /// Aggregator: a relay address delivered a shard that fails a manifest the envelope
    /// later proved genuine. **Advisory**: the client that made the envelope can send a
    /// corrupted shard of it through an honest relay and get that relay named (it is
    /// indistinguishable from the relay corrupting it), and blame assumes the transport
    /// authenticates relay addresses; it never affects the sum (`spec/protocol.md` §7.5).
    RelayBlamed(BadRelay),
    /// Aggregator: the transcript was published to observers and each member's list sent.
    TranscriptPublished {
        /// Its digest.
        digest: Digest,
        /// Accepted contributions.
        accepted: u32,
    },
    /// Member: its list passed the list check and its signed agreement on the list's
    /// agreement digest was sent (it keeps its share until a quorum certificate).
    Agreed {
        /// The agreement digest `E`.
        agreed: Digest,
    },
    /// Aggregator: `q` agreements on its list arrived and the quorum certificate was sent to
    /// the quorum's members.
    Certified {
        /// The quorum `Q` (bit j = member j).
        quorum: u64,
    },
    /// Member: a quorum certificate on its agreement digest arrived, and the partial
    /// decryption was sent (the share is consumed).
    Decrypted {
        /// Digest `L_j` of the list decrypted.
        list: Digest,
    },
    /// Aggregator and observer: this member signed agreements on two different agreement
    /// digests this round (the evidence is in the result; the aggregator excludes the
    /// member from the quorum if it caught it before the quorum formed).
    Equivocated {
        /// Committee index.
        member: u32,
    },
    /// Member: its list failed the list check (its share is dropped), or a second list
    /// arrived after it agreed or answered; a signed refusal was sent. Aggregator and
    /// observer: a member refused.
    Refused {
        /// Committee index.
        member: u32,
        /// The failed check.
        fault: TranscriptFault,
    },
    /// The round completed with this result. What it means depends on the role:
    /// - aggregator: it combined the partial decryptions of the certified quorum into this
    ///   sum;
    /// - observer: the audit passed (reported right after [`Event::AuditPassed`]): the
    ///   transcript, every member's list, the combination and the sum were all checked;
    /// - client: the result passed [`crate::roles::client::check_result`] (aggregator-signed,
    ///   a plausible count and shape, a valid quorum certificate, one member-signed partial
    ///   per member of its quorum naming the result's transcript). A client cannot
    ///   recompute the sum: it is **not audited**
    ///   until an observer reports `AuditPassed` for the same transcript.
    Completed(Box<RoundResult>),
    /// The round failed without a result.
    Failed(RoundFailure),
    /// Observer: the transcript and result passed every check of the audit.
    AuditPassed {
        /// Accepted contributions.
        count: u32,
    },
    /// Observer: the audit failed.
    AuditFailed(TranscriptFault),
    /// An incoming message was dropped.
    Dropped {
        /// Who delivered it.
        from: NodeId,
        /// Why.
        error: ProtocolError,
    },
}

/// The sans-IO interface every role implements (quinn-proto's shape).
///
/// Calling order: feed input with [`Role::handle_message`] and [`Role::handle_timeout`], then
/// drain [`Role::poll_transmit`] and [`Role::poll_event`] until `None`, then ask
/// [`Role::poll_timeout`] when to call `handle_timeout` next. `now` must not go backwards.
///
/// Roles are `Send` so that a driver may run different nodes on different threads.
pub trait Role: Send {
    /// Feeds one message delivered by the network from `from`.
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]);
    /// Tells the role that `now` has been reached (deadlines).
    fn handle_timeout(&mut self, now: Millis);
    /// The next message to send.
    fn poll_transmit(&mut self) -> Option<Transmit>;
    /// The next event.
    fn poll_event(&mut self) -> Option<Event>;
    /// When `handle_timeout` should next be called, if ever.
    fn poll_timeout(&self) -> Option<Millis>;
    /// Senders the role asks the driver to take no new message from for now (backpressure;
    /// the aggregator's shard window, `spec/protocol.md` §5.4), in id order. It changes only
    /// in `handle_message` and `handle_timeout`. Advisory: a message from such a sender that
    /// arrives anyway is handled as usual, and a driver that ignores it loses nothing but the
    /// bound on memory. None by default.
    fn paused_senders(&self) -> &[NodeId] {
        &[]
    }
}

/// Bound on messages held back because they arrived before the announcement.
pub const MAX_EARLY_MESSAGES: usize = 64;
/// Bound on the bytes of messages held back before the announcement.
pub const MAX_EARLY_BYTES: usize = 64 << 20;

/// Messages that arrived before the announcement (the network reorders): replayed once the
/// announcement is accepted, bounded in count and bytes. Nothing held here can be
/// authenticated yet (the aggregator's and members' keys come with the announcement), so a
/// role holds only the kinds it uses, and everything is checked when replayed; a flood of
/// forged messages of those kinds before the announcement can still fill the hold (as a
/// network that drops would). After the announcement every hold checks its signature
/// first (`spec/protocol.md` §5).
#[derive(Debug, Default)]
pub(crate) struct Early {
    held: Vec<(NodeId, Vec<u8>)>,
    bytes: usize,
}

impl Early {
    /// Holds a message; false (and nothing held) if a bound would be exceeded.
    pub(crate) fn hold(&mut self, from: NodeId, bytes: &[u8]) -> bool {
        if self.held.len() >= MAX_EARLY_MESSAGES || self.bytes + bytes.len() > MAX_EARLY_BYTES {
            return false;
        }
        self.bytes += bytes.len();
        self.held.push((from, bytes.to_vec()));
        true
    }

    /// Everything held, in arrival order.
    pub(crate) fn take(&mut self) -> Vec<(NodeId, Vec<u8>)> {
        self.bytes = 0;
        std::mem::take(&mut self.held)
    }
}

/// Queues shared by every role.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    /// Dropped-message events not queued because the queue was full.
    pub(crate) dropped_uncounted: u64,
}

impl Outbox {
    pub(crate) fn send(&mut self, to: NodeId, msg: &Message) {
        self.transmits.push_back(Transmit { to, payload: Arc::new(msg.to_bytes()) });
    }

    pub(crate) fn broadcast(&mut self, to: impl IntoIterator<Item = NodeId>, msg: &Message) {
        self.broadcast_raw(to, &Arc::new(msg.to_bytes()));
    }

    pub(crate) fn broadcast_raw(
        &mut self,
        to: impl IntoIterator<Item = NodeId>,
        payload: &Arc<Vec<u8>>,
    ) {
        for to in to {
            self.transmits.push_back(Transmit { to, payload: Arc::clone(payload) });
        }
    }

    pub(crate) fn transmits_len(&self) -> usize {
        self.transmits.len()
    }

    pub(crate) fn event(&mut self, e: Event) {
        if self.events.len() >= MAX_QUEUED_EVENTS && matches!(e, Event::Dropped { .. }) {
            self.dropped_uncounted += 1;
            return;
        }
        self.events.push_back(e);
    }

    pub(crate) fn drop_msg(&mut self, from: NodeId, error: ProtocolError) {
        self.event(Event::Dropped { from, error });
    }

    /// Holds `msg` in the one-message `slot` (a message that overtook one it depends on),
    /// or drops it as [`ProtocolError::Capacity`] if the slot is taken.
    pub(crate) fn hold_one<T>(&mut self, slot: &mut Option<(NodeId, T)>, from: NodeId, msg: T) {
        if slot.is_none() {
            *slot = Some((from, msg));
        } else {
            self.drop_msg(from, ProtocolError::Capacity);
        }
    }

    pub(crate) fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}
