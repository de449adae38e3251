//! A minimal deterministic in-memory driver (FIFO delivery, virtual clock) and a round
//! builder, shared by the vector generator, the fuzz targets and the benchmark. The full
//! simulated network with faults and adversaries is in the workspace `tests/` crate.
//!
//! Not part of the stable API.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::io::{Event, Role, Transmit};
use crate::messages::{Announcement, Party};
use crate::params::{Millis, NodeId, ParamsError, RoundId, RoundParams, ShardLayout};
use crate::roles::NodeConfig;
use crate::suite::Suite;
use crate::{Aggregator, Authority, Client, Member, Observer, Relay};

/// The authority's address.
pub const AUTHORITY: NodeId = NodeId(0);
/// The aggregator's address.
pub const AGGREGATOR: NodeId = NodeId(1);
/// The observer's address.
pub const OBSERVER: NodeId = NodeId(2);

/// Address of member `i`.
pub fn member(i: usize) -> NodeId {
    NodeId(10 + u32::try_from(i).unwrap_or(u32::MAX - 10))
}
/// Address of relay `i`.
pub fn relay(i: usize) -> NodeId {
    NodeId(100 + u32::try_from(i).unwrap_or(u32::MAX - 100))
}
/// Address of client `i`.
pub fn client(i: usize) -> NodeId {
    NodeId(1000 + u32::try_from(i).unwrap_or(u32::MAX - 1000))
}

/// The shape of a simulated round.
#[derive(Debug, Clone)]
pub struct RoundPlan {
    /// Round id.
    pub round: RoundId,
    /// Clients on the roster.
    pub clients: usize,
    /// Committee size n.
    pub members: usize,
    /// Privacy threshold f (`members − 1`: n-of-n).
    pub privacy_threshold: u32,
    /// Relays.
    pub relays: usize,
    /// Shard layout.
    pub layout: ShardLayout,
    /// Coordinates per update.
    pub dimension: u32,
    /// Bits per coordinate.
    pub bits: u8,
    /// Minimum clients (at least 2).
    pub min_clients: u32,
}

/// A delivered message, as logged.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Bytes.
    pub payload: Arc<Vec<u8>>,
}

/// Nodes, a FIFO of messages and a virtual clock.
pub struct Sim {
    nodes: Vec<(NodeId, Box<dyn Role>)>,
    queue: VecDeque<Delivery>,
    /// The virtual time.
    pub now: Millis,
    /// Every transmit, in send order, if `log` is on.
    pub log: Option<Vec<Delivery>>,
    /// Every event with its node.
    pub events: Vec<(NodeId, Event)>,
    /// The signed announcement [`build`] queued (tests build adversarial messages from it).
    pub announcement: Option<Announcement>,
}

impl core::fmt::Debug for Sim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sim").field("now", &self.now).finish_non_exhaustive()
    }
}

impl Sim {
    /// An empty simulation.
    pub fn new() -> Self {
        Sim {
            nodes: Vec::new(),
            queue: VecDeque::new(),
            now: Millis(0),
            log: None,
            events: Vec::new(),
            announcement: None,
        }
    }

    /// Adds a node.
    pub fn add(&mut self, id: NodeId, node: Box<dyn Role>) {
        self.nodes.push((id, node));
    }

    /// Replaces every node by `f(id, node)` (e.g. to wrap nodes in instrumentation).
    pub fn map_nodes(&mut self, mut f: impl FnMut(NodeId, Box<dyn Role>) -> Box<dyn Role>) {
        self.nodes =
            std::mem::take(&mut self.nodes).into_iter().map(|(id, n)| (id, f(id, n))).collect();
    }

    /// Queues a message from `from` to `to` (adversarial tests inject crafted messages).
    pub fn inject(&mut self, from: NodeId, to: NodeId, payload: Arc<Vec<u8>>) {
        let d = Delivery { from, to, payload };
        if let Some(log) = self.log.as_mut() {
            log.push(d.clone());
        }
        self.queue.push_back(d);
    }

