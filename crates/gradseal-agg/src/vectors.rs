//! Deterministic test vectors (`spec/vectors/agg.json`) and fuzz seeds derived from them.
//!
//! One round (d = 5, B = 8, k = 2, two clients), every party with its own fixed ChaCha20 seed:
//! member i uses `[0x10 + i; 32]` for its key and then its partial decryption, client c uses
//! `[0x20 + c; 32]` for encoding and then encryption. Large values appear as
//! `H(VECTOR_DIGEST, [bytes])`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // fixed inputs: a failure is a bug

use chacha20::ChaCha20Rng;
use gradseal_core::{Codec, Writer};
use rand_core::SeedableRng;
use serde_json::{Value, json};

use crate::*;

/// Everything the vector case computes, in order.
#[derive(Debug)]
pub struct Computed {
    /// Round parameters.
    pub params: RoundParams,
    /// Member seeds.
    pub member_seeds: Vec<[u8; 32]>,
    /// Key bodies.
    pub bodies: Vec<KeyBody>,
    /// Joint key.
    pub key: JointPublicKey,
    /// Client seeds.
    pub client_seeds: Vec<[u8; 32]>,
    /// Real-valued updates.
    pub updates: Vec<Vec<f32>>,
    /// Encoded integers per client.
    pub encoded: Vec<Vec<i64>>,
    /// Ciphertexts.
    pub ciphertexts: Vec<EncryptedUpdate>,
    /// The aggregate.
    pub aggregate: Aggregate,
    /// Partial decryptions.
    pub partials: Vec<PartialDecryption>,
    /// Decrypted sums.
    pub sum: DecryptedSum,
}

/// The round configuration of the vectors.
pub fn config() -> RoundConfig {
    let mut c = RoundConfig::new([0x11; 32], 5);
    c.bits = 8;
    c.max_clients = 4;
    c.committee_size = 2;
    c
}

/// The client updates of the vectors.
pub fn updates() -> Vec<Vec<f32>> {
    vec![vec![0.5, -0.25, 1.0, -1.0, 0.3], vec![2.0, -3.0, 0.0, 0.123, -0.777]]
}

/// Runs the round from the fixed seeds.
pub fn compute() -> Computed {
    let params = RoundParams::new(config()).unwrap();
    let member_seeds: Vec<[u8; 32]> = (0..2u8).map(|i| [0x10 + i; 32]).collect();
    let mut member_rngs: Vec<ChaCha20Rng> =
        member_seeds.iter().map(|s| ChaCha20Rng::from_seed(*s)).collect();
    let (shares, bodies): (Vec<_>, Vec<_>) = member_rngs
        .iter_mut()
        .enumerate()
        .map(|(i, rng)| KeyShare::generate(&params, u16::try_from(i).unwrap(), rng).unwrap())
        .unzip();
    let key = JointPublicKey::combine(&params, &bodies).unwrap();
    let client_seeds: Vec<[u8; 32]> = (0..2u8).map(|i| [0x20 + i; 32]).collect();
    let updates = updates();
    let mut encoded = Vec::new();
    let mut ciphertexts = Vec::new();
    for (seed, u) in client_seeds.iter().zip(&updates) {
        let mut rng = ChaCha20Rng::from_seed(*seed);
        let e = encode_update(&params, u, &mut rng).unwrap();
        encoded.push(e.to_signed(&params));
        ciphertexts.push(encrypt(&params, &key, &e, &mut rng).unwrap());
    }
    let aggregate = recompute_aggregate(&params, &ciphertexts).unwrap();
    let partials: Vec<_> = shares
        .into_iter()
        .zip(member_rngs.iter_mut())
        .map(|(s, rng)| s.partial_decrypt(&params, &aggregate, rng).unwrap())
        .collect();
    let sum = combine_partials(&params, &aggregate, &partials).unwrap();
    Computed {
        params,
        member_seeds,
        bodies,
        key,
        client_seeds,
        updates,
        encoded,
        ciphertexts,
        aggregate,
        partials,
        sum,
    }
}

/// `H(VECTOR_DIGEST, [bytes])` in hex.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(gradseal_core::hash(tags::VECTOR_DIGEST, &[bytes]))
}

fn head(words: &[u8]) -> Vec<String> {
    words.chunks_exact(8).take(4).map(hex::encode).collect()
}

