//! The aggregator's shard window (`spec/protocol.md` §5.4), played with the shards of an
//! honest mock-suite round delivered by a driver that honours `paused_senders`: a relay far
//! ahead of the others is held to the window, and shards whose groups never complete (a
//! client that sent too few) stop pausing their relay after `WINDOW_AGE`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, VecDeque};

use gradseal_core::Codec;
use gradseal_protocol::messages::Message;
use gradseal_protocol::mock::MockSuite;
use gradseal_protocol::sim::{self, AGGREGATOR, RoundPlan};
use gradseal_protocol::{
    Aggregator, Event, Millis, NodeConfig, Role, RoundId, SHARD_WINDOW, ShardLayout, Suite,
    WINDOW_AGE,
};

const CLIENTS: usize = 30;
const RELAYS: usize = 3;

fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(2),
        clients: CLIENTS,
        members: 3,
        privacy_threshold: 2,
        relays: RELAYS,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: 4,
        bits: 8,
        min_clients: 3,
    }
}

/// The announcement and, per relay, the shards it forwarded to the aggregator, in order.
fn honest_inbound() -> (Vec<u8>, Vec<VecDeque<Vec<u8>>>) {
    let updates = (0..CLIENTS).map(|i| vec![i64::try_from(i).unwrap(); 4]).collect();
    let mut s =
        sim::build::<MockSuite>(&plan(), &(), sim::mock::key, sim::mock::seed, updates).unwrap();
    s.log = Some(Vec::new());
    assert!(s.run(1_000_000));
    let mut announcement = None;
    let mut shards = vec![VecDeque::new(); RELAYS];
    for d in s.log.unwrap().into_iter().filter(|d| d.to == AGGREGATOR) {
        match Message::from_bytes(&d.payload).unwrap() {
            Message::Announcement(_) => announcement = Some(d.payload.to_vec()),
            Message::Shard(_) => {
                let r = (0..RELAYS).find(|&r| sim::relay(r) == d.from).unwrap();
                shards[r].push_back(d.payload.to_vec());
            }
            _ => {}
        }
    }
    (announcement.unwrap(), shards)
}

fn aggregator(announcement: &[u8]) -> Aggregator<MockSuite> {
    let mut a = Aggregator::new(NodeConfig {
        sys: (),
        authority: MockSuite::bundle(&sim::mock::key("authority", 0)),
        key: sim::mock::key("aggregator", 0),
        round: plan().round,
        seed: sim::mock::seed("aggregator", 0),
    });
    a.handle_message(Millis(0), sim::AUTHORITY, announcement);
    a
}

fn manifest(shard: &[u8]) -> Vec<u8> {
    match Message::from_bytes(shard).unwrap() {
        Message::Shard(s) => s.manifest,
        _ => unreachable!(),
    }
}

/// What a run delivered and saw.
#[derive(Default)]
struct Run {
    accepted: usize,
    /// The most shards ever held in incomplete groups.
    max_held: usize,
    /// Each time the clock had to jump to the aggregator's timeout (nothing deliverable):
    /// from when to when.
    waits: Vec<(Millis, Millis)>,
}

/// Delivers every queued shard, one per millisecond, always from the first relay in index
/// order that has one and (if `honour`) is not paused; when every relay with shards left is
/// paused, jumps the clock to the aggregator's next timeout.
fn drive(agg: &mut Aggregator<MockSuite>, mut queues: Vec<VecDeque<Vec<u8>>>, honour: bool) -> Run {
    let mut run = Run::default();
    let mut per_group: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut now = Millis(1);
    let data = usize::from(plan().layout.data);
    loop {
        let paused = |r: usize| honour && agg.paused_senders().contains(&sim::relay(r));
        let next = (0..RELAYS).find(|&r| !queues[r].is_empty() && !paused(r));
        let Some(r) = next else {
            if queues.iter().all(VecDeque::is_empty) {
                return run;
            }
            let at = agg.poll_timeout().expect("a paused relay has a timeout");
            run.waits.push((now, at));
            now = at;
            agg.handle_timeout(now);
            continue;
        };
        let shard = queues[r].pop_front().unwrap();
        let n = per_group.entry(manifest(&shard)).or_insert(0);
        *n += 1;
        agg.handle_message(now, sim::relay(r), &shard);
        while agg.poll_transmit().is_some() {}
        while let Some(e) = agg.poll_event() {
            run.accepted += usize::from(matches!(e, Event::Accepted { .. }));
        }
        let held: usize = per_group.values().filter(|&&n| n < data).sum();
        run.max_held = run.max_held.max(held);
        now = Millis(now.0 + 1);
    }
}

/// *A relay far ahead of the others* (here: one whose every shard arrives before the other
/// relays' first) is held to the window, and every contribution still gets in. A driver
/// that ignores the window holds a shard per client.
#[test]
fn a_relay_ahead_is_held_to_the_window() {
    let (ann, queues) = honest_inbound();
    let mut agg = aggregator(&ann);
    let run = drive(&mut agg, queues.clone(), true);
    assert_eq!(run.accepted, CLIENTS);
    assert!(run.max_held <= SHARD_WINDOW, "held {} shards", run.max_held);
    assert!(run.waits.is_empty(), "the round waited: {:?}", run.waits);
    assert!(agg.paused_senders().is_empty());

    let unbounded = drive(&mut aggregator(&ann), queues, false);
    assert_eq!(unbounded.accepted, CLIENTS);
    assert_eq!(unbounded.max_held, CLIENTS);
}

/// *Clients that send one shard only* (never enough to rebuild): their shards wait in
/// groups that never complete and fill the first relay's window. The relay is resumed
/// `WINDOW_AGE` after the oldest of them arrived, and every honest contribution gets in.
#[test]
fn shards_that_never_complete_pause_their_relay_for_the_age_only() {
    let (ann, mut queues) = honest_inbound();
    // The first SHARD_WINDOW clients' shards through relays 1 and 2 are lost.
    let bad: Vec<Vec<u8>> = queues[0].iter().take(SHARD_WINDOW).map(|s| manifest(s)).collect();
    for q in &mut queues[1..] {
        q.retain(|s| !bad.contains(&manifest(s)));
    }
    let mut agg = aggregator(&ann);
    let run = drive(&mut agg, queues, true);
    assert_eq!(run.accepted, CLIENTS - SHARD_WINDOW);
    // One wait, ending WINDOW_AGE after the first bad shard arrived (at 1 ms).
    assert_eq!(run.waits.len(), 1, "{:?}", run.waits);
    assert_eq!(run.waits[0].1, Millis(1 + WINDOW_AGE));
    assert!(agg.paused_senders().is_empty());
    assert_eq!(agg.poll_timeout(), Some(Millis(10_000)), "the contribution deadline");
}
