//! One encrypted FedAvg round through the full protocol: every role of gradseal-protocol with
//! the production suite in an in-memory [`Sim`] (committee of 3, 6 relays, (4, 2) shards),
//! with the demo's faults: offline clients, relays corrupting shards, clients sending
//! biased (out-of-range) or replayed contributions.
//!
//! Scheme v2 does not verify inputs: a biased contribution is accepted and summed like an
//! honest one (a client can shift the sum anywhere in the plaintext space, or make it
//! undecodable and spoil the round), and the protocol cannot tell which contribution is bad.
//! What it does give is accountability: every contribution carries its client's signature,
//! so the transcript proves what each client sent.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use chacha20::ChaCha20Rng;
use gradseal_agg as agg;
use gradseal_clsc::{Identity, Kgc, KgcPublic, NodeKeys, NodeSecret};
use gradseal_core::{Codec, hash};
use gradseal_protocol::messages::Message;
use gradseal_protocol::round::RoundContext;
use gradseal_protocol::sim::{self, AGGREGATOR, OBSERVER, RoundPlan, Sim, client, relay};
use gradseal_protocol::{
    AggShape, Event, GradsealSuite, GradsealSystem, Millis, NodeConfig, NodeId, RejectReason,
    Relay, Role, RoundId, ShardLayout, Tamper, Transmit, build_contribution, send_contribution,
    sign_contribution,
};
use rand_core::{Rng, SeedableRng};

use super::data::uniform;

/// Committee size.
pub(crate) const MEMBERS: usize = 3;
/// The committee's privacy threshold: n-of-n (f = n − 1).
const MEMBERS_THRESHOLD: u32 = 2;
/// Relays.
pub(crate) const RELAYS: usize = 6;
/// Shard layout: any 4 of 6 shards rebuild a contribution.
pub(crate) const LAYOUT: ShardLayout = ShardLayout { data: 4, parity: 2 };
/// Coordinates a biased client shifts: the 64 weights of class 0 (a shift of every
/// coordinate would add the same vector to every class and change no prediction).
pub(crate) const BIASED_COORDS: usize = 64;
/// Step bound of one simulated round (livelock guard).
const MAX_STEPS: usize = 2_000_000;

/// A client's recorded shard messages: (relay, encoded message).
type Recorded = Vec<(NodeId, Arc<Vec<u8>>)>;

/// What a client does this round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// Contributes its quantized update.
    Honest,
    /// Offline: sends nothing.
    Offline,
    /// Encrypts its update with [`Network::bias_shift`] added to each of its first
    /// [`BIASED_COORDS`] coordinates, far outside the legal range (nothing checks it).
    Biased,
    /// Adds half a plaintext step (Δ/2) to every body: the sum no longer decodes, so the
    /// round releases nothing.
    Spoiling,
    /// Sends its recorded contribution of an earlier round, relabelled with this round.
    Replay,
}

/// Everything fixed for the whole run: enrolled keys, system parameters, shape.
pub(crate) struct Network {
    kgc: KgcPublic,
    keys: BTreeMap<(String, usize), Vec<u8>>,
    sys: GradsealSystem,
    seed: [u8; 32],
    /// Clients on every roster.
    pub(crate) clients: usize,
    /// Fewest contributions the committee decrypts.
    pub(crate) min_clients: u32,
    /// Bits per quantized coordinate.
    bits: u8,
    /// Coordinates per update.
    pub(crate) dimension: u32,
    /// gradseal-agg's parameters for this shape (range, plaintext modulus).
    agg: agg::RoundParams,
    /// Each replaying client's recorded shards (relay, payload) from its first contribution.
    recorded: HashMap<usize, Recorded>,
}

/// The outcome of one simulated round.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Decrypted sum and count, if the round completed.
    pub(crate) result: Option<(Vec<i64>, u32)>,
    /// Why it failed, if it did.
    pub(crate) failure: Option<String>,
    /// Roster indices accepted.
    pub(crate) accepted: Vec<u32>,
    /// Rejections (roster index, reason).
    pub(crate) rejected: Vec<(Option<u32>, RejectReason)>,
    /// Relays the aggregator named for corrupt shards (relay index, times).
    pub(crate) blamed: BTreeMap<usize, usize>,
    /// Bytes each client sent.
    pub(crate) client_bytes: Vec<u64>,
    /// The observer's audit passed.
    pub(crate) audited: bool,
    /// Wall-clock seconds of the simulated round.
    pub(crate) seconds: f64,
}

