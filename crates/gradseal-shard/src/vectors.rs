//! Deterministic test-vector generator for `spec/vectors/shard.json` (feature `vectors`).
//!
//! Positive cases record every intermediate (chunk digests, leaves, root, manifest and its
//! digest, every shard); negative cases (Wycheproof style) record the bytes and the error
//! the code must return.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::cast_possible_truncation)]

use crate::encode::{authenticate, encode_layout};
use crate::hashing;
use crate::{Manifest, Params, Shard, ShardError, ShardRejection, decode_bytes, encode};
use chacha20::ChaCha20Rng;
use gradseal_core::Codec;
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
    Params::new(k, m).unwrap().with_max_stripe_size(VECTOR_MAX_STRIPE).unwrap()
}

fn positive(tc: u64, k: u16, m: u16, len: usize, comment: &str) -> Value {
    let p = payload(tc, len);
    let (manifest, shards) = encode(&params(k, m), &p).unwrap();
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
        "maxStripeSize": VECTOR_MAX_STRIPE,
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
    json!({
        "tcId": tc,
        "comment": comment,
        "flags": [flag],
        "operation": op,
        "error": error,
        "manifest": hex::encode(manifest),
        "shards": shards.iter().map(hex::encode).collect::<Vec<_>>(),
        "result": "invalid",
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
    let short = Shard::with_parts(1, shards[1].proof().to_vec(), shards[1].data()[1..].to_vec());
    push(
        "shard 1 re-encoded with one data byte removed",
        "WrongShardSize",
        vs,
        "WrongSize",
        &mb,
        &[short.to_bytes()],
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

    let d = "decode";
    push(
        "three valid shards and one corrupted, k = 4",
        "TooFewShards",
        d,
        "NotEnoughShards",
        &mb,
        &[wire[0].clone(), wire[5].clone(), wire[3].clone(), set_index(&wire[1], 2)],
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
    let doc = json!({
        "algorithm": "gradseal-shard v1: reed-solomon-erasure GF(2^8) systematic Vandermonde, TurboSHAKE128 chunk digests, SHA3-256 Merkle tree",
        "spec": "spec/shard.md",
        "generator": "cargo run -p gradseal-shard --features vectors --example shard_vectors -- --write",
        "positive": positives,
        "negative": negatives(1000),
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
    let m = Manifest::from_bytes(manifest).map_err(|_| "Malformed")?;
    match op {
        "decodeManifest" => Ok(()),
        "verifyShard" => {
            let s = shards.first().ok_or("no shard")?;
            m.verify_shard_bytes(s).map(|_| ()).map_err(|e| error_name(&e))
        }
        "decode" => decode_bytes(&m, shards).map(|_| ()).map_err(|e| error_name(&e)),
        _ => Err("unknown operation"),
    }
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
