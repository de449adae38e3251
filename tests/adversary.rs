//! Round scenarios with faults and adversaries, generic over the suite. Each asserts the
//! exact typed outcome of `spec/protocol.md` ("Failure handling"); the files in `tests/`
//! run them over the production suite (and the mock suite, for speed).

use gradseal_core::Codec;
use gradseal_protocol::messages::Message;
use gradseal_protocol::reason::{BadRelay, RelayFault};
use gradseal_protocol::{
    Aggregator, Client, Event, Millis, Misbehave, NodeId, ProtocolError, RejectReason, Relay, Role,
    RoundFailure, RoundId, RoundResult, Tamper, TranscriptFault, Transmit,
};

use crate::network::{Adversary, Network};
use crate::scenario::{AGGREGATOR, Config, Fixture, OBSERVER, TestSuite, client, member, relay};

/// Step bound of every scenario (livelock guard).
pub const STEPS: usize = 1_000_000;

/// A small round: 12 clients, min 8, 3 members, 6 relays, (4, 2) shards, dimension 32.
pub fn small() -> Config {
    Config { clients: 12, min_clients: 8, dimension: DIMENSION_SMALL as u32, ..Config::default() }
}

/// The result `node` reported, if any.
pub fn result_of(net: &Network, node: NodeId) -> Option<RoundResult> {
    net.events_of(node).into_iter().find_map(|e| match e {
        Event::Completed(r) => Some((**r).clone()),
        _ => None,
    })
}

/// The rejections the aggregator recorded, in order.
pub fn rejections(net: &Network) -> Vec<(Option<u32>, RejectReason)> {
    net.events_of(AGGREGATOR)
        .into_iter()
        .filter_map(|e| match e {
            Event::Rejected { client, reason } => Some((*client, *reason)),
            _ => None,
        })
        .collect()
}

/// The failures `node` reported.
pub fn failures(net: &Network, node: NodeId) -> Vec<RoundFailure> {
    net.events_of(node)
        .into_iter()
        .filter_map(|e| match e {
            Event::Failed(f) => Some(*f),
            _ => None,
        })
        .collect()
}

fn nobody_decrypted(net: &Network) -> bool {
    !net.events.iter().any(|(_, e)| matches!(e, Event::Decrypted { .. } | Event::Completed(_)))
}

fn assert_audited<S: TestSuite>(net: &Network, fx: &Fixture<S>, clients: &[usize]) {
    let r = result_of(net, AGGREGATOR)
        .unwrap_or_else(|| panic!("no result: {:?}", failures(net, AGGREGATOR)));
    assert_eq!(r.count as usize, clients.len());
    assert_eq!(r.sum, fx.plain_sum(clients.iter().copied()));
    let passed =
        net.events_of(OBSERVER).into_iter().any(|e| *e == Event::AuditPassed { count: r.count });
    assert!(passed, "observer: {:?}", net.events_of(OBSERVER));
}

/// The honest round: the decrypted sum (hence the mean) equals the plaintext sum of the
/// quantized updates exactly; the observer's audit passes; every client gets the result.
pub fn honest<S: TestSuite>(cfg: Config) -> (Fixture<S>, Network) {
    let mut fx = Fixture::<S>::new(cfg);
    let mut net = fx.network();
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    let all: Vec<usize> = (0..fx.cfg.clients).collect();
    assert_audited(&net, &fx, &all);
    for i in 0..fx.cfg.clients {
        assert!(result_of(&net, client(i)).is_some(), "client {i} has no result");
    }
    let r = result_of(&net, AGGREGATOR).unwrap();
    let expected: Vec<f64> = fx
        .plain_sum(all.iter().copied())
        .iter()
        .map(|&s| s as f64 / (all.len() as f64 * 1000.0))
        .collect();
    assert_eq!(r.mean(1000), expected);
    (fx, net)
}