fn seed_of(run: &[u8; 32], label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v1/cli/demo/seed", &[run, label.as_bytes(), &(i as u64).to_be_bytes()])
}

/// gradseal-agg's parameters for the round shape the protocol will derive
/// (`GradsealSuite::agg_config`; the round id does not matter for the range and the
/// plaintext modulus read from them).
fn agg_params(
    dimension: u32,
    bits: u8,
    clients: usize,
    min_clients: u32,
) -> Result<agg::RoundParams, String> {
    let shape = AggShape {
        dimension,
        bits,
        committee: u32::try_from(MEMBERS).map_err(|_| "committee too large")?,
        privacy_threshold: MEMBERS_THRESHOLD,
        min_clients,
        max_clients: u32::try_from(clients).map_err(|_| "too many clients")?,
    };
    let config = GradsealSuite::agg_config(shape, &[0; 32])
        .ok_or("round parameters: committee too large")?;
    agg::RoundParams::new(config).map_err(|e| format!("round parameters: {e}"))
}

impl Network {
    /// Enrols every node with a fresh KGC (deterministic from `seed`).
    pub(crate) fn enrol(
        seed: [u8; 32],
        clients: usize,
        min_clients: u32,
        dimension: u32,
        bits: u8,
    ) -> Result<Network, String> {
        let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed(seed_of(&seed, "kgc", 0)));
        let sys = GradsealSystem { kgc: *kgc.public() };
        let mut keys = BTreeMap::new();
        let roles = [
            ("authority", 1),
            ("aggregator", 1),
            ("observer", 1),
            ("member", MEMBERS),
            ("relay", RELAYS),
            ("client", clients),
        ];
        // The demo's KGC enrols exactly the simulated network's identities, each once.
        let identities = roles
            .iter()
            .flat_map(|&(label, n)| (0..n).map(move |i| format!("{label}-{i}").into_bytes()))
            .map(Identity::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("identity: {e}"))?;
        let mut registry = gradseal_clsc::EnrolmentRegistry::new(identities);
        for (label, n) in roles {
            for i in 0..n {
                let mut rng = ChaCha20Rng::from_seed(seed_of(&seed, label, i));
                let id = Identity::new(format!("{label}-{i}").into_bytes())
                    .map_err(|e| format!("identity: {e}"))?;
                let secret = NodeSecret::generate(id, &mut rng);
                let request = secret.request(kgc.public(), &mut rng);
                let partial = kgc
                    .issue_authorised(&request, &mut registry, &mut rng)
                    .map_err(|e| format!("enrolment: {e}"))?;
                let k = secret
                    .complete(kgc.public(), &partial)
                    .map_err(|e| format!("enrolment: {e}"))?;
                let bytes = k.to_secret_bytes().to_vec();
                NodeKeys::from_secret_bytes(kgc.public(), &bytes)
                    .map_err(|e| format!("key round trip: {e}"))?;
                keys.insert((label.to_string(), i), bytes);
            }
        }
        let agg = agg_params(dimension, bits, clients, min_clients)?;
        Ok(Network {
            kgc: *kgc.public(),
            keys,
            sys,
            seed,
            clients,
            min_clients,
            bits,
            dimension,
            agg,
            recorded: HashMap::new(),
        })
    }

    fn key(&self, label: &str, i: usize) -> Option<NodeKeys> {
        let bytes = self.keys.get(&(label.to_string(), i))?;
        NodeKeys::from_secret_bytes(&self.kgc, bytes).ok()
    }

    /// The key of a node of the plan. Every (label, index) the plan names was enrolled and its
    /// stored bytes decoded once in [`Network::enrol`], so this cannot fail.
    #[allow(clippy::expect_used)]
    fn checked_key(&self, label: &str, i: usize) -> NodeKeys {
        self.key(label, i).expect("every planned node was enrolled and its key checked")
    }

    fn round_seed(&self, round: u64) -> [u8; 32] {
        hash("gradseal/v1/cli/demo/round", &[&self.seed, &round.to_be_bytes()])
    }

    /// The largest magnitude of a quantized coordinate, 2^(bits−1) − 1.
    pub(crate) fn max_magnitude(&self) -> i64 {
        self.agg.max_magnitude()
    }

    /// Whether `client` has a recorded contribution to replay.
    pub(crate) fn can_replay(&self, client: usize) -> bool {
        self.recorded.contains_key(&client)
    }

    /// The shift a biased client adds to each of its first [`BIASED_COORDS`] coordinates: a
    /// quarter of the plaintext modulus t = 2^S (S = bits + ceil(log2 clients)), at least
    /// 2^bits (twice the legal range). The sum decodes shifted by exactly this much (modulo
    /// t): the decoder's range check cannot tell, and the model is ruined.
    pub(crate) fn bias_shift(&self) -> i64 {
        let sum_bits = self.agg.noise_budget().sum_bits;
        1i64 << sum_bits.saturating_sub(2).max(u32::from(self.bits))
    }

    /// Runs round `round` with `updates[i]` for client i (ignored when offline) and
    /// `behaviour[i]`; relays corrupt each shard with probability `corrupt`.
    pub(crate) fn run_round(
        &mut self,
        round: u64,
        updates: Vec<Vec<i64>>,
        behaviour: &[Behaviour],
        corrupt: f64,
    ) -> Result<Outcome, String> {
        let start = Instant::now();
        let plan = RoundPlan {
            round: RoundId(round),
            clients: self.clients,
            members: MEMBERS,
            privacy_threshold: MEMBERS_THRESHOLD,
            relays: RELAYS,
            layout: LAYOUT,
            dimension: self.dimension,
            bits: self.bits,
            min_clients: self.min_clients,
        };
        let round_seed = self.round_seed(round);
        let mut sim = sim::build::<GradsealSuite>(
            &plan,
            &self.sys,
            |label, i| self.checked_key(label, i),
            |label, i| seed_of(&round_seed, label, i),
            updates.clone(),
        )
        .map_err(|e| format!("round {round}: {e}"))?;
        self.wrap_nodes(&mut sim, round, updates, behaviour, corrupt);
        sim.log = Some(Vec::new());
        if !sim.run(MAX_STEPS) {
            return Err(format!("round {round} did not settle within {MAX_STEPS} steps"));
        }
        let mut out = self.collect(&sim);
        self.record_replays(&sim, behaviour);
        out.seconds = start.elapsed().as_secs_f64();
        Ok(out)
    }

    fn wrap_nodes(
        &self,
        sim: &mut Sim,
        round: u64,
        updates: Vec<Vec<i64>>,
        behaviour: &[Behaviour],
        corrupt: f64,
    ) {
        let round_id = RoundId(round);
        let round_seed = self.round_seed(round);
        let node_seed = |label: &str, i: usize| seed_of(&round_seed, label, i);
        let cfg = |label: &str, i: usize| -> Option<NodeConfig<GradsealSuite>> {
            Some(NodeConfig {
                sys: self.sys.clone(),
                authority: self.key("authority", 0)?.bundle().to_bytes(),
                key: self.key(label, i)?,
                round: round_id,
                seed: node_seed(label, i),
            })
        };
        let mut updates = updates.into_iter().map(Some).collect::<Vec<_>>();
        let mut fault_rng = ChaCha20Rng::from_seed(node_seed("faults", 0));
        let bias = Fault::Bias(self.bias_shift().unsigned_abs());
        sim.map_nodes(|id, node| {
            if let Some(i) = (0..self.clients).find(|&i| client(i) == id) {
                let b = behaviour.get(i).copied().unwrap_or(Behaviour::Honest);
                let update = updates.get_mut(i).and_then(Option::take);
                return match b {
                    Behaviour::Honest => node,
                    Behaviour::Offline => Box::new(sim::Offline),
                    Behaviour::Biased | Behaviour::Spoiling => match (cfg("client", i), update) {
                        (Some(cfg), Some(update)) => {
                            let fault = if b == Behaviour::Biased { bias } else { Fault::Spoil };
                            Box::new(Malicious::new(cfg, update, fault))
                        }
                        _ => node,
                    },
                    Behaviour::Replay => match self.recorded.get(&i) {
                        Some(rec) => replayer(node, rec.clone(), round_id),
                        None => node,
                    },
                };
            }
            if corrupt > 0.0
                && let Some(r) = (0..RELAYS).find(|&r| relay(r) == id)
                && let Some(c) = cfg("relay", r)
            {
                let mut seed = [0u8; 32];
                fault_rng.fill_bytes(&mut seed);
                return Box::new(CorruptingRelay {
                    inner: Relay::new(c),
                    rng: ChaCha20Rng::from_seed(seed),
                    p: corrupt,
                });
            }
            node
        });
    }

    fn collect(&self, sim: &Sim) -> Outcome {
        let mut out = Outcome { client_bytes: vec![0; self.clients], ..Outcome::default() };
        for (n, e) in &sim.events {
            match e {
                Event::Completed(r) if *n == AGGREGATOR => {
                    out.result = Some((r.sum.clone(), r.count));
                }
                Event::Failed(f) if *n == AGGREGATOR && out.failure.is_none() => {
                    out.failure = Some(format!("{f:?}"));
                }
                Event::Accepted { client } if *n == AGGREGATOR => out.accepted.push(*client),
                Event::Rejected { client, reason } if *n == AGGREGATOR => {
                    out.rejected.push((*client, *reason));
                }
                Event::RelayBlamed(b) if *n == AGGREGATOR => {
                    if let Some(r) = (0..RELAYS).find(|&r| relay(r) == b.relay) {
                        *out.blamed.entry(r).or_default() += 1;
                    }
                }
                Event::AuditPassed { .. } if *n == OBSERVER => out.audited = true,
                _ => {}
            }
        }
        for d in sim.log.as_deref().unwrap_or(&[]) {
            if let Some(i) = (0..self.clients).find(|&i| client(i) == d.from)
                && let Some(b) = out.client_bytes.get_mut(i)
            {
                *b += d.payload.len() as u64;
            }
        }
        if out.result.is_none() && out.failure.is_none() {
            out.failure = Some("no result".into());
        }
        out
    }

    /// Records the first honest contribution of every would-be replayer.
    fn record_replays(&mut self, sim: &Sim, behaviour: &[Behaviour]) {
        for (i, b) in behaviour.iter().enumerate() {
            if *b != Behaviour::Honest || self.recorded.contains_key(&i) {
                continue;
            }
            let shards: Recorded = sim
                .log
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .filter(|d| {
                    d.from == client(i)
                        && matches!(Message::from_bytes(&d.payload), Ok(Message::Shard(_)))
                })
                .map(|d| (d.to, Arc::clone(&d.payload)))
                .collect();
            if !shards.is_empty() {
                self.recorded.insert(i, shards);
            }
        }
    }
}

