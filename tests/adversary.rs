//! Round scenarios with faults and adversaries, generic over the suite. Each asserts the
//! exact typed outcome of `spec/protocol.md` §8 ("Failure handling") and names the adversary
//! it plays; the files in `tests/` run them over the production suite and the mock suite.

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;
use gradseal_protocol::messages::{Announcement, Message};
use gradseal_protocol::reason::{BadRelay, RelayFault};
use gradseal_protocol::round::RoundContext;
use gradseal_protocol::{
    Aggregator, Client, Event, Member, Millis, Misbehave, NodeId, ProtocolError, RejectReason,
    Relay, Role, RoundFailure, RoundId, RoundResult, Tamper, TranscriptFault, Transmit,
    build_contribution, send_contribution, sign_contribution,
};
use rand_core::{Rng, SeedableRng};

use crate::network::{Adversary, Network};
use crate::scenario::{
    AGGREGATOR, Config, Fixture, OBSERVER, TestSuite, client, member, relay, seed_of,
};

/// Step bound of every scenario (livelock guard).
pub const STEPS: usize = 1_000_000;

/// Coordinates of [`small`] rounds.
pub const DIMENSION_SMALL: usize = 32;

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

/// The audit failures the observer reported.
pub fn audit_failures(net: &Network) -> Vec<TranscriptFault> {
    net.events_of(OBSERVER)
        .into_iter()
        .filter_map(|e| match e {
            Event::AuditFailed(f) => Some(*f),
            _ => None,
        })
        .collect()
}

/// The relays the aggregator named (advisory).
pub fn blamed(net: &Network) -> Vec<BadRelay> {
    net.events_of(AGGREGATOR)
        .into_iter()
        .filter_map(|e| match e {
            Event::RelayBlamed(b) => Some(*b),
            _ => None,
        })
        .collect()
}

/// How many members sent a partial decryption.
pub fn decryptions(net: &Network) -> usize {
    net.events.iter().filter(|(_, e)| matches!(e, Event::Decrypted { .. })).count()
}

/// No node obtained a sum.
fn no_result(net: &Network) -> bool {
    !net.events.iter().any(|(_, e)| matches!(e, Event::Completed(_)))
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
    assert!(blamed(&net).is_empty());
    let r = result_of(&net, AGGREGATOR).unwrap();
    let expected: Vec<f64> = fx
        .plain_sum(all.iter().copied())
        .iter()
        .map(|&s| s as f64 / (all.len() as f64 * 1000.0))
        .collect();
    assert_eq!(r.mean(1000), expected);
    (fx, net)
}

/// *Adversary: the network, scheduling freely.* Latencies of 1 ms to 3 s per hop (so that
/// lists, partials and results overtake what they depend on, within the deadlines) and
/// one message in ten delivered twice: the honest result and a passed audit, whatever the
/// schedule.
pub fn randomized_network<S: TestSuite>(seed: u64) {
    let mut fx = Fixture::<S>::new(Config { seed, clients: 8, min_clients: 6, ..small() });
    let mut net = fx.network();
    net.latency = (1, 3000);
    net.faults.duplicate = 100;
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_audited(&net, &fx, &(0..8).collect::<Vec<_>>());
    for i in 0..8 {
        assert!(result_of(&net, client(i)).is_some(), "client {i} has no result");
    }
}

/// *Late and crashed clients.* A client whose shards arrive after the deadline and one that
/// never sends are left out; the round completes with the others.
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
    assert!(result_of(&net, client(0)).is_some(), "a late client still gets the result");
}

/// *Too many crashed clients.* Only `min_clients − 1` clients send: the aggregator fails with
/// `TooFewContributions`, publishes the transcript, sends no list, and nothing is decrypted.
pub fn too_few_clients<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    for c in 7..12 {
        net.crashed.insert(client(c));
    }
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_eq!(
        failures(&net, AGGREGATOR),
        vec![RoundFailure::TooFewContributions { accepted: 7, min: 8 }]
    );
    assert_eq!(audit_failures(&net), vec![TranscriptFault::TooFewClients { accepted: 7, min: 8 }]);
    assert_eq!(decryptions(&net), 0);
    assert!(no_result(&net));
}

