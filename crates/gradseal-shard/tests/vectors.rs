//! spec/vectors/shard.json: (1) the committed file is exactly what the generator makes,
//! (2) parsed independently, every positive case is reproduced intermediate by
//! intermediate (chunk digests, leaves, root and parity recomputed here from the spec, not
//! through the crate), and every negative case is rejected with the recorded error.
#![allow(clippy::cast_possible_truncation, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_core::{Codec, hash};
use gradseal_shard::tags::{TAG_CHUNK, TAG_EMPTY, TAG_LEAF, TAG_NODE};
use gradseal_shard::{
    Manifest, Params, ShardError, ShardRef, ShardRejection, decode_bytes, encode,
};
use serde::Deserialize;
use turboshake::TurboShake128;
use turboshake::digest::{ExtendableOutput, Update};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/vectors/shard.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    algorithm: String,
    spec: String,
    generator: String,
    positive: Vec<Positive>,
    negative: Vec<Negative>,
}

#[derive(Deserialize, Debug, PartialEq, Eq)]
enum Outcome {
    #[serde(rename = "valid")]
    Valid,
    #[serde(rename = "invalid")]
    Invalid,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Positive {
    tc_id: u64,
    comment: String,
    flags: Vec<Flag>,
    k: u16,
    m: u16,
    max_stripe_size: u32,
    payload: String,
    stripe_size: u32,
    stripes: u64,
    shard_size: u64,
    chunk_digests: Vec<Vec<String>>,
    leaves: Vec<String>,
    root: String,
    manifest: String,
    manifest_digest: String,
    shards: Vec<String>,
    result: Outcome,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    BitFlipData,
    BitFlipProof,
    WrongIndex,
    IndexOutOfRange,
    OtherRoot,
    TruncatedShard,
    WrongShardSize,
    WrongProofLength,
    TrailingBytes,
    PayloadLenAltered,
    TooManyShards,
    ZeroDataShards,
    ManifestLengthMismatch,
    ManifestVersion,
    NonCanonicalEmpty,
    TruncatedManifest,
    TooFewShards,
    InconsistentCodeword,
    NonZeroPadding,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
enum Operation {
    VerifyShard,
    DecodeManifest,
    Decode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Negative {
    tc_id: u64,
    comment: String,
    flags: Vec<Flag>,
    operation: Operation,
    error: String,
    manifest: String,
    shards: Vec<String>,
    result: Outcome,
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn chunk_digest(index: usize, stripe: usize, chunk: &[u8]) -> [u8; 32] {
    let mut h = TurboShake128::default();
    h.update(&(TAG_CHUNK.len() as u32).to_be_bytes());
    h.update(TAG_CHUNK.as_bytes());
    h.update(&(index as u16).to_be_bytes());
    h.update(&(stripe as u64).to_be_bytes());
    h.update(&(chunk.len() as u64).to_be_bytes());
    h.update(chunk);
    let mut out = [0u8; 32];
    h.finalize_xof_into(&mut out);
    out
}

fn merkle_root(mut level: Vec<[u8; 32]>) -> [u8; 32] {
    let width = level.len().next_power_of_two();
    level.resize(width, hash(TAG_EMPTY, &[]));
    while level.len() > 1 {
        level = level.chunks(2).map(|p| hash(TAG_NODE, &[&p[0], &p[1]])).collect();
    }
    level[0]
}

fn check_positive(c: &Positive) {
    assert_eq!(c.result, Outcome::Valid);
    assert!(c.flags.is_empty());
    let payload = unhex(&c.payload);
    let params = Params::new(c.k, c.m).unwrap().with_max_stripe_size(c.max_stripe_size).unwrap();
    let (manifest, shards) = encode(&params, &payload).unwrap();
    assert_eq!(hex::encode(manifest.to_bytes()), c.manifest, "tc {}", c.tc_id);
    assert_eq!(hex::encode(manifest.digest()), c.manifest_digest);
    assert_eq!(hex::encode(manifest.root()), c.root);
    assert_eq!(shards.iter().map(|s| hex::encode(s.to_bytes())).collect::<Vec<_>>(), c.shards);

    // Independently: the manifest bytes, field by field (spec "Manifest").
    let mb = unhex(&c.manifest);
    assert_eq!(mb.len(), 57);
    assert_eq!(mb[0], 1);
    assert_eq!(u64::from_be_bytes(mb[1..9].try_into().unwrap()), payload.len() as u64);
    assert_eq!(u16::from_be_bytes(mb[9..11].try_into().unwrap()), c.k);
    assert_eq!(u16::from_be_bytes(mb[11..13].try_into().unwrap()), c.m);
    assert_eq!(u32::from_be_bytes(mb[13..17].try_into().unwrap()), c.stripe_size);
    assert_eq!(u64::from_be_bytes(mb[17..25].try_into().unwrap()), c.shard_size);
    assert_eq!(hex::encode(&mb[25..]), c.root);
    let (k, n, cs) = (usize::from(c.k), usize::from(c.k + c.m), c.stripe_size as usize);
    assert_eq!(c.stripes, (payload.len() as u64).div_ceil(k as u64 * cs as u64).max(1));
    assert_eq!(c.shard_size, c.stripes * cs as u64);

    // Shards: parse, data layout (striped payload), parity by reed-solomon-erasure.
    let wire: Vec<Vec<u8>> = c.shards.iter().map(|s| unhex(s)).collect();
    let refs: Vec<ShardRef<'_>> = wire.iter().map(|w| ShardRef::parse(w).unwrap()).collect();
    assert_eq!(refs.len(), n);
    let mut padded = payload.clone();
    padded.resize(c.stripes as usize * k * cs, 0);
    for s in 0..c.stripes as usize {
        for j in 0..k {
            assert_eq!(&refs[j].data()[s * cs..(s + 1) * cs], &padded[(s * k + j) * cs..][..cs]);
        }
        if c.m > 0 {
            let rs = reed_solomon_erasure::galois_8::ReedSolomon::new(k, usize::from(c.m)).unwrap();
            let mut stripe: Vec<Vec<u8>> =
                refs.iter().map(|r| r.data()[s * cs..(s + 1) * cs].to_vec()).collect();
            assert!(rs.verify(&stripe).unwrap());
            stripe[k..].iter_mut().for_each(|p| p.fill(0));
            rs.encode(&mut stripe).unwrap();
            for (i, p) in stripe.iter().enumerate().skip(k) {
                assert_eq!(&refs[i].data()[s * cs..(s + 1) * cs], &p[..]);
            }
        }
    }

    // Chunk digests, leaves and root recomputed from the spec.
    let header = &mb[..25];
    let mut leaves = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        assert_eq!(usize::from(r.index()), i);
        let d: Vec<[u8; 32]> =
            r.data().chunks(cs).enumerate().map(|(s, ch)| chunk_digest(i, s, ch)).collect();
        assert_eq!(d.iter().map(hex::encode).collect::<Vec<_>>(), c.chunk_digests[i]);
        let leaf = hash(TAG_LEAF, &[header, &(i as u16).to_be_bytes(), d.as_flattened()]);
        assert_eq!(hex::encode(leaf), c.leaves[i]);
        leaves.push(leaf);
    }
    assert_eq!(hex::encode(merkle_root(leaves)), c.root);
    let digest = hash("gradseal/v1/shard/manifest", &[&mb]);
    assert_eq!(hex::encode(digest), c.manifest_digest);

    // Decoding from the last k shards, reversed, gives the payload back.
    let m = Manifest::from_bytes(&mb).unwrap();
    let subset: Vec<&Vec<u8>> = wire.iter().rev().take(k).collect();
    assert_eq!(decode_bytes(&m, &subset).unwrap().payload, payload);
    for r in &refs {
        m.verify_shard(r).unwrap();
    }
}

fn name(e: &ShardError) -> &'static str {
    match e {
        ShardError::Decode(_) | ShardError::Rejected(ShardRejection::Malformed(_)) => "Malformed",
        ShardError::Rejected(ShardRejection::NotAuthentic) => "NotAuthentic",
        ShardError::Rejected(ShardRejection::IndexOutOfRange) => "IndexOutOfRange",
        ShardError::Rejected(ShardRejection::WrongSize) => "WrongSize",
        ShardError::Rejected(ShardRejection::WrongProofLength) => "WrongProofLength",
        ShardError::NotEnoughShards { .. } => "NotEnoughShards",
        ShardError::Inconsistent => "Inconsistent",
        other => panic!("unexpected error {other:?}"),
    }
}

fn check_negative(c: &Negative) {
    assert_eq!(c.result, Outcome::Invalid);
    assert_eq!(c.flags.len(), 1, "tc {}", c.tc_id);
    let mb = unhex(&c.manifest);
    let shards: Vec<Vec<u8>> = c.shards.iter().map(|s| unhex(s)).collect();
    let got = match (c.operation, Manifest::from_bytes(&mb)) {
        (Operation::DecodeManifest, m) => {
            assert!(m.is_err(), "tc {} ({}): manifest accepted", c.tc_id, c.comment);
            "Malformed"
        }
        (_, Err(e)) => panic!("tc {}: manifest rejected: {e}", c.tc_id),
        (Operation::VerifyShard, Ok(m)) => {
            assert_eq!(shards.len(), 1);
            name(&m.verify_shard_bytes(&shards[0]).unwrap_err())
        }
        (Operation::Decode, Ok(m)) => name(&decode_bytes(&m, &shards).unwrap_err()),
    };
    assert_eq!(got, c.error, "tc {} ({})", c.tc_id, c.comment);
}

#[test]
fn committed_file_matches_generator() {
    let committed = std::fs::read_to_string(PATH).expect("spec/vectors/shard.json");
    assert!(
        committed == gradseal_shard::vectors::generate(),
        "spec/vectors/shard.json is stale: run the generator with --write"
    );
}

#[test]
fn every_case_checks() {
    let file: File = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    assert!(
        file.algorithm.contains("TurboSHAKE128")
            && file.spec == "spec/shard.md"
            && !file.generator.is_empty()
    );
    let mut ids = std::collections::BTreeSet::new();
    for c in &file.positive {
        assert!(ids.insert(c.tc_id) && !c.comment.is_empty());
        check_positive(c);
    }
    for c in &file.negative {
        assert!(ids.insert(c.tc_id) && !c.comment.is_empty());
        check_negative(c);
    }
    assert!(file.positive.len() >= 20, "positive cases ran: {}", file.positive.len());
    assert!(file.negative.len() >= 15, "negative cases ran: {}", file.negative.len());
}

/// GF(2^8) multiplication modulo x^8 + x^4 + x^3 + x^2 + 1 (0x11D), bit by bit.
fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1D;
        }
        b >>= 1;
    }
    p
}

