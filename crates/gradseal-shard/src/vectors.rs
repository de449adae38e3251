//! Deterministic test-vector generator for `spec/vectors/shard.json` (feature `vectors`).
//!
//! Positive cases record every intermediate (chunk digests, leaves, root, manifest and its
//! digest, every shard); negative cases (Wycheproof style) record the bytes and the error
//! the code must return.
// Offline generator of fixed cases (feature `vectors`, used by the vector test and the
// generator example only): indexing its own fixtures, like the tests, may panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

use crate::encode::{authenticate, encode_layout};
use crate::hashing;
use crate::layout::Layout;
use crate::{
    DEFAULT_MAX_STRIPE_SIZE, DecodeReport, MAX_PAYLOAD_LEN, MAX_STRIPE_SIZE, Manifest, Params,
    Shard, ShardError, ShardRejection, decode_bytes, encode,
};
use chacha20::ChaCha20Rng;
use gradseal_core::Codec;
use gradseal_core::DecodeError;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};

/// Stripe cap used by every vector, so the odd-sized payload spans several stripes.
pub const VECTOR_MAX_STRIPE: u32 = 128;
/// The "large odd" payload size.
pub const LARGE_ODD: usize = 5003;

fn payload(tc: u64, len: usize) -> Vec<u8> {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&tc.to_be_bytes());
    let mut rng = ChaCha20Rng::from_seed(seed);
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

/// Chunk digests of one shard, in stripe order (hidden helper for the vector test).
pub fn chunk_digests(manifest: &Manifest, shard: &Shard) -> Vec<[u8; 32]> {
    hashing::shard_chunk_digests(manifest.layout(), &[(shard.index().into(), shard.data())])
        .pop()
        .unwrap_or_default()
}

fn params(k: u16, m: u16) -> Params {
    capped(k, m, VECTOR_MAX_STRIPE)
}

fn capped(k: u16, m: u16, cap: u32) -> Params {
    Params::new(k, m).unwrap().with_max_stripe_size(cap).unwrap()
}

fn positive(tc: u64, k: u16, m: u16, len: usize, comment: &str) -> Value {
    positive_capped(tc, k, m, VECTOR_MAX_STRIPE, len, comment)
}

