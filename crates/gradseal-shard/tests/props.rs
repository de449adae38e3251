//! Property tests: decode returns the payload exactly when at least k valid shards remain,
//! and a typed error otherwise, never a wrong payload.
#![allow(clippy::cast_possible_truncation, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_core::Codec;
use gradseal_shard::{
    Manifest, Params, ShardError, ShardRejection, decode, decode_bytes, decode_verified, encode,
};
use proptest::prelude::*;

/// What happens to one shard on its way.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Kept,
    Lost,
    FlipData(usize),
    FlipProof(usize),
    WrongIndex(u16),
    Truncate(usize),
    Duplicated,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        4 => Just(Fate::Kept),
        2 => Just(Fate::Lost),
        1 => any::<usize>().prop_map(Fate::FlipData),
        1 => any::<usize>().prop_map(Fate::FlipProof),
        1 => any::<u16>().prop_map(Fate::WrongIndex),
        1 => any::<usize>().prop_map(Fate::Truncate),
        1 => Just(Fate::Duplicated),
    ]
}

fn case() -> impl Strategy<Value = (u16, u16, Vec<u8>, Vec<Fate>, u64)> {
    (1u16..=12, 0u16..=6).prop_flat_map(|(k, m)| {
        (
            Just(k),
            Just(m),
            prop::collection::vec(any::<u8>(), 0..3000),
            prop::collection::vec(fate(), usize::from(k + m)),
            any::<u64>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn decode_is_exact_or_typed((k, m, payload, fates, seed) in case()) {
        // Small stripes so that several stripes occur even for small payloads.
        let params = Params::new(k, m).unwrap().with_max_stripe_size(1 + (seed % 97) as u32).unwrap();
        let (manifest, shards) = encode(&params, &payload).unwrap();
        prop_assert_eq!(Manifest::from_bytes(&manifest.to_bytes()).unwrap(), manifest.clone());
        let mut received: Vec<Vec<u8>> = Vec::new();
        let mut intact = std::collections::BTreeSet::new();
        for (shard, fate) in shards.iter().zip(&fates) {
            let mut bytes = shard.to_bytes();
            match *fate {
                Fate::Kept => { intact.insert(shard.index()); }
                Fate::Lost => continue,
                Fate::Duplicated => { intact.insert(shard.index()); received.push(bytes.clone()); }
                Fate::FlipData(at) => { let l = bytes.len(); let d = shard.data().len(); bytes[l - d + at % d] ^= 1 << (at % 8); }
                Fate::FlipProof(at) => {
                    let p = shard.proof().len() * 32;
                    if p == 0 { continue; }
                    bytes[3 + at % p] ^= 1;
                }
                Fate::WrongIndex(i) => {
                    if i == shard.index() { intact.insert(i); }
                    bytes[..2].copy_from_slice(&i.to_be_bytes());
                }
                Fate::Truncate(at) => { let l = bytes.len(); bytes.truncate(at % l); }
            }
            received.push(bytes);
        }
        // Shuffle deterministically.
        let mut state = seed | 1;
        for i in (1..received.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            received.swap(i, (state % (i as u64 + 1)) as usize);
        }
        // Every rejected item is named once, in input order, and holds bytes that the relay
        // check refuses (or a conflicting copy of a verified index).
        let blame_ok = |r: &gradseal_shard::DecodeReport| {
            r.rejected.windows(2).all(|w| w[0].position < w[1].position)
                && r.rejected.iter().all(|x| {
                    x.reason == ShardRejection::ConflictingDuplicate
                        || manifest.verify_shard_bytes(&received[x.position]).is_err()
                })
        };
        // The items the relay check accepts, checked one by one on arrival, decode to the
        // same outcome without being hashed again.
        let verified: Vec<_> =
            received.iter().filter_map(|b| manifest.verify_owned(b.clone()).ok()).collect();
        let pre = decode_verified(&manifest, &verified, Vec::new());
        match decode_bytes(&manifest, &received) {
            Ok(out) => {
                prop_assert!(intact.len() >= usize::from(k));
                prop_assert!(blame_ok(&out.report));
                let missing: Vec<u16> = (0..k + m).filter(|i| !intact.contains(i)).collect();
                let pre = pre.unwrap();
                prop_assert_eq!(&pre.payload, &payload);
                prop_assert_eq!(&pre.report.missing, &missing);
                prop_assert_eq!(pre.report.duplicates, out.report.duplicates);
                prop_assert!(pre.report.rejected.is_empty());
                prop_assert_eq!(out.payload, payload);
                prop_assert_eq!(out.report.missing, missing);
            }
            Err(ShardError::NotEnoughShards { valid, needed, report }) => {
                prop_assert!(blame_ok(&report));
                let pre_valid = match pre {
                    Err(ShardError::NotEnoughShards { valid, .. }) => valid,
                    other => { prop_assert!(false, "pre-checked decode gave {other:?}"); 0 }
                };
                prop_assert_eq!(pre_valid, valid);
                prop_assert_eq!(valid, intact.len());
                prop_assert_eq!(needed, usize::from(k));
                prop_assert!(valid < needed);
            }
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
    }

    #[test]
    fn relay_check_matches_decoder(k in 1u16..6, m in 0u16..4, payload in prop::collection::vec(any::<u8>(), 0..500), flip in any::<usize>()) {
        let (manifest, shards) = encode(&Params::new(k, m).unwrap(), &payload).unwrap();
        for s in &shards {
            prop_assert!(manifest.verify_shard(&s.as_ref()).is_ok());
            let mut bytes = s.to_bytes();
            let i = flip % bytes.len();
            bytes[i] ^= 0x80;
            prop_assert!(manifest.verify_shard_bytes(&bytes).is_err());
        }
    }
}

#[test]
fn any_k_shards_decode() {
    // (An issuer committing to a non-codeword is covered by the negative vectors.)
    let payload: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let (manifest, shards) = encode(&Params::new(3, 2).unwrap(), &payload).unwrap();
    for skip in 0..5usize {
        let subset: Vec<_> = shards
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip && *i != (skip + 1) % 5)
            .map(|(_, s)| s.as_ref())
            .collect();
        assert_eq!(decode(&manifest, subset).unwrap().payload, payload);
    }
}

#[test]
fn wrong_manifest_rejects_everything() {
    let (m1, shards) = encode(&Params::new(2, 1).unwrap(), b"first payload").unwrap();
    let (m2, _) = encode(&Params::new(2, 1).unwrap(), b"other payload").unwrap();
    assert_eq!(m1.shard_size(), m2.shard_size());
    let err = decode(&m2, shards.iter().map(|s| s.as_ref())).unwrap_err();
    match err {
        ShardError::NotEnoughShards { valid: 0, needed: 2, report } => {
            assert_eq!(report.invalid, vec![0, 1, 2]);
            assert!(report.rejected.iter().all(|r| r.reason == ShardRejection::NotAuthentic));
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn shards_checked_against_another_manifest_are_not_used() {
    let (m1, shards1) = encode(&Params::new(2, 1).unwrap(), b"first payload").unwrap();
    let (m2, shards2) = encode(&Params::new(2, 1).unwrap(), b"other payload").unwrap();
    let checked1: Vec<_> = shards1.iter().map(|s| m1.verify_owned(s.to_bytes()).unwrap()).collect();
    let checked2: Vec<_> = shards2.iter().map(|s| m2.verify_owned(s.to_bytes()).unwrap()).collect();
    // m1's shards offered for m2: rejected as not authentic, whatever index they claim.
    let err = decode_verified(&m2, &checked1, Vec::new()).unwrap_err();
    match err {
        ShardError::NotEnoughShards { valid: 0, needed: 2, report } => {
            assert_eq!(report.invalid, vec![0, 1, 2]);
            let positions: Vec<usize> = report.rejected.iter().map(|r| r.position).collect();
            assert_eq!(positions, vec![0, 1, 2]);
            assert!(report.rejected.iter().all(|r| r.reason == ShardRejection::NotAuthentic));
        }
        e => panic!("{e:?}"),
    }
    // Mixed: m2's own shard 2 and m1's shards 0-1 give m2 one valid index, not two.
    let mixed = [&checked1[0], &checked2[2], &checked1[1]];
    match decode_verified(&m2, mixed, Vec::new()).unwrap_err() {
        ShardError::NotEnoughShards { valid: 1, report, .. } => {
            assert_eq!(report.missing, vec![0, 1]);
            let positions: Vec<usize> = report.rejected.iter().map(|r| r.position).collect();
            assert_eq!(positions, vec![0, 2]);
        }
        e => panic!("{e:?}"),
    }
    // With a copy of index 2 and m2's shard 0, m2 decodes; the copy counts as a duplicate.
    let out =
        decode_verified(&m2, [&checked2[2], &checked1[0], &checked2[0], &checked2[2]], Vec::new())
            .unwrap();
    assert_eq!(out.payload, b"other payload");
    assert_eq!(out.report.duplicates, 1);
    assert_eq!(out.report.missing, vec![1]);
    // A bad shard never becomes a VerifiedShard.
    let mut bad = shards2[0].to_bytes();
    *bad.last_mut().unwrap() ^= 1;
    assert!(m2.verify_owned(bad).is_err());
}

#[test]
fn large_payload_parallel_roundtrip() {
    let payload: Vec<u8> =
        (0..(3 << 20) + 17).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let (manifest, shards) = encode(&Params::new(10, 4).unwrap(), &payload).unwrap();
    assert!(manifest.stripes() >= 2);
    let kept: Vec<_> = shards
        .iter()
        .filter(|s| ![0u16, 3, 7, 12].contains(&s.index()))
        .map(|s| s.as_ref())
        .collect();
    let out = decode(&manifest, kept).unwrap();
    assert_eq!(out.payload, payload);
    assert_eq!(out.report.missing, vec![0, 3, 7, 12]);
}

#[test]
fn recycled_buffers_give_identical_output() {
    let a: Vec<u8> = (0..50_000u32).map(|i| (i * 7) as u8).collect();
    let b: Vec<u8> = (0..20_001u32).map(|i| (i * 13 + 1) as u8).collect();
    let params = Params::new(4, 3).unwrap().with_max_stripe_size(1000).unwrap();
    let (_, first) = encode(&params, &a).unwrap();
    let fresh = encode(&params, &b).unwrap();
    let reused = gradseal_shard::encode_reusing(&params, &b, first).unwrap();
    assert_eq!(fresh, reused);
    let (_, small) = encode(&params, &b[..10]).unwrap();
    assert_eq!(
        encode(&params, &a).unwrap(),
        gradseal_shard::encode_reusing(&params, &a, small).unwrap()
    );
}

#[test]
fn recycled_payload_buffer_gives_identical_output() {
    let p: Vec<u8> = (0..30_011u32).map(|i| (i * 11 + 3) as u8).collect();
    let params = Params::new(5, 3).unwrap().with_max_stripe_size(700).unwrap();
    let (manifest, shards) = encode(&params, &p).unwrap();
    let dirty = vec![0xAAu8; 100_000];
    let kept = || shards.iter().skip(3).map(|s| s.as_ref());
    let out = gradseal_shard::decode_reusing(&manifest, kept(), dirty).unwrap();
    assert_eq!(out, decode(&manifest, kept()).unwrap());
    let out2 = gradseal_shard::decode_reusing(&manifest, kept(), vec![1u8; 10]).unwrap();
    assert_eq!(out2.payload, p);
}