/// A client whose shards arrive after the deadline and one that never sends are left out;
/// the round completes with the others.
pub fn late_and_missing_clients<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    net.delay_from.insert(client(0), Millis(10_500));
    net.crashed.insert(client(1));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_audited(&net, &fx, &(2..12).collect::<Vec<_>>());
    let late = net
        .events_of(AGGREGATOR)
        .into_iter()
        .filter(|e| matches!(e, Event::Dropped { error: ProtocolError::Late, .. }))
        .count();
    assert_eq!(late, 6, "each of client 0's six shards is dropped as late");
}

fn corrupt_shard(t: Transmit) -> Vec<Transmit> {
    let Ok(Message::Shard(mut s)) = Message::from_bytes(&t.payload) else { return vec![t] };
    if let Some(b) = s.shard.last_mut() {
        *b ^= 0x80;
    }
    vec![Transmit { to: t.to, payload: Message::Shard(s).to_bytes().into() }]
}

/// One relay drops every shard and another corrupts every shard: every payload is still
/// rebuilt from four valid shards, and exactly the corrupting relay is named.
pub fn relays_drop_and_corrupt<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    let round = fx.cfg.round;
    net.add(
        relay(2),
        Box::new(Adversary::new(Relay::new(fx.node("relay", 2, round)), 2, |_, _| Vec::new())),
    );
    net.add(
        relay(3),
        Box::new(Adversary::new(Relay::new(fx.node("relay", 3, round)), 3, |_, t| {
            corrupt_shard(t)
        })),
    );
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_audited(&net, &fx, &(0..12).collect::<Vec<_>>());
    let blamed: Vec<BadRelay> = net
        .events_of(AGGREGATOR)
        .into_iter()
        .filter_map(|e| match e {
            Event::RelayBlamed(b) => Some(*b),
            _ => None,
        })
        .collect();
    assert_eq!(blamed, vec![BadRelay { relay: relay(3), fault: RelayFault::CorruptShard }]);
}

/// A client that contributes a second time (all zeros), one second after its first
/// contribution went out.
struct DoubleSubmit<S: TestSuite> {
    inner: Client<S>,
    at: Option<Millis>,
    fired: bool,
    now: Millis,
}

impl<S: TestSuite> Role for DoubleSubmit<S> {
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        self.now = now;
        self.inner.handle_message(now, from, bytes);
    }
    fn handle_timeout(&mut self, now: Millis) {
        self.now = now;
        if self.at.is_some_and(|t| now >= t) && !self.fired {
            self.fired = true;
            let zeros = vec![0i64; self.inner_dimension()];
            self.inner.danger_contribute(&zeros, Tamper::default());
        }
        self.inner.handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.inner.poll_transmit()
    }
    fn poll_event(&mut self) -> Option<Event> {
        let e = self.inner.poll_event()?;
        if matches!(e, Event::Contributed { .. }) && self.at.is_none() {
            self.at = Some(self.now.plus(1000));
        }
        Some(e)
    }
    fn poll_timeout(&self) -> Option<Millis> {
        match (self.at, self.fired) {
            (Some(t), false) => Some(t),
            _ => self.inner.poll_timeout(),
        }
    }
}

impl<S: TestSuite> DoubleSubmit<S> {
    fn inner_dimension(&self) -> usize {
        DIMENSION_SMALL
    }
}

const DIMENSION_SMALL: usize = 32;

/// A client that contributes twice: the second is rejected as a duplicate (the client is
/// told), and the sum counts the first only.
pub fn double_submission<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    net.add(
        client(4),
        Box::new(DoubleSubmit { inner: fx.client(4), at: None, fired: false, now: Millis(0) }),
    );
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_audited(&net, &fx, &(0..12).collect::<Vec<_>>());
    assert_eq!(rejections(&net), vec![(Some(4), RejectReason::Duplicate)]);
    let told = net
        .events_of(client(4))
        .into_iter()
        .any(|e| *e == Event::Rejected { client: Some(4), reason: RejectReason::Duplicate });
    assert!(told);
}