fn positive_capped(tc: u64, k: u16, m: u16, cap: u32, len: usize, comment: &str) -> Value {
    let p = payload(tc, len);
    let (manifest, shards) = encode(&capped(k, m, cap), &p).unwrap();
    let header = manifest.header();
    let digests: Vec<Vec<[u8; 32]>> = shards.iter().map(|s| chunk_digests(&manifest, s)).collect();
    let leaves: Vec<String> = digests
        .iter()
        .enumerate()
        .map(|(i, d)| hex::encode(hashing::leaf(&header, i, d)))
        .collect();
    json!({
        "tcId": tc,
        "comment": comment,
        "flags": [],
        "k": k,
        "m": m,
        "maxStripeSize": cap,
        "payload": hex::encode(&p),
        "stripeSize": manifest.stripe_size(),
        "stripes": manifest.stripes(),
        "shardSize": manifest.shard_size(),
        "chunkDigests": digests.iter().map(|d| d.iter().map(hex::encode).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "leaves": leaves,
        "root": hex::encode(manifest.root()),
        "manifest": hex::encode(manifest.to_bytes()),
        "manifestDigest": hex::encode(manifest.digest()),
        "shards": shards.iter().map(|s| hex::encode(s.to_bytes())).collect::<Vec<_>>(),
        "result": "valid",
    })
}

fn negative(
    tc: u64,
    comment: &str,
    flag: &str,
    op: &str,
    error: &str,
    manifest: &[u8],
    shards: &[Vec<u8>],
) -> Value {
    let mut v = json!({
        "tcId": tc,
        "comment": comment,
        "flags": [flag],
        "operation": op,
        "error": error,
        "manifest": hex::encode(manifest),
        "shards": shards.iter().map(hex::encode).collect::<Vec<_>>(),
        "result": "invalid",
    });
    // What the code reports, recorded so the file names the blamed item and the field.
    let outcome = outcome(op, manifest, shards);
    assert_eq!(outcome.as_ref().map_err(error_name).err(), Some(error), "{comment}");
    if let Some(obj) = v.as_object_mut() {
        match &outcome {
            Err(ShardError::Decode(e) | ShardError::Rejected(ShardRejection::Malformed(e))) => {
                obj.insert("decodeError".into(), decode_error_json(e));
            }
            Err(ShardError::NotEnoughShards { report, .. }) => {
                obj.insert("report".into(), report_json(report));
            }
            _ => {}
        }
    }
    v
}

/// Runs one vector's operation (the manifest is decoded first for every operation).
fn outcome(
    op: &str,
    manifest: &[u8],
    shards: &[Vec<u8>],
) -> Result<Option<DecodeReport>, ShardError> {
    let m = Manifest::from_bytes(manifest)?;
    match op {
        "decodeManifest" => Ok(None),
        "verifyShard" => {
            m.verify_shard_bytes(shards.first().map_or(&[][..], Vec::as_slice))?;
            Ok(None)
        }
        _ => decode_bytes(&m, shards).map(|d| Some(d.report)),
    }
}

/// `{kind, field}` of a decoding error (the variant of `gradseal_core::DecodeError`).
pub fn decode_error_parts(e: &DecodeError) -> (&'static str, &'static str) {
    match *e {
        DecodeError::Truncated { field } => ("Truncated", field),
        DecodeError::TrailingBytes { field, .. } => ("TrailingBytes", field),
        DecodeError::LengthTooLarge { field, .. } => ("LengthTooLarge", field),
        DecodeError::LengthMismatch { field, .. } => ("LengthMismatch", field),
        DecodeError::NonCanonical { field } => ("NonCanonical", field),
        DecodeError::InvalidValue { field } => ("InvalidValue", field),
        DecodeError::UnknownTag { field, .. } => ("UnknownTag", field),
        _ => ("Other", ""),
    }
}

fn decode_error_json(e: &DecodeError) -> Value {
    let (kind, field) = decode_error_parts(e);
    json!({ "kind": kind, "field": field })
}

/// A decode report as the vector file records it.
pub fn report_json(r: &DecodeReport) -> Value {
    json!({
        "missing": r.missing,
        "invalid": r.invalid,
        "rejected": r.rejected.iter().map(|x| json!({
            "position": x.position,
            "index": x.index,
            "reason": rejection_name(&x.reason),
        })).collect::<Vec<_>>(),
        "duplicates": r.duplicates,
    })
}

/// The name the vector file uses for an error (what the test compares).
pub fn error_name(e: &ShardError) -> &'static str {
    match e {
        ShardError::Decode(_) => "Malformed",
        ShardError::Rejected(r) => rejection_name(r),
        ShardError::NotEnoughShards { .. } => "NotEnoughShards",
        ShardError::Inconsistent => "Inconsistent",
        ShardError::InvalidParams(_) => "InvalidParams",
        ShardError::PayloadTooLarge { .. } => "PayloadTooLarge",
        ShardError::Coding => "Coding",
    }
}

/// The name the vector file uses for a rejection reason.
pub fn rejection_name(r: &ShardRejection) -> &'static str {
    match r {
        ShardRejection::Malformed(_) => "Malformed",
        ShardRejection::IndexOutOfRange => "IndexOutOfRange",
        ShardRejection::WrongSize => "WrongSize",
        ShardRejection::WrongProofLength => "WrongProofLength",
        ShardRejection::NotAuthentic => "NotAuthentic",
        ShardRejection::ConflictingDuplicate => "ConflictingDuplicate",
    }
}

