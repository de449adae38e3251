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

fn u16s(v: &Value) -> Vec<u16> {
    v.as_array().unwrap().iter().map(|x| u16::try_from(x.as_u64().unwrap()).unwrap()).collect()
}

/// Checks the committee's values of a case against the public `Committee`.
fn check_committee(params: &RoundParams, case: &Value) -> MemberSet {
    let c = params.committee();
    assert_eq!(u64::from(c.size()), case["committeeSize"].as_u64().unwrap());
    assert_eq!(u64::from(c.threshold()), case["privacyThreshold"].as_u64().unwrap());
    assert_eq!(u64::from(c.quorum_size()), case["quorumSize"].as_u64().unwrap());
    let sets: Vec<Vec<u16>> = case["sets"].as_array().unwrap().iter().map(u16s).collect();
    assert_eq!(sets.len(), usize::from(c.set_count()));
    for (t, set) in (0..).zip(&sets) {
        assert_eq!(c.set(t).unwrap().iter().collect::<Vec<_>>(), *set);
    }
    let held: Vec<Vec<u16>> = case["heldSets"].as_array().unwrap().iter().map(u16s).collect();
    for (j, h) in (0..).zip(&held) {
        assert_eq!(c.held_sets(j), *h);
    }
    let quorum: MemberSet = u16s(&case["quorum"]).into_iter().collect();
    assert_eq!(hex::encode(quorum.0.to_be_bytes()), case["quorumMask"]);
    c.check_quorum(quorum).unwrap();
    for (t, j) in (0..).zip(u16s(&case["assignment"])) {
        assert_eq!(c.assignee(quorum, t), Some(j));
    }
    let budget = params.noise_budget();
    assert_eq!(budget.effective_flood_sigma, case["effectiveFloodSigma"].as_f64().unwrap());
    quorum
}

/// Replays a positive case from its parameters and seeds; returns (params, aggregate,
/// partials of the quorum) for the negative cases.
fn replay(case: &Value, updates: &[Vec<f32>]) -> (RoundParams, Aggregate, Vec<PartialDecryption>) {
    let params =
        RoundParams::from_bytes(&hex::decode(case["params"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(hex::encode(params.digest()), case["roundDigest"]);
    assert_eq!(u64::from(params.delta_log2()), case["deltaLog2"].as_u64().unwrap());
    let quorum = check_committee(&params, case);
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
        let expected = client["keySeeds"].as_array().unwrap();
        assert_eq!(seeds.len(), expected.len());
        for (s, expected) in seeds.iter().zip(expected) {
            assert_eq!(hex::encode(s.to_bytes().as_ref()), expected["seed"]);
            assert_eq!(u64::from(s.set()), expected["set"].as_u64().unwrap());
            let holders: MemberSet = u16s(&expected["holders"]).into_iter().collect();
            assert_eq!(params.committee().holders(s.set()), Some(holders));
        }
        agg.add(&params, &contribution).unwrap();
        for share in &mut shares {
            share.add_client(&member_seeds(&params, &seeds, share.member())).unwrap();
        }
    }
    assert_eq!(vector_digest(&agg.to_bytes()), case["aggregateDigest"]);
    let members = case["members"].as_array().unwrap();
    assert_eq!(members.len(), usize::from(quorum.len()));
    let partials: Vec<PartialDecryption> = shares
        .into_iter()
        .filter(|share| quorum.contains(share.member()))
        .zip(members)
        .map(|(share, m)| {
            assert_eq!(u64::from(share.member()), m["member"].as_u64().unwrap());
            let assigned = params.committee().assigned_sets(quorum, share.member());
            assert_eq!(assigned, u16s(&m["assignedSets"]));
            let mut rng = ChaCha20Rng::from_seed(seed(&m["rngSeed"]));
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
    let mut replayed = Vec::new();
    for (case, (_, _, u, _)) in positives.iter().zip(&updates) {
        if let Value::Array(values) = &case["clients"][0]["update"] {
            let from_file: Vec<f32> = values.iter().map(|x| x.as_f64().unwrap() as f32).collect();
            assert_eq!(&from_file, &u[0]);
        }
        replayed.push(replay(case, u));
    }
    // The t-of-n case: (5, 2) with member 2 absent.
    let tofn = replayed.pop().unwrap();
    assert_eq!(tofn.0.committee().threshold(), 2);
    assert_eq!(tofn.2.iter().map(PartialDecryption::member).collect::<Vec<_>>(), [0, 1, 3, 4]);
    let (params, agg, partials) = replayed.swap_remove(0);
    let negatives = file["negative"].as_array().unwrap();
    assert!(negatives.len() >= 28);
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
            "QuorumCombine" => {
                let (params, agg, partials) = &tofn;
                let mut ps = partials.clone();
                ps[1] = PartialDecryption::from_bytes(&input).unwrap();
                combine(params, agg, &ps).map(drop)
            }
            "AddClient" => {
                let seeds: Vec<KeySeed> = input
                    .chunks(34)
                    .map(|c| {
                        KeySeed::from_bytes(u16::from_be_bytes([c[0], c[1]]), &c[2..]).unwrap()
                    })
                    .collect();
                MemberShare::new(&tofn.0, 0).unwrap().add_client(&seeds)
            }
            other => panic!("unknown type {other}"),
        }
        .expect_err(case["comment"].as_str().unwrap());
        assert_eq!(flag(err), case["flags"][0].as_str().unwrap(), "tcId {}", case["tcId"]);
    }
}
