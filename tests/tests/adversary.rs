//! Every adversary of `spec/protocol.md` §8 ("Failure handling") over the production suite
//! (real signcryption, Reed-Solomon shards and RLWE), each asserting its exact typed outcome
//! (scenarios and the adversary each plays in `tests/adversary.rs`).

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
fn a_client_can_get_an_honest_relay_blamed() {
    adv::client_frames_an_honest_relay::<S>();
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
fn not_enrolled_bad_signature_and_missing_seed_are_rejected() {
    adv::not_enrolled_and_bad_signature::<S>();
}

#[test]
fn a_cheating_aggregator_gets_nothing_decrypted_and_is_named() {
    adv::aggregator_cheating_all::<S>();
}

#[test]
fn a_second_list_is_refused() {
    adv::aggregator_second_list::<S>();
}

#[test]
fn crashed_member_fails_cleanly() {
    adv::crashed_member::<S>();
}

#[test]
fn garbage_partial_fails_typed_and_the_next_round_completes() {
    adv::garbage_partial_then_next_round::<S>();
}

#[test]
fn negated_contributions_do_not_isolate_the_victim() {
    adv::negated_contributions::<S>();
}

#[test]
fn sealed_seed_replayed_from_another_round_is_refused() {
    adv::sealed_seed_replayed_from_another_round::<S>();
}

#[test]
fn too_few_clients_fail_typed_with_nothing_decrypted() {
    adv::too_few_clients::<S>();
}

#[test]
fn withheld_partial_fails_cleanly() {
    adv::missing_member_partial::<S>();
}

#[test]
fn tofn_a_member_killed_in_every_position_still_completes() {
    adv::tofn_member_killed_in_every_position::<S>();
}

#[test]
fn tofn_a_quorum_member_silent_after_the_certificate_fails_typed() {
    adv::tofn_quorum_member_silent_after_the_certificate::<S>();
}

#[test]
fn tofn_an_equivocating_member_is_named_with_evidence() {
    adv::tofn_equivocating_member::<S>();
}