/// The 57-byte manifest encoding of the given header fields (spec §5.1).
fn manifest_bytes(
    len: u64,
    k: u16,
    m: u16,
    stripe: u32,
    shard_size: u64,
    root: &[u8; 32],
) -> Vec<u8> {
    let mut w = gradseal_core::Writer::new();
    w.put_u8(crate::MANIFEST_VERSION);
    w.put_u64(len);
    w.put_u16(k);
    w.put_u16(m);
    w.put_u32(stripe);
    w.put_u64(shard_size);
    w.put_bytes(root);
    w.into_bytes()
}

/// The shard with a ninth (zero) proof sibling.
fn nine_siblings(s: &Shard) -> Vec<u8> {
    let mut proof = s.proof().to_vec();
    proof.resize(9, [0; 32]);
    Shard::with_parts(s.index(), proof, s.data().to_vec()).to_bytes()
}

/// The shard re-encoded with its first data byte removed.
fn short_shard(s: &Shard) -> Vec<u8> {
    Shard::with_parts(s.index(), s.proof().to_vec(), s.data()[1..].to_vec()).to_bytes()
}

fn set_index(bytes: &[u8], index: u16) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[..2].copy_from_slice(&index.to_be_bytes());
    b
}

fn negatives(first_tc: u64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut tc = first_tc;
    let mut push = |comment: &str, flag: &str, op: &str, error: &str, m: &[u8], s: &[Vec<u8>]| {
        out.push(negative(tc, comment, flag, op, error, m, s));
        tc += 1;
    };
    let p = payload(1000, LARGE_ODD);
    let (manifest, shards) = encode(&params(4, 2), &p).unwrap();
    let mb = manifest.to_bytes();
    let wire: Vec<Vec<u8>> = shards.iter().map(Codec::to_bytes).collect();
    let vs = "verifyShard";

    let mut flipped = wire[2].clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    push(
        "one bit flipped in the last data byte of shard 2",
        "BitFlipData",
        vs,
        "NotAuthentic",
        &mb,
        &[flipped],
    );
    let mut flipped = wire[5].clone();
    flipped[3] ^= 0x80;
    push(
        "one bit flipped in the first proof sibling of shard 5",
        "BitFlipProof",
        vs,
        "NotAuthentic",
        &mb,
        &[flipped],
    );
    push(
        "shard 1 relabelled as index 0",
        "WrongIndex",
        vs,
        "NotAuthentic",
        &mb,
        &[set_index(&wire[1], 0)],
    );
    push(
        "shard 3 relabelled as index 6 (k + m = 6)",
        "IndexOutOfRange",
        vs,
        "IndexOutOfRange",
        &mb,
        &[set_index(&wire[3], 6)],
    );
    let (_, other) = encode(&params(4, 2), &payload(1001, LARGE_ODD)).unwrap();
    push(
        "shard 0 of another payload with the same shape (proof for another root)",
        "OtherRoot",
        vs,
        "NotAuthentic",
        &mb,
        &[other[0].to_bytes()],
    );
    push(
        "shard 4 truncated by one byte",
        "TruncatedShard",
        vs,
        "Malformed",
        &mb,
        &[wire[4][..wire[4].len() - 1].to_vec()],
    );
    push(
        "shard 1 re-encoded with one data byte removed",
        "WrongShardSize",
        vs,
        "WrongSize",
        &mb,
        &[short_shard(&shards[1])],
    );
    let longer =
        Shard::with_parts(1, [shards[1].proof(), &[[0u8; 32]]].concat(), shards[1].data().to_vec());
    push(
        "shard 1 with an extra proof sibling",
        "WrongProofLength",
        vs,
        "WrongProofLength",
        &mb,
        &[longer.to_bytes()],
    );
    let mut trailing = wire[0].clone();
    trailing.push(0);
    push("shard 0 followed by a trailing byte", "TrailingBytes", vs, "Malformed", &mb, &[trailing]);
    push(
        "shard 1 with 9 proof siblings (above the maximum of 8)",
        "TooManySiblings",
        vs,
        "Malformed",
        &mb,
        &[nine_siblings(&shards[1])],
    );
    let mut bad_len = mb.clone();
    bad_len[8] ^= 0x01; // payload length 5003 -> 5002: same stripes, leaves bind the header
    push(
        "manifest payload length changed by one (shard sizes still consistent)",
        "PayloadLenAltered",
        vs,
        "NotAuthentic",
        &bad_len,
        &[wire[0].clone()],
    );

    let dm = "decodeManifest";
    let mut too_many = mb.clone();
    too_many[9..13].copy_from_slice(&[0, 200, 0, 57]);
    push("manifest with k + m = 257", "TooManyShards", dm, "Malformed", &too_many, &[]);
    let mut zero_k = mb.clone();
    zero_k[9..11].copy_from_slice(&[0, 0]);
    push("manifest with k = 0", "ZeroDataShards", dm, "Malformed", &zero_k, &[]);
    let mut mismatch = mb.clone();
    mismatch[24] ^= 0x01;
    push(
        "manifest shard size inconsistent with length, k and stripe size",
        "ManifestLengthMismatch",
        dm,
        "Malformed",
        &mismatch,
        &[],
    );
    let mut version = mb.clone();
    version[0] = 2;
    push("manifest version 2", "ManifestVersion", dm, "Malformed", &version, &[]);
    let (empty, _) = encode(&params(2, 1), &[]).unwrap();
    let mut nc = empty.to_bytes();
    nc[16] = 2;
    nc[24] = 2;
    push(
        "empty payload with stripe size 2 (must be 1)",
        "NonCanonicalEmpty",
        dm,
        "Malformed",
        &nc,
        &[],
    );
    let mut long = mb.clone();
    long.push(0);
    push("manifest followed by a trailing byte", "TrailingBytes", dm, "Malformed", &long, &[]);
    push("manifest truncated", "TruncatedManifest", dm, "Malformed", &mb[..mb.len() - 1], &[]);
    let root = [0x5a; 32];
    push(
        "payload length 2^40 + 1",
        "PayloadTooLong",
        dm,
        "Malformed",
        &manifest_bytes(MAX_PAYLOAD_LEN + 1, 1, 0, MAX_STRIPE_SIZE, 1 << 20, &root),
        &[],
    );
    push(
        "stripe size 0",
        "ZeroStripeSize",
        dm,
        "Malformed",
        &manifest_bytes(5003, 4, 2, 0, 0, &root),
        &[],
    );
    push(
        "stripe size 2^20 + 1",
        "StripeSizeTooLarge",
        dm,
        "Malformed",
        &manifest_bytes(1 << 30, 1, 0, MAX_STRIPE_SIZE + 1, (1 << 30) + 1023, &root),
        &[],
    );
    push(
        "payload 2^40 at k = 1, stripe 2^20: shard size 2^40 > 2^32 - 1",
        "ShardSizeTooLarge",
        dm,
        "Malformed",
        &manifest_bytes(MAX_PAYLOAD_LEN, 1, 0, MAX_STRIPE_SIZE, MAX_PAYLOAD_LEN, &root),
        &[],
    );
    // (4, 2), L = 5003: P = 1251 and the encoder's C = 126 (10 stripes); C = 127 also gives
    // 10 stripes, so it is unbalanced: more padding than the encoder ever makes.
    let unbalanced = manifest_bytes(5003, 4, 2, 127, 1270, &root);
    assert!(Layout::from_header(5003, 4, 2, 126, 1260).is_ok());
    push(
        "(4, 2), L = 5003, stripe 127 (10 stripes, as with the balanced 126)",
        "UnbalancedStripe",
        dm,
        "Malformed",
        &unbalanced,
        &[],
    );
    push(
        "(1, 0), L = 100000, stripe 50000: balanced, above max(4096, P/8) = 12500",
        "StripeAboveSplitBound",
        dm,
        "Malformed",
        &manifest_bytes(100_000, 1, 0, 50_000, 100_000, &root),
        &[],
    );

    let d = "decode";
    push(
        "three valid shards and one corrupted, k = 4",
        "TooFewShards",
        d,
        "NotEnoughShards",
        &mb,
        &[wire[0].clone(), wire[5].clone(), wire[3].clone(), set_index(&wire[1], 2)],
    );
    let mut flipped = wire[2].clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    push(
        "one valid shard among items rejected at every stage; report in input order",
        "TooFewShards",
        d,
        "NotEnoughShards",
        &mb,
        &[
            flipped,
            short_shard(&shards[1]),
            vec![0xff, 0xff, 0x00],
            wire[0].clone(),
            nine_siblings(&shards[3]),
            set_index(&wire[4], 7),
        ],
    );
    // An issuer that commits to shards that are not one codeword: parity shard 4 altered,
    // then the tree rebuilt over the altered set.
    let layout = *manifest.layout();
    let mut bufs: Vec<Vec<u8>> = shards.iter().map(|s| s.data().to_vec()).collect();
    bufs[4][7] ^= 0x55;
    let jobs: Vec<(usize, &[u8])> =
        bufs.iter().enumerate().map(|(i, b)| (i, b.as_slice())).collect();
    let digests = hashing::shard_chunk_digests(&layout, &jobs);
    let (bad_m, bad_s) = authenticate(layout, bufs, &digests);
    let bad_wire: Vec<Vec<u8>> = bad_s.iter().map(Codec::to_bytes).collect();
    push(
        "issuer committed to a non-codeword (parity 4 altered); all shards received",
        "InconsistentCodeword",
        d,
        "Inconsistent",
        &bad_m.to_bytes(),
        &bad_wire,
    );
    push(
        "issuer committed to a non-codeword; exactly k shards including the altered one",
        "InconsistentCodeword",
        d,
        "Inconsistent",
        &bad_m.to_bytes(),
        &bad_wire[1..5],
    );
    // An issuer whose padding is not zero.
    let mut padded = p.clone();
    padded.resize(layout.stripes * layout.stripe_payload(), 0);
    if let Some(x) = padded.last_mut() {
        *x = 1;
    }
    let (pad_m, pad_s) = encode_layout(layout, &padded).unwrap();
    let pad_wire: Vec<Vec<u8>> = pad_s.iter().map(Codec::to_bytes).collect();
    push(
        "issuer committed to shards with non-zero padding",
        "NonZeroPadding",
        d,
        "Inconsistent",
        &pad_m.to_bytes(),
        &pad_wire,
    );
    out
}