fn corrupt_shard(t: Transmit) -> Vec<Transmit> {
    let Ok(Message::Shard(mut s)) = Message::from_bytes(&t.payload) else { return vec![t] };
    if let Some(b) = s.shard.last_mut() {
        *b ^= 0x80;
    }
    vec![Transmit { to: t.to, payload: Message::Shard(s).to_bytes().into() }]
}

/// *Relays (parity many): one drops every shard, another corrupts every shard.* Every
/// payload is still rebuilt from four valid shards, and exactly the corrupting relay is
/// named.
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
    assert_eq!(blamed(&net), vec![BadRelay { relay: relay(3), fault: RelayFault::CorruptShard }]);
}

/// *A malicious client framing an honest relay* (`spec/protocol.md` §7.5): it sends its own
/// genuine envelope with shard 0 corrupted, through honest relay 0. The envelope rebuilds
/// from the other shards and opens, which proves the manifest genuine, so the aggregator
/// names relay 0: relay blame is advisory. The contribution is accepted and the result is
/// the honest one.
pub fn client_frames_an_honest_relay<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    let framer =
        Adversary::new(
            fx.client(5),
            5,
            |_, t: Transmit| {
                if t.to == relay(0) { corrupt_shard(t) } else { vec![t] }
            },
        );
    net.add(client(5), Box::new(framer));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_audited(&net, &fx, &(0..12).collect::<Vec<_>>());
    assert_eq!(blamed(&net), vec![BadRelay { relay: relay(0), fault: RelayFault::CorruptShard }]);
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
            self.inner.danger_contribute(&[0; DIMENSION_SMALL], Tamper::default());
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

/// *A client contributing twice.* The second is rejected as a duplicate (the client is
/// told), and the sum counts the first only. A 13th roster client stays silent so that
/// contributions stay open until the deadline (with every roster client in they close at
/// once, and the second contribution would be merely late).
pub fn double_submission<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(Config { clients: 13, ..small() });
    let mut net = fx.network();
    net.crashed.insert(client(12));
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

/// *The network replaying a contribution from another round.* A contribution recorded in
/// round 7 is replayed into round 8 (same keys, same aggregator): as sent, every shard is
/// dropped by the relays for naming another round; with the shards' round field rewritten,
/// the envelope opens (its context does not name the round) and the contribution is
/// rejected as `WrongRound`.
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

/// *A KGC-enrolled node not on the roster, and a roster client with a bad signature.* Both
/// are rejected with their typed reasons; the round completes over the others.
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
    let mut short = fx.client(7);
    short.danger_tamper(Tamper { drop_seed: true, ..Tamper::default() });
    net.add(client(7), Box::new(short));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    let honest: Vec<usize> = (0..12).filter(|c| ![5, 6, 7].contains(c)).collect();
    // Nine accepted, above min_clients = 8.
    assert_audited(&net, &fx, &honest);
    let mut rej = rejections(&net);
    rej.sort_by_key(|(c, _)| *c);
    assert_eq!(
        rej,
        vec![
            (None, RejectReason::NotEnrolled),
            (Some(6), RejectReason::BadSignature),
            (Some(7), RejectReason::Malformed),
        ]
    );
    assert!(
        net.events_of(client(6))
            .into_iter()
            .any(|e| *e == Event::Rejected { client: Some(6), reason: RejectReason::BadSignature })
    );
}

/// A network for `fx` whose aggregator cheats as `how`, run to the end.
fn with_cheating_aggregator<S: TestSuite>(
    fx: &mut Fixture<S>,
    how: Misbehave,
    crash_client: Option<usize>,
) -> Network {
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
    net
}

