//! The sans-IO roles over the mock suite with the crate's FIFO driver, and codec properties
//! of every message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_core::Codec;
use gradseal_protocol::messages::{Message, RoundResult};
use gradseal_protocol::mock::MockSuite;
use gradseal_protocol::sim::{self, AGGREGATOR, OBSERVER, RoundPlan};
use gradseal_protocol::{Event, ProofPolicy, RoundId, ShardLayout};
use proptest::prelude::*;

fn plan(policy: ProofPolicy) -> RoundPlan {
    RoundPlan {
        round: RoundId(3),
        clients: 5,
        members: 3,
        relays: 4,
        layout: ShardLayout { data: 2, parity: 2 },
        dimension: 8,
        bits: 8,
        min_clients: 3,
        policy,
    }
}

fn updates() -> Vec<Vec<i64>> {
    (0..5).map(|i| (0..8).map(|j| i * 10 - j).collect()).collect()
}

fn run(policy: ProofPolicy) -> sim::Sim {
    let mut s =
        sim::build::<MockSuite>(&plan(policy), &(), sim::mock::key, sim::mock::seed, updates());
    s.log = Some(Vec::new());
    assert!(s.run(100_000), "did not settle");
    s
}

fn result(s: &sim::Sim) -> RoundResult {
    s.events
        .iter()
        .find_map(|(n, e)| match e {
            Event::Completed(r) if *n == AGGREGATOR => Some((**r).clone()),
            _ => None,
        })
        .expect("no result")
}

#[test]
fn mock_round_completes_and_audits() {
    for policy in [ProofPolicy::None, ProofPolicy::Every] {
        let s = run(policy);
        let r = result(&s);
        assert_eq!(r.count, 5);
        let expected: Vec<i64> = (0..8).map(|j| (0..5).map(|i| i * 10 - j).sum()).collect();
        assert_eq!(r.sum, expected);
        assert!(
            s.events.iter().any(|(n, e)| *n == OBSERVER && *e == Event::AuditPassed { count: 5 })
        );
    }
}

/// The batched, multi-threaded driver reaches the same result and audit, and is
/// deterministic whatever the thread count.
#[test]
fn parallel_driver_agrees_with_the_fifo_driver() {
    for policy in [ProofPolicy::None, ProofPolicy::Every] {
        let fifo = result(&run(policy));
        let par = |threads: usize| {
            let mut s = sim::build::<MockSuite>(
                &plan(policy),
                &(),
                sim::mock::key,
                sim::mock::seed,
                updates(),
            );
            assert!(s.run_parallel(100_000, threads), "did not settle");
            assert!(
                s.events
                    .iter()
                    .any(|(n, e)| *n == OBSERVER && *e == Event::AuditPassed { count: 5 })
            );
            result(&s)
        };
        let (one, two) = (par(1), par(2));
        assert_eq!((one.count, &one.sum), (fifo.count, &fifo.sum));
        assert_eq!(one, two);
    }
}

#[test]
fn every_logged_message_round_trips_and_rejects_truncation() {
    let s = run(ProofPolicy::Every);
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
    let a = run(ProofPolicy::None);
    let b = run(ProofPolicy::None);
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
        let s = run(ProofPolicy::None);
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
