//! The sans-IO roles over the mock suite with the crate's FIFO driver: whole rounds, the
//! regression tests of scheme v2's protocol (copied and replayed sealed seeds, equivocating
//! and isolating aggregators, second lists), and codec properties of every message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::cast_possible_truncation)] // small test indices

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;
use gradseal_protocol::messages::{
    Agreement, Contribution, MemberSignature, Message, PartialDecryption, QuorumCertificate,
    RoundResult,
};
use gradseal_protocol::mock::{MockKey, MockSuite};
use gradseal_protocol::round::RoundContext;
use gradseal_protocol::sim::{self, AGGREGATOR, OBSERVER, RoundPlan, Sim};
use gradseal_protocol::{
    Aggregator, Announcement, Event, Millis, Misbehave, NodeId, ParamsError, ProtocolError, Role,
    RoundFailure, RoundId, ShardLayout, Suite, Tamper, TranscriptFault, Transmit,
    build_contribution, send_contribution, sign_contribution,
};
use proptest::prelude::*;
use rand_core::SeedableRng;

const CLIENTS: usize = 5;

fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(3),
        clients: CLIENTS,
        members: 3,
        privacy_threshold: 2,
        relays: 4,
        layout: ShardLayout { data: 2, parity: 2 },
        dimension: 8,
        bits: 8,
        min_clients: 3,
    }
}

fn update(i: usize) -> Vec<i64> {
    (0..8).map(|j| i as i64 * 10 - j).collect()
}

fn updates(n: usize) -> Vec<Vec<i64>> {
    (0..n).map(update).collect()
}

fn build(plan: &RoundPlan, n: usize) -> Sim {
    let mut s =
        sim::build::<MockSuite>(plan, &(), sim::mock::key, sim::mock::seed, updates(n)).unwrap();
    s.log = Some(Vec::new());
    s
}

fn run() -> Sim {
    let mut s = build(&plan(), CLIENTS);
    assert!(s.run(100_000), "did not settle");
    s
}

fn result(s: &Sim) -> Option<RoundResult> {
    s.events_of(AGGREGATOR).find_map(|e| match e {
        Event::Completed(r) => Some((**r).clone()),
        _ => None,
    })
}

fn expected_sum(clients: &[usize]) -> Vec<i64> {
    (0..8).map(|j| clients.iter().map(|&i| update(i)[j]).sum()).collect()
}

/// Events naming a refusal by member `m`, as the member itself reports it.
fn refusals(s: &Sim, m: usize) -> Vec<TranscriptFault> {
    s.events_of(sim::member(m))
        .filter_map(|e| match e {
            Event::Refused { fault, .. } => Some(*fault),
            _ => None,
        })
        .collect()
}

fn decrypted(s: &Sim) -> usize {
    s.events.iter().filter(|(_, e)| matches!(e, Event::Decrypted { .. })).count()
}

fn ctx(s: &Sim) -> RoundContext<MockSuite> {
    let ann = s.announcement.clone().unwrap();
    RoundContext::new((), &MockSuite::bundle(&sim::mock::key("authority", 0)), ann).unwrap()
}

/// The first sealed-seed position held by `member` (n-of-n: its one set's seed).
fn position_of(ctx: &RoundContext<MockSuite>, member: u32) -> usize {
    ctx.holders.iter().position(|&h| h == member).unwrap()
}

fn rng(label: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([label; 32])
}

/// Client `i`'s honest contribution (its key and update) to the round of `ctx`, drawn from
/// `rng(label)`.
fn honest_contribution(ctx: &RoundContext<MockSuite>, i: u32, label: u8) -> Contribution {
    let key = sim::mock::key("client", i as usize);
    build_contribution(ctx, &key, i, &update(i as usize), Tamper::default(), &mut rng(label))
        .unwrap()
}

/// Sends client `i`'s shards (built by the test) through the relays.
fn inject(s: &mut Sim, i: usize, msgs: Vec<(gradseal_protocol::NodeId, Message)>) {
    for (relay, m) in msgs {
        s.inject(sim::client(i), relay, m.to_bytes().into());
    }
}

#[test]
fn mock_round_completes_and_audits() {
    let s = run();
    let r = result(&s).unwrap();
    assert_eq!(r.count, 5);
    assert_eq!(r.sum, expected_sum(&[0, 1, 2, 3, 4]));
    assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditPassed { count: 5 }));
    assert_eq!(decrypted(&s), 3);
    // One-shot clients: nothing but the announcement reaches a client before it contributes,
    // and members send nothing before their list.
    let log = s.log.as_ref().unwrap();
    for d in log.iter().filter(|d| d.from.0 >= 1000) {
        assert!(matches!(Message::from_bytes(&d.payload).unwrap(), Message::Shard(_)));
    }
}

