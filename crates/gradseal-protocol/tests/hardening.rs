//! Issue 13's protocol items, each played as an attack against one role driven directly
//! with messages from an honest mock-suite round: what a client checks of a result before
//! it reports `Completed`; refusals an observer must not take from another transcript;
//! holds that checked nothing before taking a slot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use gradseal_core::Codec;
use gradseal_protocol::messages::{Message, Refusal, RoundResult};
use gradseal_protocol::mock::MockSuite;
use gradseal_protocol::sim::{self, AGGREGATOR, AUTHORITY, Delivery, OBSERVER, RoundPlan};
use gradseal_protocol::{
    Client, Event, Member, Millis, NodeConfig, NodeId, Observer, ProtocolError, Role, RoundId,
    ShardLayout, Suite, TranscriptFault,
};
use rand_core::SeedableRng;

fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(4),
        clients: 4,
        members: 3,
        privacy_threshold: 2,
        relays: 2,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: 6,
        bits: 8,
        min_clients: 3,
    }
}

/// Every delivery of an honest round, in FIFO order.
fn honest_log() -> Vec<Delivery> {
    let updates = (0..4).map(|i| vec![i64::from(i) - 2; 6]).collect();
    let mut s =
        sim::build::<MockSuite>(&plan(), &(), sim::mock::key, sim::mock::seed, updates).unwrap();
    s.log = Some(Vec::new());
    assert!(s.run(100_000));
    assert!(s.events_of(OBSERVER).any(|e| matches!(e, Event::AuditPassed { .. })));
    s.log.unwrap()
}

fn cfg(label: &str, i: usize) -> NodeConfig<MockSuite> {
    NodeConfig {
        sys: (),
        authority: MockSuite::bundle(&sim::mock::key("authority", 0)),
        key: sim::mock::key(label, i),
        round: plan().round,
        seed: sim::mock::seed(label, i),
    }
}

fn rng() -> chacha20::ChaCha20Rng {
    chacha20::ChaCha20Rng::from_seed([9; 32])
}

/// Feeds one message and collects every event it caused.
fn feed(role: &mut dyn Role, from: NodeId, bytes: &[u8], events: &mut Vec<Event>) {
    role.handle_message(Millis(0), from, bytes);
    while role.poll_transmit().is_some() {}
    while let Some(e) = role.poll_event() {
        events.push(e);
    }
}

/// The messages of `log` delivered to `to`, in order.
fn to(log: &[Delivery], to: NodeId) -> Vec<(NodeId, Arc<Vec<u8>>)> {
    log.iter().filter(|d| d.to == to).map(|d| (d.from, d.payload.clone())).collect()
}

fn decoded(log: &[Delivery], pick: impl Fn(&Message) -> bool) -> Message {
    log.iter()
        .map(|d| Message::from_bytes(&d.payload).unwrap())
        .find(|m| pick(m))
        .expect("the honest round sends it")
}

fn genuine_result(log: &[Delivery]) -> RoundResult {
    match decoded(log, |m| matches!(m, Message::Result(_))) {
        Message::Result(r) => r,
        _ => unreachable!(),
    }
}

fn dropped(events: &[Event], error: ProtocolError) -> usize {
    events.iter().filter(|e| matches!(e, Event::Dropped { error: x, .. } if *x == error)).count()
}

