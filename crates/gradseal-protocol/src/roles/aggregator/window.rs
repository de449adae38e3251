//! The aggregator's window on shards held in incomplete groups (`spec/protocol.md` §5.4).
//!
//! A payload can be rebuilt only once `data` of its shards are in, and the relays deliver at
//! different speeds, so a relay ahead of the others leaves one shard per client in a group
//! that waits for the slower relays: without a bound the aggregator holds up to a shard per
//! client per relay (measured: 195 shards, 40 MB, at 100 clients × 10^5 coordinates). A relay
//! with [`WINDOW`] young shards held is *paused*: the driver stops taking its messages
//! ([`crate::Role::paused_senders`]) until groups complete and free its slots.
//!
//! Pausing never stalls the round for long: a held shard stops counting [`AGE`] after it
//! arrived, so a relay is resumed within [`AGE`] even if the groups it waits on never
//! complete (a killed relay, a client that sent too few shards, relays ahead on different
//! clients). Its held shards then count only against the role's per-relay caps.

use std::collections::{BTreeMap, VecDeque};

use crate::params::{Millis, NodeId};

/// Young shards a relay may have held in incomplete groups before it is paused.
pub const WINDOW: usize = 8;
/// How long after its arrival a held shard counts against its relay's window (ms).
pub const AGE: u64 = 1000;

/// Per relay, the shards it delivered that wait in incomplete groups.
#[derive(Debug, Default)]
pub(super) struct Window {
    /// Arrival times, oldest first.
    held: BTreeMap<NodeId, VecDeque<Millis>>,
    /// Relays paused, in id order.
    paused: Vec<NodeId>,
    /// When a paused relay's oldest counted shard ages (the next call to `update` due).
    next: Option<Millis>,
}

impl Window {
    /// `relay`'s shard, arrived at `at`, waits in an incomplete group; recomputes at `at`.
    pub(super) fn hold(&mut self, relay: NodeId, at: Millis) {
        let times = self.held.entry(relay).or_default();
        // In order even if a caller's clock steps back.
        let pos = times.partition_point(|t| *t <= at);
        times.insert(pos, at);
        self.update(at);
    }

    /// The group holding `relay`'s shard that arrived at `at` is complete (or dropped).
    pub(super) fn release(&mut self, relay: NodeId, at: Millis) {
        if let Some(times) = self.held.get_mut(&relay)
            && let Some(pos) = times.iter().position(|t| *t == at)
        {
            times.remove(pos);
        }
    }

    /// A group completed (or was dropped) with these shards in: releases them and
    /// recomputes at `now`.
    pub(super) fn release_all(&mut self, arrivals: Vec<(NodeId, Millis)>, now: Millis) {
        for (relay, at) in arrivals {
            self.release(relay, at);
        }
        self.update(now);
    }

    /// Recomputes which relays are paused at `now`.
    pub(super) fn update(&mut self, now: Millis) {
        self.paused.clear();
        self.next = None;
        for (relay, times) in &self.held {
            // Shards that arrived after `now - AGE` count.
            let young = times.len() - times.partition_point(|t| t.0.saturating_add(AGE) <= now.0);
            if young < WINDOW {
                continue;
            }
            self.paused.push(*relay);
            // Fewer than WINDOW count once the WINDOW-th youngest has aged.
            let Some(t) = times.get(times.len() - WINDOW) else { continue };
            let at = Millis(t.0.saturating_add(AGE));
            self.next = Some(self.next.map_or(at, |n| n.min(at)));
        }
    }

    /// Forgets every held shard (the groups are gone): nobody is paused.
    pub(super) fn clear(&mut self) {
        self.held.clear();
        self.paused.clear();
        self.next = None;
    }

    /// The relays paused, in id order.
    pub(super) fn paused(&self) -> &[NodeId] {
        &self.paused
    }

    /// When [`Window::update`] should next run, if a relay is paused.
    pub(super) fn next_change(&self) -> Option<Millis> {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relay_is_paused_at_the_window_and_resumed_by_progress_or_age() {
        let (a, b) = (NodeId(1), NodeId(2));
        let mut w = Window::default();
        for t in 0..WINDOW as u64 - 1 {
            w.hold(a, Millis(t));
            w.hold(b, Millis(t));
        }
        assert!(w.paused().is_empty());
        w.hold(a, Millis(10));
        assert_eq!(w.paused(), [a]);
        // Its oldest shard ages at AGE: then fewer than WINDOW count.
        assert_eq!(w.next_change(), Some(Millis(AGE)));
        // A group completes: a is below the window again.
        w.release_all(vec![(a, Millis(3)), (b, Millis(3))], Millis(11));
        assert!(w.paused().is_empty());
        assert_eq!(w.next_change(), None);
        w.hold(a, Millis(12));
        assert_eq!(w.paused(), [a]);
        // Nothing completes: at AGE the oldest held shard stops counting.
        w.update(Millis(AGE - 1));
        assert_eq!(w.paused(), [a]);
        w.update(Millis(AGE));
        assert!(w.paused().is_empty());
        // Aged shards are still held (released when their group completes).
        assert_eq!(w.held.get(&a).map(VecDeque::len), Some(WINDOW));
        w.clear();
        assert!(w.held.is_empty() && w.paused().is_empty());
    }
}