/// The batched, multi-threaded driver reaches the same result and audit, and is
/// deterministic whatever the thread count.
#[test]
fn parallel_driver_agrees_with_the_fifo_driver() {
    let fifo = result(&run()).unwrap();
    let par = |threads: usize| {
        let mut s = build(&plan(), CLIENTS);
        assert!(s.run_parallel(100_000, threads), "did not settle");
        assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditPassed { count: 5 }));
        result(&s).unwrap()
    };
    let (one, two) = (par(1), par(2));
    assert_eq!((one.count, &one.sum), (fifo.count, &fifo.sum));
    assert_eq!(one, two);
}

/// Steps `s` until the aggregator reports its result; the virtual time then.
fn time_of_result(s: &mut Sim) -> gradseal_protocol::Millis {
    for _ in 0..100_000 {
        if result(s).is_some() {
            return s.now;
        }
        assert!(s.step(), "settled without a result");
    }
    panic!("no result within the step budget");
}

/// With every roster client's contribution accepted the aggregator closes contributions at
/// once: the round completes before the contribution deadline (virtual time never reaches
/// it). With one roster client silent, it still waits for the deadline.
#[test]
fn contributions_close_when_every_roster_client_is_in() {
    let deadline = gradseal_protocol::Millis(10_000);
    let mut all = build(&plan(), CLIENTS);
    assert!(time_of_result(&mut all) < deadline);
    assert_eq!(result(&all).unwrap().sum, expected_sum(&[0, 1, 2, 3, 4]));
    let mut missing = build(&plan(), CLIENTS - 1);
    assert!(time_of_result(&mut missing) >= deadline);
    assert_eq!(result(&missing).unwrap().sum, expected_sum(&[0, 1, 2, 3]));
}

#[test]
fn missing_clients_are_left_out_above_min_clients() {
    let mut s = build(&plan(), 3);
    assert!(s.run(100_000));
    let r = result(&s).unwrap();
    assert_eq!((r.count, r.sum), (3, expected_sum(&[0, 1, 2])));
}

#[test]
fn below_min_clients_the_aggregator_fails_and_sends_no_list() {
    let mut s = build(&plan(), 2);
    assert!(s.run(100_000));
    assert!(s.events_of(AGGREGATOR).any(|e| *e
        == Event::Failed(RoundFailure::TooFewContributions { accepted: 2, min: 3 })));
    let log = s.log.as_ref().unwrap();
    assert!(!log.iter().any(|d| matches!(Message::from_bytes(&d.payload), Ok(Message::List(_)))));
    assert_eq!(decrypted(&s), 0);
}

#[test]
fn min_clients_below_two_is_refused_before_anything_is_sent() {
    for min_clients in [0, 1] {
        let p = RoundPlan { min_clients, ..plan() };
        let err = sim::build::<MockSuite>(&p, &(), sim::mock::key, sim::mock::seed, updates(5));
        assert_eq!(err.err(), Some(ParamsError::MinClients { min_clients }));
    }
    let p = RoundPlan { min_clients: 6, ..plan() };
    let err = sim::build::<MockSuite>(&p, &(), sim::mock::key, sim::mock::seed, updates(5));
    assert_eq!(err.err(), Some(ParamsError::Roster { roster: 5, min_clients: 6 }));
}

/// An announcement signed with `min_clients = 1` (the authority's own check bypassed) is
/// refused by every role: its decoder rejects it.
#[test]
fn announcement_with_min_clients_one_does_not_decode() {
    let s = build(&plan(), CLIENTS);
    let mut ann: Announcement = s.announcement.clone().unwrap();
    ann.params.min_clients = 1;
    assert!(Message::from_bytes(&Message::Announcement(ann).to_bytes()).is_err());
}

/// A colluding roster client copies the victim's sealed seed for member 0 into its own
/// contribution and signs the statement over it: the aggregator cannot tell (it cannot
/// open seeds), but member 0 refuses the list naming the copier, and nothing is decrypted.
#[test]
fn seed_copied_from_another_client_is_refused() {
    let mut s = build(&plan(), 4); // client 4 is played by the test
    let ctx = ctx(&s);
    let victim = honest_contribution(&ctx, 0, 1);
    let key4: MockKey = sim::mock::key("client", 4);
    let mut c = honest_contribution(&ctx, 4, 2);
    let at = position_of(&ctx, 0);
    c.sealed_seeds[at] = victim.sealed_seeds[at].clone();
    sign_contribution(&ctx, &key4, &mut c, &mut rng(3));
    let msgs = send_contribution(&ctx, &key4, &c, &mut rng(4)).unwrap();
    inject(&mut s, 4, msgs);
    assert!(s.run(100_000));
    assert!(s.events_of(AGGREGATOR).any(|e| *e == Event::Accepted { client: 4 }));
    assert_eq!(refusals(&s, 0), vec![TranscriptFault::BadSealedSeed { client: 4 }]);
    let failed = Event::Failed(RoundFailure::Refused {
        member: 0,
        fault: TranscriptFault::BadSealedSeed { client: 4 },
    });
    assert!(s.events_of(AGGREGATOR).any(|e| *e == failed));
    assert!(result(&s).is_none());
}

