//! Every adversary scenario over the insecure mock suite (protocol logic only; fast).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_protocol::mock::MockSuite as M;
use gradseal_tests::adversary as adv;
use gradseal_tests::scenario::Config;

#[test]
fn honest() {
    adv::honest::<M>(Config::default());
}
#[test]
fn late_and_missing_clients() {
    adv::late_and_missing_clients::<M>();
}
#[test]
fn too_few_clients() {
    adv::too_few_clients::<M>();
}
#[test]
fn relays_drop_and_corrupt() {
    adv::relays_drop_and_corrupt::<M>();
}
#[test]
fn client_frames_an_honest_relay() {
    adv::client_frames_an_honest_relay::<M>();
}
#[test]
fn double_submission() {
    adv::double_submission::<M>();
}
#[test]
fn replay_from_another_round() {
    adv::replay_from_another_round::<M>();
}
#[test]
fn not_enrolled_and_bad_signature() {
    adv::not_enrolled_and_bad_signature::<M>();
}
#[test]
fn aggregator_cheating() {
    adv::aggregator_cheating_all::<M>();
}
#[test]
fn aggregator_second_list() {
    adv::aggregator_second_list::<M>();
}
#[test]
fn crashed_member() {
    adv::crashed_member::<M>();
}
#[test]
fn missing_member_partial() {
    adv::missing_member_partial::<M>();
}
#[test]
fn garbage_partial_then_next_round() {
    adv::garbage_partial_then_next_round::<M>();
}
#[test]
fn negated_contributions() {
    adv::negated_contributions::<M>();
}
#[test]
fn sealed_seed_replayed_from_another_round() {
    adv::sealed_seed_replayed_from_another_round::<M>();
}
#[test]
fn tofn_member_killed_in_every_position() {
    adv::tofn_member_killed_in_every_position::<M>();
}
#[test]
fn tofn_quorum_member_silent_after_the_certificate() {
    adv::tofn_quorum_member_silent_after_the_certificate::<M>();
}
#[test]
fn tofn_equivocating_member() {
    adv::tofn_equivocating_member::<M>();
}
