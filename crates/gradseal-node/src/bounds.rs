//! The largest message a node may receive in a round, derived from the round's
//! announcement: the driver refuses a streamed message longer than this from its header,
//! before reading its body (`spec/node.md` §1, "What a node holds").
//!
//! Sizes with the production suite (scheme v2, t-of-n committee: n members, privacy
//! threshold f, quorum q, m = (n − f)·C(n, f) sealed seeds per contribution; c roster
//! clients, d coordinates; checked byte for byte by `tests::sizes_match_a_real_round`):
//!
//! | message | bytes |
//! |---|---|
//! | shard | at most `8d + 32 893 + 312m` plus its Merkle proof (bounded here by 4 KiB) |
//! | member list | at most `(76 + 312m)·c` plus 4 KiB |
//! | partial decryption | `8d + 308` |
//! | accepted entry (observers only) | `8d + 32 894 + 312m` |
//! | transcript head (observers only) | `8d + 32 934 + c·(108 + 32m)` |
//! | result | `8d + 356q + 169`, plus at most `224n` of equivocation evidence |
//! | agreement, certificate | 113, `45 + 72q` |
//! | announcement | at most `(c + n + 1)·256` plus 4 KiB |

use gradseal_protocol::Announcement;

/// Slack added to the bounds that are not exact (Merkle proofs, headers).
pub const SLACK: u64 = 4096;

/// The transcript head of a round with `c` accepted contributions of `m` sealed seeds each
/// and `d` coordinates (the aggregate and, per entry, its digests and signature).
pub fn head_len(c: u64, m: u64, d: u64) -> u64 {
    8 * d + 32_934 + c * (108 + 32 * m)
}

/// One streamed accepted entry (a contribution with `m` sealed seeds and `d` coordinates).
pub fn entry_len(m: u64, d: u64) -> u64 {
    8 * d + 32_894 + 312 * m
}

/// The result message of a round with quorum `q` and `d` coordinates, without evidence
/// (the sum, and the quorum's partials by reference: 284 bytes each, plus the certificate).
pub fn result_len(q: u64, d: u64) -> u64 {
    8 * d + 356 * q + 169
}

/// The largest message any node but an observer receives in a round of `c` clients, `n`
/// members, `m` sealed seeds per contribution, quorum `q` and `d` coordinates.
pub fn participant_max(c: u64, n: u64, m: u64, q: u64, d: u64) -> u64 {
    let shard = 8 * d + 32_893 + 312 * m + SLACK;
    let list = (76 + 312 * m) * c + SLACK;
    let partial = 8 * d + 308;
    let result = result_len(q, d) + 224 * n;
    let announcement = (c + n + 1) * 256 + SLACK;
    [shard, list, partial, result, announcement].into_iter().max().unwrap_or(0)
}

/// The largest message a node in `observer` position (or not) receives in the round `ann`
/// announces.
pub fn max_message_len(ann: &Announcement, observer: bool) -> u64 {
    let c = ann.roster.len() as u64;
    let n = ann.committee.len() as u64;
    let d = u64::from(ann.params.dimension);
    // A committee the parameters refuse never gets this far (the announcement is refused);
    // n-of-n is the fallback.
    let (m, q) = ann
        .params
        .committee(ann.committee.len())
        .map_or((n, n), |k| (k.sealed_seed_count() as u64, u64::from(k.quorum_size())));
    let p = participant_max(c, n, m, q, d);
    if observer { p.max(head_len(c, m, d)).max(entry_len(m, d)) } else { p }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_a_real_round() {
        use chacha20::ChaCha20Rng;
        use gradseal_clsc::Kgc;
        use gradseal_core::Codec;
        use gradseal_protocol::sim::{self, RoundPlan};
        use gradseal_protocol::{GradsealSuite, GradsealSystem, Message, RoundId, ShardLayout};
        use rand_core::SeedableRng;

        let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed([6; 32]));
        let key = |label: &str, i: usize| {
            let seed = gradseal_core::hash(
                "gradseal/v1/node/test/key",
                &[label.as_bytes(), &[u8::try_from(i).unwrap()]],
            );
            crate::keyfile::enrol_locally(
                &kgc,
                &format!("{label}-{i}"),
                &mut ChaCha20Rng::from_seed(seed),
            )
            .unwrap()
        };
        let (c, k, d) = (4usize, 3usize, 100usize);
        let plan = RoundPlan {
            round: RoundId(1),
            clients: c,
            members: k,
            privacy_threshold: u32::try_from(k - 1).unwrap(),
            relays: 2,
            layout: ShardLayout { data: 2, parity: 1 },
            dimension: u32::try_from(d).unwrap(),
            bits: 16,
            min_clients: 2,
        };
        let sys = GradsealSystem { kgc: *kgc.public() };
        let seed = |_: &str, i: usize| [u8::try_from(i).unwrap(); 32];
        let mut s =
            sim::build::<GradsealSuite>(&plan, &sys, key, seed, vec![vec![7; d]; c]).unwrap();
        s.log = Some(Vec::new());
        assert!(s.run(100_000));
        let mut largest = std::collections::BTreeMap::new();
        for m in s.log.take().unwrap() {
            let kind = Message::from_bytes(&m.payload).unwrap().kind();
            let e = largest.entry(kind).or_insert(0u64);
            *e = (*e).max(m.payload.len() as u64);
        }
        // n-of-n: m = k sealed seeds, quorum q = k.
        let (c, k, d) = (c as u64, k as u64, d as u64);
        assert_eq!(largest[&5], 8 * d + 308);
        assert_eq!(largest[&3], head_len(c, k, d));
        assert_eq!(largest[&11], entry_len(k, d));
        assert_eq!(largest[&8], result_len(k, d));
        assert_eq!(largest[&9], 113);
        assert_eq!(largest[&10], 45 + 72 * k);
        // Every kind but the head fits the participant bound (an entry is a shard's whole
        // envelope plus 1 byte, within the shard bound's slack); the head, for observers
        // only, has its own term in their bound.
        for (kind, len) in &largest {
            if *kind != 3 {
                assert!(*len <= participant_max(c, k, k, k, d), "kind {kind}: {len}");
            }
        }
    }

    #[test]
    fn the_headline_round_is_bounded_but_allowed() {
        // 100 clients x 10^5 at k = 3: the head is 0.85 MB (the 83 MB of bodies went to the
        // observer entry by entry), the result 0.8 MB (the partials by reference).
        let t = head_len(100, 3, 100_000);
        assert!(t > 800_000 && t < 900_000, "{t}");
        assert!(result_len(3, 100_000) < 802_000);
        assert!(participant_max(100, 3, 3, 3, 100_000) < 4_000_000);
        // (5, 2): 30 sealed seeds, quorum 4.
        assert!(participant_max(100, 5, 30, 4, 100_000) < 5_000_000);
    }
}
