//! Whole-round fixtures: keys, roster, announcement and honest nodes for any suite.

use chacha20::ChaCha20Rng;
use gradseal_core::{Reader, Writer, hash};
use gradseal_protocol::messages::{Announcement, Party};
use gradseal_protocol::mock::{MockKey, MockParams, MockSuite};
use gradseal_protocol::round::RoundContext;
use gradseal_protocol::{
    Aggregator, Authority, Client, Member, Millis, NodeConfig, NodeId, Observer, Relay, RoundId,
    RoundParams, ShardLayout, Suite,
};
use rand_core::{Rng, SeedableRng};

use crate::Network;

/// A suite the fixtures can enrol nodes for.
pub trait TestSuite: Suite + 'static {
    /// The key-generation centre's state.
    type Kgc;
    /// A KGC and the system parameters, from a seed.
    fn setup(seed: [u8; 32]) -> (Self::Kgc, Self::System);
    /// Enrols the node named `id` (key pair plus partial key), from a seed; the same
    /// arguments give the same key.
    fn enroll(kgc: &mut Self::Kgc, sys: &Self::System, id: &[u8], seed: [u8; 32]) -> Self::NodeKey;
    /// `base − Σ minus` as an encoded contribution of the round (bodies and corrections
    /// alike): what a client colluding with the aggregator, which sees every accepted body,
    /// submits to cancel honest contributions out of the aggregate. `None` if an input does
    /// not decode.
    fn subtract(p: &Self::Params, base: &[u8], minus: &[&[u8]]) -> Option<Vec<u8>>;
}

impl TestSuite for MockSuite {
    type Kgc = ();
    fn setup(_: [u8; 32]) -> ((), ()) {
        ((), ())
    }
    fn enroll(_: &mut (), _: &(), id: &[u8], seed: [u8; 32]) -> MockKey {
        MockKey(hash("gradseal/v1/tests/mock-key", &[id, &seed]))
    }
    fn subtract(_: &MockParams, base: &[u8], minus: &[&[u8]]) -> Option<Vec<u8>> {
        // The mock contribution: list(u64 body) ‖ u64 correction.
        let words = |b: &[u8]| -> Option<Vec<u64>> {
            let mut r = Reader::new(b);
            let bodies = r.read_list("body", b.len() / 8, |r| r.read_u64("word")).ok()?;
            let correction = r.read_u64("correction").ok()?;
            r.finish("contribution").ok()?;
            Some(bodies.into_iter().chain([correction]).collect())
        };
        let mut acc = words(base)?;
        for m in minus {
            let m = words(m)?;
            if m.len() != acc.len() {
                return None;
            }
            acc.iter_mut().zip(m).for_each(|(a, b)| *a = a.wrapping_sub(b));
        }
        let (correction, bodies) = acc.split_last()?;
        let mut w = Writer::new();
        w.put_list(bodies, |w, v| w.put_u64(*v));
        w.put_u64(*correction);
        Some(w.into_bytes())
    }
}

/// Address plan: authority 0, aggregator 1, observer 2, members 10.., relays 100..,
/// clients 1000.., outsiders 5000...
pub const AUTHORITY: NodeId = NodeId(0);
/// The aggregator's address.
pub const AGGREGATOR: NodeId = NodeId(1);
/// The observer's address.
pub const OBSERVER: NodeId = NodeId(2);

/// A member's address.
pub fn member(i: usize) -> NodeId {
    NodeId(10 + u32::try_from(i).unwrap())
}
/// A relay's address.
pub fn relay(i: usize) -> NodeId {
    NodeId(100 + u32::try_from(i).unwrap())
}
/// A client's address.
pub fn client(i: usize) -> NodeId {
    NodeId(1000 + u32::try_from(i).unwrap())
}

/// The shape of a test round.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seed of everything.
    pub seed: u64,
    /// Round id.
    pub round: RoundId,
    /// Roster size.
    pub clients: usize,
    /// Committee size n.
    pub members: usize,
    /// Privacy threshold f (`None`: `members − 1`, n-of-n).
    pub privacy_threshold: Option<u32>,
    /// Relays.
    pub relays: usize,
    /// Shard layout.
    pub layout: ShardLayout,
    /// Model dimension.
    pub dimension: u32,
    /// Bits per coordinate.
    pub bits: u8,
    /// Minimum clients (at least 2).
    pub min_clients: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            round: RoundId(7),
            clients: 50,
            members: 3,
            privacy_threshold: None,
            relays: 6,
            layout: ShardLayout { data: 4, parity: 2 },
            dimension: 64,
            bits: 12,
            min_clients: 10,
        }
    }
}

/// Every key and update of a round, ready to be turned into nodes.
pub struct Fixture<S: TestSuite> {
    /// The configuration.
    pub cfg: Config,
    /// The KGC.
    pub kgc: S::Kgc,
    /// System parameters.
    pub sys: S::System,
    /// The authority's key seed (keys are rebuilt from seeds: they are not Clone).
    pub authority_seed: [u8; 32],
    /// The authority's bundle.
    pub authority_bundle: Vec<u8>,
    /// The unsigned announcement.
    pub announcement: Announcement,
    /// Each client's quantized update.
    pub updates: Vec<Vec<i64>>,
}

