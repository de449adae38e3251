//! spec/vectors/shard.json: (1) the committed file is exactly what the generator makes,
//! (2) parsed independently, every positive case is reproduced intermediate by
//! intermediate (chunk digests, leaves, root and parity recomputed here from the spec, not
//! through the crate), and every negative case is rejected with the recorded error.
#![allow(clippy::cast_possible_truncation, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_core::{Codec, hash};
use gradseal_shard::tags::{TAG_CHUNK, TAG_EMPTY, TAG_LEAF, TAG_NODE};
use gradseal_shard::{
    Manifest, Params, ShardError, ShardRef, ShardRejection, decode_bytes, decode_verified, encode,
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
    reports: Vec<ReportCase>,
    layouts: Vec<LayoutCase>,
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
    TooManySiblings,
    PayloadLenAltered,
    PayloadTooLong,
    ZeroStripeSize,
    StripeSizeTooLarge,
    ShardSizeTooLarge,
    UnbalancedStripe,
    StripeAboveSplitBound,
    TooManyShards,
    ZeroDataShards,
    ManifestLengthMismatch,
    ManifestVersion,
    NonCanonicalEmpty,
    TruncatedManifest,
    TooFewShards,
    InconsistentCodeword,
    NonZeroPadding,
    Duplicates,
    ConflictingDuplicate,
    CorruptedThenGenuine,
    MixedRejections,
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
    decode_error: Option<DecodeErrorParts>,
    report: Option<Report>,
    manifest: String,
    shards: Vec<String>,
    result: Outcome,
}

#[derive(Deserialize, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct DecodeErrorParts {
    kind: String,
    field: String,
}

#[derive(Deserialize, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Report {
    missing: Vec<u16>,
    invalid: Vec<u16>,
    rejected: Vec<RejectedItem>,
    duplicates: usize,
}

