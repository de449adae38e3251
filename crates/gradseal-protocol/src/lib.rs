//! # gradseal-protocol
//!
//! A verifiable encrypted federated-learning round between untrusted nodes, as sans-IO state
//! machines in quinn-proto's shape. The protocol, its threat model, every message byte by
//! byte and the transcript verification algorithm are specified in
//! [`spec/protocol.md`](https://example.invalid/gradseal/spec/protocol.md) (in the
//! repository: `spec/protocol.md`).
//!
//! Roles ([`roles`]): [`Authority`] announces a committee of `n` members with a privacy
//! threshold `f`; [`Client`]s, in one shot and without waiting for anyone, contribute an
//! encrypted update with one key seed per set of `f` members, sealed to every member outside
//! the set, signcrypted and sharded through untrusted [`Relay`]s to an untrusted
//! [`Aggregator`], which sums the contributions and sends each committee [`Member`] only its
//! list; each member checks its list and signs one agreement on its digest; with a quorum
//! certificate of `q = ⌊(n + f)/2⌋ + 1` agreements on one list, the quorum's members decrypt
//! it once; an [`Observer`] audits the full transcript, every member's list, the certificate
//! and the result. Every role implements [`Role`]:
//! `handle_message(now, from, bytes)`, `handle_timeout(now)`, then drain `poll_transmit()`
//! and `poll_event()`, then `poll_timeout()`. No sockets, threads or clocks inside; each node's
//! randomness comes from a 32-byte seed.
//!
//! The cryptography is reached only through the [`Suite`] trait; [`GradsealSuite`] is the
//! production suite (gradseal-clsc, gradseal-shard, gradseal-agg scheme v2) and
//! `mock::MockSuite` an insecure stand-in for fuzzing and state-machine tests.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

pub mod audit;
pub mod gradseal;
pub mod io;
pub mod messages;
#[cfg(feature = "insecure-mock")]
pub mod mock;
pub mod params;
pub mod reason;
pub mod roles;
pub mod round;
#[doc(hidden)]
pub mod sim;
pub mod suite;
pub mod tags;
#[cfg(feature = "vectors")]
#[doc(hidden)]
pub mod vectors;

pub use gradseal::{GradsealParams, GradsealSuite, GradsealSystem};
pub use io::{Event, Role, Transmit};
pub use messages::{
    Agreement, Announcement, MemberList, Message, QuorumCertificate, RoundResult, TranscriptMsg,
};
pub use params::{
    DEFAULT_MIN_CLIENTS, MIN_CLIENTS, Millis, NodeId, ParamsError, RoundId, RoundParams,
    ShardLayout,
};
pub use reason::{ProtocolError, RejectReason, RoundFailure, TranscriptFault};
pub use roles::NodeConfig;
pub use roles::aggregator::{Aggregator, Misbehave, SHARD_WINDOW, WINDOW_AGE};
pub use roles::authority::Authority;
pub use roles::client::{
    Client, Tamper, build_contribution, check_result, check_result_digested, seal_contribution,
    send_contribution, sign_contribution,
};
pub use roles::member::Member;
pub use roles::observer::Observer;
pub use roles::relay::Relay;
pub use suite::{AggShape, SEED_LEN, SeedBytes, Suite};