/// The same through the client's own tamper hook: seed 1 sealed under another client's
/// context (the signature covers it, so only member 1 can tell).
#[test]
fn seed_sealed_under_another_clients_context_is_refused() {
    let mut s = build(&plan(), CLIENTS);
    s.map_nodes(|id, node| {
        if id != sim::client(2) {
            return node;
        }
        let mut cfg = node_cfg("client", 2);
        cfg.key = sim::mock::key("client", 2);
        let mut c = gradseal_protocol::Client::<MockSuite>::new(cfg, update(2));
        c.danger_tamper(Tamper { seal_as: Some((1, 0)), ..Tamper::default() });
        Box::new(c)
    });
    assert!(s.run(100_000));
    assert_eq!(refusals(&s, 1), vec![TranscriptFault::BadSealedSeed { client: 2 }]);
    assert!(result(&s).is_none());
}

fn node_cfg(label: &str, i: usize) -> gradseal_protocol::NodeConfig<MockSuite> {
    gradseal_protocol::NodeConfig {
        sys: (),
        authority: MockSuite::bundle(&sim::mock::key("authority", 0)),
        key: sim::mock::key(label, i),
        round: plan().round,
        seed: sim::mock::seed(label, i),
    }
}

/// Client 4 replays in round 3 the seed it sealed to member 0 in round 2 (same client,
/// same member, another round): member 0 refuses it.
#[test]
fn sealed_seed_replayed_from_another_round_is_refused() {
    let mut s = build(&plan(), 4);
    let now = ctx(&s);
    let mut old_ann = now.ann.clone();
    old_ann.round = RoundId(2);
    let authority = sim::mock::key("authority", 0);
    old_ann.signature = MockSuite::sign(&authority, &old_ann.digest(), &mut rng(5));
    let old = RoundContext::<MockSuite>::new((), &MockSuite::bundle(&authority), old_ann).unwrap();
    let key4 = sim::mock::key("client", 4);
    let previous = honest_contribution(&old, 4, 6);
    let mut c = honest_contribution(&now, 4, 7);
    let at = position_of(&now, 0);
    c.sealed_seeds[at] = previous.sealed_seeds[at].clone();
    sign_contribution(&now, &key4, &mut c, &mut rng(8));
    let msgs = send_contribution(&now, &key4, &c, &mut rng(9)).unwrap();
    inject(&mut s, 4, msgs);
    assert!(s.run(100_000));
    assert_eq!(refusals(&s, 0), vec![TranscriptFault::BadSealedSeed { client: 4 }]);
    assert!(result(&s).is_none());
}

fn with_aggregator(how: Misbehave) -> Sim {
    with_aggregator_and(how, CLIENTS)
}

/// A round with `n` client nodes whose aggregator cheats as `how` says.
fn with_aggregator_and(how: Misbehave, n: usize) -> Sim {
    let mut s = build(&plan(), n);
    s.map_nodes(|id, node| {
        if id != AGGREGATOR {
            return node;
        }
        let mut a = Aggregator::<MockSuite>::new(node_cfg("aggregator", 0));
        a.danger_misbehave(how);
        Box::new(a)
    });
    assert!(s.run(100_000));
    s
}