/// The positive case as JSON.
fn positive(c: &Computed) -> Value {
    let cfg = c.params.config();
    let mask = c.params.public_mask();
    let mut mw = Writer::new();
    for x in &mask {
        mw.put_u64(*x);
    }
    let members: Vec<Value> = c
        .bodies
        .iter()
        .zip(&c.partials)
        .zip(&c.member_seeds)
        .map(|((b, p), seed)| {
            let bb = b.to_bytes();
            json!({
                "seed": hex::encode(seed),
                "keyBodyHead": head(&bb[35..]),
                "keyBodyDigest": digest(&bb),
                "partialDecryption": hex::encode(p.to_bytes()),
            })
        })
        .collect();
    let clients: Vec<Value> = c
        .client_seeds
        .iter()
        .zip(&c.updates)
        .zip(c.encoded.iter().zip(&c.ciphertexts))
        .map(|((seed, u), (e, ct))| {
            let bytes = ct.to_bytes();
            json!({
                "seed": hex::encode(seed),
                "update": u,
                "encoded": e,
                "ciphertextLen": bytes.len(),
                "ciphertextDigest": digest(&bytes),
            })
        })
        .collect();
    json!({
        "tcId": 1,
        "comment": "two clients, committee of two, 5 coordinates of 8 bits, no proofs",
        "roundConfig": {
            "roundId": hex::encode(cfg.round_id),
            "profile": cfg.profile.id(),
            "dimension": cfg.dimension,
            "listLen": cfg.list_len,
            "bits": cfg.bits,
            "clipBits": format!("{:08x}", cfg.clip.to_bits()),
            "minClients": cfg.min_clients,
            "maxClients": cfg.max_clients,
            "committeeSize": cfg.committee_size,
            "proofPolicy": 0,
        },
        "params": hex::encode(c.params.to_bytes()),
        "roundDigest": hex::encode(c.params.digest()),
        "deltaLog2": c.params.delta_log2(),
        "floodSigma": c.params.noise_budget().flood_sigma,
        "publicMaskHead": head(mw.as_slice()),
        "publicMaskDigest": digest(mw.as_slice()),
        "members": members,
        "jointKeyDigest": digest(&c.key.to_bytes()),
        "clients": clients,
        "aggregateCount": c.aggregate.count(),
        "aggregateDigest": digest(&c.aggregate.to_bytes()),
        "sums": c.sum.sums,
        "decodedSum": decode_sum(&c.params, &c.sum),
        "decodedMean": decode_mean(&c.params, &c.sum),
    })
}

/// A negative case: (type, flags, comment, input).
pub struct Negative {
    /// Decoder: `RoundParams`, `KeyBody`, `JointPublicKey`, `EncryptedUpdate`, `Aggregate`,
    /// `PartialDecryption`, `ListProof`, `Crs`.
    pub kind: &'static str,
    /// Flags from the closed set of `tests/vectors.rs`.
    pub flags: &'static [&'static str],
    /// What is wrong.
    pub comment: &'static str,
    /// The bytes.
    pub input: Vec<u8>,
}

fn with(bytes: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = bytes.to_vec();
    f(&mut v);
    v
}

fn params_bytes(f: impl FnOnce(&mut RoundConfig)) -> Vec<u8> {
    let mut c = config();
    f(&mut c);
    let mut w = Writer::new();
    w.put_u8(c.profile.id());
    w.put_bytes(&c.round_id);
    w.put_u32(c.dimension);
    w.put_u16(c.list_len);
    w.put_u8(c.bits);
    w.put_u32(c.clip.to_bits());
    w.put_u32(c.min_clients);
    w.put_u32(c.max_clients);
    w.put_u16(c.committee_size);
    w.put_u8(u8::from(c.proof_policy == ProofPolicy::EveryList));
    w.into_bytes()
}