#[derive(Deserialize, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct RejectedItem {
    position: usize,
    index: Option<u16>,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ReportCase {
    tc_id: u64,
    comment: String,
    flags: Vec<Flag>,
    manifest: String,
    shards: Vec<String>,
    payload: String,
    report: Report,
    result: Outcome,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LayoutCase {
    tc_id: u64,
    comment: String,
    k: u16,
    m: u16,
    max_stripe_size: u32,
    payload_len: u64,
    stripe_size: Option<u32>,
    stripes: Option<u64>,
    shard_size: Option<u64>,
    error: Option<String>,
    result: Outcome,
}

/// The report as the file spells it (reasons by name).
fn report_of(r: &gradseal_shard::DecodeReport) -> Report {
    Report {
        missing: r.missing.clone(),
        invalid: r.invalid.clone(),
        rejected: r
            .rejected
            .iter()
            .map(|x| RejectedItem {
                position: x.position,
                index: x.index,
                reason: gradseal_shard::vectors::rejection_name(&x.reason).to_string(),
            })
            .collect(),
        duplicates: r.duplicates,
    }
}

fn parts(e: &gradseal_core::DecodeError) -> DecodeErrorParts {
    let (kind, field) = gradseal_shard::vectors::decode_error_parts(e);
    DecodeErrorParts { kind: kind.into(), field: field.into() }
}

/// Every item's position in input order, each once: the report's promised order.
fn assert_input_order(r: &Report) {
    assert!(r.rejected.windows(2).all(|w| w[0].position < w[1].position), "{r:?}");
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
    let verified: Vec<_> = subset.iter().map(|w| m.verify_owned((*w).clone()).unwrap()).collect();
    assert_eq!(decode_verified(&m, &verified, Vec::new()).unwrap().payload, payload);
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
    let err = match (c.operation, Manifest::from_bytes(&mb)) {
        (Operation::DecodeManifest, m) => {
            ShardError::Decode(m.expect_err(&format!("tc {}: manifest accepted", c.tc_id)))
        }
        (_, Err(e)) => panic!("tc {}: manifest rejected: {e}", c.tc_id),
        (Operation::VerifyShard, Ok(m)) => {
            assert_eq!(shards.len(), 1);
            m.verify_shard_bytes(&shards[0]).unwrap_err()
        }
        (Operation::Decode, Ok(m)) => {
            let err = decode_bytes(&m, &shards).unwrap_err();
            // From the items the relay check accepts, the pre-checked decoder fails the same
            // way (the rejected items are simply not offered to it).
            let verified: Vec<_> =
                shards.iter().filter_map(|s| m.verify_owned(s.clone()).ok()).collect();
            let again = decode_verified(&m, &verified, Vec::new()).unwrap_err();
            assert_eq!(name(&again), name(&err), "tc {}", c.tc_id);
            if let (
                ShardError::NotEnoughShards { valid: a, report: ra, .. },
                ShardError::NotEnoughShards { valid: b, report: rb, .. },
            ) = (&err, &again)
            {
                assert_eq!((a, &ra.missing), (b, &rb.missing), "tc {}", c.tc_id);
            }
            err
        }
    };
    assert_eq!(name(&err), c.error, "tc {} ({})", c.tc_id, c.comment);
    // The recorded detail: the decoding error's kind and field, or the report naming every
    // rejected item.
    match &err {
        ShardError::Decode(e) | ShardError::Rejected(ShardRejection::Malformed(e)) => {
            assert_eq!(c.decode_error.as_ref(), Some(&parts(e)), "tc {}", c.tc_id);
            assert!(c.report.is_none());
        }
        ShardError::NotEnoughShards { report, valid, needed } => {
            let r = c.report.as_ref().expect("NotEnoughShards records the report");
            assert_eq!(&report_of(report), r, "tc {}", c.tc_id);
            assert_input_order(r);
            assert!(valid < needed);
            assert!(c.decode_error.is_none());
        }
        _ => assert!(c.decode_error.is_none() && c.report.is_none(), "tc {}", c.tc_id),
    }
}

fn check_report(c: &ReportCase) {
    assert_eq!(c.result, Outcome::Valid);
    assert_eq!(c.flags.len(), 1);
    let m = Manifest::from_bytes(&unhex(&c.manifest)).unwrap();
    let shards: Vec<Vec<u8>> = c.shards.iter().map(|s| unhex(s)).collect();
    let out = decode_bytes(&m, &shards).unwrap();
    assert_eq!(out.payload, unhex(&c.payload), "tc {}", c.tc_id);
    let verified: Vec<_> = shards.iter().filter_map(|s| m.verify_owned(s.clone()).ok()).collect();
    let again = decode_verified(&m, &verified, Vec::new()).unwrap();
    assert_eq!(again.payload, out.payload, "tc {}", c.tc_id);
    assert_eq!(again.report.missing, out.report.missing, "tc {}", c.tc_id);
    assert_eq!(again.report.duplicates, out.report.duplicates, "tc {}", c.tc_id);
    assert_eq!(report_of(&out.report), c.report, "tc {} ({})", c.tc_id, c.comment);
    assert_input_order(&c.report);
    // Blame is per item: every rejected position holds bytes that are not a committed shard.
    for r in &c.report.rejected {
        assert!(
            m.verify_shard_bytes(&shards[r.position]).is_err()
                || r.reason == "ConflictingDuplicate"
        );
    }
}

/// The stripe-size rule of spec/shard.md §1, written from the spec alone.
fn spec_layout(k: u64, cap: u64, len: u64) -> Option<(u64, u64, u64)> {
    if len > 1 << 40 {
        return None;
    }
    let c = if len == 0 {
        1
    } else {
        let p = len.div_ceil(k);
        let t = cap.min(p).min(4096u64.max(p.div_ceil(8)));
        p.div_ceil(p.div_ceil(t))
    };
    let s = len.div_ceil(k * c).max(1);
    (s * c <= u64::from(u32::MAX)).then_some((c, s, s * c))
}

/// The decoder's canonical-stripe rule of spec/shard.md §1, from the spec alone.
fn spec_canonical(k: u64, len: u64, c: u64) -> bool {
    if len == 0 {
        return c == 1;
    }
    let p = len.div_ceil(k);
    c <= 4096u64.max(p.div_ceil(8)) && p.div_ceil(p.div_ceil(c)) == c
}

fn header(len: u64, k: u16, m: u16, c: u64, z: u64) -> Vec<u8> {
    let mut b = vec![1u8];
    b.extend_from_slice(&len.to_be_bytes());
    b.extend_from_slice(&k.to_be_bytes());
    b.extend_from_slice(&m.to_be_bytes());
    b.extend_from_slice(&(c as u32).to_be_bytes());
    b.extend_from_slice(&z.to_be_bytes());
    b.extend_from_slice(&[7; 32]);
    b
}

fn check_layout(c: &LayoutCase) {
    let params = Params::new(c.k, c.m).unwrap().with_max_stripe_size(c.max_stripe_size).unwrap();
    let crate_layout = usize::try_from(c.payload_len)
        .map_err(|_| ShardError::PayloadTooLarge { len: c.payload_len })
        .and_then(|len| gradseal_shard::vectors::layout(&params, len));
    let spec = spec_layout(u64::from(c.k), u64::from(c.max_stripe_size), c.payload_len);
    match (&c.result, spec) {
        (Outcome::Valid, Some((cs, s, z))) => {
            assert_eq!(
                (c.stripe_size, c.stripes, c.shard_size),
                (Some(cs as u32), Some(s), Some(z))
            );
            assert_eq!(crate_layout.unwrap(), (cs as u32, s, z), "tc {}", c.tc_id);
            // The decoder accepts the encoder's choice and, around it, exactly the stripe
            // sizes the spec's canonical rule allows.
            Manifest::from_bytes(&header(c.payload_len, c.k, c.m, cs, z)).unwrap();
            for other in [cs - 1, cs + 1].into_iter().filter(|&o| o >= 1) {
                let s2 = c.payload_len.div_ceil(u64::from(c.k) * other).max(1);
                let z2 = s2 * other;
                let ok = Manifest::from_bytes(&header(c.payload_len, c.k, c.m, other, z2)).is_ok();
                let fits = (1..=1 << 20).contains(&other) && z2 <= u64::from(u32::MAX);
                assert_eq!(ok, fits && spec_canonical(u64::from(c.k), c.payload_len, other));
            }
        }
        (Outcome::Invalid, None) => {
            assert_eq!(c.error.as_deref(), Some("PayloadTooLarge"));
            assert!(matches!(crate_layout, Err(ShardError::PayloadTooLarge { .. })));
        }
        _ => panic!("tc {}: the spec's rule and the file disagree", c.tc_id),
    }
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
    for c in &file.reports {
        assert!(ids.insert(c.tc_id) && !c.comment.is_empty());
        check_report(c);
    }
    for c in &file.layouts {
        assert!(ids.insert(c.tc_id) && !c.comment.is_empty());
        check_layout(c);
    }
    assert!(file.reports.len() >= 4 && file.layouts.len() >= 8);
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