    /// The events of node `id`, in order.
    pub fn events_of(&self, id: NodeId) -> impl Iterator<Item = &Event> + '_ {
        self.events.iter().filter(move |(n, _)| *n == id).map(|(_, e)| e)
    }

    fn collect(&mut self) {
        for (id, node) in &mut self.nodes {
            while let Some(Transmit { to, payload }) = node.poll_transmit() {
                let d = Delivery { from: *id, to, payload };
                if let Some(log) = self.log.as_mut() {
                    log.push(d.clone());
                }
                self.queue.push_back(d);
            }
            while let Some(e) = node.poll_event() {
                self.events.push((*id, e));
            }
        }
    }

    /// Delivers one message or fires the earliest timeout; false when nothing is left.
    pub fn step(&mut self) -> bool {
        self.collect();
        if let Some(d) = self.queue.pop_front() {
            let now = self.now;
            if let Some((_, n)) = self.nodes.iter_mut().find(|(id, _)| *id == d.to) {
                n.handle_message(now, d.from, &d.payload);
            }
            return true;
        }
        let next = self
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(i, (_, n))| n.poll_timeout().map(|t| (t, i)))
            .min();
        let Some((t, i)) = next else { return false };
        self.now = self.now.max(t);
        let now = self.now;
        if let Some((_, n)) = self.nodes.get_mut(i) {
            n.handle_timeout(now);
        }
        true
    }

    /// Runs until quiet or `max_steps`; returns whether it settled.
    pub fn run(&mut self, max_steps: usize) -> bool {
        for _ in 0..max_steps {
            if !self.step() {
                return true;
            }
        }
        false
    }

    /// Runs until quiet or `max_steps` batches, using up to `threads` threads: each batch
    /// delivers every queued message, different nodes in parallel and each node's messages
    /// in queue order; transmits and events are then collected in node order, so the run is
    /// deterministic whatever the thread count. When the queue is empty the earliest timeout
    /// fires, as in [`Sim::step`]. A different (equally valid) schedule from [`Sim::run`]'s
    /// one-message FIFO, for measuring a round's wall time on several cores.
    pub fn run_parallel(&mut self, max_steps: usize, threads: usize) -> bool {
        for _ in 0..max_steps {
            self.collect();
            if self.queue.is_empty() {
                if !self.step() {
                    return true;
                }
                continue;
            }
            self.deliver_batch(threads.max(1));
        }
        false
    }

    /// Delivers the whole queue, nodes spread round-robin over `threads` scoped threads.
    fn deliver_batch(&mut self, threads: usize) {
        let now = self.now;
        let mut inbox: Vec<Vec<Delivery>> = self.nodes.iter().map(|_| Vec::new()).collect();
        for d in self.queue.drain(..) {
            if let Some(i) = self.nodes.iter().position(|(id, _)| *id == d.to)
                && let Some(slot) = inbox.get_mut(i)
            {
                slot.push(d);
            }
        }
        let mut lanes: Vec<Lane<'_>> = (0..threads).map(|_| Vec::new()).collect();
        let busy = self.nodes.iter_mut().zip(inbox).filter(|(_, m)| !m.is_empty());
        for (k, ((_, node), msgs)) in busy.enumerate() {
            if let Some(lane) = lanes.get_mut(k % threads) {
                lane.push((node, msgs));
            }
        }
        let work = |lane: Lane<'_>| {
            for (node, msgs) in lane {
                for d in msgs {
                    node.handle_message(now, d.from, &d.payload);
                }
            }
        };
        std::thread::scope(|scope| {
            let mut lanes = lanes.into_iter();
            let first = lanes.next();
            for lane in lanes {
                scope.spawn(move || work(lane));
            }
            if let Some(lane) = first {
                work(lane);
            }
        });
    }
}

/// The nodes one thread runs in a batch, each with its messages.
type Lane<'a> = Vec<(&'a mut Box<dyn Role>, Vec<Delivery>)>;

/// A node that receives everything and sends nothing, with no timeouts: a killed member, an
/// offline client (for tests, demos and benches that take a node out of a round).
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl Role for Offline {
    fn handle_message(&mut self, _: Millis, _: NodeId, _: &[u8]) {}
    fn handle_timeout(&mut self, _: Millis) {}
    fn poll_transmit(&mut self) -> Option<Transmit> {
        None
    }
    fn poll_event(&mut self) -> Option<Event> {
        None
    }
    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
}

/// A role whose transmits pass through `edit` (tests play adversaries and crashes with it):
/// each transmit the inner role produces is replaced by the ones `edit` returns, in order;
/// messages, timeouts and events go to and from the inner role unchanged.
pub struct Intercept<F> {
    inner: Box<dyn Role>,
    edit: F,
    queue: VecDeque<Transmit>,
}

impl<F: FnMut(Transmit) -> Vec<Transmit> + Send> Intercept<F> {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn Role>, edit: F) -> Self {
        Intercept { inner, edit, queue: VecDeque::new() }
    }
}