/// An aggregator that sends member 0 a list without the last entry and the others the
/// honest list: every member agrees to its own (valid) list, but the agreement digests
/// differ, so no quorum (n-of-n: all three) agrees on one list and the round fails typed at
/// the decryption deadline. n-of-n members decrypt with their agreement (the whole
/// committee is the only quorum), each once, its own list: member 0's partial is dropped
/// by the aggregator (another `E`), and no sum is released (production-suite check:
/// `gradseal_round::equivocating_aggregator_gets_no_sum_from_the_n_of_n_partials`).
#[test]
fn equivocating_aggregator_gets_no_quorum_and_no_sum() {
    let s = with_aggregator(Misbehave::Equivocate);
    let agreed = s.events.iter().filter(|(_, e)| matches!(e, Event::Agreed { .. }));
    assert_eq!(agreed.count(), 3);
    assert_eq!(decrypted(&s), 3);
    assert!(s.events_of(AGGREGATOR).any(|e| matches!(
        e,
        Event::Dropped { from, error: ProtocolError::WrongRound } if *from == sim::member(0)
    )));
    let no_quorum = Event::Failed(RoundFailure::NoQuorum { agreed: 2, quorum: 3 });
    assert!(s.events_of(AGGREGATOR).any(|e| *e == no_quorum));
    assert!(result(&s).is_none());
    assert!(!s.events.iter().any(|(_, e)| matches!(e, Event::Completed(_))));
}

/// Lists below `min_clients` (one entry: the isolation attempt) are refused by every member.
#[test]
fn list_below_min_clients_is_refused_by_members() {
    let s = with_aggregator(Misbehave::Isolate);
    for m in 0..3 {
        assert_eq!(refusals(&s, m), vec![TranscriptFault::TooFewClients { accepted: 1, min: 3 }]);
    }
    assert_eq!(decrypted(&s), 0);
    assert!(result(&s).is_none());
}

/// A second, different list for member 0 after it agreed to the first: refused with a
/// typed reason (the refusal of a member that agreed does not count against the quorum),
/// member 0 decrypts once only, and the observer names the list the refusal signs as not
/// the transcript's.
#[test]
fn second_list_is_refused() {
    let s = with_aggregator(Misbehave::SecondList);
    assert_eq!(refusals(&s, 0), vec![TranscriptFault::AlreadyAnswered]);
    let member0 = s.events_of(sim::member(0)).filter(|e| matches!(e, Event::Decrypted { .. }));
    assert_eq!(member0.count(), 1);
    let named = Event::AuditFailed(TranscriptFault::ListMismatch { member: 0 });
    assert!(s.events_of(OBSERVER).any(|e| *e == named));
}