/// A contribution recorded in round 7 is replayed into round 8 (same keys, same
/// aggregator): as sent, every shard is dropped for naming another round; with the round
/// field rewritten, the envelope opens and is rejected as `WrongRound`.
pub fn replay_from_another_round<S: TestSuite>() {
    let mut fx7 = Fixture::<S>::new(small());
    let mut net7 = fx7.network();
    net7.record = Some(Vec::new());
    fx7.announce(&mut net7);
    net7.drive_bounded(STEPS);
    let recorded: Vec<(NodeId, Transmit)> =
        net7.record.take().unwrap().into_iter().filter(|(from, _)| *from == client(0)).collect();
    assert_eq!(recorded.len(), 6);

    let mut fx8 = Fixture::<S>::new(Config { round: RoundId(8), ..small() });
    let mut net8 = fx8.network();
    net8.crashed.insert(client(0));
    fx8.announce(&mut net8);
    // Let the key phase finish, then replay: once verbatim, once with the round rewritten.
    net8.latency = (1, 5);
    for (_, t) in &recorded {
        let relay_node = t.to;
        net8.inject(NodeId(9000), relay_node, t.payload.clone());
        let Ok(Message::Shard(mut s)) = Message::from_bytes(&t.payload) else {
            panic!("not a shard")
        };
        s.round = RoundId(8);
        net8.inject(NodeId(9000), relay_node, Message::Shard(s).to_bytes().into());
    }
    net8.drive_bounded(STEPS);
    assert_audited(&net8, &fx8, &(1..12).collect::<Vec<_>>());
    assert_eq!(rejections(&net8), vec![(Some(0), RejectReason::WrongRound)]);
    let stale = net8
        .events
        .iter()
        .filter(|(n, e)| {
            (relay(0).0..relay(6).0).contains(&n.0)
                && matches!(e, Event::Dropped { error: ProtocolError::WrongRound, .. })
        })
        .count();
    assert_eq!(stale, 6, "the verbatim replays are dropped by the relays");
}

/// A node enrolled with the KGC but not on the roster contributes under a roster slot, and
/// a roster client signs its statement badly: both are rejected with their typed reasons.
pub fn not_enrolled_and_bad_signature<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    let round = fx.cfg.round;
    let mut outsider = Client::new(fx.node("outsider", 0, round), fx.updates[5].clone());
    outsider.danger_claim_index(5);
    net.add(client(5), Box::new(outsider));
    let mut forger = fx.client(6);
    forger.danger_tamper(Tamper { corrupt_signature: true, ..Tamper::default() });
    net.add(client(6), Box::new(forger));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    let honest: Vec<usize> = (0..12).filter(|c| *c != 5 && *c != 6).collect();
    assert_audited(&net, &fx, &honest);
    let mut rej = rejections(&net);
    rej.sort_by_key(|(c, _)| *c);
    assert_eq!(rej, vec![(None, RejectReason::NotEnrolled), (Some(6), RejectReason::BadSignature)]);
    assert!(
        net.events_of(client(6))
            .into_iter()
            .any(|e| *e == Event::Rejected { client: Some(6), reason: RejectReason::BadSignature })
    );
}

/// The aggregator cheats as `how`: every honest member refuses with `fault`, nothing is
/// decrypted, the aggregator's round fails, and the observer's audit fails the same way.
pub fn aggregator_cheats<S: TestSuite>(
    how: Misbehave,
    fault: TranscriptFault,
    crash_client: Option<usize>,
) {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    let round = fx.cfg.round;
    let mut agg = Aggregator::new(fx.node("aggregator", 0, round));
    agg.danger_misbehave(how);
    net.add(AGGREGATOR, Box::new(agg));
    if let Some(c) = crash_client {
        net.crashed.insert(client(c));
    }
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    for m in 0..fx.cfg.members {
        let refused = net
            .events_of(member(m))
            .into_iter()
            .any(|e| *e == Event::Refused { member: m as u32, fault });
        assert!(refused, "{how:?}: member {m}: {:?}", net.events_of(member(m)));
    }
    assert!(nobody_decrypted(&net));
    assert!(
        failures(&net, AGGREGATOR)
            .iter()
            .any(|f| matches!(f, RoundFailure::Refused { fault: f2, .. } if *f2 == fault))
    );
    assert!(net.events_of(OBSERVER).into_iter().any(|e| *e == Event::AuditFailed(fault)));
}

