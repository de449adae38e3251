//! The round's state machines over the insecure mock suite: fast checks of the protocol
//! logic independent of the cryptography (the real-suite tests are in `round.rs`).

use gradseal_protocol::mock::MockSuite;
use gradseal_protocol::{Event, RoundFailure};
use gradseal_tests::scenario::{AGGREGATOR, Config, Fixture, OBSERVER, client};

#[test]
fn honest_round_over_mock_suite() {
    let mut fx = Fixture::<MockSuite>::new(Config::default());
    let mut net = fx.network();
    fx.announce(&mut net);
    net.drive_bounded(200_000);
    let result = net
        .events_of(AGGREGATOR)
        .into_iter()
        .find_map(|e| match e {
            Event::Completed(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no result: {:?}", net.events_of(AGGREGATOR)));
    assert_eq!(result.count, 50);
    assert_eq!(result.sum, fx.plain_sum(0..50));
    assert!(net.events_of(OBSERVER).iter().any(|e| matches!(e, Event::AuditPassed { count: 50 })));
    assert!(net.events_of(client(3)).iter().any(|e| matches!(e, Event::Completed(_))));
    assert!(!net.events.iter().any(|(_, e)| matches!(e, Event::Failed(RoundFailure::Undecodable))));
}
