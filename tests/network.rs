//! The simulated network.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;

use chacha20::ChaCha20Rng;
use gradseal_protocol::{Event, Millis, NodeId, Role, Transmit};
use rand_core::{Rng, SeedableRng};

/// Faults of a link (or of every link): probabilities in per-mille.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkFaults {
    /// Drop the message.
    pub drop: u16,
    /// Deliver it twice.
    pub duplicate: u16,
    /// Flip one random byte.
    pub corrupt: u16,
}

type Rewrite = Box<dyn FnMut(&mut ChaCha20Rng, Transmit) -> Vec<Transmit> + Send>;

/// A node whose outgoing messages pass through a rewriting function (a malicious relay, a
/// replaying client, ...). The function may drop, alter or multiply each transmit.
pub struct Adversary<R: Role> {
    /// The honest machine underneath.
    pub inner: R,
    rewrite: Rewrite,
    rng: ChaCha20Rng,
    queue: std::collections::VecDeque<Transmit>,
}

impl<R: Role> Adversary<R> {
    /// Wraps `inner`; `rewrite` sees every transmit it produces.
    pub fn new(
        inner: R,
        seed: u8,
        rewrite: impl FnMut(&mut ChaCha20Rng, Transmit) -> Vec<Transmit> + Send + 'static,
    ) -> Self {
        Adversary {
            inner,
            rewrite: Box::new(rewrite),
            rng: ChaCha20Rng::from_seed([seed; 32]),
            queue: Default::default(),
        }
    }
}