fn gf_inv(a: u8) -> u8 {
    (1..=255u8).find(|&b| gf_mul(a, b) == 1).unwrap()
}

/// The systematic matrix of spec/shard.md section 3, built from its rules alone.
fn spec_matrix(k: usize, n: usize) -> Vec<Vec<u8>> {
    let pow = |r: u8, c: usize| (0..c).fold(1u8, |acc, _| gf_mul(acc, r));
    let v: Vec<Vec<u8>> = (0..n).map(|r| (0..k).map(|c| pow(r as u8, c)).collect()).collect();
    // Invert the top k x k block by Gauss-Jordan elimination.
    let mut a: Vec<Vec<u8>> = (0..k)
        .map(|r| {
            let mut row = v[r].clone();
            row.extend((0..k).map(|c| u8::from(c == r)));
            row
        })
        .collect();
    for col in 0..k {
        let piv = (col..k).find(|&r| a[r][col] != 0).unwrap();
        a.swap(col, piv);
        let s = gf_inv(a[col][col]);
        a[col].iter_mut().for_each(|x| *x = gf_mul(*x, s));
        for r in 0..k {
            if r != col && a[r][col] != 0 {
                let f = a[r][col];
                let pivot_row = a[col].clone();
                a[r].iter_mut().zip(pivot_row).for_each(|(x, p)| *x ^= gf_mul(f, p));
            }
        }
    }
    let inv: Vec<Vec<u8>> = a.into_iter().map(|row| row[k..].to_vec()).collect();
    (0..n)
        .map(|r| {
            (0..k).map(|c| (0..k).fold(0u8, |acc, t| acc ^ gf_mul(v[r][t], inv[t][c]))).collect()
        })
        .collect()
}

