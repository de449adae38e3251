//! # gradseal-node
//!
//! Runs the sans-IO roles of `gradseal-protocol` as real network nodes: a tokio driver that
//! feeds each role the messages of authenticated peers over gradseal-net (libp2p: QUIC by
//! default, TCP + Noise + Yamux selectable) and fires its timers, client updates from files
//! or from the caller ([`update`]), node key files in the codec's encoding, and a launcher
//! that starts a whole local network as child processes. The `gradseal` binary (crate `gradseal-cli`) exposes it as the
//! `node`, `cluster`, `keygen`, `enrol` and `inspect` subcommands, through [`cli`].
//!
//! Transport bounds, configuration and key file formats are specified byte by byte in
//! [`spec/node.md`](https://example.invalid/gradseal/spec/node.md) (in the repository:
//! `spec/node.md`).
//!
//! ```no_run
//! // Decode any gradseal file and describe it (never printing secret scalars).
//! let text = gradseal_node::inspect::describe(&std::fs::read("node.key")?)?;
//! println!("{text}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

pub mod backlog;
pub mod bounds;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod driver;
pub mod heap;
pub mod inspect;
pub mod keyfile;
mod ports;
pub mod registry;
pub mod report;
pub mod synth;
pub mod tags;
pub mod transport;
pub mod update;
pub mod warmup;

use thiserror::Error;

/// Why a node-layer operation failed. `Display` is one line naming the problem.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A canonical decoding failed.
    #[error("{what}: {source}")]
    Decode {
        /// What was being decoded (e.g. a file name and kind).
        what: String,
        /// The codec's reason.
        source: gradseal_core::DecodeError,
    },
    /// A gradseal-clsc operation failed (enrolment checks, key derivation).
    #[error("{what}: {source}")]
    Clsc {
        /// What was being done.
        what: String,
        /// The scheme's reason.
        source: gradseal_clsc::Error,
    },
    /// A key file is not what it should be (wrong magic, kind or version, too large).
    #[error("{0}")]
    KeyFile(String),
    /// The configuration is invalid.
    #[error("config {path}: {reason}")]
    Config {
        /// The config file.
        path: String,
        /// What is wrong.
        #[source]
        reason: config::ConfigError,
    },
    /// An I/O operation failed (the message names the file or address).
    #[error("{0}")]
    Io(String),
    /// The cluster run failed (a deadline passed, a node exited, a check failed).
    #[error("{0}")]
    Cluster(String),
}