/// *Adversary: the aggregator*, signing results a client can tell are wrong without the
/// transcript: no partial decryptions, a count below `min_clients`, a sum of the wrong
/// length, a partial its member did not sign, a partial reference naming another share than
/// the one its member signed, partials out of committee order, a partial
/// naming another transcript. Before the fix the client reported the first of them as
/// `Completed`; now each is dropped with a typed reason and only the genuine result
/// completes.
#[test]
fn client_checks_what_it_can_of_a_result() {
    let log = honest_log();
    let genuine = genuine_result(&log);
    let agg_key = sim::mock::key("aggregator", 0);
    let resign = |mut r: RoundResult| {
        r.signature = MockSuite::sign(&agg_key, &r.digest(), &mut rng());
        Message::Result(r).to_bytes()
    };
    let mut forged = Vec::new();
    forged.push((resign(RoundResult { partials: vec![], ..genuine.clone() }), "no partials"));
    forged.push((resign(RoundResult { count: 2, ..genuine.clone() }), "count below min"));
    let mut short = genuine.clone();
    short.sum.pop();
    forged.push((resign(short), "short sum"));
    let mut unsigned = genuine.clone();
    unsigned.partials[1].signature[0] ^= 1;
    forged.push((resign(unsigned), "partial not signed by its member"));
    let mut reshared = genuine.clone();
    reshared.partials[0].share[0] ^= 1;
    forged.push((resign(reshared), "partial reference to another share than its member signed"));
    let mut swapped = genuine.clone();
    swapped.partials.swap(0, 2);
    forged.push((resign(swapped), "partials out of order"));
    let mut other = genuine.clone();
    other.transcript = [7; 32];
    forged.push((resign(other), "result naming another transcript than its partials"));

    let mut client = Client::<MockSuite>::new(cfg("client", 1), vec![0; 6]);
    let mut events = Vec::new();
    let (from, ann) = to(&log, sim::client(1)).into_iter().next().unwrap();
    assert_eq!(from, AUTHORITY);
    feed(&mut client, from, &ann, &mut events);
    for (bytes, what) in &forged {
        let before = events.len();
        feed(&mut client, AGGREGATOR, bytes, &mut events);
        let new = &events[before..];
        assert!(
            matches!(
                new,
                [Event::Dropped {
                    error: ProtocolError::WrongShape | ProtocolError::BadSignature,
                    ..
                }]
            ),
            "{what}: {new:?}"
        );
    }
    feed(&mut client, AGGREGATOR, &Message::Result(genuine.clone()).to_bytes(), &mut events);
    let completed: Vec<&Event> =
        events.iter().filter(|e| matches!(e, Event::Completed(_))).collect();
    assert_eq!(completed, vec![&Event::Completed(Box::new(genuine))]);
}

/// A refusal signed by `member`, naming `transcript` and `list`, with the aggregator's
/// signature over `list` (the aggregator sent it).
fn refusal(member: usize, transcript: [u8; 32], list: [u8; 32]) -> Vec<u8> {
    let agg = sim::mock::key("aggregator", 0);
    refusal_with(member, transcript, list, MockSuite::sign(&agg, &list, &mut rng()))
}

/// A refusal signed by `member` naming `list`, with `list_signature` as the aggregator's.
fn refusal_with(
    member: usize,
    transcript: [u8; 32],
    list: [u8; 32],
    list_signature: Vec<u8>,
) -> Vec<u8> {
    let mut r = Refusal {
        round: plan().round,
        transcript,
        list,
        list_signature,
        member: u32::try_from(member).unwrap(),
        fault: TranscriptFault::AlreadyAnswered,
        signature: Vec::new(),
    };
    r.signature = MockSuite::sign(&sim::mock::key("member", member), &r.digest(), &mut rng());
    Message::Refusal(r).to_bytes()
}

fn transcript_digest(log: &[Delivery]) -> [u8; 32] {
    match decoded(log, |m| matches!(m, Message::Transcript(_))) {
        Message::Transcript(t) => t.digest(),
        _ => unreachable!(),
    }
}

/// Replays the honest round's messages to a fresh observer, with `extra` (sender, bytes)
/// delivered right after the announcement and `late` right after the transcript.
fn observe(
    log: &[Delivery],
    extra: &[(NodeId, Vec<u8>)],
    late: &[(NodeId, Vec<u8>)],
) -> Vec<Event> {
    let mut observer = Observer::<MockSuite>::new(cfg("observer", 0));
    let mut events = Vec::new();
    for (from, bytes) in to(log, OBSERVER) {
        feed(&mut observer, from, &bytes, &mut events);
        match Message::from_bytes(&bytes).unwrap() {
            Message::Announcement(_) => {
                for (f, b) in extra {
                    feed(&mut observer, *f, b, &mut events);
                }
            }
            Message::Transcript(_) => {
                for (f, b) in late {
                    feed(&mut observer, *f, b, &mut events);
                }
            }
            _ => {}
        }
    }
    events
}