/// *A malicious aggregator whose lists members can check* (isolation, a duplicated entry,
/// an injected entry): every member refuses with `fault`, nothing is decrypted, the
/// aggregator's round fails, and the observer's audit fails the same way.
pub fn aggregator_refused<S: TestSuite>(
    how: Misbehave,
    fault: TranscriptFault,
    crash_client: Option<usize>,
) {
    let mut fx = Fixture::<S>::new(small());
    let net = with_cheating_aggregator(&mut fx, how, crash_client);
    for m in 0..fx.cfg.members {
        let refused = net
            .events_of(member(m))
            .into_iter()
            .any(|e| *e == Event::Refused { member: m as u32, fault });
        assert!(refused, "{how:?}: member {m}: {:?}", net.events_of(member(m)));
    }
    assert_eq!(decryptions(&net), 0, "{how:?}");
    assert!(no_result(&net), "{how:?}");
    assert!(
        failures(&net, AGGREGATOR)
            .iter()
            .any(|f| matches!(f, RoundFailure::Refused { fault: f2, .. } if *f2 == fault)),
        "{how:?}"
    );
    assert_eq!(audit_failures(&net), vec![fault], "{how:?}");
}

/// *A malicious aggregator cheating where members cannot see it* (an entry omitted from the
/// lists but kept in the aggregate, a wrong aggregate): members agree to and decrypt the
/// (one) list they were sent, the combination fails its decoding check (`Undecodable`), no
/// sum exists anywhere, and the observer names the fault.
pub fn aggregator_undecodable<S: TestSuite>(how: Misbehave, fault: TranscriptFault) {
    let mut fx = Fixture::<S>::new(small());
    let net = with_cheating_aggregator(&mut fx, how, None);
    assert_eq!(decryptions(&net), fx.cfg.members, "{how:?}");
    assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::Undecodable], "{how:?}");
    assert!(no_result(&net), "{how:?}");
    assert_eq!(audit_failures(&net), vec![fault], "{how:?}");
}

/// Every way of cheating the aggregator has, with the fault members or the observer name.
pub fn aggregator_cheating_all<S: TestSuite>() {
    aggregator_refused::<S>(
        Misbehave::Isolate,
        TranscriptFault::TooFewClients { accepted: 1, min: 8 },
        None,
    );
    aggregator_refused::<S>(
        Misbehave::Duplicate,
        TranscriptFault::DuplicateClient { client: 0 },
        None,
    );
    aggregator_refused::<S>(
        Misbehave::Inject,
        TranscriptFault::BadClientSignature { client: 11 },
        Some(11),
    );
    aggregator_undecodable::<S>(Misbehave::Omit, TranscriptFault::AggregateMismatch);
    aggregator_undecodable::<S>(Misbehave::WrongAggregate, TranscriptFault::AggregateMismatch);
    aggregator_no_quorum::<S>(Misbehave::Equivocate);
}

/// *A malicious aggregator sending different lists to different members* (member 0 a list
/// without the last entry): each member agrees to the list it was sent, the agreement
/// digests differ, no quorum agrees on one list (n-of-n: all three), so no certificate, the
/// round fails typed at the decryption deadline, and no audit passes. n-of-n members
/// decrypt with their agreement (the whole committee is the only quorum), each its own list
/// once: partials on two lists, which combine to no sum (spec/protocol.md §7.8).
pub fn aggregator_no_quorum<S: TestSuite>(how: Misbehave) {
    let mut fx = Fixture::<S>::new(small());
    let net = with_cheating_aggregator(&mut fx, how, None);
    assert_eq!(decryptions(&net), fx.cfg.members, "{how:?}");
    let quorum = u32::try_from(fx.cfg.members).unwrap();
    assert_eq!(
        failures(&net, AGGREGATOR),
        vec![RoundFailure::NoQuorum { agreed: quorum - 1, quorum }],
        "{how:?}"
    );
    assert!(no_result(&net), "{how:?}");
    let passed =
        net.events_of(OBSERVER).into_iter().any(|e| matches!(e, Event::AuditPassed { .. }));
    assert!(!passed, "{how:?}");
}