/// Deterministic 32-byte seed for (label, index).
pub fn seed_of(base: u64, label: &str, i: usize) -> [u8; 32] {
    hash(
        "gradseal/v1/tests/seed",
        &[&base.to_be_bytes(), label.as_bytes(), &(i as u64).to_be_bytes()],
    )
}

impl<S: TestSuite> Fixture<S> {
    /// Builds keys and the announcement for `cfg`; round timing: contributions until 10 s,
    /// decryption until 20 s (virtual).
    pub fn new(cfg: Config) -> Self {
        let (mut kgc, sys) = S::setup(seed_of(cfg.seed, "kgc", 0));
        let authority_seed = seed_of(cfg.seed, "authority", 0);
        let authority = S::enroll(&mut kgc, &sys, b"authority", authority_seed);
        let authority_bundle = S::bundle(&authority);
        let mut party = |label: &str, i: usize, node: NodeId| {
            let key = S::enroll(
                &mut kgc,
                &sys,
                format!("{label}-{i}").as_bytes(),
                seed_of(cfg.seed, label, i),
            );
            Party { node, bundle: S::bundle(&key) }
        };
        let aggregator = party("aggregator", 0, AGGREGATOR);
        let committee = (0..cfg.members).map(|i| party("member", i, member(i))).collect();
        let roster = (0..cfg.clients).map(|i| party("client", i, client(i))).collect();
        let params = RoundParams {
            model_version: 1,
            dimension: cfg.dimension,
            bits: cfg.bits,
            scale: 1000,
            min_clients: cfg.min_clients,
            contribution_deadline: Millis(10_000),
            decryption_deadline: Millis(20_000),
            shards: cfg.layout,
            privacy_threshold: cfg
                .privacy_threshold
                .unwrap_or(u32::try_from(cfg.members.saturating_sub(1)).unwrap_or(u32::MAX)),
        };
        let announcement = Announcement {
            round: cfg.round,
            params,
            aggregator,
            relays: (0..cfg.relays).map(relay).collect(),
            observers: vec![OBSERVER],
            committee,
            roster,
            signature: Vec::new(),
        };
        let mut rng = ChaCha20Rng::from_seed(seed_of(cfg.seed, "updates", 0));
        let bound = 1i64 << (cfg.bits - 2); // leave headroom: |v| < 2^(bits-1)
        let updates = (0..cfg.clients)
            .map(|_| {
                (0..cfg.dimension)
                    .map(|_| i64::try_from(rng.next_u64() % (2 * bound as u64)).unwrap() - bound)
                    .collect()
            })
            .collect();
        Fixture { cfg, kgc, sys, authority_seed, authority_bundle, announcement, updates }
    }

    /// The node configuration of `label`-`i`, for `round`.
    pub fn node(&mut self, label: &str, i: usize, round: RoundId) -> NodeConfig<S> {
        let seed = seed_of(self.cfg.seed, label, i);
        let key = if label == "authority" {
            S::enroll(&mut self.kgc, &self.sys, b"authority", self.authority_seed)
        } else {
            S::enroll(&mut self.kgc, &self.sys, format!("{label}-{i}").as_bytes(), seed)
        };
        NodeConfig {
            sys: self.sys.clone(),
            authority: self.authority_bundle.clone(),
            key,
            round,
            seed,
        }
    }

    /// An honest client.
    pub fn client(&mut self, i: usize) -> Client<S> {
        let round = self.cfg.round;
        let update = self.updates[i].clone();
        Client::new(self.node("client", i, round), update)
    }

    /// Every honest node in a fresh network, with the announcement queued.
    pub fn network(&mut self) -> Network {
        let mut net = Network::new(self.cfg.seed);
        let round = self.cfg.round;
        net.add(AGGREGATOR, Box::new(Aggregator::new(self.node("aggregator", 0, round))));
        net.add(OBSERVER, Box::new(Observer::new(self.node("observer", 0, round))));
        for i in 0..self.cfg.members {
            net.add(member(i), Box::new(Member::new(self.node("member", i, round))));
        }
        for i in 0..self.cfg.relays {
            net.add(relay(i), Box::new(Relay::new(self.node("relay", i, round))));
        }
        for i in 0..self.cfg.clients {
            let c = self.client(i);
            net.add(client(i), Box::new(c));
        }
        net
    }

    /// Adds the authority to `net`, queues the signed announcement and returns it.
    ///
    /// # Panics
    /// If the authority refuses the configuration's parameters.
    pub fn announce(&mut self, net: &mut Network) -> Announcement {
        let round = self.cfg.round;
        let mut a = Authority::new(self.node("authority", 0, round));
        let ann = a.announce(self.announcement.clone()).expect("the authority refused the round");
        net.add(AUTHORITY, Box::new(a));
        ann
    }

    /// The round context a node of this round derives from the signed announcement (tests
    /// build adversarial contributions and lists from it).
    pub fn context(&self, ann: &Announcement) -> RoundContext<S> {
        RoundContext::new(self.sys.clone(), &self.authority_bundle, ann.clone())
            .expect("the signed announcement is valid")
    }

    /// The exact sum of the updates of `clients`.
    pub fn plain_sum(&self, clients: impl IntoIterator<Item = usize>) -> Vec<i64> {
        let mut sum = vec![0i64; self.cfg.dimension as usize];
        for c in clients {
            for (s, v) in sum.iter_mut().zip(&self.updates[c]) {
                *s += v;
            }
        }
        sum
    }
}
