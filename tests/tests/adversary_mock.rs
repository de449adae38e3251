//! Every adversary scenario over the insecure mock suite (protocol logic only; fast).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gradseal_protocol::mock::MockSuite;
use gradseal_tests::adversary as adv;
use gradseal_tests::scenario::Config;

#[test]
fn honest() {
    adv::honest::<MockSuite>(Config::default());
}
#[test]
fn late_and_missing_clients() {
    adv::late_and_missing_clients::<MockSuite>();
}
#[test]
fn relays_drop_and_corrupt() {
    adv::relays_drop_and_corrupt::<MockSuite>();
}
#[test]
fn double_submission() {
    adv::double_submission::<MockSuite>();
}
#[test]
fn replay_from_another_round() {
    adv::replay_from_another_round::<MockSuite>();
}
#[test]
fn not_enrolled_and_bad_signature() {
    adv::not_enrolled_and_bad_signature::<MockSuite>();
}
#[test]
fn aggregator_cheating() {
    adv::aggregator_cheating_all::<MockSuite>();
}
#[test]
fn missing_member_before_keys() {
    adv::missing_member_before_keys::<MockSuite>();
}
#[test]
fn missing_member_partial() {
    adv::missing_member_partial::<MockSuite>();
}
#[test]
fn bad_proof_is_rejected() {
    adv::bad_proof_is_rejected::<MockSuite>();
}