impl<R: Role> Role for Adversary<R> {
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        self.inner.handle_message(now, from, bytes);
    }
    fn handle_timeout(&mut self, now: Millis) {
        self.inner.handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        while self.queue.is_empty() {
            let t = self.inner.poll_transmit()?;
            self.queue.extend((self.rewrite)(&mut self.rng, t));
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

/// Flips one byte of a payload (a corrupting relay or link).
pub fn corrupt(rng: &mut ChaCha20Rng, payload: &Arc<Vec<u8>>) -> Arc<Vec<u8>> {
    let mut v = payload.to_vec();
    if !v.is_empty() {
        let i = usize::try_from(rng.next_u64() % v.len() as u64).unwrap();
        v[i] ^= 1 << (rng.next_u32() % 8);
    }
    v.into()
}

type InFlight = Reverse<(Millis, u64, NodeId, NodeId)>;

/// N nodes in memory with a seeded scheduler and a virtual clock.
pub struct Network {
    nodes: BTreeMap<NodeId, Box<dyn Role>>,
    heap: BinaryHeap<InFlight>,
    payloads: HashMap<u64, Arc<Vec<u8>>>,
    seq: u64,
    now: Millis,
    rng: ChaCha20Rng,
    /// Faults applied to every link.
    pub faults: LinkFaults,
    /// Faults applied to messages *sent by* a given node (overrides `faults`).
    pub node_faults: HashMap<NodeId, LinkFaults>,
    /// Messages whose delivery is held back until this time, per sending node (a late node).
    pub delay_from: HashMap<NodeId, Millis>,
    /// Nodes that have crashed: they receive nothing and send nothing.
    pub crashed: std::collections::HashSet<NodeId>,
    /// Latency range in ms (min, max).
    pub latency: (u64, u64),
    /// Every event, with the node that raised it, in order.
    pub events: Vec<(NodeId, Event)>,
    /// Messages sent to each destination: (count, bytes).
    pub sent_bytes: HashMap<NodeId, (u64, u64)>,
    /// Copies of every transmit, if recording is on (for replay tests).
    pub record: Option<Vec<(NodeId, Transmit)>>,
    /// Every delivery in delivery order: (from, to, message kind byte), so that tests can
    /// check which reorderings a schedule produced.
    pub delivered: Vec<(NodeId, NodeId, u8)>,
}

impl Network {
    /// An empty network whose scheduler is seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&seed.to_be_bytes());
        Network {
            nodes: BTreeMap::new(),
            heap: BinaryHeap::new(),
            payloads: HashMap::new(),
            seq: 0,
            now: Millis(0),
            rng: ChaCha20Rng::from_seed(s),
            faults: LinkFaults::default(),
            node_faults: HashMap::new(),
            delay_from: HashMap::new(),
            crashed: Default::default(),
            latency: (1, 20),
            events: Vec::new(),
            sent_bytes: HashMap::new(),
            record: None,
            delivered: Vec::new(),
        }
    }

    /// Adds a node.
    pub fn add(&mut self, id: NodeId, node: Box<dyn Role>) {
        self.nodes.insert(id, node);
    }

    /// The current virtual time.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// Injects raw bytes as if `from` had sent them to `to` now.
    pub fn inject(&mut self, from: NodeId, to: NodeId, payload: Arc<Vec<u8>>) {
        self.schedule(from, Transmit { to, payload }, 1);
    }

    fn schedule(&mut self, from: NodeId, t: Transmit, latency: u64) {
        let mut at = self.now.plus(latency);
        if let Some(&hold) = self.delay_from.get(&from) {
            at = at.max(hold);
        }
        self.seq += 1;
        self.payloads.insert(self.seq, t.payload);
        self.heap.push(Reverse((at, self.seq, from, t.to)));
    }

    fn chance(&mut self, per_mille: u16) -> bool {
        per_mille > 0 && (self.rng.next_u32() % 1000) < u32::from(per_mille)
    }

    /// Moves every queued transmit into flight (applying link faults) and collects events.
    fn collect(&mut self) {
        let ids: Vec<NodeId> = self.nodes.keys().copied().collect();
        for id in ids {
            while let Some(t) = self.nodes.get_mut(&id).and_then(|n| n.poll_transmit()) {
                if self.crashed.contains(&id) {
                    continue;
                }
                if let Some(rec) = self.record.as_mut() {
                    rec.push((id, t.clone()));
                }
                let e = self.sent_bytes.entry(t.to).or_default();
                e.0 += 1;
                e.1 += t.payload.len() as u64;
                let f = self.node_faults.get(&id).copied().unwrap_or(self.faults);
                if self.chance(f.drop) {
                    continue;
                }
                let copies = if self.chance(f.duplicate) { 2 } else { 1 };
                for _ in 0..copies {
                    let payload = if self.chance(f.corrupt) {
                        corrupt(&mut self.rng, &t.payload)
                    } else {
                        t.payload.clone()
                    };
                    let (lo, hi) = self.latency;
                    let lat = lo + self.rng.next_u64() % (hi - lo + 1);
                    self.schedule(id, Transmit { to: t.to, payload }, lat);
                }
            }
            while let Some(ev) = self.nodes.get_mut(&id).and_then(|n| n.poll_event()) {
                self.events.push((id, ev));
            }
        }
    }

    fn next_timeout(&self) -> Option<(Millis, NodeId)> {
        self.nodes
            .iter()
            .filter(|(id, _)| !self.crashed.contains(id))
            .filter_map(|(id, n)| n.poll_timeout().map(|t| (t, *id)))
            .min()
    }

    /// Runs until nothing is in flight and no timeout is pending, or panics after
    /// `max_steps` deliveries and timeouts (livelock).
    pub fn drive_bounded(&mut self, max_steps: usize) {
        for _ in 0..max_steps {
            self.collect();
            let next_msg = self.heap.peek().map(|Reverse((at, ..))| *at);
            let next_timer = self.next_timeout();
            match (next_msg, next_timer) {
                (None, None) => return,
                (Some(at), Some((t, id))) if t < at => self.fire(t, id),
                (None, Some((t, id))) => self.fire(t, id),
                (Some(_), _) => {
                    let Reverse((at, seq, from, to)) = self.heap.pop().unwrap();
                    let payload = self.payloads.remove(&seq).unwrap();
                    self.now = self.now.max(at);
                    if self.crashed.contains(&to) {
                        continue;
                    }
                    if let Some(n) = self.nodes.get_mut(&to) {
                        self.delivered.push((from, to, payload.first().copied().unwrap_or(0)));
                        n.handle_message(self.now, from, &payload);
                    }
                }
            }
        }
        panic!("network did not settle within {max_steps} steps (livelock?)");
    }

    fn fire(&mut self, t: Millis, id: NodeId) {
        self.now = self.now.max(t);
        let now = self.now;
        if let Some(n) = self.nodes.get_mut(&id) {
            n.handle_timeout(now);
        }
    }

    /// Whether `to` received a message of kind `first` before any of kind `then`.
    pub fn delivered_before(&self, to: NodeId, first: u8, then: u8) -> bool {
        let mut kinds = self.delivered.iter().filter(|(_, t, _)| *t == to).map(|(_, _, k)| *k);
        kinds.find(|k| *k == first || *k == then) == Some(first)
    }

    /// Events raised by `node`.
    pub fn events_of(&self, node: NodeId) -> Vec<&Event> {
        self.events.iter().filter(|(n, _)| *n == node).map(|(_, e)| e).collect()
    }
}