/// A relay that flips a bit of each shard it forwards with probability `p`.
struct CorruptingRelay {
    inner: Relay<GradsealSuite>,
    rng: ChaCha20Rng,
    p: f64,
}

impl Role for CorruptingRelay {
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        self.inner.handle_message(now, from, bytes);
    }
    fn handle_timeout(&mut self, now: Millis) {
        self.inner.handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        let t = self.inner.poll_transmit()?;
        let Ok(Message::Shard(mut s)) = Message::from_bytes(&t.payload) else { return Some(t) };
        if uniform(&mut self.rng) >= self.p {
            return Some(t);
        }
        if let Some(b) = s.shard.last_mut() {
            *b ^= 0x80;
        }
        Some(Transmit { to: t.to, payload: Message::Shard(s).to_bytes().into() })
    }
    fn poll_event(&mut self) -> Option<Event> {
        self.inner.poll_event()
    }
    fn poll_timeout(&self) -> Option<Millis> {
        self.inner.poll_timeout()
    }
}

/// How a [`Malicious`] client alters its bodies.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Adds `shift · Δ` to its first [`BIASED_COORDS`] bodies: the plaintext becomes
    /// `v + shift`, far out of range.
    Bias(u64),
    /// Adds Δ/2 to every body: no coordinate of the sum decodes.
    Spoil,
}

