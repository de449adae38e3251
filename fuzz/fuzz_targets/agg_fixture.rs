//! The fixed small round shared by the agg_* targets (included with `#[path]`, not a target):
//! the first positive case of `spec/vectors/agg.json` (d = 5, B = 8, a 2-of-2 committee (n = 2,
//! f = 1: sets {0} and {1}, member j holds the set without it), 2..=4 clients, two clients), rebuilt through the public API from the same rng seeds (client c encodes and
//! encrypts with `[0x20 + c; 32]`, member j floods with `[0x10 + j; 32]`). The seed corpora
//! (`cargo run -p gradseal-agg --features vectors --example agg_vectors -- --corpus
//! fuzz/corpus`) are encodings of these values and of negatives derived from them, so they
//! pass `check` against this round and reach the sums and `combine`.
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
    /// The two clients' contributions.
    pub contributions: Vec<Contribution>,
    /// `seeds[client][set]`: the raw key seeds.
    pub seeds: Vec<Vec<[u8; SEED_LEN]>>,
    /// The aggregate of both contributions.
    pub aggregate: Aggregate,
    /// Both members' partial decryptions of it (index = member).
    pub partials: Vec<PartialDecryption>,
}

/// The fixed round parameters (the vectors' first case).
pub fn params() -> RoundParams {
    let mut c = RoundConfig::new([0x11; 32], 5);
    c.bits = 8;
    c.min_clients = 2;
    c.max_clients = 4;
    c.committee_size = 2;
    c.privacy_threshold = 1;
    RoundParams::new(c).expect("fixture parameters are valid")
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

/// The quorum of the fixture: both members.
pub fn quorum() -> MemberSet {
    MemberSet::all(2)
}

/// A deterministic rng (`[seed; 32]`).
pub fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let params = params();
        let updates = [[0.5f32, -0.25, 1.0, -1.0, 0.3], [2.0, -3.0, 0.0, 0.123, -0.777]];
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
        let partials = (0..params.committee_size())
            .zip(0x10u8..)
            .map(|(m, seed)| {
                let mut share = MemberShare::new(&params, m).expect("member");
                for client in &seeds {
                    share.add_client(&member_seeds(&params, client, m)).expect("add client");
                }
                share.partial_decrypt(&params, quorum(), &mut rng(seed)).expect("partial")
            })
            .collect::<Vec<_>>();
        combine(&params, &aggregate, &partials).expect("the fixture round decrypts");
        Fixture { params, contributions, seeds, aggregate, partials }
    })
}
