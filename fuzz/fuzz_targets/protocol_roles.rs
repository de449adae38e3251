//! Drives one role of a scheme-v2 round with its agreement step (over the insecure mock
//! suite, so that fuzzed inputs
//! reach every phase) with a sequence of operations read from arbitrary bytes: the next
//! message the honest round delivered to this role (at the time it was sent, firing the
//! role's deadline first if it had passed), any recorded message of the round with a byte
//! flipped and from any address, raw bytes, and clock jumps.
//!
//! Input: `u8 role` (client 0, member 0, aggregator, relay 0, observer, member 1), then
//! operations until the bytes run out, each `u8 op` and its fields (big-endian, missing
//! bytes read as zero):
//! - `op % 4 = 0` next: deliver the next honest message for this role;
//! - `op % 4 = 1` recorded: `u16 index ‖ u16 position ‖ u8 xor ‖ u8 sender`;
//! - `op % 4 = 2` timeout: `u16 advance` (the clock moves `16 · advance` ms);
//! - `op % 4 = 3` raw: `u16 length ‖ u32 sender ‖ bytes`.
//!
//! So `[role, 0, 0, ...]` replays the honest round to that role (the seed corpus does).
//! Checks: no panic; output bounded per operation; a member agrees at most once (one
//! agreement, to the aggregator and the observer, `spec/protocol.md` §5.5) and never
//! decrypts twice; a client contributes at most once; the observer reaches at most one verdict; the
//! aggregator completes at most once.
#![no_main]

use std::sync::OnceLock;

use gradseal_core::Codec;
use gradseal_protocol::messages::Message;
use gradseal_protocol::mock::MockSuite;
use gradseal_protocol::sim::{self, Delivery, RoundPlan};
use gradseal_protocol::{
    Aggregator, Client, Event, Member, Millis, NodeConfig, NodeId, Observer, Relay, Role, RoundId,
    ShardLayout, Suite,
};
use libfuzzer_sys::fuzz_target;

const CLIENTS: usize = 4;
const DIMENSION: usize = 4;

fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(7),
        clients: CLIENTS,
        members: 2,
        privacy_threshold: 1,
        relays: 3,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: DIMENSION as u32,
        bits: 8,
        min_clients: 2,
    }
}

fn update(i: usize) -> Vec<i64> {
    (0..DIMENSION).map(|j| i as i64 * 3 - j as i64).collect()
}

/// Every delivery of the honest round with the virtual time it was sent at.
fn recorded() -> &'static Vec<(Millis, Delivery)> {
    static LOG: OnceLock<Vec<(Millis, Delivery)>> = OnceLock::new();
    LOG.get_or_init(|| {
        let updates = (0..CLIENTS).map(update).collect();
        let Ok(mut s) =
            sim::build::<MockSuite>(&plan(), &(), sim::mock::key, sim::mock::seed, updates)
        else {
            return Vec::new();
        };
        s.log = Some(Vec::new());
        let mut stamped = Vec::new();
        for _ in 0..100_000 {
            // Transmits are logged by the next step, at the time they were produced.
            let at = s.now;
            let more = s.step();
            let log = s.log.as_mut().map(std::mem::take).unwrap_or_default();
            stamped.extend(log.into_iter().map(|d| (at, d)));
            if !more {
                break;
            }
        }
        stamped
    })
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

/// Reads big-endian fields; missing bytes read as zero.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.0.split_at(n.min(self.0.len()));
        self.0 = tail;
        head
    }
    fn uint(&mut self, n: usize) -> u64 {
        let got = self.take(n);
        let value = got.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        value << (8 * (n - got.len()))
    }
    fn u8(&mut self) -> u8 {
        self.uint(1) as u8
    }
    fn u16(&mut self) -> u16 {
        self.uint(2) as u16
    }
    fn u32(&mut self) -> u32 {
        self.uint(4) as u32
    }
}

/// What a role has done so far, for the invariants.
#[derive(Default)]
struct Tally {
    decrypted: usize,
    partials_sent: usize,
    agreements_sent: usize,
    refusals_sent: usize,
    contributed: usize,
    verdicts: usize,
    completed: usize,
}