/// A malicious client (scheme v2 does not verify inputs): it builds its contribution as an
/// honest client would, alters the bodies (its [`Fault`]), signs the altered contribution
/// with its own key and sends it. Everyone accepts it, since nothing can tell it from an
/// honest one; its signature in the transcript proves what the client sent.
struct Malicious {
    cfg: NodeConfig<GradsealSuite>,
    update: Vec<i64>,
    fault: Fault,
    rng: ChaCha20Rng,
    out: VecDeque<Transmit>,
    events: VecDeque<Event>,
    sent: bool,
}

impl Malicious {
    fn new(cfg: NodeConfig<GradsealSuite>, update: Vec<i64>, fault: Fault) -> Self {
        let rng = ChaCha20Rng::from_seed(hash(
            "gradseal/v1/cli/demo/malicious",
            &[&cfg.seed, &cfg.round.0.to_be_bytes()],
        ));
        Malicious {
            cfg,
            update,
            fault,
            rng,
            out: VecDeque::new(),
            events: VecDeque::new(),
            sent: false,
        }
    }

    /// The shards of the altered contribution, or `None` if the announcement is not valid
    /// or does not name this client.
    fn contribute(&mut self, ann: gradseal_protocol::Announcement) -> Option<Vec<Transmit>> {
        let cfg = &self.cfg;
        let ctx = RoundContext::<GradsealSuite>::new(cfg.sys.clone(), &cfg.authority, ann).ok()?;
        let index = ctx.client_index(&cfg.key.bundle().to_bytes())?;
        let mut c = build_contribution(
            &ctx,
            &cfg.key,
            index,
            &self.update,
            Tamper::default(),
            &mut self.rng,
        )?;
        let p = &ctx.params.agg;
        let honest = agg::Contribution::from_bytes(&c.body).ok()?;
        let (add, coords) = match self.fault {
            Fault::Bias(shift) => (shift.wrapping_shl(p.delta_log2()), BIASED_COORDS),
            Fault::Spoil => (1u64 << (p.delta_log2() - 1), usize::MAX),
        };
        let mut bodies = honest.bodies().to_vec();
        for b in bodies.iter_mut().take(coords) {
            *b = b.wrapping_add(add);
        }
        let biased = agg::Contribution::from_parts(p, bodies, honest.correction().to_vec()).ok()?;
        c.body = biased.to_bytes();
        sign_contribution(&ctx, &cfg.key, &mut c, &mut self.rng);
        let msgs = send_contribution(&ctx, &cfg.key, &c, &mut self.rng)?;
        Some(
            msgs.into_iter().map(|(to, m)| Transmit { to, payload: m.to_bytes().into() }).collect(),
        )
    }
}

