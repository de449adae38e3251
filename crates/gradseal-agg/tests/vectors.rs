//! `spec/vectors/agg.json`: the committed file equals the generator's output, and a reading
//! of the file through the public API only checks the code case by case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::cast_possible_truncation)]

use chacha20::ChaCha20Rng;
use gradseal_agg::*;
use gradseal_core::Codec;
use rand_core::SeedableRng;
use serde_json::Value;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/vectors/agg.json");

fn seed(v: &Value) -> [u8; 32] {
    hex::decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn vector_digest(bytes: &[u8]) -> String {
    hex::encode(gradseal_core::hash(tags::VECTOR_DIGEST, &[bytes]))
}

#[test]
fn committed_file_matches_the_generator() {
    let committed = std::fs::read_to_string(PATH).unwrap();
    assert!(
        committed == gradseal_agg::vectors::generate(),
        "spec/vectors/agg.json is stale: cargo run -p gradseal-agg --features vectors --example agg_vectors -- --write"
    );
}

/// What member `j` receives of one client's seeds: those of its held sets, ascending.
fn member_seeds(params: &RoundParams, seeds: &[KeySeed], j: u16) -> Vec<KeySeed> {
    params
        .committee()
        .held_sets(j)
        .into_iter()
        .map(|t| KeySeed::from_bytes(t, seeds[usize::from(t)].to_bytes().as_ref()).unwrap())
        .collect()
}

/// Replays a positive case from its parameters and seeds; returns (params, aggregate,
/// partials) for the negative cases.
fn replay(case: &Value, updates: &[Vec<f32>]) -> (RoundParams, Aggregate, Vec<PartialDecryption>) {
    let params =
        RoundParams::from_bytes(&hex::decode(case["params"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(hex::encode(params.digest()), case["roundDigest"]);
    assert_eq!(u64::from(params.delta_log2()), case["deltaLog2"].as_u64().unwrap());
    let mut agg = Aggregate::new(&params);
    let k = usize::from(params.committee_size());
    let mut shares: Vec<MemberShare> =
        (0..k).map(|j| MemberShare::new(&params, u16::try_from(j).unwrap()).unwrap()).collect();
    for (client, update) in case["clients"].as_array().unwrap().iter().zip(updates) {
        let mut rng = ChaCha20Rng::from_seed(seed(&client["rngSeed"]));
        let encoded = encode_update(&params, update, &mut rng).unwrap();
        let (contribution, seeds) = encrypt(&params, &encoded, &mut rng).unwrap();
        let bytes = contribution.to_bytes();
        assert_eq!(vector_digest(&bytes), client["contributionDigest"]);
        assert_eq!(bytes.len() as u64, client["contributionLen"].as_u64().unwrap());
        for (s, expected) in seeds.iter().zip(client["keySeeds"].as_array().unwrap()) {
            assert_eq!(hex::encode(s.to_bytes().as_ref()), expected["seed"]);
        }
        agg.add(&params, &contribution).unwrap();
        for share in &mut shares {
            share.add_client(&member_seeds(&params, &seeds, share.member())).unwrap();
        }
    }
    assert_eq!(vector_digest(&agg.to_bytes()), case["aggregateDigest"]);
    let partials: Vec<PartialDecryption> = shares
        .into_iter()
        .zip(case["members"].as_array().unwrap())
        .map(|(share, m)| {
            let mut rng = ChaCha20Rng::from_seed(seed(&m["rngSeed"]));
            let quorum = MemberSet::all(params.committee_size());
            let p = share.partial_decrypt(&params, quorum, &mut rng).unwrap();
            assert_eq!(vector_digest(&p.to_bytes()), m["partialDigest"]);
            p
        })
        .collect();
    let sum = combine(&params, &agg, &partials).unwrap();
    match &case["sums"] {
        Value::Array(sums) => {
            let expected: Vec<i64> = sums.iter().map(|x| x.as_i64().unwrap()).collect();
            assert_eq!(sum.sums, expected);
        }
        other => {
            let bytes: Vec<u8> = sum.sums.iter().flat_map(|x| x.to_be_bytes()).collect();
            assert_eq!(&vector_digest(&bytes), other);
        }
    }
    (params, agg, partials)
}

fn flag(e: AggError) -> String {
    let name = match e {
        AggError::Decode(d) => format!("{d:?}"),
        other => format!("{other:?}"),
    };
    name.split([' ', '{', '(']).next().unwrap().to_string()
}

#[test]
fn every_case_holds() {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    assert_eq!(file["version"], 2);
    let positives = file["positive"].as_array().unwrap();
    let updates = gradseal_agg::vectors::cases();
    assert_eq!(positives.len(), updates.len());
    let mut first = None;
    for (case, (_, _, u)) in positives.iter().zip(&updates) {
        if let Value::Array(values) = &case["clients"][0]["update"] {
            let from_file: Vec<f32> = values.iter().map(|x| x.as_f64().unwrap() as f32).collect();
            assert_eq!(&from_file, &u[0]);
        }
        let replayed = replay(case, u);
        first.get_or_insert(replayed);
    }
    let (params, agg, partials) = first.unwrap();
    let negatives = file["negative"].as_array().unwrap();
    assert!(negatives.len() >= 18);
    for case in negatives {
        let input = hex::decode(case["input"].as_str().unwrap()).unwrap();
        let err = match case["type"].as_str().unwrap() {
            "RoundParams" => RoundParams::from_bytes(&input).map(drop).map_err(AggError::from),
            "Contribution" => Contribution::from_bytes(&input).map(drop).map_err(AggError::from),
            "Aggregate" => Aggregate::from_bytes(&input).map(drop).map_err(AggError::from),
            "PartialDecryption" => {
                PartialDecryption::from_bytes(&input).map(drop).map_err(AggError::from)
            }
            "KeySeed" => KeySeed::from_bytes(0, &input).map(drop),
            "Combine" => {
                let mut ps = partials.clone();
                ps[1] = PartialDecryption::from_bytes(&input).unwrap();
                combine(&params, &agg, &ps).map(drop)
            }
            other => panic!("unknown type {other}"),
        }
        .expect_err(case["comment"].as_str().unwrap());
        assert_eq!(flag(err), case["flags"][0].as_str().unwrap(), "tcId {}", case["tcId"]);
    }
}