/// Contributions the aggregator must reject, each with its typed reason, while the round
/// completes over the others.
#[test]
fn bad_contributions_are_rejected_with_their_reason() {
    use gradseal_protocol::RejectReason;
    let mut s = build(&RoundPlan { min_clients: 2, ..plan() }, CLIENTS);
    s.map_nodes(|id, node| {
        let tamper = if id == sim::client(1) {
            Tamper { corrupt_signature: true, ..Tamper::default() }
        } else if id == sim::client(2) {
            Tamper { drop_seed: true, ..Tamper::default() }
        } else if id == sim::client(3) {
            // An enrolled key that is not on the roster, claiming index 3.
            let mut cfg = node_cfg("client", 3);
            cfg.key = sim::mock::key("outsider", 0);
            let mut c = gradseal_protocol::Client::<MockSuite>::new(cfg, update(3));
            c.danger_claim_index(3);
            return Box::new(c);
        } else {
            return node;
        };
        let i = if id == sim::client(1) { 1 } else { 2 };
        let mut c = gradseal_protocol::Client::<MockSuite>::new(node_cfg("client", i), update(i));
        c.danger_tamper(tamper);
        Box::new(c)
    });
    assert!(s.run(100_000));
    let rejected: Vec<_> = s
        .events_of(AGGREGATOR)
        .filter_map(|e| match e {
            Event::Rejected { client, reason } => Some((*client, *reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        rejected,
        vec![
            (Some(1), RejectReason::BadSignature),
            (Some(2), RejectReason::Malformed),
            (None, RejectReason::NotEnrolled),
        ]
    );
    let r = result(&s).unwrap();
    assert_eq!((r.count, r.sum), (2, expected_sum(&[0, 4])));
}

/// Lists a network attacker can send (forged, or another member's genuine list redirected)
/// are dropped without an answer: they cannot spend a member's one decryption.
#[test]
fn forged_or_redirected_lists_do_not_spend_the_answer() {
    let mut s = build(&plan(), CLIENTS);
    let ann = s.announcement.clone().unwrap();
    let forged = gradseal_protocol::MemberList {
        round: ann.round,
        announcement: ann.digest(),
        transcript: [0; 32],
        member: 0,
        entries: Vec::new(),
        signature: vec![0; 32],
    };
    s.inject(AGGREGATOR, sim::member(0), Message::List(forged).to_bytes().into());
    assert!(s.run(100_000));
    assert!(result(&s).is_some());
    let dropped = |s: &Sim, error| {
        s.events_of(sim::member(0))
            .any(|e| matches!(e, Event::Dropped { error: x, .. } if *x == error))
    };
    assert!(dropped(&s, gradseal_protocol::ProtocolError::BadSignature));
    let list1 = s
        .log
        .as_ref()
        .unwrap()
        .iter()
        .find(|d| {
            d.to == sim::member(1)
                && matches!(Message::from_bytes(&d.payload), Ok(Message::List(_)))
        })
        .unwrap()
        .payload
        .clone();
    s.inject(AGGREGATOR, sim::member(0), list1);
    assert!(s.run(100_000));
    assert!(dropped(&s, gradseal_protocol::ProtocolError::WrongRound));
    assert!(refusals(&s, 0).is_empty());
}

#[test]
fn cheating_aggregators_are_named() {
    let cases = [
        (Misbehave::Duplicate, TranscriptFault::DuplicateClient { client: 0 }),
        (Misbehave::Inject, TranscriptFault::BadClientSignature { client: 4 }),
    ];
    for (how, fault) in cases {
        // Four clients contribute, so that index 4 is free for the injected copy.
        let s = with_aggregator_and(how, 4);
        assert_eq!(refusals(&s, 0), vec![fault], "{how:?}");
        assert_eq!(decrypted(&s), 0, "{how:?}");
        assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditFailed(fault)), "{how:?}");
    }
    // Omitting an entry but keeping it in the sum, or claiming a wrong sum: members cannot
    // see the aggregate, the observer can; the combination does not decode.
    for how in [Misbehave::Omit, Misbehave::WrongAggregate] {
        let s = with_aggregator(how);
        assert!(
            s.events_of(OBSERVER)
                .any(|e| *e == Event::AuditFailed(TranscriptFault::AggregateMismatch)),
            "{how:?}"
        );
        assert!(result(&s).is_none(), "{how:?}");
    }
}

#[test]
fn every_logged_message_round_trips_and_rejects_truncation() {
    let s = run();
    let log = s.log.as_ref().unwrap();
    assert!(log.len() > 20);
    for d in log {
        let m = Message::from_bytes(&d.payload).unwrap();
        assert_eq!(m.to_bytes().as_slice(), &*d.payload);
        assert!(Message::from_bytes(&d.payload[..d.payload.len() - 1]).is_err());
        let mut longer = d.payload.to_vec();
        longer.push(0);
        assert!(Message::from_bytes(&longer).is_err());
    }
}

#[test]
fn same_seeds_same_bytes() {
    let (a, b) = (run(), run());
    let la: Vec<_> = a.log.unwrap().into_iter().map(|d| d.payload).collect();
    let lb: Vec<_> = b.log.unwrap().into_iter().map(|d| d.payload).collect();
    assert_eq!(la, lb);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any single-byte change of any logged message either fails to decode or decodes to a
    /// message that re-encodes to exactly the changed bytes (canonical codec).
    #[test]
    fn mutated_messages_decode_canonically_or_not_at_all(index in any::<usize>(), pos in any::<usize>(), x in 1u8..) {
        let s = run();
        let log = s.log.unwrap();
        let d = &log[index % log.len()];
        let mut bytes = d.payload.to_vec();
        let p = pos % bytes.len();
        bytes[p] ^= x;
        if let Ok(m) = Message::from_bytes(&bytes) {
            prop_assert_eq!(m.to_bytes(), bytes);
        }
    }
}

// ---------------------------------------------------------------------------------------
// t-of-n committee (issue 16): 5 members, privacy threshold f = 2, quorum q = 4.
// ---------------------------------------------------------------------------------------

const N: usize = 5;

fn plan_tofn() -> RoundPlan {
    RoundPlan { members: N, privacy_threshold: 2, ..plan() }
}

/// A member that dies right after it agrees: it never sends its partial decryption.
fn dies_after_agreeing(node: Box<dyn Role>) -> Box<dyn Role> {
    Box::new(sim::Intercept::new(node, |t: Transmit| {
        let partial = matches!(Message::from_bytes(&t.payload), Ok(Message::Partial(_)));
        if partial { Vec::new() } else { vec![t] }
    }))
}

fn replace_member(s: &mut Sim, k: usize, make: impl Fn(Box<dyn Role>) -> Box<dyn Role>) {
    s.map_nodes(|id, node| if id == sim::member(k) { make(node) } else { node });
}

/// Every message of `kind` in the log, decoded, with its sender.
fn logged(s: &Sim) -> Vec<(NodeId, Message)> {
    let log = s.log.as_ref().unwrap();
    log.iter().map(|d| (d.from, Message::from_bytes(&d.payload).unwrap())).collect()
}

fn members_of(mask: u64) -> Vec<u32> {
    (0..64).filter(|j| mask & (1 << j) != 0).collect()
}

/// (a) A member killed in every position of a 5-member, f = 2 committee: the other four are
/// a quorum, the round completes with the exact sum, the certificate leaves the dead member
/// out, and the observer's audit passes.
#[test]
fn tofn_a_killed_member_in_every_position_still_decrypts_the_exact_sum() {
    for k in 0..N {
        let mut s = build(&plan_tofn(), CLIENTS);
        replace_member(&mut s, k, |_| Box::new(sim::Offline));
        assert!(s.run(100_000));
        let r = result(&s).unwrap_or_else(|| panic!("member {k} killed: no result"));
        assert_eq!(r.sum, expected_sum(&[0, 1, 2, 3, 4]), "member {k} killed");
        let quorum: Vec<u32> = r.certificate.signatures.iter().map(|s| s.member).collect();
        let expected: Vec<u32> = (0..N as u32).filter(|&j| j != k as u32).collect();
        assert_eq!(quorum, expected);
        assert_eq!(r.partials.iter().map(|p| p.member).collect::<Vec<_>>(), expected);
        assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditPassed { count: 5 }));
        assert_eq!(decrypted(&s), 4);
        // Every client accepts the result (one partial per member of the quorum).
        for c in 0..CLIENTS {
            assert!(s.events_of(sim::client(c)).any(|e| matches!(e, Event::Completed(_))));
        }
    }
}

