//! # gradseal-shard
//!
//! Authenticated Reed-Solomon sharding of payloads over untrusted relays.
//! (Under construction.)

#![forbid(unsafe_code)]
#![warn(missing_docs)]