/// Every way of cheating the aggregator has, with the fault members name.
pub fn aggregator_cheating_all<S: TestSuite>() {
    aggregator_cheats::<S>(Misbehave::Omit, TranscriptFault::AggregateMismatch, None);
    aggregator_cheats::<S>(
        Misbehave::Isolate,
        TranscriptFault::TooFewClients { accepted: 1, min: 8 },
        None,
    );
    aggregator_cheats::<S>(
        Misbehave::Duplicate,
        TranscriptFault::DuplicateClient { client: 0 },
        None,
    );
    aggregator_cheats::<S>(
        Misbehave::Inject,
        TranscriptFault::BadClientSignature { client: 11 },
        Some(11),
    );
    aggregator_cheats::<S>(Misbehave::WrongAggregate, TranscriptFault::AggregateMismatch, None);
}

/// A member that never publishes its key body: clients cannot encrypt, the round fails
/// with `MissingKeyBody` and nothing is decrypted.
pub fn missing_member_before_keys<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    net.crashed.insert(member(2));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::MissingKeyBody { member: 2 }]);
    assert_eq!(failures(&net, client(0)), vec![RoundFailure::MissingKeyBody { member: 2 }]);
    assert!(nobody_decrypted(&net));
}

/// A member that verifies the transcript but never sends its partial decryption: the round
/// fails at the decryption deadline with `MissingPartial`; the other members' partials
/// reveal nothing (n-of-n) and no result exists.
pub fn missing_member_partial<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    let round = fx.cfg.round;
    let silent = Adversary::new(
        gradseal_protocol::Member::new(fx.node("member", 2, round)),
        9,
        |_, t: Transmit| match Message::from_bytes(&t.payload) {
            Ok(Message::Partial(_)) => Vec::new(),
            _ => vec![t],
        },
    );
    net.add(member(2), Box::new(silent));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::MissingPartial { member: 2 }]);
    assert!(!net.events.iter().any(|(_, e)| matches!(e, Event::Completed(_))));
}

/// Relays `bad` (index, corrupt? else drop), at most `parity` of them: the result is the
/// honest one whatever the scheduler's seed.
pub fn relay_faults_within_tolerance<S: TestSuite>(seed: u64, bad: &[(usize, bool)]) {
    let mut fx = Fixture::<S>::new(Config {
        seed,
        clients: 8,
        min_clients: 6,
        dimension: 16,
        ..Config::default()
    });
    let mut net = fx.network();
    let round = fx.cfg.round;
    for &(r, corrupt) in bad {
        let inner = Relay::new(fx.node("relay", r, round));
        let node: Box<dyn Role> = if corrupt {
            Box::new(Adversary::new(inner, 1, |_, t| corrupt_shard(t)))
        } else {
            Box::new(Adversary::new(inner, 1, |_, _| Vec::new()))
        };
        net.add(relay(r), node);
    }
    net.faults.duplicate = 50;
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_audited(&net, &fx, &(0..8).collect::<Vec<_>>());
}

/// With proofs required, a client whose proof does not verify is rejected with `BadProof`
/// (run over the mock suite: real proofs need the authority's CRS, seconds per list).
pub fn bad_proof_is_rejected<S: TestSuite>() {
    let mut fx =
        Fixture::<S>::new(Config { proofs: gradseal_protocol::ProofPolicy::Every, ..small() });
    let mut net = fx.network();
    let mut cheat = fx.client(3);
    cheat.danger_tamper(Tamper { corrupt_proof: true, ..Tamper::default() });
    net.add(client(3), Box::new(cheat));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    let honest: Vec<usize> = (0..12).filter(|c| *c != 3).collect();
    assert_audited(&net, &fx, &honest);
    assert_eq!(rejections(&net), vec![(Some(3), RejectReason::BadProof)]);
}