impl<F: FnMut(Transmit) -> Vec<Transmit> + Send> Role for Intercept<F> {
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        self.inner.handle_message(now, from, bytes);
    }
    fn handle_timeout(&mut self, now: Millis) {
        self.inner.handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        while let Some(t) = self.inner.poll_transmit() {
            self.queue.extend((self.edit)(t));
        }
        self.queue.pop_front()
    }
    fn poll_event(&mut self) -> Option<Event> {
        self.inner.poll_event()
    }
    fn poll_timeout(&self) -> Option<Millis> {
        self.inner.poll_timeout()
    }
    fn paused_senders(&self) -> &[NodeId] {
        self.inner.paused_senders()
    }
}

impl Default for Sim {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds every node of a round in a [`Sim`] and queues the signed announcement. Clients
/// `0..updates.len()` get nodes; roster clients past the end of `updates` have none (tests
/// play them).
///
/// `key(label, i)` returns the node key of `label`-`i` (labels: `authority`, `aggregator`,
/// `observer`, `member`, `relay`, `client`) and must return the same key for the same
/// arguments; `seed(label, i)` the node's 32-byte seed.
///
/// # Errors
/// The authority's [`ParamsError`] if the plan's parameters are refused (e.g.
/// `min_clients < 2`).
pub fn build<S: Suite + 'static>(
    plan: &RoundPlan,
    sys: &S::System,
    mut key: impl FnMut(&str, usize) -> S::NodeKey,
    seed: impl Fn(&str, usize) -> [u8; 32],
    updates: Vec<Vec<i64>>,
) -> Result<Sim, ParamsError> {
    let authority_bundle = S::bundle(&key("authority", 0));
    let cfg =
        |label: &str, i: usize, key: &mut dyn FnMut(&str, usize) -> S::NodeKey| NodeConfig::<S> {
            sys: sys.clone(),
            authority: authority_bundle.clone(),
            key: key(label, i),
            round: plan.round,
            seed: seed(label, i),
        };
    let mut sim = Sim::new();
    let params = RoundParams {
        model_version: 1,
        dimension: plan.dimension,
        bits: plan.bits,
        scale: 1000,
        min_clients: plan.min_clients,
        contribution_deadline: Millis(10_000),
        decryption_deadline: Millis(20_000),
        shards: plan.layout,
        privacy_threshold: plan.privacy_threshold,
    };
    let aggregator = Party { node: AGGREGATOR, bundle: S::bundle(&key("aggregator", 0)) };
    let committee = (0..plan.members)
        .map(|i| Party { node: member(i), bundle: S::bundle(&key("member", i)) })
        .collect();
    let roster = (0..plan.clients)
        .map(|i| Party { node: client(i), bundle: S::bundle(&key("client", i)) })
        .collect();
    let ann = Announcement {
        round: plan.round,
        params,
        aggregator,
        relays: (0..plan.relays).map(relay).collect(),
        observers: vec![OBSERVER],
        committee,
        roster,
        signature: Vec::new(),
    };
    sim.add(AGGREGATOR, Box::new(Aggregator::new(cfg("aggregator", 0, &mut key))));
    sim.add(OBSERVER, Box::new(Observer::new(cfg("observer", 0, &mut key))));
    for i in 0..plan.members {
        sim.add(member(i), Box::new(Member::new(cfg("member", i, &mut key))));
    }
    for i in 0..plan.relays {
        sim.add(relay(i), Box::new(Relay::new(cfg("relay", i, &mut key))));
    }
    for (i, u) in updates.into_iter().enumerate().take(plan.clients) {
        sim.add(client(i), Box::new(Client::new(cfg("client", i, &mut key), u)));
    }
    let mut authority = Authority::new(cfg("authority", 0, &mut key));
    sim.announcement = Some(authority.announce(ann)?);
    sim.add(AUTHORITY, Box::new(authority));
    Ok(sim)
}

/// Mock-suite keys and seeds for [`build`]: deterministic functions of (label, index).
#[cfg(feature = "insecure-mock")]
pub mod mock {
    use gradseal_core::hash;

    use crate::mock::MockKey;

    /// The mock key of `label`-`i`.
    pub fn key(label: &str, i: usize) -> MockKey {
        MockKey(hash(
            "gradseal/v1/protocol/sim/key",
            &[label.as_bytes(), &(i as u64).to_be_bytes()],
        ))
    }

    /// The seed of `label`-`i`.
    pub fn seed(label: &str, i: usize) -> [u8; 32] {
        hash("gradseal/v1/protocol/sim/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
    }
}