/// *A malicious aggregator asking member 0 for a second decryption* (a second, different
/// list after the first): member 0 agrees to (and, n-of-n, decrypts) whichever list reaches
/// it first, refuses the other (`AlreadyAnswered`) and decrypts at most once. If it agreed
/// to the honest list the quorum forms and the observer names the second list as not the
/// transcript's; if the network delivered the second list first, its refusal of the honest
/// list leaves no quorum (n-of-n) and the round fails typed with no sum.
pub fn aggregator_second_list<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let net = with_cheating_aggregator(&mut fx, Misbehave::SecondList, None);
    let member0 = net.events_of(member(0));
    let count = |f: fn(&Event) -> bool| member0.iter().filter(|e| f(e)).count();
    assert_eq!(count(|e| matches!(e, Event::Agreed { .. })), 1, "{member0:?}");
    let refused = Event::Refused { member: 0, fault: TranscriptFault::AlreadyAnswered };
    assert_eq!(member0.iter().filter(|e| ***e == refused).count(), 1, "{member0:?}");
    assert!(count(|e| matches!(e, Event::Decrypted { .. })) <= 1);
    let failed =
        Event::Failed(RoundFailure::Refused { member: 0, fault: TranscriptFault::AlreadyAnswered });
    if net.events_of(AGGREGATOR).contains(&&failed) {
        assert!(no_result(&net));
    } else {
        assert!(audit_failures(&net).contains(&TranscriptFault::ListMismatch { member: 0 }));
    }
}

/// *Crashed member, n-of-n.* Member 2 never answers: no quorum (all three) agrees, the
/// round fails at the decryption deadline with `NoQuorum`, and no sum exists: the other two
/// decrypted with their agreements, and two of three partials reveal nothing (member 2's
/// set stays padded).
pub fn crashed_member<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    net.crashed.insert(member(2));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::NoQuorum { agreed: 2, quorum: 3 }]);
    assert_eq!(decryptions(&net), 2);
    assert!(no_result(&net));
}

/// *A member that checks its list but withholds its partial decryption*: the same typed
/// failure as a crash.
pub fn missing_member_partial<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    let round = fx.cfg.round;
    let silent = Adversary::new(Member::new(fx.node("member", 2, round)), 9, |_, t: Transmit| {
        match Message::from_bytes(&t.payload) {
            Ok(Message::Partial(_)) => Vec::new(),
            _ => vec![t],
        }
    });
    net.add(member(2), Box::new(silent));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::MissingPartial { member: 2 }]);
    assert!(no_result(&net));
}

/// *A malicious member publishing a garbage partial decryption* (well-formed, signed by
/// the member, random values): the combination fails its decoding check, the aggregator
/// reports `Undecodable`, the observer `CombineFailed` (every list matched, so a partial is
/// wrong), and no sum exists. The next round, with the same nodes behaving, completes.
pub fn garbage_partial_then_next_round<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(small());
    let mut net = fx.network();
    let round = fx.cfg.round;
    let key = fx.node("member", 1, round).key;
    let words = DIMENSION_SMALL * 8;
    let garbage = Adversary::new(Member::new(fx.node("member", 1, round)), 1, move |rng, t| {
        let Ok(Message::Partial(mut p)) = Message::from_bytes(&t.payload) else { return vec![t] };
        let n = p.partial.len();
        rng.fill_bytes(&mut p.partial[n - words..]);
        p.signature = S::sign(&key, &p.digest(), rng);
        vec![Transmit { to: t.to, payload: Message::Partial(p).to_bytes().into() }]
    });
    net.add(member(1), Box::new(garbage));
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_eq!(decryptions(&net), 3);
    assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::Undecodable]);
    assert_eq!(audit_failures(&net), vec![TranscriptFault::CombineFailed]);
    assert!(no_result(&net));

    let (_, next) = honest::<S>(Config { round: RoundId(8), ..small() });
    assert!(failures(&next, AGGREGATOR).is_empty());
}

