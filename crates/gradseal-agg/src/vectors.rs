//! Deterministic test vectors (`spec/vectors/agg.json`) and fuzz seeds derived from them.
//!
//! Each positive case is one round in which every party draws from its own ChaCha20Rng
//! (`chacha20::ChaCha20Rng::from_seed`, the 32-byte seed given in the file): client c encodes
//! and then encrypts with seed `[0x20 + c; 32]`, member j of the case's quorum floods with
//! seed `[0x10 + j; 32]`.
//! Values of n words appear as their first four words (`…Head`, big-endian hex) and
//! `H(VECTOR_DIGEST, [big-endian words])` (`…Digest`); short values appear in full.

// Offline generator of fixed cases (feature `vectors`, used by the vector test and the
// generator example only): fixed inputs, so a failure or an out-of-range index is a bug;
// indexing is left as written so the vector bytes cannot change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chacha20::ChaCha20Rng;
use gradseal_core::{Codec, DecodeError, Writer};
use rand_core::SeedableRng;
use serde_json::{Value, json};

use crate::encrypt::seeds_for;
use crate::ring::add_seed_expansion;
use crate::*;

/// A positive case: comment, configuration, real-valued updates and the decrypting quorum.
pub type Case = (&'static str, RoundConfig, Vec<Vec<f32>>, MemberSet);

/// The positive cases.
pub fn cases() -> Vec<Case> {
    let mut small = RoundConfig::new([0x11; 32], 5);
    small.bits = 8;
    small.min_clients = 2;
    small.max_clients = 4;
    small.committee_size = 2;
    small.privacy_threshold = 1;
    let mut two_polys = RoundConfig::new([0x12; 32], 4099);
    two_polys.max_clients = 10;
    let mut tofn = RoundConfig::new([0x13; 32], 6);
    tofn.bits = 8;
    tofn.min_clients = 2;
    tofn.max_clients = 4;
    (tofn.committee_size, tofn.privacy_threshold) = (5, 2);
    let wave = |c: usize| -> Vec<f32> {
        (0..4099).map(|i| (((i * 7 + c * 13) % 101) as f32 / 50.0) - 1.0).collect()
    };
    vec![
        (
            "d = 5 (one partly used polynomial), B = 8, k = 2 (2-of-2, f = 1), two clients",
            small,
            vec![vec![0.5, -0.25, 1.0, -1.0, 0.3], vec![2.0, -3.0, 0.0, 0.123, -0.777]],
            MemberSet::all(2),
        ),
        (
            "d = 4099 (a full polynomial and 3 coordinates of a second), B = 16, k = 3 (3-of-3, f = 2), three clients",
            two_polys,
            (0..3).map(wave).collect(),
            MemberSet::all(3),
        ),
        (
            "t-of-n: d = 6, B = 8, k = 5, f = 2 (10 sets, quorum size 4), three clients, member 2 absent: quorum {0, 1, 3, 4}",
            tofn,
            vec![
                vec![0.5, -0.5, 0.25, -0.25, 1.0, -1.0],
                vec![0.1, 0.2, 0.3, -0.4, -0.5, 0.6],
                vec![-0.75, 0.0, 0.75, 0.01, -0.01, 0.9],
            ],
            [0, 1, 3, 4].into_iter().collect(),
        ),
    ]
}

/// `H(VECTOR_DIGEST, [bytes])` in hex.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(gradseal_core::hash(tags::VECTOR_DIGEST, &[bytes]))
}

fn be(words: &[u64]) -> Vec<u8> {
    let mut w = Writer::with_capacity(words.len() * 8);
    for x in words {
        w.put_u64(*x);
    }
    w.into_bytes()
}

/// First four words and digest of a word vector.
fn summary(words: &[u64]) -> Value {
    json!({
        "head": words.iter().take(4).map(|x| hex::encode(x.to_be_bytes())).collect::<Vec<_>>(),
        "digest": digest(&be(words)),
    })
}

/// A word vector in full when short, as a summary otherwise.
fn words(words: &[u64]) -> Value {
    if words.len() <= 8 { json!(hex::encode(be(words))) } else { summary(words) }
}

/// Everything one positive case computes.
pub struct Computed {
    /// Round parameters.
    pub params: RoundParams,
    /// Per client: encoded signed integers, contribution, key seeds.
    pub clients: Vec<(Vec<i64>, Contribution, Vec<KeySeed>)>,
    /// The aggregate of every client.
    pub aggregate: Aggregate,
    /// The decrypting quorum.
    pub quorum: MemberSet,
    /// The partial decryption of every member of the quorum, in member order.
    pub partials: Vec<PartialDecryption>,
    /// The decrypted sum.
    pub sum: DecryptedSum,
}

