//! The streamed transcript (`spec/protocol.md` §5.3, §6.2): the aggregator sends each
//! accepted entry to the observers as it accepts it and keeps none of the bodies; the signed
//! head at the close lists the entries by digest. Played over the mock suite: honest
//! streaming, entries overtaken by the head, and an aggregator (or a stranger) whose
//! streamed entries and signed head disagree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)] // small test indices

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;
use gradseal_protocol::messages::{EntryMsg, Message};
use gradseal_protocol::mock::MockSuite;
use gradseal_protocol::sim::{self, AGGREGATOR, OBSERVER, RoundPlan, Sim};
use gradseal_protocol::{
    Event, ProtocolError, RoundId, ShardLayout, Suite, TranscriptFault, Transmit,
};
use rand_core::SeedableRng;

const CLIENTS: usize = 4;

fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(5),
        clients: CLIENTS,
        members: 3,
        privacy_threshold: 2,
        relays: 3,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: 8,
        bits: 8,
        min_clients: 2,
    }
}

fn build() -> Sim {
    let updates = (0..CLIENTS).map(|i| vec![i as i64; 8]).collect();
    let mut s =
        sim::build::<MockSuite>(&plan(), &(), sim::mock::key, sim::mock::seed, updates).unwrap();
    s.log = Some(Vec::new());
    s
}

/// A round whose aggregator's messages to the observer go through `edit` (which sees each
/// decoded message and returns what to send instead, in order).
fn with_rewrite(mut edit: impl FnMut(Message) -> Vec<Message> + Send + 'static) -> Sim {
    let mut s = build();
    let mut rewrite = Some(move |t: Transmit| {
        if t.to != OBSERVER {
            return vec![t];
        }
        let msgs = edit(Message::from_bytes(&t.payload).unwrap());
        msgs.into_iter().map(|m| Transmit { to: OBSERVER, payload: m.to_bytes().into() }).collect()
    });
    s.map_nodes(|id, node| {
        if id != AGGREGATOR {
            return node;
        }
        Box::new(sim::Intercept::new(node, rewrite.take().unwrap()))
    });
    assert!(s.run(100_000), "did not settle");
    s
}

fn audit(s: &Sim) -> Option<Result<u32, TranscriptFault>> {
    s.events_of(OBSERVER).find_map(|e| match e {
        Event::AuditPassed { count } => Some(Ok(*count)),
        Event::AuditFailed(f) => Some(Err(*f)),
        _ => None,
    })
}

fn resign(mut t: gradseal_protocol::TranscriptMsg) -> Message {
    let key = sim::mock::key("aggregator", 0);
    t.signature = MockSuite::sign(&key, &t.digest(), &mut ChaCha20Rng::from_seed([9; 32]));
    Message::Transcript(t)
}

/// Honest: one entry per accepted client, to the observers only and before the head, and
/// the head carries no body (it is smaller than any one entry).
#[test]
fn each_entry_is_streamed_once_to_the_observer_before_a_bodiless_head() {
    let mut s = build();
    assert!(s.run(100_000));
    assert_eq!(audit(&s), Some(Ok(CLIENTS as u32)));
    let log = s.log.take().unwrap();
    let mut entries = Vec::new();
    let mut head = None;
    for (i, d) in log.iter().enumerate() {
        match Message::from_bytes(&d.payload).unwrap() {
            Message::Entry(e) => {
                assert_eq!((d.from, d.to), (AGGREGATOR, OBSERVER));
                assert!(head.is_none(), "entry after the head");
                entries.push((e.entry.client, d.payload.len()));
            }
            Message::Transcript(t) => {
                assert_eq!(t.accepted.len(), CLIENTS);
                head = Some((i, d.payload.len()));
            }
            _ => {}
        }
    }
    let mut clients: Vec<u32> = entries.iter().map(|(c, _)| *c).collect();
    clients.sort_unstable();
    assert_eq!(clients, (0..CLIENTS as u32).collect::<Vec<_>>());
    let smallest = entries.iter().map(|(_, len)| *len).min().unwrap();
    let (_, head_len) = head.unwrap();
    assert!(head_len < CLIENTS * smallest, "head {head_len} B, entries {smallest} B each");
}