/// Builds the contributions of `clients` as their honest nodes would and sends their shards
/// from their addresses (the test plays those clients).
fn play_clients<S: TestSuite>(
    fx: &mut Fixture<S>,
    ctx: &RoundContext<S>,
    net: &mut Network,
    contributions: Vec<(usize, gradseal_protocol::messages::Contribution)>,
) {
    let round = fx.cfg.round;
    for (i, c) in contributions {
        let key = fx.node("client", i, round).key;
        let mut rng = ChaCha20Rng::from_seed(seed_of(fx.cfg.seed, "play", i));
        for (to, m) in send_contribution(ctx, &key, &c, &mut rng).unwrap() {
            net.inject(client(i), to, m.to_bytes().into());
        }
    }
}

fn honest_contribution<S: TestSuite>(
    fx: &mut Fixture<S>,
    ctx: &RoundContext<S>,
    i: usize,
) -> gradseal_protocol::messages::Contribution {
    let key = fx.node("client", i, fx.cfg.round).key;
    let mut rng = ChaCha20Rng::from_seed(seed_of(fx.cfg.seed, "contribution", i));
    let update = fx.updates[i].clone();
    build_contribution(ctx, &key, i as u32, &update, Tamper::default(), &mut rng).unwrap()
}

fn network_without_clients<S: TestSuite>(fx: &mut Fixture<S>) -> (Network, Announcement) {
    let mut net = fx.network();
    for i in 0..fx.cfg.clients {
        net.crashed.insert(client(i));
    }
    let ann = fx.announce(&mut net);
    (net, ann)
}

/// *The aggregator with a colluding roster client, trying to isolate a victim by
/// negation* (issue 12's attack 2 against scheme v2). Victim 0 and honest clients 1..=3
/// contribute; the aggregator sees every accepted body and correction, and colluding client
/// 4 submits, properly signed, its own encryption of zeros minus the honest others' bodies
/// and corrections, so that the aggregate's bodies and correction are the victim's (plus
/// the colluder's zeros). Every member's share still holds the seeds of all five entries,
/// so the others' mask terms do not cancel: the combination fails its decoding check, no
/// sum exists anywhere, and in particular nobody obtains the victim's update.
pub fn negated_contributions<S: TestSuite>() {
    // Control: the same round with the colluder's zeros left as they are completes with the
    // sum of the four honest updates, so the failure below is the attack's doing.
    let (net, fx) = negation_round::<S>(false);
    let r = result_of(&net, AGGREGATOR).expect("the control round completes");
    assert_eq!((r.count, r.sum), (5, fx.plain_sum(0..4)));

    let (net, fx) = negation_round::<S>(true);
    let accepted =
        net.events_of(AGGREGATOR).into_iter().filter(|e| matches!(e, Event::Accepted { .. }));
    assert_eq!(accepted.count(), 5, "every entry is genuine and signed");
    assert_eq!(decryptions(&net), 3, "every member's list is valid");
    assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::Undecodable]);
    assert_eq!(audit_failures(&net), vec![TranscriptFault::CombineFailed]);
    assert!(no_result(&net));
    let victim = fx.plain_sum([0]);
    assert!(!net.events.iter().any(|(_, e)| matches!(e, Event::Completed(r) if r.sum == victim)));
}