/// The negative cases (Wycheproof style, all `invalid`).
pub fn negatives(c: &Computed) -> Vec<Negative> {
    let p = c.params.to_bytes();
    let part = c.partials[0].to_bytes();
    let kb = c.bodies[0].to_bytes();
    let ct = c.ciphertexts[0].to_bytes();
    let agg = c.aggregate.to_bytes();
    let n = |kind, flags, comment, input| Negative { kind, flags, comment, input };
    vec![
        n("RoundParams", &["Truncated"], "last byte missing", p[..p.len() - 1].to_vec()),
        n("RoundParams", &["TrailingBytes"], "one extra byte", with(&p, |v| v.push(0))),
        n("RoundParams", &["UnknownProfile"], "profile 2 does not exist", with(&p, |v| v[0] = 2)),
        n(
            "RoundParams",
            &["UnknownPolicy"],
            "proof policy 7",
            with(&p, |v| *v.last_mut().unwrap() = 7),
        ),
        n("RoundParams", &["InvalidParams"], "1-bit coordinates", params_bytes(|c| c.bits = 1)),
        n("RoundParams", &["InvalidParams"], "clip is NaN", params_bytes(|c| c.clip = f32::NAN)),
        n("RoundParams", &["InvalidParams"], "clip is -0.0", params_bytes(|c| c.clip = -0.0)),
        n(
            "RoundParams",
            &["InvalidParams"],
            "min_clients above max_clients",
            params_bytes(|c| c.min_clients = 5),
        ),
        n("RoundParams", &["InvalidParams"], "dimension 0", params_bytes(|c| c.dimension = 0)),
        n(
            "RoundParams",
            &["InvalidParams"],
            "list_len above n",
            params_bytes(|c| c.list_len = 2049),
        ),
        n(
            "RoundParams",
            &["InvalidParams"],
            "16 bits, 1000 clients, k = 3, 10^4 coordinates: flooding leaves too few bits",
            params_bytes(|c| {
                c.bits = 16;
                c.max_clients = 1000;
                c.committee_size = 3;
                c.dimension = 10_000;
            }),
        ),
        n("PartialDecryption", &["WrongRound"], "round digest altered", with(&part, |v| v[1] ^= 1)),
        n(
            "PartialDecryption",
            &["MemberOutOfRange"],
            "member 2 of a committee of 2",
            with(&part, |v| v[40] = 2),
        ),
        n(
            "PartialDecryption",
            &["BadDimension"],
            "dimension 0",
            with(&part, |v| v[33..37].copy_from_slice(&[0; 4])),
        ),
        n(
            "PartialDecryption",
            &["BadDimension"],
            "dimension 2^22 + 1",
            with(&part, |v| v[33..37].copy_from_slice(&((1u32 << 22) + 1).to_be_bytes())),
        ),
        n(
            "PartialDecryption",
            &["BadShape"],
            "list_len 0",
            with(&part, |v| v[37..39].copy_from_slice(&[0; 2])),
        ),
        n("PartialDecryption", &["Truncated"], "last word cut", part[..part.len() - 3].to_vec()),
        n(
            "PartialDecryption",
            &["TrailingBytes"],
            "one extra word",
            with(&part, |v| v.extend_from_slice(&[0; 8])),
        ),
        n("KeyBody", &["Truncated"], "header only", kb[..35].to_vec()),
        n("KeyBody", &["UnknownProfile"], "profile 0", with(&kb[..35], |v| v[0] = 0)),
        n("JointPublicKey", &["Truncated"], "header only", c.key.to_bytes()[..33].to_vec()),
        n(
            "EncryptedUpdate",
            &["Truncated"],
            "header and half a mask",
            ct[..39 + 8 * 1024].to_vec(),
        ),
        n("EncryptedUpdate", &["UnknownProfile"], "profile 255", with(&ct[..39], |v| v[0] = 255)),
        n("Aggregate", &["Truncated"], "header and count only", agg[..43].to_vec()),
        n(
            "ListProof",
            &["OversizedLength"],
            "length prefix above MAX_PROOF_BYTES",
            vec![0, 1, 0, 1, 0],
        ),
        n(
            "ListProof",
            &["InvalidProof"],
            "eight bytes of garbage",
            vec![0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8],
        ),
        n("Crs", &["BadShape"], "bits 30", vec![1, 0, 64, 30, 31, 0, 0, 0, 0]),
    ]
}

/// The pretty-printed JSON of `spec/vectors/agg.json`.
pub fn generate() -> String {
    let c = compute();
    let negative: Vec<Value> = negatives(&c)
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "tcId": i + 2,
                "comment": n.comment,
                "flags": n.flags,
                "type": n.kind,
                "input": hex::encode(&n.input),
                "result": "invalid",
            })
        })
        .collect();
    let doc = json!({
        "scheme": "gradseal-agg",
        "version": 1,
        "spec": "spec/agg.md",
        "digest": "H(\"gradseal/v1/agg/vector-digest\", [bytes]) with gradseal-core's framed SHA3-256",
        "profile": Profile::DEFAULT.name(),
        "positive": [positive(&c)],
        "negative": negative,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap();
    s.push('\n');
    s
}

/// Fuzz seeds: (target, file name, bytes), from the positive case and the negative inputs.
pub fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let c = compute();
    let mut out = vec![
        ("agg_params", "params".to_string(), c.params.to_bytes()),
        ("agg_joint_key", "joint-key".to_string(), c.key.to_bytes()),
        ("agg_aggregate", "aggregate".to_string(), c.aggregate.to_bytes()),
    ];
    for (i, b) in c.bodies.iter().enumerate() {
        out.push(("agg_key_body", format!("body-{i}"), b.to_bytes()));
    }
    for (i, ct) in c.ciphertexts.iter().enumerate() {
        out.push(("agg_update", format!("update-{i}"), ct.to_bytes()));
    }
    for (i, p) in c.partials.iter().enumerate() {
        out.push(("agg_partial", format!("partial-{i}"), p.to_bytes()));
    }
    for (i, n) in negatives(&c).into_iter().enumerate() {
        let target = match n.kind {
            "RoundParams" => "agg_params",
            "KeyBody" => "agg_key_body",
            "JointPublicKey" => "agg_joint_key",
            "EncryptedUpdate" => "agg_update",
            "Aggregate" => "agg_aggregate",
            "PartialDecryption" => "agg_partial",
            "ListProof" => "agg_proof",
            "Crs" => "agg_crs",
            _ => continue,
        };
        out.push((target, format!("negative-{}", i + 2), n.input));
    }
    out
}
