//! `spec/vectors/agg.json`: the committed file equals the generator's output, and an
//! independent reading of it (serde, unknown fields refused) checks the code case by case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::cast_possible_truncation)]

use chacha20::ChaCha20Rng;
use gradseal_agg::*;
use gradseal_core::{Codec, Writer};
use rand_core::SeedableRng;
use serde::Deserialize;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/vectors/agg.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct File {
    scheme: String,
    version: u32,
    spec: String,
    digest: String,
    profile: String,
    positive: Vec<Positive>,
    negative: Vec<NegativeCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Config {
    round_id: String,
    profile: u8,
    dimension: u32,
    list_len: u16,
    bits: u8,
    clip_bits: String,
    min_clients: u32,
    max_clients: u32,
    committee_size: u16,
    proof_policy: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Member {
    seed: String,
    key_body_head: Vec<String>,
    key_body_digest: String,
    partial_decryption: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ClientCase {
    seed: String,
    update: Vec<f32>,
    encoded: Vec<i64>,
    ciphertext_len: usize,
    ciphertext_digest: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Positive {
    tc_id: u32,
    comment: String,
    round_config: Config,
    params: String,
    round_digest: String,
    delta_log2: u32,
    flood_sigma: f64,
    public_mask_head: Vec<String>,
    public_mask_digest: String,
    members: Vec<Member>,
    joint_key_digest: String,
    clients: Vec<ClientCase>,
    aggregate_count: u32,
    aggregate_digest: String,
    sums: Vec<i64>,
    decoded_sum: Vec<f32>,
    decoded_mean: Vec<f32>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Truncated,
    TrailingBytes,
    UnknownProfile,
    UnknownPolicy,
    InvalidParams,
    BadDimension,
    BadShape,
    WrongRound,
    MemberOutOfRange,
    OversizedLength,
    InvalidProof,
}

#[derive(Deserialize, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Valid,
    Invalid,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct NegativeCase {
    tc_id: u32,
    comment: String,
    flags: Vec<Flag>,
    #[serde(rename = "type")]
    kind: String,
    input: String,
    result: Outcome,
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(gradseal_core::hash(tags::VECTOR_DIGEST, &[bytes]))
}

fn seed(h: &str) -> [u8; 32] {
    hex::decode(h).unwrap().try_into().unwrap()
}

fn load() -> File {
    serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap()
}

#[test]
fn committed_file_matches_the_generator() {
    assert_eq!(std::fs::read_to_string(PATH).unwrap(), gradseal_agg::vectors::generate());
}

fn check_positive(case: &Positive) {
    assert!(!case.comment.is_empty() && case.tc_id > 0);
    let c = &case.round_config;
    let config = RoundConfig {
        round_id: seed(&c.round_id),
        profile: Profile::from_id(c.profile).unwrap(),
        dimension: c.dimension,
        list_len: c.list_len,
        bits: c.bits,
        clip: f32::from_bits(u32::from_str_radix(&c.clip_bits, 16).unwrap()),
        min_clients: c.min_clients,
        max_clients: c.max_clients,
        committee_size: c.committee_size,
        proof_policy: if c.proof_policy == 0 { ProofPolicy::None } else { ProofPolicy::EveryList },
    };
    let params = RoundParams::new(config).unwrap();
    assert_eq!(hex::encode(params.to_bytes()), case.params);
    assert_eq!(hex::encode(params.digest()), case.round_digest);
    assert_eq!(params.delta_log2(), case.delta_log2);
    assert_eq!(params.noise_budget().flood_sigma, case.flood_sigma);
    let mut mw = Writer::new();
    for x in params.public_mask() {
        mw.put_u64(x);
    }
    let mask_head: Vec<String> = mw.as_slice().chunks(8).take(4).map(hex::encode).collect();
    assert_eq!(mask_head, case.public_mask_head);
    assert_eq!(digest(mw.as_slice()), case.public_mask_digest);

    let mut rngs: Vec<ChaCha20Rng> =
        case.members.iter().map(|m| ChaCha20Rng::from_seed(seed(&m.seed))).collect();
    let mut shares = Vec::new();
    let mut bodies = Vec::new();
    for (i, (m, rng)) in case.members.iter().zip(rngs.iter_mut()).enumerate() {
        let (s, b) = KeyShare::generate(&params, i as u16, rng).unwrap();
        let bytes = b.to_bytes();
        let head: Vec<String> = bytes[35..].chunks(8).take(4).map(hex::encode).collect();
        assert_eq!(head, m.key_body_head);
        assert_eq!(digest(&bytes), m.key_body_digest);
        shares.push(s);
        bodies.push(b);
    }
    let key = JointPublicKey::combine(&params, &bodies).unwrap();
    assert_eq!(digest(&key.to_bytes()), case.joint_key_digest);

    let mut cts = Vec::new();
    for cl in &case.clients {
        let mut rng = ChaCha20Rng::from_seed(seed(&cl.seed));
        let e = encode_update(&params, &cl.update, &mut rng).unwrap();
        assert_eq!(e.to_signed(&params), cl.encoded);
        let ct = encrypt(&params, &key, &e, &mut rng).unwrap();
        let bytes = ct.to_bytes();
        assert_eq!(bytes.len(), cl.ciphertext_len);
        assert_eq!(digest(&bytes), cl.ciphertext_digest);
        cts.push(ct);
    }
    let agg = recompute_aggregate(&params, &cts).unwrap();
    assert_eq!(agg.count(), case.aggregate_count);
    assert_eq!(digest(&agg.to_bytes()), case.aggregate_digest);

    let mut partials = Vec::new();
    for ((s, rng), m) in shares.into_iter().zip(rngs.iter_mut()).zip(&case.members) {
        let p = s.partial_decrypt(&params, &agg, rng).unwrap();
        assert_eq!(hex::encode(p.to_bytes()), m.partial_decryption);
        // The committed bytes decode to the same value.
        assert_eq!(
            PartialDecryption::from_bytes(&hex::decode(&m.partial_decryption).unwrap()).unwrap(),
            p
        );
        partials.push(p);
    }
    let sum = combine_partials(&params, &agg, &partials).unwrap();
    assert_eq!(sum.sums, case.sums);
    let expected: Vec<i64> =
        (0..params.dimension()).map(|j| case.clients.iter().map(|c| c.encoded[j]).sum()).collect();
    assert_eq!(sum.sums, expected, "Dec(Σ Enc(m_i)) = Σ m_i");
    assert_eq!(decode_sum(&params, &sum), case.decoded_sum);
    assert_eq!(decode_mean(&params, &sum), case.decoded_mean);
}

/// Decodes `input` as `kind`; for values that decode, the round check must refuse them.
fn rejected(params: &RoundParams, kind: &str, input: &[u8]) -> bool {
    match kind {
        "RoundParams" => RoundParams::from_bytes(input).is_err(),
        "KeyBody" => KeyBody::from_bytes(input).map_or(true, |v| v.check(params).is_err()),
        "JointPublicKey" => {
            JointPublicKey::from_bytes(input).map_or(true, |v| v.check(params).is_err())
        }
        "EncryptedUpdate" => {
            EncryptedUpdate::from_bytes(input).map_or(true, |v| v.check(params).is_err())
        }
        "Aggregate" => Aggregate::from_bytes(input).map_or(true, |v| v.check(params).is_err()),
        "PartialDecryption" => {
            PartialDecryption::from_bytes(input).map_or(true, |v| v.check(params).is_err())
        }
        "ListProof" => ListProof::from_bytes(input).is_err(),
        "Crs" => Crs::from_bytes(input).is_err(),
        other => panic!("unknown type {other}"),
    }
}

#[test]
fn every_case_holds() {
    let file = load();
    assert_eq!(file.scheme, "gradseal-agg");
    assert_eq!(file.version, 1);
    assert_eq!(file.spec, "spec/agg.md");
    assert!(file.digest.contains("vector-digest"));
    assert_eq!(file.profile, Profile::DEFAULT.name());
    let mut ran = 0;
    for case in &file.positive {
        check_positive(case);
        ran += 1;
    }
    let params = RoundParams::from_bytes(&hex::decode(&file.positive[0].params).unwrap()).unwrap();
    for case in &file.negative {
        assert_eq!(case.result, Outcome::Invalid, "tcId {}", case.tc_id);
        assert!(!case.flags.is_empty() && !case.comment.is_empty());
        let input = hex::decode(&case.input).unwrap();
        assert!(
            rejected(&params, &case.kind, &input),
            "tcId {} ({}) was accepted",
            case.tc_id,
            case.comment
        );
        ran += 1;
    }
    assert!(ran >= 2, "at least one positive and one negative case ran");
}
