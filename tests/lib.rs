//! The in-memory simulated network for gradseal's integration tests (STYLE.md section 6).
//!
//! [`Network`] generalises quinn's test `Pair` to N nodes: every node is a
//! [`gradseal_protocol::Role`]; a seeded scheduler delivers messages after a random latency
//! (which reorders them), links can drop, duplicate or corrupt messages, any node can be
//! wrapped in an [`Adversary`] that rewrites what it sends, and a virtual clock jumps to the
//! next wakeup. [`Network::drive_bounded`] runs to quiescence and panics on livelock.
//!
//! [`scenario`] builds whole rounds (keys, roster, announcement) for any suite implementing
//! [`scenario::TestSuite`].

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::cast_possible_truncation)]

pub mod adversary;
pub mod network;
pub mod real;
pub mod scenario;

pub use network::{Adversary, LinkFaults, Network, corrupt};
