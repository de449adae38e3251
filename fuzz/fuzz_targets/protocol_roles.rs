//! Feeds arbitrary message sequences and timeouts to one role of a round (over the
//! insecure mock suite, so that fuzzed inputs reach every phase). Inputs mix raw bytes with
//! messages recorded from an honest round, possibly bit-flipped and from any address.
//! Checks: no panic, and the role's output stays bounded.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use gradseal_protocol::mock::MockSuite;
use gradseal_protocol::sim::{self, Delivery, RoundPlan};
use gradseal_protocol::{
    Aggregator, Client, Member, Millis, NodeConfig, NodeId, Observer, ProofPolicy, Relay, Role,
    RoundId, ShardLayout, Suite,
};
use libfuzzer_sys::fuzz_target;

const CLIENTS: usize = 4;

fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(7),
        clients: CLIENTS,
        members: 2,
        relays: 3,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: 4,
        bits: 8,
        min_clients: 2,
        policy: ProofPolicy::Every,
    }
}

fn recorded() -> &'static Vec<Delivery> {
    static LOG: OnceLock<Vec<Delivery>> = OnceLock::new();
    LOG.get_or_init(|| {
        let updates = (0..CLIENTS).map(|i| vec![i as i64; 4]).collect();
        let mut s = sim::build::<MockSuite>(&plan(), &(), sim::mock::key, sim::mock::seed, updates);
        s.log = Some(Vec::new());
        s.run(100_000);
        s.log.unwrap_or_default()
    })
}

#[derive(Arbitrary, Debug)]
enum Op {
    Recorded { index: u16, flip: Option<(u16, u8)>, from: Option<u32> },
    Raw { from: u32, bytes: Vec<u8> },
    Timeout { advance: u16 },
}

#[derive(Arbitrary, Debug)]
struct Input {
    role: u8,
    ops: Vec<Op>,
}

fn cfg(label: &str, i: usize) -> NodeConfig<MockSuite> {
    NodeConfig {
        sys: (),
        authority: MockSuite::bundle(&sim::mock::key("authority", 0)),
        key: sim::mock::key(label, i),
        round: RoundId(7),
        seed: sim::mock::seed(label, i),
    }
}

fuzz_target!(|input: Input| {
    let log = recorded();
    let mut role: Box<dyn Role> = match input.role % 5 {
        0 => Box::new(Client::new(cfg("client", 0), vec![1; 4])),
        1 => Box::new(Member::new(cfg("member", 0))),
        2 => Box::new(Aggregator::new(cfg("aggregator", 0))),
        3 => Box::new(Relay::new(cfg("relay", 0))),
        _ => Box::new(Observer::new(cfg("observer", 0))),
    };
    let mut now = Millis(0);
    let mut transmitted = 0usize;
    for op in input.ops {
        match op {
            Op::Recorded { index, flip, from } => {
                if log.is_empty() {
                    continue;
                }
                let d = &log[usize::from(index) % log.len()];
                let mut bytes = d.payload.to_vec();
                if let Some((pos, x)) = flip {
                    if !bytes.is_empty() {
                        let p = usize::from(pos) % bytes.len();
                        bytes[p] ^= x;
                    }
                }
                role.handle_message(now, from.map_or(d.from, NodeId), &bytes);
            }
            Op::Raw { from, bytes } => role.handle_message(now, NodeId(from), &bytes),
            Op::Timeout { advance } => {
                now = now.plus(u64::from(advance) * 16);
                role.handle_timeout(now);
            }
        }
        while role.poll_transmit().is_some() {
            transmitted += 1;
        }
        while role.poll_event().is_some() {}
        let _ = role.poll_timeout();
    }
    // A role answers each input with a bounded number of messages (the largest fan-out is a
    // broadcast to every node of this small round).
    assert!(transmitted <= 64 * (log.len() + 1));
});