/// (4, 2) has q = ⌊6/2⌋ + 1 = 4 = n (spec/protocol.md §8): it survives no crash. A member
/// killed in any position leaves three agreements and no certificate: the round fails typed
/// `NoQuorum { agreed: 3, quorum: 4 }`. The three live members decrypted with their
/// agreements (q = n), but without the fourth partial no sum is formed.
#[test]
fn tofn_4_2_survives_no_crash() {
    let plan = RoundPlan { members: 4, privacy_threshold: 2, ..plan() };
    for k in 0..4 {
        let mut s = build(&plan, CLIENTS);
        replace_member(&mut s, k, |_| Box::new(sim::Offline));
        assert!(s.run(100_000));
        let failed: Vec<_> = s
            .events_of(AGGREGATOR)
            .filter_map(|e| match e {
                Event::Failed(f) => Some(*f),
                _ => None,
            })
            .collect();
        assert_eq!(failed, vec![RoundFailure::NoQuorum { agreed: 3, quorum: 4 }], "member {k}");
        assert_eq!(decrypted(&s), 3, "member {k} killed");
        assert!(result(&s).is_none());
    }
}

/// With every member alive the quorum is the first q to agree; the fifth member agrees but
/// never decrypts.
#[test]
fn tofn_quorum_is_the_first_q_agreements_and_the_rest_do_not_decrypt() {
    let mut s = build(&plan_tofn(), CLIENTS);
    assert!(s.run(100_000));
    let r = result(&s).unwrap();
    assert_eq!(r.sum, expected_sum(&[0, 1, 2, 3, 4]));
    let agreed = s.events.iter().filter(|(_, e)| matches!(e, Event::Agreed { .. })).count();
    assert_eq!((agreed, decrypted(&s)), (N, 4));
    assert_eq!(r.partials.len(), 4);
    assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditPassed { count: 5 }));
}

/// (e) A member of the quorum killed after the certificate: it never sends its partial, the
/// round fails typed (`MissingPartial`), and no second quorum is formed: the member outside
/// the quorum never decrypts.
#[test]
fn tofn_e_a_quorum_member_dying_after_the_certificate_fails_typed() {
    let mut s = build(&plan_tofn(), CLIENTS);
    replace_member(&mut s, 0, dies_after_agreeing);
    assert!(s.run(100_000));
    let quorum = s
        .events_of(AGGREGATOR)
        .find_map(|e| match e {
            Event::Certified { quorum } => Some(*quorum),
            _ => None,
        })
        .unwrap();
    assert_eq!(members_of(quorum), vec![0, 1, 2, 3]);
    let failed = Event::Failed(RoundFailure::MissingPartial { member: 0 });
    assert!(s.events_of(AGGREGATOR).any(|e| *e == failed));
    assert!(result(&s).is_none());
    assert!(!s.events_of(sim::member(4)).any(|e| matches!(e, Event::Decrypted { .. })));
    assert!(!s.events.iter().any(|(_, e)| matches!(e, Event::Completed(_))));
}