/// Victim 0 and honest clients 1..=3 contribute; colluding client 4 contributes its own
/// encryption of zeros, minus the others' bodies and corrections if `negate`.
fn negation_round<S: TestSuite>(negate: bool) -> (Network, Fixture<S>) {
    let mut fx = Fixture::<S>::new(Config { clients: 5, min_clients: 3, ..small() });
    let (mut net, ann) = network_without_clients(&mut fx);
    let ctx = fx.context(&ann);
    let honest: Vec<_> = (0..4).map(|i| (i, honest_contribution(&mut fx, &ctx, i))).collect();
    let key4 = fx.node("client", 4, fx.cfg.round).key;
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let zeros = vec![0i64; DIMENSION_SMALL];
    let mut colluder =
        build_contribution(&ctx, &key4, 4, &zeros, Tamper::default(), &mut rng).unwrap();
    if negate {
        let others: Vec<&[u8]> = honest.iter().skip(1).map(|(_, c)| c.body.as_slice()).collect();
        colluder.body = S::subtract(&ctx.params, &colluder.body, &others).unwrap();
        sign_contribution(&ctx, &key4, &mut colluder, &mut rng);
    }
    let mut all = honest;
    all.push((4, colluder));
    play_clients(&mut fx, &ctx, &mut net, all);
    net.drive_bounded(STEPS);
    (net, fx)
}

/// *A colluding client replaying a sealed seed from another round* (with the aggregator's
/// help: it saw the victim's round-7 contribution). Colluding client 3 puts, into its
/// round-8 contribution, the seed victim 0 sealed to member 1 in round 7, and signs the
/// whole. It opens under neither the round-8 context nor as client 3's: member 1 refuses
/// (`BadSealedSeed{3}`), the aggregator's round fails, nothing is decrypted.
pub fn sealed_seed_replayed_from_another_round<S: TestSuite>() {
    let cfg = Config { clients: 4, min_clients: 3, ..small() };
    let mut fx7 = Fixture::<S>::new(cfg.clone());
    let ann7 = {
        let mut scratch = Network::new(0);
        fx7.announce(&mut scratch)
    };
    let ctx7 = fx7.context(&ann7);
    let victim7 = honest_contribution(&mut fx7, &ctx7, 0);

    let mut fx8 = Fixture::<S>::new(Config { round: RoundId(8), ..cfg });
    let (mut net, ann8) = network_without_clients(&mut fx8);
    let ctx8 = fx8.context(&ann8);
    let mut contributions: Vec<_> =
        (0..3).map(|i| (i, honest_contribution(&mut fx8, &ctx8, i))).collect();
    let key3 = fx8.node("client", 3, RoundId(8)).key;
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let mut colluder =
        build_contribution(&ctx8, &key3, 3, &fx8.updates[3], Tamper::default(), &mut rng).unwrap();
    colluder.sealed_seeds[1] = victim7.sealed_seeds[1].clone();
    sign_contribution(&ctx8, &key3, &mut colluder, &mut rng);
    contributions.push((3, colluder));
    play_clients(&mut fx8, &ctx8, &mut net, contributions);
    net.drive_bounded(STEPS);

    let fault = TranscriptFault::BadSealedSeed { client: 3 };
    assert!(
        net.events_of(member(1)).into_iter().any(|e| *e == Event::Refused { member: 1, fault })
    );
    assert!(failures(&net, AGGREGATOR).contains(&RoundFailure::Refused { member: 1, fault }));
    assert!(no_result(&net));
}

/// *Relays (at most `parity` of them) dropping or corrupting every shard they carry, and a
/// network duplicating one message in twenty.* Relays `bad` (index, corrupt? else drop):
/// the result is the honest one whatever the scheduler's seed, and exactly the corrupting
/// relays are named. Returns the network (tests check which reorderings it produced).
pub fn relay_faults_within_tolerance<S: TestSuite>(seed: u64, bad: &[(usize, bool)]) -> Network {
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
    let corrupting: Vec<BadRelay> = bad
        .iter()
        .filter(|(_, c)| *c)
        .map(|&(r, _)| BadRelay { relay: relay(r), fault: RelayFault::CorruptShard })
        .collect();
    let mut named = blamed(&net);
    named.sort_by_key(|b| b.relay);
    assert_eq!(named, corrupting);
    net
}

/// A t-of-n round over the network: 5 members, privacy threshold 2, quorum 4.
pub fn tofn() -> Config {
    Config { members: 5, privacy_threshold: Some(2), ..small() }
}