#[test]
fn gf_convention_reproduces_parity() {
    assert_eq!(spec_matrix(2, 3)[2], vec![3, 2], "worked example of spec/shard.md");
    for (k, m) in [(1usize, 1usize), (2, 1), (3, 5), (4, 2), (10, 4), (32, 16), (200, 56)] {
        let e = spec_matrix(k, k + m);
        for (r, row) in e.iter().enumerate().take(k) {
            assert!(row.iter().enumerate().all(|(c, &x)| x == u8::from(c == r)), "systematic");
        }
        let data: Vec<Vec<u8>> =
            (0..k).map(|j| (0..16).map(|t| (j * 37 + t * 11 + 5) as u8).collect()).collect();
        let mut shards = data.clone();
        shards.extend((0..m).map(|_| vec![0u8; 16]));
        reed_solomon_erasure::galois_8::ReedSolomon::new(k, m)
            .unwrap()
            .encode(&mut shards)
            .unwrap();
        for p in k..k + m {
            let want: Vec<u8> = (0..16)
                .map(|t| (0..k).fold(0u8, |acc, j| acc ^ gf_mul(e[p][j], data[j][t])))
                .collect();
            assert_eq!(shards[p], want, "(k, m) = ({k}, {m}), parity row {p}");
        }
    }
}