/// *Adversary: the aggregator* (which can sign lists naming any transcript digest, and get
/// members to refuse them) *or a member*: member-signed refusals naming another transcript
/// than the one the observer verified, before and after it. Before the fix the observer
/// recorded them and failed its audit naming member 1 (`ListMismatch`); now it drops them
/// (`WrongRound`), reports no refusal, and the honest round's audit passes.
#[test]
fn observer_refuses_refusals_not_tied_to_its_transcript() {
    let log = honest_log();
    let m1 = sim::member(1);
    let before = [(m1, refusal(1, [7; 32], [8; 32]))];
    let after = [(m1, refusal(1, [9; 32], [8; 32]))];
    let events = observe(&log, &before, &after);
    assert!(events.iter().any(|e| matches!(e, Event::AuditPassed { count: 4 })), "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::Refused { .. } | Event::AuditFailed(_))));
    assert_eq!(dropped(&events, ProtocolError::WrongRound), 2);
}

/// *Adversary: the aggregator sending member 0 many second lists* (member 0 signs a refusal
/// of each, naming whatever transcript the list names) *while member 1 refuses a second
/// list of this transcript*. Before the fix member 0's refusals filled the observer's
/// shared slots and member 1's was dropped, so the audit named member 0; now slots are per
/// member, refusals of other transcripts are dropped, and member 1 is named.
#[test]
fn one_members_refusals_do_not_crowd_out_anothers() {
    let log = honest_log();
    let t = transcript_digest(&log);
    let mut early: Vec<(NodeId, Vec<u8>)> =
        (0..8u8).map(|i| (sim::member(0), refusal(0, [i; 32], [i; 32]))).collect();
    early.push((sim::member(1), refusal(1, t, [5; 32])));
    let events = observe(&log, &early, &[]);
    let audit: Vec<&Event> = events.iter().filter(|e| matches!(e, Event::AuditFailed(_))).collect();
    assert_eq!(audit, vec![&Event::AuditFailed(TranscriptFault::ListMismatch { member: 1 })]);
    assert_eq!(
        events.iter().filter(|e| matches!(e, Event::Refused { .. })).collect::<Vec<_>>(),
        vec![&Event::Refused { member: 1, fault: TranscriptFault::AlreadyAnswered }]
    );
}

/// *Adversary: a member* framing the aggregator: it signs a refusal naming this transcript
/// and a list the aggregator never sent it (no aggregator signature on that list, or one
/// over another list). Before the fix the observer failed its audit with
/// `ListMismatch { member: 1 }`, blaming the aggregator; now the refusal is no evidence and
/// is dropped (`BadSignature`), and the honest round's audit passes.
#[test]
fn a_member_cannot_name_a_list_it_was_never_sent() {
    let log = honest_log();
    let t = transcript_digest(&log);
    let agg = sim::mock::key("aggregator", 0);
    let m1 = sim::member(1);
    let late = [
        (m1, refusal_with(1, t, [5; 32], Vec::new())),
        (m1, refusal_with(1, t, [5; 32], MockSuite::sign(&agg, &[6; 32], &mut rng()))),
    ];
    let events = observe(&log, &[], &late);
    assert!(events.iter().any(|e| matches!(e, Event::AuditPassed { count: 4 })), "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::AuditFailed(_))), "{events:?}");
    assert_eq!(dropped(&events, ProtocolError::BadSignature), 2);
}

/// *Adversary: anyone who can send to a member before the announcement reaches it* (here
/// 64 well-formed shard messages, which a member never uses). Before the fix they filled
/// the member's hold for early messages and its genuine list, also early, was dropped, so
/// it never decrypted; now only lists and certificates are held and the member checks its
/// list and agrees to it.
#[test]
fn early_messages_a_member_never_uses_do_not_take_its_hold() {
    let log = honest_log();
    let shard = log
        .iter()
        .find(|d| matches!(Message::from_bytes(&d.payload), Ok(Message::Shard(_))))
        .unwrap()
        .payload
        .clone();
    let mine = to(&log, sim::member(0));
    let (ann_from, ann) = mine.first().unwrap().clone();
    let (list_from, list) = mine
        .iter()
        .find(|(_, b)| matches!(Message::from_bytes(b), Ok(Message::List(_))))
        .unwrap()
        .clone();
    let mut member = Member::<MockSuite>::new(cfg("member", 0));
    let mut events = Vec::new();
    for i in 0..64 {
        feed(&mut member, NodeId(5000 + i), &shard, &mut events);
    }
    feed(&mut member, list_from, &list, &mut events);
    feed(&mut member, ann_from, &ann, &mut events);
    assert!(events.iter().any(|e| matches!(e, Event::Agreed { .. })), "{events:?}");
    assert_eq!(dropped(&events, ProtocolError::Unexpected), 64);
}

/// *Adversary: the network forging an early result* (not signed by the aggregator) to an
/// observer that has not verified the transcript yet, to take its one slot for a held
/// result. The signature is checked before holding: the forgery is dropped and the genuine
/// result, overtaking the transcript too, is held and audited. (v2's observer already
/// checked before holding, and members no longer hold anything after the announcement:
/// this is the regression test of issue 13's forged-early-transcript item.)
#[test]
fn forged_early_result_does_not_take_the_observers_hold() {
    let log = honest_log();
    let mut forged = genuine_result(&log);
    forged.sum[0] += 1;
    let forged = Message::Result(forged).to_bytes();
    let genuine = Message::Result(genuine_result(&log)).to_bytes();
    let events = observe(&log, &[(AGGREGATOR, forged), (AGGREGATOR, genuine)], &[]);
    assert!(events.iter().any(|e| matches!(e, Event::AuditPassed { count: 4 })), "{events:?}");
    assert_eq!(dropped(&events, ProtocolError::BadSignature), 1);
}

/// *The network reordering everything an observer receives*: the announcement first, then
/// every other message of the honest round in reverse order, so the result, the partials,
/// the certificate and the agreements all overtake the transcript. The observer holds what
/// depends on the transcript (one certificate, one result), checks it once the transcript is
/// verified, and passes the audit exactly once.
#[test]
fn observer_audits_a_round_delivered_in_reverse() {
    let log = honest_log();
    let mine = to(&log, OBSERVER);
    let (ann_from, ann) = mine.first().unwrap().clone();
    let mut observer = Observer::<MockSuite>::new(cfg("observer", 0));
    let mut events = Vec::new();
    feed(&mut observer, ann_from, &ann, &mut events);
    let kinds: Vec<u8> = mine.iter().rev().map(|(_, b)| b[0]).collect();
    assert!(kinds.first() == Some(&8), "the result comes first: {kinds:?}");
    for (from, bytes) in mine.iter().skip(1).rev() {
        feed(&mut observer, *from, bytes, &mut events);
    }
    let passed = events.iter().filter(|e| matches!(e, Event::AuditPassed { count: 4 })).count();
    assert_eq!(passed, 1, "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::AuditFailed(_))));
}

/// Feeds the observer its messages of the honest round with the partials taken out, then
/// `result`, then the partials; returns the events before and after the partials.
fn observe_result_before_partials(log: &[Delivery], result: &[u8]) -> (Vec<Event>, Vec<Event>) {
    let mut observer = Observer::<MockSuite>::new(cfg("observer", 0));
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mine = to(log, OBSERVER);
    let kind = |b: &[u8], k: u8| b.first() == Some(&k);
    for (from, bytes) in mine.iter().filter(|(_, b)| !kind(b, 5) && !kind(b, 8)) {
        feed(&mut observer, *from, bytes, &mut before);
    }
    feed(&mut observer, AGGREGATOR, result, &mut before);
    for (from, bytes) in mine.iter().filter(|(_, b)| kind(b, 5)) {
        feed(&mut observer, *from, bytes, &mut after);
    }
    (before, after)
}

/// *The network delaying the members' partials* behind the result, which carries them by
/// reference only: the observer holds the result until the partials it references come
/// from their members, then passes the audit once.
#[test]
fn observer_holds_a_result_until_the_partials_it_references_arrive() {
    let log = honest_log();
    let result = Message::Result(genuine_result(&log)).to_bytes();
    let (before, after) = observe_result_before_partials(&log, &result);
    let ended = |e: &Event| matches!(e, Event::AuditPassed { .. } | Event::AuditFailed(_));
    assert!(!before.iter().any(ended), "{before:?}");
    let passed = after.iter().filter(|e| matches!(e, Event::AuditPassed { count: 4 })).count();
    assert_eq!(passed, 1, "{after:?}");
    assert!(!after.iter().any(|e| matches!(e, Event::AuditFailed(_))), "{after:?}");
}

/// *Adversary: the aggregator*, signing a result that references another share than the
/// one a member sent (to have clients accept a sum the quorum's partials do not give): the
/// observer compares each reference with the partial it received and fails the audit
/// (`ResultMismatch`), whether the result comes before or after the partials.
#[test]
fn a_result_referencing_another_share_fails_the_audit() {
    let log = honest_log();
    let mut forged = genuine_result(&log);
    forged.partials[1].share[0] ^= 1;
    let agg_key = sim::mock::key("aggregator", 0);
    forged.signature = MockSuite::sign(&agg_key, &forged.digest(), &mut rng());
    let forged = Message::Result(forged).to_bytes();
    let (before, after) = observe_result_before_partials(&log, &forged);
    let mismatch = |e: &Event| matches!(e, Event::AuditFailed(TranscriptFault::ResultMismatch));
    assert!(!before.iter().any(mismatch), "{before:?}");
    assert!(after.iter().any(mismatch), "{after:?}");
    let genuine = Message::Result(genuine_result(&log)).to_bytes();
    let mut observer = Observer::<MockSuite>::new(cfg("observer", 0));
    let mut events = Vec::new();
    for (from, bytes) in to(&log, OBSERVER) {
        let bytes = if *bytes == genuine { forged.clone() } else { bytes.to_vec() };
        feed(&mut observer, from, &bytes, &mut events);
    }
    assert!(events.iter().any(mismatch), "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::AuditPassed { .. })), "{events:?}");
}
