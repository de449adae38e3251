//! The authority (KGC and round coordinator): signs and sends the round announcement.
//!
//! Enrolment (issuing partial private keys) happens before any round, through
//! gradseal-clsc directly; this role only announces rounds.

use chacha20::ChaCha20Rng;

use crate::io::{Event, Outbox, Role, Transmit};
use crate::messages::{Announcement, Message};
use crate::params::{Millis, NodeId, ParamsError};
use crate::reason::ProtocolError;
use crate::roles::{NodeConfig, node_rng};
use crate::suite::Suite;

/// The authority for one round.
pub struct Authority<S: Suite> {
    cfg: NodeConfig<S>,
    rng: ChaCha20Rng,
    out: Outbox,
}

impl<S: Suite> core::fmt::Debug for Authority<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Authority").field("round", &self.cfg.round).finish_non_exhaustive()
    }
}

impl<S: Suite> Authority<S> {
    /// An authority whose `cfg.key` signs announcements (its bundle is `cfg.authority`).
    pub fn new(cfg: NodeConfig<S>) -> Self {
        let rng = node_rng(&cfg.seed, cfg.round);
        Authority { cfg, rng, out: Outbox::default() }
    }

    /// Signs `ann` (its `signature` and `round` are overwritten) and queues it to every node
    /// it names. Returns the signed announcement.
    ///
    /// # Errors
    /// [`ParamsError`] if the round parameters break a rule of `spec/protocol.md` §3 (among
    /// them `min_clients` below 2), [`ParamsError::Threshold`] if the privacy threshold does
    /// not fit the committee, or [`ParamsError::Roster`] if the roster is smaller than
    /// `min_clients`; nothing is sent.
    pub fn announce(&mut self, mut ann: Announcement) -> Result<Announcement, ParamsError> {
        ann.params.check()?;
        ann.params.check_committee(ann.committee.len())?;
        if ann.roster.len() < usize::try_from(ann.params.min_clients).unwrap_or(usize::MAX) {
            let roster = u32::try_from(ann.roster.len()).unwrap_or(u32::MAX);
            return Err(ParamsError::Roster { roster, min_clients: ann.params.min_clients });
        }
        ann.round = self.cfg.round;
        ann.signature = S::sign(&self.cfg.key, &ann.digest(), &mut self.rng);
        let to: Vec<NodeId> = std::iter::once(ann.aggregator.node)
            .chain(ann.relays.iter().copied())
            .chain(ann.observers.iter().copied())
            .chain(ann.committee.iter().map(|p| p.node))
            .chain(ann.roster.iter().map(|p| p.node))
            .collect();
        self.out.broadcast(to, &Message::Announcement(ann.clone()));
        self.out.event(Event::Announced { round: ann.round });
        Ok(ann)
    }
}

impl<S: Suite> Role for Authority<S> {
    fn handle_message(&mut self, _now: Millis, from: NodeId, _bytes: &[u8]) {
        self.out.drop_msg(from, ProtocolError::Unexpected);
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