/// *t-of-n, a member killed in every position* (issue 16): with member `k` crashed the other
/// four agree, form the quorum and decrypt; the round completes with the exact sum of every
/// client, audited, and the dead member is in no certificate.
pub fn tofn_member_killed_in_every_position<S: TestSuite>() {
    for k in 0..5 {
        let mut fx = Fixture::<S>::new(tofn());
        let mut net = fx.network();
        net.crashed.insert(member(k));
        fx.announce(&mut net);
        net.drive_bounded(STEPS);
        assert_audited(&net, &fx, &(0..12).collect::<Vec<_>>());
        let r = result_of(&net, AGGREGATOR).unwrap();
        let quorum: Vec<u32> = r.certificate.signatures.iter().map(|s| s.member).collect();
        assert_eq!(quorum.len(), 4);
        assert!(
            !quorum.contains(&u32::try_from(k).unwrap()),
            "member {k} killed: quorum {quorum:?}"
        );
    }
}

/// *t-of-n, a member of the quorum silent after the certificate*: every member agrees, the
/// quorum is certified, one of its members withholds its partial: the round fails typed
/// (`MissingPartial`), no second quorum is formed, and nothing is combined.
pub fn tofn_quorum_member_silent_after_the_certificate<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(tofn());
    let mut net = fx.network();
    let round = fx.cfg.round;
    for m in 0..5 {
        let silent = Adversary::new(Member::new(fx.node("member", m, round)), 9, |_, t| {
            match Message::from_bytes(&t.payload) {
                Ok(Message::Partial(_)) => Vec::new(),
                _ => vec![t],
            }
        });
        let node: Box<dyn Role> = if m == 0 {
            Box::new(silent)
        } else {
            Box::new(Member::new(fx.node("member", m, round)))
        };
        net.add(member(m), node);
    }
    fx.announce(&mut net);
    net.drive_bounded(STEPS);
    let quorum = net.events_of(AGGREGATOR).into_iter().find_map(|e| match e {
        Event::Certified { quorum } => Some(*quorum),
        _ => None,
    });
    let quorum = quorum.expect("a quorum was certified");
    assert_eq!(quorum.count_ones(), 4);
    if quorum & 1 == 1 {
        assert_eq!(failures(&net, AGGREGATOR), vec![RoundFailure::MissingPartial { member: 0 }]);
        assert!(no_result(&net));
        assert_eq!(decryptions(&net), 4, "the quorum decrypted once, nobody else");
    } else {
        // Member 0 agreed last and is outside the quorum: its silence costs nothing.
        assert_audited(&net, &fx, &(0..12).collect::<Vec<_>>());
    }
}

/// *t-of-n, a member signing two agreement digests*: it is excluded from the quorum (or, if
/// caught late, stays in it), named by the aggregator and the observer, its evidence is in
/// the result and verifies, and the round completes with the exact sum.
pub fn tofn_equivocating_member<S: TestSuite>() {
    let mut fx = Fixture::<S>::new(tofn());
    let mut net = fx.network();
    let round = fx.cfg.round;
    let mut m = Member::new(fx.node("member", 1, round));
    m.danger_equivocate();
    net.add(member(1), Box::new(m));
    let ann = fx.announce(&mut net);
    net.drive_bounded(STEPS);
    assert_audited(&net, &fx, &(0..12).collect::<Vec<_>>());
    let r = result_of(&net, AGGREGATOR).unwrap();
    assert_eq!(r.equivocations.len(), 1);
    let e = &r.equivocations[0];
    assert_eq!(e.member(), 1);
    let ctx = fx.context(&ann);
    for a in [&e.first, &e.second] {
        assert!(gradseal_protocol::round::agreement_signed(&ctx, a));
    }
    let named = Event::Equivocated { member: 1 };
    assert!(net.events_of(AGGREGATOR).contains(&&named));
    assert!(net.events_of(OBSERVER).contains(&&named));
}