impl Role for Malicious {
    fn handle_message(&mut self, _: Millis, _: NodeId, bytes: &[u8]) {
        if self.sent {
            return;
        }
        let Ok(Message::Announcement(ann)) = Message::from_bytes(bytes) else { return };
        if ann.round != self.cfg.round {
            return;
        }
        if let Some(shards) = self.contribute(ann) {
            self.sent = true;
            self.events.push_back(Event::Contributed { shards: shards.len() });
            self.out.extend(shards);
        }
    }
    fn handle_timeout(&mut self, _: Millis) {}
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }
    fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
}

/// A client that, instead of its fresh contribution, sends the shards it recorded in an
/// earlier round with the round field rewritten (so relays forward them).
fn replayer(inner: Box<dyn Role>, recorded: Recorded, round: RoundId) -> Box<dyn Role> {
    let mut replayed = false;
    Box::new(sim::Intercept::new(inner, move |t: Transmit| {
        if !matches!(Message::from_bytes(&t.payload), Ok(Message::Shard(_))) {
            return vec![t];
        }
        if std::mem::replace(&mut replayed, true) {
            return Vec::new();
        }
        let rewrite = |(to, payload): &(NodeId, Arc<Vec<u8>>)| match Message::from_bytes(payload) {
            Ok(Message::Shard(mut s)) => {
                s.round = round;
                Some(Transmit { to: *to, payload: Message::Shard(s).to_bytes().into() })
            }
            _ => None,
        };
        recorded.iter().filter_map(rewrite).collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Honest, biased, offline and (later) replaying clients in small rounds: the decrypted
    /// sum is the honest sum plus exactly the bias on the class-0 weights, and the replay is
    /// rejected as `WrongRound`.
    #[test]
    fn faults_have_their_exact_effect() {
        let dim = 70;
        let mut net = Network::enrol([4; 32], 4, 2, dim, 16).unwrap();
        let ones = |v: i64| vec![vec![v; dim as usize]; 4];
        let b = [Behaviour::Honest, Behaviour::Honest, Behaviour::Biased, Behaviour::Honest];
        let o = net.run_round(1, ones(3), &b, 0.0).unwrap();
        let (sum, count) = o.result.unwrap();
        assert_eq!(count, 4);
        // The biased client was accepted like any other: nothing verifies inputs in v2.
        assert_eq!(o.accepted, vec![0, 1, 2, 3]);
        let shift = net.bias_shift();
        assert_eq!(shift, 1 << 16);
        for (j, s) in sum.iter().enumerate() {
            let expected = 12 + if j < BIASED_COORDS { shift } else { 0 };
            assert_eq!(*s, expected, "coordinate {j}");
        }
        assert!(o.audited);
        assert!(o.client_bytes.iter().all(|b| *b > 0));

        assert!(net.can_replay(3));
        let b = [Behaviour::Honest, Behaviour::Offline, Behaviour::Honest, Behaviour::Replay];
        let o = net.run_round(2, ones(-5), &b, 0.0).unwrap();
        let (sum, count) = o.result.unwrap();
        assert_eq!(count, 2);
        assert!(sum.iter().all(|s| *s == -10));
        assert_eq!(o.rejected, vec![(Some(3), RejectReason::WrongRound)]);
        assert_eq!(o.client_bytes[1], 0);

        // Every relay corrupts every shard: nothing can be rebuilt, the round fails cleanly.
        let b = [Behaviour::Honest; 4];
        let o = net.run_round(3, ones(1), &b, 1.0).unwrap();
        assert!(o.result.is_none());
        assert!(o.failure.is_some());
        // One shard in six corrupted: contributions with at most two bad shards are rebuilt
        // from the others (the rest are lost), and the relays are named.
        let o = net.run_round(4, ones(1), &b, 1.0 / 6.0).unwrap();
        assert!(o.result.is_some_and(|r| r.1 >= 2));
        assert!(!o.blamed.is_empty());
    }

    /// A spoiling client's contribution is accepted by everyone but the sum does not
    /// decode, so no sum is released; two biased clients wrap the sum modulo t, which still
    /// decodes (the decoder's range check spans nearly all of t when everyone contributes).
    #[test]
    fn a_spoiling_client_makes_the_round_undecodable() {
        let dim = 70;
        let mut net = Network::enrol([5; 32], 4, 2, dim, 16).unwrap();
        let ones = vec![vec![1; dim as usize]; 4];
        let b = [Behaviour::Honest, Behaviour::Honest, Behaviour::Spoiling, Behaviour::Honest];
        let o = net.run_round(1, ones.clone(), &b, 0.0).unwrap();
        assert_eq!(o.accepted, vec![0, 1, 2, 3]);
        assert!(o.result.is_none(), "{o:?}");
        assert!(o.failure.is_some());

        let b = [Behaviour::Honest, Behaviour::Biased, Behaviour::Biased, Behaviour::Honest];
        let o = net.run_round(2, ones, &b, 0.0).unwrap();
        let (sum, _) = o.result.unwrap();
        let t = 1i64 << net.agg.noise_budget().sum_bits;
        assert_eq!(sum[0], 4 + 2 * net.bias_shift() - t);
        assert_eq!(sum[BIASED_COORDS], 4);
    }
}
