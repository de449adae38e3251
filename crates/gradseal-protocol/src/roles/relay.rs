//! The relay: forwards contribution shards of the announced round to the aggregator.
//!
//! Relays are untrusted; this is the honest behaviour. It checks only what it can (the
//! message decodes, names the round, is a shard) and bounds how much any one sender can make
//! it queue.

use std::collections::HashMap;

use gradseal_core::Codec;

use crate::io::{Early, Event, Outbox, Role, Transmit};
use crate::messages::Message;
use crate::params::{Millis, NodeId};
use crate::reason::ProtocolError;
use crate::roles::NodeConfig;
use crate::round::RoundContext;
use crate::suite::Suite;

/// A relay of one round.
pub struct Relay<S: Suite> {
    cfg: NodeConfig<S>,
    out: Outbox,
    early: Early,
    ctx: Option<RoundContext<S>>,
    per_sender: HashMap<NodeId, usize>,
    cap_per_sender: usize,
    cap_total: usize,
}

impl<S: Suite> core::fmt::Debug for Relay<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Relay").field("round", &self.cfg.round).finish_non_exhaustive()
    }
}

impl<S: Suite> Relay<S> {
    /// A relay for the round named in `cfg`.
    pub fn new(cfg: NodeConfig<S>) -> Self {
        Relay {
            cfg,
            out: Outbox::default(),
            early: Early::default(),
            ctx: None,
            per_sender: HashMap::new(),
            cap_per_sender: 0,
            cap_total: 0,
        }
    }
}

impl<S: Suite> Role for Relay<S> {
    #[allow(clippy::only_used_in_recursion)] // `now` is passed on when held messages replay
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        let msg = match Message::from_bytes(bytes) {
            Ok(m) => m,
            Err(e) => return self.out.drop_msg(from, e.into()),
        };
        if msg.round() != self.cfg.round {
            return self.out.drop_msg(from, ProtocolError::WrongRound);
        }
        let is_announcement = matches!(msg, Message::Announcement(_));
        if self.ctx.is_none() && !is_announcement {
            // Held unchecked (the keys that check it come with the announcement), so only
            // the kinds this role uses: others cannot take the bounded hold.
            if !matches!(msg, Message::Shard(_)) {
                return self.out.drop_msg(from, ProtocolError::Unexpected);
            }
            if !self.early.hold(from, bytes) {
                self.out.drop_msg(from, ProtocolError::Capacity);
            }
            return;
        }
        let before = self.ctx.is_some();
        match (msg, &self.ctx) {
            (Message::Announcement(a), None) => {
                match RoundContext::<S>::new(self.cfg.sys.clone(), &self.cfg.authority, a) {
                    Ok(ctx) => {
                        // An honest client sends each relay at most ceil(total/relays) shards;
                        // allow twice that (retransmissions), and bound the queue overall.
                        let total = ctx.ann.params.shards.total();
                        self.cap_per_sender = 2 * total.div_ceil(ctx.ann.relays.len()).max(1);
                        self.cap_total = self.cap_per_sender * ctx.ann.roster.len().max(1);
                        self.out.event(Event::Announced { round: ctx.round() });
                        self.ctx = Some(ctx);
                    }
                    Err(e) => self.out.drop_msg(from, e),
                }
            }
            (Message::Shard(_), Some(ctx)) => {
                if !self.per_sender.contains_key(&from) && self.per_sender.len() >= self.cap_total {
                    return self.out.drop_msg(from, ProtocolError::Capacity);
                }
                let n = self.per_sender.entry(from).or_insert(0);
                if *n >= self.cap_per_sender || self.out.transmits_len() >= self.cap_total {
                    return self.out.drop_msg(from, ProtocolError::Capacity);
                }
                *n += 1;
                let to = ctx.ann.aggregator.node;
                // Forward the bytes unchanged (they decoded canonically, so they re-encode
                // to themselves).
                self.out.broadcast_raw([to], &std::sync::Arc::new(bytes.to_vec()));
            }
            _ => self.out.drop_msg(from, ProtocolError::Unexpected),
        }
        if !before && self.ctx.is_some() {
            for (from, bytes) in self.early.take() {
                self.handle_message(now, from, &bytes);
            }
        }
    }

    fn handle_timeout(&mut self, _now: Millis) {}

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.out.poll_event()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
}