/// Decodes that succeed despite bad, duplicated or conflicting items: the payload and the
/// report (who is blamed for what) are recorded.
fn reports(first_tc: u64) -> Vec<Value> {
    let p = payload(1000, LARGE_ODD);
    let (manifest, shards) = encode(&params(4, 2), &p).unwrap();
    let mb = manifest.to_bytes();
    let wire: Vec<Vec<u8>> = shards.iter().map(Codec::to_bytes).collect();
    let mut flipped1 = wire[1].clone();
    let last = flipped1.len() - 1;
    flipped1[last] ^= 0x01;
    let mut flipped3 = wire[3].clone();
    flipped3[last] ^= 0x01;
    let cases: Vec<(&str, &str, Vec<Vec<u8>>)> = vec![
        (
            "all six shards, shards 2 and 5 received twice (exact copies)",
            "Duplicates",
            vec![
                wire[0].clone(),
                wire[2].clone(),
                wire[1].clone(),
                wire[2].clone(),
                wire[3].clone(),
                wire[4].clone(),
                wire[5].clone(),
                wire[5].clone(),
            ],
        ),
        (
            "shard 1 verified, then a corrupted copy of it (conflicting, not hashed)",
            "ConflictingDuplicate",
            vec![wire[0].clone(), wire[1].clone(), wire[2].clone(), wire[3].clone(), flipped1],
        ),
        (
            "a corrupted copy of shard 3 first, then the genuine one",
            "CorruptedThenGenuine",
            vec![flipped3, wire[0].clone(), wire[1].clone(), wire[2].clone(), wire[3].clone()],
        ),
        (
            "rejections at every stage before k valid shards; report in input order",
            "MixedRejections",
            vec![
                wire[4].clone(),
                set_index(&wire[4], 6),
                short_shard(&shards[5]),
                wire[0].clone(),
                vec![0x00],
                nine_siblings(&shards[2]),
                wire[5].clone(),
                wire[1].clone(),
            ],
        ),
    ];
    cases
        .into_iter()
        .zip(first_tc..)
        .map(|((comment, flag, items), tc)| {
            let out = decode_bytes(&manifest, &items).unwrap();
            assert_eq!(out.payload, p);
            json!({
                "tcId": tc,
                "comment": comment,
                "flags": [flag],
                "manifest": hex::encode(&mb),
                "shards": items.iter().map(hex::encode).collect::<Vec<_>>(),
                "payload": hex::encode(&p),
                "report": report_json(&out.report),
                "result": "valid",
            })
        })
        .collect()
}

