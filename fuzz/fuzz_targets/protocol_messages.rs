//! Decodes every gradseal-protocol message kind (1 Announcement .. 10 QuorumCertificate,
//! scheme v2 with the t-of-n committee) and every structure inside them from arbitrary
//! bytes: no panic, and every accepted input re-encodes to itself (canonical encoding,
//! trailing bytes rejected). Accepted messages also go through every digest and derivation a
//! role computes from peer bytes (statement, list, agreement and certificate digests, each
//! member's list rebuilt from a transcript for every small committee whose seed count fits,
//! seed digests of a list entry), which must not panic either.
//!
//! The whole input is tried as a `Message`; the same bytes after the first one are tried as
//! the structure the first byte selects (the inner contribution, entries, parameters,
//! reasons), so seeds of whole messages exercise both.
#![no_main]

use gradseal_core::Codec;
use gradseal_protocol::messages::{
    AcceptedEntry, Agreement, Contribution, EntryRef, Equivocation, ListEntry, Message, Party,
    QuorumCertificate, RejectedEntry,
};
use gradseal_protocol::round::seed_holders;
use gradseal_protocol::reason::BadRelay;
use gradseal_protocol::{RejectReason, RoundParams, TranscriptFault};
use libfuzzer_sys::fuzz_target;

/// Decodes `bytes` as `T`; an accepted value must re-encode to exactly `bytes`.
fn canonical<T: Codec + core::fmt::Debug>(bytes: &[u8], what: &str) -> Option<T> {
    let v = T::from_bytes(bytes).ok()?;
    assert_eq!(v.to_bytes(), bytes, "non-canonical {what} accepted: {v:?}");
    Some(v)
}

/// The seed-position holders of every committee of at most 6 members with `m` sealed seeds.
fn holders_for(m: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    for n in 2..=6u16 {
        for f in 1..n {
            if let Ok(c) = gradseal_agg::Committee::new(n, f)
                && c.sealed_seed_count() == m
            {
                out.push(seed_holders(&c));
            }
        }
    }
    out
}

/// Every derivation a role computes from an accepted message.
fn derive(m: &Message) {
    let _ = m.round();
    match m {
        Message::Announcement(a) => {
            let _ = (a.digest(), a.agg_round_id());
        }
        Message::Entry(e) => {
            // The head lists an entry by these digests; the reference re-encodes canonically.
            let r = e.entry.to_ref();
            let bytes = r.to_bytes();
            assert_eq!(EntryRef::from_bytes(&bytes).ok(), Some(r));
        }
        Message::Transcript(t) => {
            let digest = t.digest();
            let seeds = t.accepted.first().map_or(0, |e| e.digests.seeds.len());
            // The sealed seeds come from the streamed entries: any bytes of the right count.
            let filler: Vec<Vec<u8>> = (0..seeds).map(|i| (i as u32).to_be_bytes().to_vec()).collect();
            let sealed: Vec<&[Vec<u8>]> = t.accepted.iter().map(|_| &filler[..]).collect();
            for holders in holders_for(seeds) {
                for j in 0..7 {
                    if let Some(list) = t.member_list(&digest, &sealed, j, &holders) {
                        assert_eq!(list.entries.len(), t.accepted.len());
                        let _ = list.digest();
                        // A list rebuilt from a decoded transcript is itself canonical.
                        let bytes = Message::List(list.clone()).to_bytes();
                        assert_eq!(Message::from_bytes(&bytes).ok(), Some(Message::List(list)));
                    }
                }
            }
        }
        Message::List(l) => {
            let _ = l.digest();
            for e in &l.entries {
                let m = e.other_seeds.len() + e.sealed_seeds.len();
                for holders in holders_for(m) {
                    for j in [0, l.member, u32::MAX] {
                        if let Some(seeds) = e.seed_digests(j, &holders) {
                            assert_eq!(seeds.len(), m);
                        }
                    }
                }
            }
        }
        Message::Agreement(a) => {
            let _ = a.digest();
        }
        Message::Certificate(c) => {
            let mask = c.quorum_mask();
            assert_eq!(mask.map(u64::count_ones), Some(c.signatures.len() as u32));
            for a in c.agreements() {
                let _ = a.digest();
            }
        }
        Message::Partial(p) => {
            let _ = p.digest();
        }
        Message::Refusal(r) => {
            let _ = r.digest();
        }
        Message::Rejection(r) => {
            let _ = r.digest();
        }
        Message::Result(r) => {
            let _ = (r.digest(), r.mean(1000));
        }
        Message::Shard(_) => {}
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(m) = canonical::<Message>(data, "message") {
        derive(&m);
    }
    let Some((&which, rest)) = data.split_first() else { return };
    match which % 12 {
        0 => {
            if let Some(c) = canonical::<Contribution>(rest, "contribution") {
                let _ = (c.seed_digests(), c.statement(&[0; 32]));
            }
        }
        1 => {
            canonical::<AcceptedEntry>(rest, "accepted entry");
        }
        2 => {
            canonical::<RejectedEntry>(rest, "rejected entry");
        }
        3 => {
            canonical::<ListEntry>(rest, "list entry");
        }
        4 => {
            canonical::<Party>(rest, "party");
        }
        5 => {
            if let Some(p) = canonical::<RoundParams>(rest, "round parameters") {
                assert_eq!(p.check(), Ok(()), "the decoder accepted parameters check refuses");
            }
        }
        6 => {
            canonical::<TranscriptFault>(rest, "transcript fault");
        }
        7 => {
            canonical::<RejectReason>(rest, "reject reason");
        }
        8 => {
            canonical::<Agreement>(rest, "agreement");
        }
        9 => {
            canonical::<QuorumCertificate>(rest, "quorum certificate");
        }
        10 => {
            if let Some(e) = canonical::<Equivocation>(rest, "equivocation") {
                assert!(e.first.list < e.second.list && e.first.member == e.second.member);
            }
        }
        _ => {
            canonical::<BadRelay>(rest, "bad relay");
        }
    }
});