fuzz_target!(|data: &[u8]| {
    let log = recorded();
    let mut input = Bytes(data);
    let role_byte = input.u8();
    let (me, mut role): (NodeId, Box<dyn Role>) = match role_byte % 6 {
        0 => (sim::client(0), Box::new(Client::new(cfg("client", 0), update(0)))),
        1 => (sim::member(0), Box::new(Member::new(cfg("member", 0)))),
        2 => (sim::AGGREGATOR, Box::new(Aggregator::new(cfg("aggregator", 0)))),
        3 => (sim::relay(0), Box::new(Relay::new(cfg("relay", 0)))),
        4 => (sim::OBSERVER, Box::new(Observer::new(cfg("observer", 0)))),
        _ => (sim::member(1), Box::new(Member::new(cfg("member", 1)))),
    };
    let mut now = Millis(0);
    let mut cursor = 0usize;
    let mut tally = Tally::default();
    let mut ops = 0usize;
    while !input.0.is_empty() && ops < 4096 {
        ops += 1;
        match input.u8() % 4 {
            0 => {
                let Some(i) = log.iter().skip(cursor).position(|(_, d)| d.to == me) else {
                    continue;
                };
                let Some((at, d)) = log.get(cursor + i) else { continue };
                cursor += i + 1;
                now = now.max(*at);
                if role.poll_timeout().is_some_and(|t| t <= now) {
                    role.handle_timeout(now);
                }
                role.handle_message(now, d.from, &d.payload);
            }
            1 => {
                let index = usize::from(input.u16());
                let position = usize::from(input.u16());
                let xor = input.u8();
                let sender = input.u8();
                let Some((_, d)) = log.get(index % log.len().max(1)) else { continue };
                let mut bytes = d.payload.to_vec();
                if let Some(b) = bytes.get_mut(position % d.payload.len().max(1)) {
                    *b ^= xor;
                }
                let from = if sender % 2 == 0 { d.from } else { NodeId(u32::from(sender)) };
                role.handle_message(now, from, &bytes);
            }
            2 => {
                now = now.plus(u64::from(input.u16()) * 16);
                role.handle_timeout(now);
            }
            _ => {
                let len = usize::from(input.u16());
                let from = NodeId(input.u32());
                let bytes = input.take(len).to_vec();
                role.handle_message(now, from, &bytes);
            }
        }
        // A role answers one input with a bounded number of messages: the largest fan-out is
        // replaying the early hold (64 messages), each forwarded or broadcast to every node
        // of this small round.
        let mut transmits = 0usize;
        while let Some(t) = role.poll_transmit() {
            transmits += 1;
            if matches!(Message::from_bytes(&t.payload), Ok(Message::Partial(_))) {
                tally.partials_sent += 1;
            }
            if matches!(Message::from_bytes(&t.payload), Ok(Message::Agreement(_))) {
                tally.agreements_sent += 1;
            }
            if matches!(Message::from_bytes(&t.payload), Ok(Message::Refusal(_))) {
                tally.refusals_sent += 1;
            }
        }
        assert!(transmits <= 64 * 16, "{transmits} transmits for one input");
        while let Some(e) = role.poll_event() {
            match e {
                Event::Decrypted { .. } => tally.decrypted += 1,
                Event::Contributed { .. } => tally.contributed += 1,
                Event::AuditPassed { .. } | Event::AuditFailed(_) => tally.verdicts += 1,
                Event::Completed(_) => tally.completed += 1,
                _ => {}
            }
        }
        let _ = role.poll_timeout();
    }
    let is_member = matches!(role_byte % 6, 1 | 5);
    assert!(tally.decrypted <= 1, "a member decrypted twice");
    if is_member {
        // One broadcast (aggregator and observer) of its one partial decryption; refusals
        // after it only for second lists.
        assert!(tally.partials_sent <= 2, "a member sent {} partials", tally.partials_sent);
        assert!(tally.agreements_sent <= 2, "a member sent {} agreements", tally.agreements_sent);
    }
    assert!(tally.contributed <= 1, "a client contributed twice");
    assert!(tally.verdicts <= 1, "the observer reached two verdicts");
    assert!(tally.completed <= 1, "completed twice");
});
