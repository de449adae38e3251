//! The honest round over the production suite: 50 clients, 3 committee members, 6 relays,
//! (4, 2) sharding, min_clients 40. The decrypted mean equals the plaintext mean of the
//! quantized updates exactly, the observer's audit passes, and every client receives the
//! result; and a round on a network that reorders and duplicates freely.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_protocol::GradsealSuite;
use gradseal_tests::adversary as adv;
use gradseal_tests::scenario::Config;

#[test]
fn honest_round_50_clients_3_members_6_relays() {
    let cfg = Config {
        clients: 50,
        members: 3,
        relays: 6,
        dimension: 256,
        min_clients: 40,
        ..Config::default()
    };
    adv::honest::<GradsealSuite>(cfg);
}

#[test]
fn randomized_network_production_suite() {
    adv::randomized_network::<GradsealSuite>(3);
}