/// The encoder's layout for a payload of `len` bytes: `(C, S, Z)` (hidden helper for the
/// vector test; no payload is needed).
///
/// # Errors
/// As [`encode`] for a payload of that length.
pub fn layout(params: &Params, len: usize) -> Result<(u32, u64, u64), ShardError> {
    let l = Layout::choose(params, len)?;
    Ok((l.stripe as u32, l.stripes as u64, l.shard_size as u64))
}

/// The stripe-size rule at sizes too large for full vectors: the encoder's `(C, S, Z)`.
fn layouts(first_tc: u64) -> Vec<Value> {
    let cases: [(u16, u16, u32, u64, &str); 10] = [
        (1, 0, DEFAULT_MAX_STRIPE_SIZE, 10_000, "P = 10000: t = 4096, 3 balanced stripes"),
        (1, 0, DEFAULT_MAX_STRIPE_SIZE, 100_000, "P = 100000: t = P/8 = 12500, 8 stripes"),
        (4, 2, DEFAULT_MAX_STRIPE_SIZE, 1_000_003, "P = 250001: t = 31251, 8 stripes"),
        (1, 0, DEFAULT_MAX_STRIPE_SIZE, 1 << 20, "P = 2^20: the 64 KiB cap, 16 stripes"),
        (10, 4, DEFAULT_MAX_STRIPE_SIZE, 10_000_019, "P = 1000002: 64 KiB cap, balanced to 62501"),
        (1, 0, MAX_STRIPE_SIZE, 1 << 26, "cap 2^20: P/8 = 2^23 capped to 2^20"),
        (128, 0, DEFAULT_MAX_STRIPE_SIZE, 1 << 38, "L = 2^38 at k = 128: shards of 2^31 bytes"),
        (1, 0, MAX_STRIPE_SIZE, 1 << 33, "shard size 2^33 > 2^32 - 1: refused"),
        (
            200,
            56,
            DEFAULT_MAX_STRIPE_SIZE,
            MAX_PAYLOAD_LEN,
            "L = 2^40 at k = 200: shards above 2^32 - 1, refused",
        ),
        (1, 0, DEFAULT_MAX_STRIPE_SIZE, MAX_PAYLOAD_LEN + 1, "L > 2^40: refused"),
    ];
    cases
        .into_iter()
        .zip(first_tc..)
        .map(|((k, m, cap, len, comment), tc)| {
            let mut v = json!({
                "tcId": tc,
                "comment": comment,
                "k": k,
                "m": m,
                "maxStripeSize": cap,
                "payloadLen": len,
            });
            let obj = v.as_object_mut().unwrap();
            match layout(&capped(k, m, cap), usize::try_from(len).unwrap()) {
                Ok((c, stripes, z)) => {
                    obj.insert("stripeSize".into(), json!(c));
                    obj.insert("stripes".into(), json!(stripes));
                    obj.insert("shardSize".into(), json!(z));
                    obj.insert("result".into(), json!("valid"));
                }
                Err(e) => {
                    obj.insert("error".into(), json!(error_name(&e)));
                    obj.insert("result".into(), json!("invalid"));
                }
            }
            v
        })
        .collect()
}