/// Runs one round from the fixed seeds: every member adds every client, the members of
/// `quorum` decrypt.
pub fn compute(config: RoundConfig, updates: &[Vec<f32>], quorum: MemberSet) -> Computed {
    let params = RoundParams::new(config).unwrap();
    let clients: Vec<_> = updates
        .iter()
        .enumerate()
        .map(|(c, u)| {
            let mut rng = ChaCha20Rng::from_seed([0x20 + u8::try_from(c).unwrap(); 32]);
            let e = encode_update(&params, u, &mut rng).unwrap();
            let (contribution, seeds) = encrypt(&params, &e, &mut rng).unwrap();
            (e.to_signed(&params), contribution, seeds)
        })
        .collect();
    let list: Vec<&Contribution> = clients.iter().map(|c| &c.1).collect();
    let aggregate = recompute_aggregate(&params, &list).unwrap();
    let partials: Vec<_> = quorum
        .iter()
        .map(|j| {
            let mut share = MemberShare::new(&params, j).unwrap();
            for c in &clients {
                share.add_client(&seeds_for(&params, &c.2, j)).unwrap();
            }
            let mut rng = ChaCha20Rng::from_seed([0x10 + u8::try_from(j).unwrap(); 32]);
            share.partial_decrypt(&params, quorum, &mut rng).unwrap()
        })
        .collect();
    let sum = combine(&params, &aggregate, &partials).unwrap();
    Computed { params, clients, aggregate, quorum, partials, sum }
}

fn client_json(
    p: &RoundParams,
    index: usize,
    update: &[f32],
    c: &(Vec<i64>, Contribution, Vec<KeySeed>),
) -> Value {
    let (encoded, contribution, seeds) = c;
    let mut secret = contribution.correction.clone();
    let mut expansions = Vec::new();
    for seed in seeds {
        let mut r = vec![0u64; p.n()];
        add_seed_expansion(&mut r, p.digest(), seed.set(), seed.bytes());
        add_seed_expansion(&mut secret, p.digest(), seed.set(), seed.bytes());
        let holders = p.committee().holders(seed.set()).unwrap();
        expansions.push(json!({
            "set": seed.set(),
            "holders": holders.iter().collect::<Vec<_>>(),
            "seed": hex::encode(seed.bytes()),
            "expansion": summary(&r),
        }));
    }
    let bytes = contribution.to_bytes();
    json!({
        "rngSeed": hex::encode([0x20 + u8::try_from(index).unwrap(); 32]),
        "update": if update.len() <= 8 { json!(update) } else { json!(digest(&update.iter().flat_map(|x| x.to_bits().to_be_bytes()).collect::<Vec<_>>())) },
        "encoded": if encoded.len() <= 8 { json!(encoded) } else { json!(digest(&encoded.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<_>>())) },
        "secret": summary(&secret),
        "keySeeds": expansions,
        "correction": summary(&contribution.correction),
        "bodies": words(&contribution.bodies),
        "contributionLen": bytes.len(),
        "contributionDigest": digest(&bytes),
    })
}