/// (b) An equivocating aggregator sends one list to members 0-2 and another (without the
/// last entry) to members 3-4, and colludes with f = 2 members (0 and 4, played by the
/// test), who sign both agreement digests. It then tries to assemble a certificate on each
/// digest from every agreement it saw and its colluders', and sends them to every member.
/// Two quorums of 4 share 3 > f members, so an honest one, who signed once: only one digest
/// can ever be certified. No honest member decrypts the other list, no two partials anywhere
/// name different digests, forged certificates are refused, and the aggregator's own round
/// fails typed.
#[test]
fn tofn_b_equivocating_aggregator_gets_at_most_one_list_decrypted() {
    let mut s = build(&plan_tofn(), CLIENTS);
    s.map_nodes(|id, node| {
        if id == AGGREGATOR {
            let mut a = Aggregator::<MockSuite>::new(node_cfg("aggregator", 0));
            a.danger_misbehave(Misbehave::SplitLists);
            return Box::new(a);
        }
        if id == sim::member(0) || id == sim::member(4) {
            return Box::new(sim::Offline);
        }
        node
    });
    // Run until the three honest members agreed (before the decryption deadline).
    let agreements =
        |s: &Sim| logged(s).iter().filter(|(_, m)| matches!(m, Message::Agreement(_))).count();
    while agreements(&s) < 3 * 2 {
        assert!(s.step(), "settled before every honest member agreed");
    }
    assert!(s.now < Millis(20_000));
    let ctx = ctx(&s);
    let round = ctx.round();
    // The honest agreements (each sent to the aggregator and the observer): members 1-2 on
    // the first list, member 3 on the second.
    let mut signed: Vec<Agreement> = logged(&s)
        .into_iter()
        .filter_map(|(_, m)| match m {
            Message::Agreement(a) => Some(a),
            _ => None,
        })
        .collect();
    signed.dedup();
    let digests: std::collections::BTreeSet<_> = signed.iter().map(|a| a.list).collect();
    assert_eq!(digests.len(), 2, "two lists were agreed to");
    // The colluders sign both.
    for m in [0u32, 4] {
        for &e in &digests {
            let mut a = Agreement { round, member: m, list: e, signature: vec![] };
            a.signature =
                MockSuite::sign(&sim::mock::key("member", m as usize), &a.digest(), &mut rng(9));
            signed.push(a);
        }
    }
    let mut attempts = 0;
    for &e in &digests {
        let mut signers: Vec<&Agreement> = signed.iter().filter(|a| a.list == e).collect();
        signers.sort_by_key(|a| a.member);
        signers.dedup_by_key(|a| a.member);
        let mut certs = Vec::new();
        if signers.len() >= 4 {
            certs.push(signers[..4].to_vec());
        } else {
            // Short of a quorum: pad with another digest's signature of a missing member.
            let present: Vec<u32> = signers.iter().map(|a| a.member).collect();
            if let Some(extra) = signed.iter().find(|a| a.list != e && !present.contains(&a.member))
            {
                let mut padded = signers.clone();
                padded.push(extra);
                padded.sort_by_key(|a| a.member);
                certs.push(padded);
            }
        }
        for c in certs {
            let cert = QuorumCertificate {
                round,
                list: e,
                signatures: c
                    .iter()
                    .map(|a| MemberSignature { member: a.member, signature: a.signature.clone() })
                    .collect(),
            };
            attempts += 1;
            for m in 1..4 {
                s.inject(
                    AGGREGATOR,
                    sim::member(m),
                    Message::Certificate(cert.clone()).to_bytes().into(),
                );
            }
        }
    }
    assert_eq!(attempts, 2);
    assert!(s.run(100_000));
    // The certificate on the first list reached members 1 and 2, who decrypted it once.
    assert_eq!(decrypted(&s), 2);
    // Every partial of the whole run names one and the same agreement digest.
    let partials: Vec<PartialDecryption> = logged(&s)
        .into_iter()
        .filter_map(|(_, m)| match m {
            Message::Partial(p) => Some(p),
            _ => None,
        })
        .collect();
    let decrypted_lists: std::collections::BTreeSet<_> =
        partials.iter().map(|p| p.agreed).collect();
    assert!(decrypted_lists.len() <= 1, "two lists decrypted: {decrypted_lists:?}");
    // Member 3 (the honest member on the second list) never decrypts; 1 and 2 at most once.
    assert!(!s.events_of(sim::member(3)).any(|e| matches!(e, Event::Decrypted { .. })));
    for m in 1..3 {
        let n =
            s.events_of(sim::member(m)).filter(|e| matches!(e, Event::Decrypted { .. })).count();
        assert!(n <= 1);
    }
    // The padded certificate fails its signature check at member 3.
    let refused_forgery = s.events_of(sim::member(3)).any(|e| {
        matches!(
            e,
            Event::Dropped { error: ProtocolError::BadSignature | ProtocolError::WrongRound, .. }
        )
    });
    assert!(refused_forgery);
    let no_quorum = Event::Failed(RoundFailure::NoQuorum { agreed: 2, quorum: 4 });
    assert!(s.events_of(AGGREGATOR).any(|e| *e == no_quorum));
    assert!(result(&s).is_none());
}

