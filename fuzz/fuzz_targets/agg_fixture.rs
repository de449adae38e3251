//! The fixed small round shared by the agg_* targets (included with `#[path]`, not a target):
//! the t-of-n positive case of `spec/vectors/agg.json` (case 3: d = 6, B = 8, a committee of
//! k = 5 with privacy threshold f = 2 (10 sets, quorum size 4), 2..=4 clients, three clients,
//! member 2 absent: quorum {0, 1, 3, 4}), rebuilt through the public API from the same rng
//! seeds (client c encodes and encrypts with `[0x20 + c; 32]`, member j of the quorum floods
//! with `[0x10 + j; 32]`). The seed corpora (`cargo run -p gradseal-agg --features vectors
//! --example agg_vectors -- --corpus fuzz/corpus`) are encodings of these values and of
//! negatives derived from them, so they pass `check` against this round and reach the sums
//! and `combine`.
#![allow(dead_code)]

use std::sync::OnceLock;

use chacha20::ChaCha20Rng;
use gradseal_agg::{
    Aggregate, Contribution, KeySeed, MemberSet, MemberShare, PartialDecryption, RoundConfig,
    RoundParams, SEED_LEN, combine, encode_update, encrypt, recompute_aggregate,
};
use rand_core::SeedableRng;

/// The fixed round and its honest values.
pub struct Fixture {
    pub params: RoundParams,
    /// The three clients' contributions.
    pub contributions: Vec<Contribution>,
    /// `seeds[client][set]`: the raw key seeds.
    pub seeds: Vec<Vec<[u8; SEED_LEN]>>,
    /// The aggregate of the three contributions.
    pub aggregate: Aggregate,
    /// The partial decryptions of the quorum's members, ascending (members 0, 1, 3, 4).
    pub partials: Vec<PartialDecryption>,
}

/// The fixed round parameters (the vectors' case 3).
pub fn params() -> RoundParams {
    let mut c = RoundConfig::new([0x13; 32], 6);
    c.bits = 8;
    c.min_clients = 2;
    c.max_clients = 4;
    (c.committee_size, c.privacy_threshold) = (5, 2);
    RoundParams::new(c).expect("fixture parameters are valid")
}

/// The quorum of the fixture: member 2 absent.
pub fn quorum() -> MemberSet {
    MemberSet(0b11011)
}

/// Member `member`'s seeds of one client (`seeds[set]`): those of its held sets, ascending.
pub fn member_seeds(params: &RoundParams, seeds: &[[u8; SEED_LEN]], member: u16) -> Vec<KeySeed> {
    params
        .committee()
        .held_sets(member)
        .into_iter()
        .map(|t| KeySeed::from_bytes(t, &seeds[usize::from(t)]).expect("seed"))
        .collect()
}

/// A deterministic rng (`[seed; 32]`).
pub fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let params = params();
        let updates = [
            [0.5f32, -0.5, 0.25, -0.25, 1.0, -1.0],
            [0.1, 0.2, 0.3, -0.4, -0.5, 0.6],
            [-0.75, 0.0, 0.75, 0.01, -0.01, 0.9],
        ];
        let (contributions, seeds): (Vec<_>, Vec<_>) = updates
            .iter()
            .zip(0x20u8..)
            .map(|(update, seed)| {
                let mut r = rng(seed);
                let encoded = encode_update(&params, update, &mut r).expect("encode");
                let (c, s) = encrypt(&params, &encoded, &mut r).expect("encrypt");
                (c, s.iter().map(|k| *k.to_bytes()).collect::<Vec<_>>())
            })
            .unzip();
        let aggregate =
            recompute_aggregate(&params, &contributions.iter().collect::<Vec<_>>()).expect("sum");
        let partials = quorum()
            .iter()
            .map(|m| {
                let mut share = MemberShare::new(&params, m).expect("member");
                for client in &seeds {
                    share.add_client(&member_seeds(&params, client, m)).expect("add client");
                }
                let seed = 0x10 + u8::try_from(m).expect("small");
                share.partial_decrypt(&params, quorum(), &mut rng(seed)).expect("partial")
            })
            .collect::<Vec<_>>();
        combine(&params, &aggregate, &partials).expect("the fixture round decrypts");
        Fixture { params, contributions, seeds, aggregate, partials }
    })
}
