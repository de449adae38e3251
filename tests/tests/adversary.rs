//! Every adversary of `spec/protocol.md` ("Failure handling") over the production suite,
//! each asserting its exact typed outcome (scenarios in `tests/adversary.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_protocol::GradsealSuite as S;
use gradseal_tests::adversary as adv;

#[test]
fn late_and_missing_clients_are_left_out() {
    adv::late_and_missing_clients::<S>();
}

#[test]
fn relays_dropping_and_corrupting_shards_are_tolerated_and_named() {
    adv::relays_drop_and_corrupt::<S>();
}

#[test]
fn double_submission_is_rejected_as_duplicate() {
    adv::double_submission::<S>();
}

#[test]
fn replay_from_another_round_is_rejected() {
    adv::replay_from_another_round::<S>();
}

#[test]
fn not_enrolled_and_bad_signature_are_rejected() {
    adv::not_enrolled_and_bad_signature::<S>();
}

#[test]
fn every_member_refuses_a_cheating_aggregator() {
    adv::aggregator_cheating_all::<S>();
}

#[test]
fn missing_member_before_keys_fails_cleanly() {
    adv::missing_member_before_keys::<S>();
}

#[test]
fn missing_member_partial_fails_cleanly() {
    adv::missing_member_partial::<S>();
}