/// (d) A member that signs two different agreement digests is caught: the aggregator
/// excludes it from the quorum and records both agreements in the result, the observer names
/// it, the evidence verifies under the member's bundle, and the round completes with the
/// other four.
#[test]
fn tofn_d_a_member_signing_two_digests_is_named_with_verifiable_evidence() {
    let mut s = build(&plan_tofn(), CLIENTS);
    replace_member(&mut s, 1, |_| {
        let mut m = gradseal_protocol::Member::<MockSuite>::new(node_cfg("member", 1));
        m.danger_equivocate();
        Box::new(m)
    });
    assert!(s.run(100_000));
    let r = result(&s).unwrap();
    assert_eq!(r.sum, expected_sum(&[0, 1, 2, 3, 4]));
    let quorum: Vec<u32> = r.certificate.signatures.iter().map(|s| s.member).collect();
    assert_eq!(quorum, vec![0, 2, 3, 4]);
    assert_eq!(r.equivocations.len(), 1);
    let e = &r.equivocations[0];
    assert_eq!(e.member(), 1);
    assert_ne!(e.first.list, e.second.list);
    let bundle = MockSuite::bundle(&sim::mock::key("member", 1));
    for a in [&e.first, &e.second] {
        assert!(MockSuite::verify(&(), &bundle, &a.digest(), &a.signature));
    }
    assert!(s.events_of(AGGREGATOR).any(|e| *e == Event::Equivocated { member: 1 }));
    let named: Vec<_> =
        s.events_of(OBSERVER).filter(|e| matches!(e, Event::Equivocated { .. })).collect();
    assert_eq!(named, vec![&Event::Equivocated { member: 1 }]);
    assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditPassed { count: 5 }));
}

/// (c) f colluding members plus the aggregator: for every coalition of 2 of the 5 members,
/// the sealed seeds of a victim's contribution that the coalition can open cover every set
/// but the coalition's own (that set's seed is sealed only to the three members outside it,
/// and opens under none of the coalition's keys), so the victim's correction stays padded by
/// an expansion the coalition never sees.
#[test]
fn tofn_c_f_colluding_members_miss_exactly_their_own_sets_seed() {
    let s = build(&plan_tofn(), 0);
    let ctx = ctx(&s);
    let victim = honest_contribution(&ctx, 0, 11);
    assert_eq!(victim.sealed_seeds.len(), ctx.sealed_seed_count());
    let sets: Vec<u16> =
        (0..ctx.committee.set_count()).flat_map(|t| std::iter::repeat_n(t, 3)).collect();
    for a in 0..N as u32 {
        for b in a + 1..N as u32 {
            let mut opened = std::collections::BTreeSet::new();
            for (i, sealed) in victim.sealed_seeds.iter().enumerate() {
                for m in [a, b] {
                    let key = sim::mock::key("member", m as usize);
                    let context = ctx.seed_context(0, u32::from(sets[i]), m);
                    if MockSuite::unsigncrypt(&(), &key, &context, sealed, 32).is_some() {
                        opened.insert(sets[i]);
                    }
                }
            }
            let own = (0..ctx.committee.set_count())
                .find(|&t| {
                    ctx.committee.set(t) == Some(gradseal_agg::MemberSet((1 << a) | (1 << b)))
                })
                .unwrap();
            let all_but_own: std::collections::BTreeSet<u16> =
                (0..ctx.committee.set_count()).filter(|&t| t != own).collect();
            assert_eq!(opened, all_but_own, "coalition {{{a}, {b}}}");
        }
    }
}

/// The threshold is checked where the round is announced: f = 0, f = n and a committee
/// whose sealed seeds exceed the cap are refused with `ParamsError::Threshold`.
#[test]
fn tofn_thresholds_that_do_not_fit_are_refused_at_announcement() {
    for (members, f) in [(5, 0), (5, 5), (16, 2)] {
        let p = RoundPlan { members, privacy_threshold: f, ..plan() };
        let err =
            sim::build::<MockSuite>(&p, &(), sim::mock::key, sim::mock::seed, updates(1)).err();
        assert_eq!(
            err,
            Some(ParamsError::Threshold {
                threshold: f,
                committee: u32::try_from(members).unwrap()
            })
        );
    }
}