/// Entries overtaken by the head (a network reorders streams): the observer holds the head
/// until they arrive, then passes.
#[test]
fn entries_arriving_after_the_head_still_pass() {
    let mut held = Vec::new();
    let s = with_rewrite(move |m| match m {
        Message::Entry(_) => {
            held.push(m);
            Vec::new()
        }
        Message::Transcript(_) => {
            let mut out = vec![m];
            out.append(&mut held);
            out
        }
        other => vec![other],
    });
    assert_eq!(audit(&s), Some(Ok(CLIENTS as u32)));
}

/// *Adversary: the aggregator*, streaming an entry its signed head leaves out (and keeping
/// it in the claimed aggregate): named `EntryMismatch`, not passed.
#[test]
fn an_entry_streamed_but_not_listed_fails_the_audit() {
    let s = with_rewrite(|m| match m {
        Message::Transcript(mut t) => {
            t.accepted.remove(0);
            vec![resign(t)]
        }
        other => vec![other],
    });
    assert_eq!(audit(&s), Some(Err(TranscriptFault::EntryMismatch { client: 0 })));
}

/// *Adversary: the aggregator*, streaming client 1 a different entry from the one it lists
/// (client 0's body under client 1's index): `EntryMismatch`.
#[test]
fn an_entry_unlike_the_listed_one_fails_the_audit() {
    let mut first = None;
    let s = with_rewrite(move |m| match m {
        Message::Entry(mut e) => {
            if e.entry.client == 0 {
                first = Some(e.entry.body.clone());
            } else if e.entry.client == 1 {
                e.entry.body = first.clone().unwrap();
            }
            vec![Message::Entry(e)]
        }
        other => vec![other],
    });
    assert_eq!(audit(&s), Some(Err(TranscriptFault::EntryMismatch { client: 1 })));
}

/// *Adversary: the aggregator*, withholding a listed entry: the observer cannot check the
/// sum, and at the decryption deadline fails `MissingEntry` (it passes nothing).
#[test]
fn a_listed_entry_never_streamed_fails_at_the_deadline() {
    let s = with_rewrite(|m| match m {
        Message::Entry(e) if e.entry.client == 2 => Vec::new(),
        other => vec![other],
    });
    assert_eq!(audit(&s), Some(Err(TranscriptFault::MissingEntry { client: 2 })));
    assert!(!s.events_of(OBSERVER).any(|e| matches!(e, Event::Completed(_))));
}

/// *Adversary: anyone but the aggregator* (a client, say) streaming entries to the observer:
/// dropped as `UnknownSender` (entries are unsigned; only the aggregator's node may send
/// them), and the audit passes on the genuine ones.
#[test]
fn entries_from_anyone_but_the_aggregator_are_dropped() {
    let mut s = build();
    assert!(s.run(100_000));
    let genuine = s.log.as_ref().unwrap().iter().find_map(|d| {
        match Message::from_bytes(&d.payload).unwrap() {
            Message::Entry(e) => Some(e),
            _ => None,
        }
    });
    let mut fresh = build();
    let forged = EntryMsg { round: RoundId(5), ..genuine.unwrap() };
    fresh.inject(sim::client(0), OBSERVER, Message::Entry(forged).to_bytes().into());
    assert!(fresh.run(100_000));
    let dropped = fresh
        .events_of(OBSERVER)
        .any(|e| matches!(e, Event::Dropped { error: ProtocolError::UnknownSender, .. }));
    assert!(dropped);
    assert_eq!(audit(&fresh), Some(Ok(CLIENTS as u32)));
}