fn positive(tc_id: usize, comment: &str, updates: &[Vec<f32>], c: &Computed) -> Value {
    let p = &c.params;
    let masks: Vec<Value> = (0..p.poly_count()).map(|i| summary(&p.public_mask(i))).collect();
    let clients: Vec<Value> = c
        .clients
        .iter()
        .enumerate()
        .map(|(i, client)| client_json(p, i, &updates[i], client))
        .collect();
    let members: Vec<Value> = c
        .partials
        .iter()
        .map(|partial| {
            let j = partial.member();
            let assigned = p.committee().assigned_sets(partial.quorum(), j);
            let mut share = vec![0u64; p.n()];
            for client in &c.clients {
                for &t in &assigned {
                    let seed = &client.2[usize::from(t)];
                    add_seed_expansion(&mut share, p.digest(), t, seed.bytes());
                }
            }
            json!({
                "member": j,
                "assignedSets": assigned,
                "rngSeed": hex::encode([0x10 + u8::try_from(j).unwrap(); 32]),
                "shareSum": summary(&share),
                "partial": words(&partial.values),
                "partialDigest": digest(&partial.to_bytes()),
            })
        })
        .collect();
    let b = p.noise_budget();
    let committee = p.committee();
    let sets: Vec<Vec<u16>> =
        (0..committee.set_count()).map(|t| committee.set(t).unwrap().iter().collect()).collect();
    let held: Vec<Vec<u16>> = (0..p.committee_size()).map(|j| committee.held_sets(j)).collect();
    let assignment = committee.assignment(c.quorum).unwrap();
    json!({
        "tcId": tc_id,
        "comment": comment,
        "params": hex::encode(p.to_bytes()),
        "roundDigest": hex::encode(p.digest()),
        "committeeSize": p.committee_size(),
        "privacyThreshold": committee.threshold(),
        "quorumSize": committee.quorum_size(),
        "sets": sets,
        "heldSets": held,
        "quorum": c.quorum.iter().collect::<Vec<_>>(),
        "quorumMask": hex::encode(c.quorum.0.to_be_bytes()),
        "assignment": assignment,
        "sumBits": b.sum_bits,
        "deltaLog2": b.delta_log2,
        "floodSigma": b.flood_sigma,
        "effectiveFloodSigma": b.effective_flood_sigma,
        "decodeBound": b.decode_bound,
        "masks": masks,
        "clients": clients,
        "aggregateBodies": words(&c.aggregate.bodies),
        "aggregateCorrection": summary(&c.aggregate.correction),
        "aggregateDigest": digest(&c.aggregate.to_bytes()),
        "members": members,
        "sums": if c.sum.sums.len() <= 8 { json!(c.sum.sums) } else { json!(digest(&c.sum.sums.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<_>>())) },
        "decodedMean": if c.sum.sums.len() <= 8 { json!(decode_mean(p, &c.sum)) } else { Value::Null },
    })
}

/// One negative case: the decoder or operation (`type`), the expected error (`flags`), the
/// input bytes.
pub struct Negative {
    /// Which decoder or operation.
    pub kind: &'static str,
    /// The expected error, named as in the spec.
    pub flags: &'static [&'static str],
    /// What is wrong.
    pub comment: &'static str,
    /// The input.
    pub input: Vec<u8>,
}

fn with(bytes: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = bytes.to_vec();
    f(&mut v);
    v
}

/// The negative cases of the file, from the first positive case's values (`c`) and the t-of-n
/// case's (`t`).
pub fn negatives(c: &Computed, t: &Computed) -> Vec<Negative> {
    let n = |kind, flags, comment, input| Negative { kind, flags, comment, input };
    let params = c.params.to_bytes();
    let contribution = c.clients[0].1.to_bytes();
    let agg = c.aggregate.to_bytes();
    let partial = c.partials[0].to_bytes();
    let other_list = {
        // Member 1 over clients 0 and 2 (a third client, rng seed [0x22; 32], encrypting
        // zeros): a list other than the aggregate's.
        let zeros = EncodedUpdate::from_signed(&c.params, &vec![0; c.params.dimension()]).unwrap();
        let (_, third) =
            encrypt(&c.params, &zeros, &mut ChaCha20Rng::from_seed([0x22; 32])).unwrap();
        let mut share = MemberShare::new(&c.params, 1).unwrap();
        share.add_client(&seeds_for(&c.params, &c.clients[0].2, 1)).unwrap();
        share.add_client(&seeds_for(&c.params, &third, 1)).unwrap();
        let quorum = MemberSet::all(c.params.committee_size());
        share
            .partial_decrypt(&c.params, quorum, &mut ChaCha20Rng::from_seed([0x31; 32]))
            .unwrap()
            .to_bytes()
    };
    vec![
        n(
            "RoundParams",
            &["UnknownTag"],
            "profile 1 (scheme v1, retired)",
            with(&params, |v| v[0] = 1),
        ),
        n(
            "RoundParams",
            &["InvalidValue"],
            "min_clients 1",
            with(&params, |v| v[42..46].copy_from_slice(&1u32.to_be_bytes())),
        ),
        n(
            "RoundParams",
            &["InvalidValue"],
            "committee_size 0",
            with(&params, |v| v[50..52].copy_from_slice(&[0, 0])),
        ),
        n(
            "RoundParams",
            &["InvalidValue"],
            "privacy_threshold equal to committee_size",
            with(&params, |v| v[52..54].copy_from_slice(&2u16.to_be_bytes())),
        ),
        n(
            "RoundParams",
            &["InvalidValue"],
            "dimension 0",
            with(&params, |v| v[33..37].copy_from_slice(&[0; 4])),
        ),
        n("RoundParams", &["Truncated"], "53 bytes", params[..53].to_vec()),
        n("RoundParams", &["TrailingBytes"], "55 bytes", with(&params, |v| v.push(0))),
        n(
            "Contribution",
            &["UnknownTag"],
            "profile 255 (header only)",
            with(&contribution[..37], |v| v[0] = 255),
        ),
        n(
            "Contribution",
            &["InvalidValue"],
            "dimension 2^22 + 1",
            with(&contribution[..37], |v| {
                v[33..37].copy_from_slice(&((1u32 << 22) + 1).to_be_bytes())
            }),
        ),
        n(
            "Contribution",
            &["Truncated"],
            "the bodies and one word of the correction",
            contribution[..37 + 8 * 6].to_vec(),
        ),
        n(
            "Contribution",
            &["TrailingBytes"],
            "one extra word",
            with(&contribution, |v| v.extend_from_slice(&[0; 8])),
        ),
        n("Aggregate", &["Truncated"], "header and count only", agg[..41].to_vec()),
        n(
            "Aggregate",
            &["InvalidValue"],
            "dimension 0 (header and count only)",
            with(&agg[..41], |v| v[33..37].copy_from_slice(&[0; 4])),
        ),
        n(
            "PartialDecryption",
            &["Truncated"],
            "last word cut",
            partial[..partial.len() - 3].to_vec(),
        ),
        n(
            "PartialDecryption",
            &["TrailingBytes"],
            "one extra word",
            with(&partial, |v| v.extend_from_slice(&[0; 8])),
        ),
        n("KeySeed", &["Truncated"], "31 bytes", vec![7; 31]),
        n("KeySeed", &["TrailingBytes"], "33 bytes", vec![7; 33]),
        n(
            "Combine",
            &["DecryptionFailed"],
            "member 1 decrypted another list (clients 0 and 2, client 2 encrypting zeros from rng seed 0x22…): the aggregate of the first positive case with this partial in member 1's place",
            other_list,
        ),
        n(
            "Combine",
            &["CountMismatch"],
            "member 1's partial claims 3 contributions",
            with(&c.partials[1].to_bytes(), |v| v[47..51].copy_from_slice(&3u32.to_be_bytes())),
        ),
    ]
    .into_iter()
    .chain(tofn_negatives(t))
    .collect()
}