/// The vector file, as pretty JSON (deterministic).
pub fn generate() -> String {
    let mut positives = Vec::new();
    let mut tc = 1u64;
    for (k, m) in [(1u16, 0u16), (1, 2), (2, 1), (4, 2), (10, 4), (3, 5)] {
        let mut sizes = vec![
            (0usize, "empty payload"),
            (1, "one byte"),
            (usize::from(k) - 1, "k - 1 bytes"),
            (usize::from(k), "k bytes"),
            (LARGE_ODD, "large odd payload, several stripes"),
        ];
        sizes.dedup_by_key(|s| s.0);
        for (len, what) in sizes {
            positives.push(positive(tc, k, m, len, &format!("({k}, {m}), {what}")));
            tc += 1;
        }
    }
    positives.push(positive(tc, 200, 56, 1000, "(200, 56): k + m = 256, depth-8 proofs"));
    positives.push(positive_capped(
        tc + 1,
        2,
        1,
        DEFAULT_MAX_STRIPE_SIZE,
        10_000,
        "(2, 1), 10000 bytes, default cap: P = 5000, t = 4096, 2 balanced stripes of 2500",
    ));
    let doc = json!({
        "algorithm": "gradseal-shard v1: reed-solomon-erasure GF(2^8) systematic Vandermonde, TurboSHAKE128 chunk digests, SHA3-256 Merkle tree",
        "spec": "spec/shard.md",
        "generator": "cargo run -p gradseal-shard --features vectors --example shard_vectors -- --write",
        "positive": positives,
        "negative": negatives(1000),
        "reports": reports(2000),
        "layouts": layouts(3000),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap();
    s.push('\n');
    s
}

/// Fuzz seed files derived from the vectors: `(target, name, bytes)`.
pub fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, (k, m, len)) in
        [(1u16, 0u16, 0usize), (2, 1, 7), (4, 2, 300), (3, 5, 1000)].into_iter().enumerate()
    {
        let (manifest, shards) = encode(&params(k, m), &payload(2000 + i as u64, len)).unwrap();
        let mb = manifest.to_bytes();
        out.push(("shard_manifest", format!("manifest-{i}"), mb.clone()));
        for s in shards.iter().take(2) {
            out.push(("shard_shard", format!("shard-{i}-{}", s.index()), s.to_bytes()));
        }
        // decode target input: u8 k, u8 m, u16 payload length, then a list of operations
        // (see fuzz/fuzz_targets/shard_decode.rs); a plain seed keeps every shard.
        let mut seed = vec![k as u8, m as u8];
        seed.extend_from_slice(&(len as u16).to_be_bytes());
        out.push(("shard_decode", format!("decode-{i}"), seed));
    }
    out
}

/// Checks that the decoder's behaviour on one negative vector matches its expectation;
/// used by the test to make sure the generator itself is right.
pub fn check_negative(op: &str, manifest: &[u8], shards: &[Vec<u8>]) -> Result<(), &'static str> {
    outcome(op, manifest, shards).map(|_| ()).map_err(|e| error_name(&e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_negative_is_rejected_as_recorded() {
        let doc: serde_json::Value = serde_json::from_str(&super::generate()).unwrap();
        for case in doc["negative"].as_array().unwrap() {
            let hexes = |v: &serde_json::Value| hex::decode(v.as_str().unwrap()).unwrap();
            let shards: Vec<Vec<u8>> =
                case["shards"].as_array().unwrap().iter().map(hexes).collect();
            let got = super::check_negative(
                case["operation"].as_str().unwrap(),
                &hexes(&case["manifest"]),
                &shards,
            );
            assert_eq!(got, Err(case["error"].as_str().unwrap()), "{}", case["comment"]);
        }
    }
}
