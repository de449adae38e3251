//! # gradseal-node
//!
//! Runs the sans-IO roles of `gradseal-protocol` as real network nodes: a tokio driver that
//! feeds each role length-delimited frames from TCP peers on 127.0.0.1 and fires its timers,
//! node key files in the codec's encoding, and a launcher that starts a whole local network
//! as child processes. The `gradseal` binary (crate `gradseal-cli`) exposes it as the
//! `node`, `cluster`, `keygen`, `enrol` and `inspect` subcommands, through [`cli`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