/// The negative cases of the t-of-n checks, from the t-of-n case (k = 5, f = 2, quorum
/// {0, 1, 3, 4}).
fn tofn_negatives(t: &Computed) -> Vec<Negative> {
    let n = |kind, flags, comment, input| Negative { kind, flags, comment, input };
    let params = t.params.to_bytes();
    // Member 1's partial (position 1 of the quorum's partials).
    let partial = t.partials[1].to_bytes();
    let quorum_at = |v: &mut Vec<u8>, q: u64| v[39..47].copy_from_slice(&q.to_be_bytes());
    let other_quorum = {
        // Member 1 decrypting the same list under the valid quorum {0, 1, 2, 3}.
        let mut share = MemberShare::new(&t.params, 1).unwrap();
        for client in &t.clients {
            share.add_client(&seeds_for(&t.params, &client.2, 1)).unwrap();
        }
        let quorum: MemberSet = [0, 1, 2, 3].into_iter().collect();
        share
            .partial_decrypt(&t.params, quorum, &mut ChaCha20Rng::from_seed([0x11; 32]))
            .unwrap()
            .to_bytes()
    };
    // Member 0's seeds of client 0, sets 5 and 6 swapped (u16 set ‖ 32 bytes each).
    let mut swapped = seeds_for(&t.params, &t.clients[0].2, 0);
    swapped.swap(1, 2);
    let seed_list = |seeds: &[KeySeed]| -> Vec<u8> {
        seeds.iter().flat_map(|s| [&s.set().to_be_bytes()[..], &s.bytes()[..]].concat()).collect()
    };
    let mut short = seeds_for(&t.params, &t.clients[0].2, 0);
    short.pop();
    vec![
        n(
            "RoundParams",
            &["InvalidValue"],
            "t-of-n case with privacy_threshold 0",
            with(&params, |v| v[52..54].copy_from_slice(&[0, 0])),
        ),
        n(
            "RoundParams",
            &["InvalidValue"],
            "t-of-n case with k = 16, f = 2: 14 · C(16, 2) = 1680 sealed seeds, above 1024",
            with(&params, |v| {
                v[50..52].copy_from_slice(&16u16.to_be_bytes());
                v[52..54].copy_from_slice(&2u16.to_be_bytes());
            }),
        ),
        n(
            "PartialDecryption",
            &["Truncated"],
            "member 1's partial cut inside its quorum (shape, member and 4 of the 8 quorum bytes)",
            partial[..43].to_vec(),
        ),
        n(
            "QuorumCombine",
            &["QuorumMismatch"],
            "member 1 decrypted the same list under the quorum {0, 1, 2, 3} (flooding rng seed 0x11…); the others under {0, 1, 3, 4}",
            other_quorum,
        ),
        n(
            "QuorumCombine",
            &["NotInQuorum"],
            "member 1's partial relabelled as member 2, outside the quorum {0, 1, 3, 4} it names",
            with(&partial, |v| v[37..39].copy_from_slice(&2u16.to_be_bytes())),
        ),
        n(
            "QuorumCombine",
            &["InvalidQuorum"],
            "member 1's partial naming all five members (a quorum has exactly 4)",
            with(&partial, |v| quorum_at(v, 0b11111)),
        ),
        n(
            "QuorumCombine",
            &["InvalidQuorum"],
            "member 1's partial naming {0, 1, 3, 63}: four members, one beyond the committee",
            with(&partial, |v| quorum_at(v, 1 << 63 | 0b1011)),
        ),
        n(
            "AddClient",
            &["SeedSetMismatch"],
            "member 0 (holding sets 4..=9) given client 0's seeds with sets 5 and 6 swapped",
            seed_list(&swapped),
        ),
        n(
            "AddClient",
            &["SeedSetMismatch"],
            "member 0 given client 0's seeds without the last (set 9)",
            seed_list(&short),
        ),
    ]
}

/// The name of a decoding error's variant, as the `flags` of the file name it.
pub fn decode_flag(e: &DecodeError) -> &'static str {
    match e {
        DecodeError::Truncated { .. } => "Truncated",
        DecodeError::TrailingBytes { .. } => "TrailingBytes",
        DecodeError::InvalidValue { .. } => "InvalidValue",
        DecodeError::UnknownTag { .. } => "UnknownTag",
        _ => "Other",
    }
}

/// The pretty-printed JSON of `spec/vectors/agg.json`.
pub fn generate() -> String {
    let computed: Vec<_> = cases()
        .into_iter()
        .map(|(comment, config, updates, quorum)| {
            (comment, compute(config, &updates, quorum), updates)
        })
        .collect();
    let positives: Vec<Value> = computed
        .iter()
        .enumerate()
        .map(|(i, (comment, c, updates))| positive(i + 1, comment, updates, c))
        .collect();
    let first = positives.len();
    let negative: Vec<Value> = negatives(&computed[0].1, &computed[2].1)
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "tcId": first + i + 1,
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
        "version": 2,
        "spec": "spec/agg.md",
        "digest": "H(\"gradseal/v1/agg/vector-digest\", [bytes]) with gradseal-core's framed SHA3-256",
        "profile": Profile::DEFAULT.name(),
        "positive": positives,
        "negative": negative,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap();
    s.push('\n');
    s
}

/// Fuzz seeds: (target, file name, bytes), from the t-of-n positive case (the fuzz fixture's
/// round) and the negatives.
pub fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut all = cases();
    let (_, config, updates, quorum) = all.swap_remove(2);
    let c = compute(config, &updates, quorum);
    let (_, config, updates, quorum) = all.swap_remove(0);
    let first = compute(config, &updates, quorum);
    let mut out = vec![
        ("agg_params", "params".to_string(), c.params.to_bytes()),
        ("agg_aggregate", "aggregate".to_string(), c.aggregate.to_bytes()),
    ];
    for (i, client) in c.clients.iter().enumerate() {
        out.push(("agg_contribution", format!("contribution-{i}"), client.1.to_bytes()));
        // The first held set of each member: sets 4 (member 0), 1 (member 1), 0 (members 2..=4).
        for t in [0usize, 1, 4] {
            out.push(("agg_key_seed", format!("seed-{i}-set-{t}"), client.2[t].bytes().to_vec()));
        }
    }
    for (i, p) in c.partials.iter().enumerate() {
        out.push(("agg_partial", format!("partial-{i}"), p.to_bytes()));
    }
    for (i, n) in negatives(&first, &c).into_iter().enumerate() {
        let target = match n.kind {
            "RoundParams" => "agg_params",
            "Contribution" => "agg_contribution",
            "Aggregate" => "agg_aggregate",
            "PartialDecryption" | "Combine" | "QuorumCombine" => "agg_partial",
            "KeySeed" => "agg_key_seed",
            _ => continue,
        };
        out.push((target, format!("negative-{i}"), n.input));
    }
    out
}
