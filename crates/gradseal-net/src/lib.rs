//! # gradseal-net
//!
//! The transport of gradseal nodes on rust-libp2p, specified in
//! [`spec/net.md`](https://example.invalid/gradseal/spec/net.md) (in the repository:
//! `spec/net.md`). Protocol messages are opaque bytes here: this crate authenticates who sent
//! them and bounds what they cost, and decides nothing else.
//!
//! - **Transport** ([`TransportKind`]): QUIC v1 by default, TCP + Noise XX + Yamux as the
//!   alternative.
//! - **Authenticated peers**: each node signs its libp2p [`PeerId`] with its gradseal node
//!   key ([`PeerBinding`], context [`TAG_PEER_BINDING`]); the [`PeerTable`] given to the
//!   transport maps node ids to bundles and verified bindings. A connection whose
//!   (handshake-authenticated) PeerId maps to no node is closed right after the handshake,
//!   before any stream is read; every delivered message carries the node id its PeerId is
//!   bound to.
//! - **Streamed messages** ([`codec`]): one message per stream (protocol [`PROTOCOL`]),
//!   `"gsn\x01" ‖ u64 length ‖ body`, the length checked against `max_message_len` before
//!   any body byte is read, the body read in chunks of at most [`codec::CHUNK_LEN`]. The
//!   receiver answers [`codec::ACCEPT`] once the header passed and the budget is reserved
//!   (no body byte is sent before it) and [`codec::ACK`] once the whole message is checked, so
//!   [`NetHandle::send`] returning `Ok` means delivered. Messages up to
//!   `max_whole_message_len` arrive whole ([`Inbound::Message`]); larger ones arrive as a
//!   [`MessageReader`] to consume chunk by chunk ([`Inbound::Stream`]); a sender can stream a
//!   body it never holds whole ([`NetHandle::open_message`], [`MessageWriter`]).
//! - **Bounds** ([`Limits`]): per-peer and per-node inbound byte budgets, per-peer and
//!   per-node stream counts, header, stall and minimum-rate limits on every stream, idle and
//!   handshake timeouts and connection limits. Every bound is a field with a documented
//!   default constant.
//!
//! ```no_run
//! # async fn demo(keys: gradseal_clsc::NodeKeys, kgc: gradseal_clsc::KgcPublic,
//! #     peer_bundle: gradseal_clsc::PublicBundle, peer_binding: gradseal_net::PeerBinding,
//! #     peer_addr: gradseal_net::Multiaddr) -> Result<(), gradseal_net::Error> {
//! use gradseal_net::{Inbound, Net, NetConfig, NetIdentity, PeerTable, TransportKind};
//! use rand_core::SeedableRng;
//!
//! let mut rng = chacha20::ChaCha20Rng::from_seed([7; 32]);
//! let identity = NetIdentity::generate(1, &mut rng)?;
//! // Published beside the node's bundle, so that peers can put it in their tables.
//! let _my_binding = identity.bind(&keys, &mut rng);
//!
//! let mut peers = PeerTable::new(kgc);
//! peers.insert(2, peer_bundle, peer_binding, vec![peer_addr])?; // verifies the binding
//! let config = NetConfig::new(TransportKind::Quic, "127.0.0.1:0".parse().unwrap());
//! let (net, mut inbound) = Net::start(config, identity, peers).await?;
//!
//! net.send(2, b"hello").await?;
//! while let Some(msg) = inbound.recv().await {
//!     match msg {
//!         Inbound::Message(m) => println!("{} bytes from node {}", m.bytes().len(), m.from()),
//!         Inbound::Stream(mut r) => {
//!             while let Some(chunk) = r.next_chunk().await? {
//!                 let _ = chunk; // e.g. hash it, check it, forward it
//!             }
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

pub mod codec;
mod error;

#[cfg(feature = "transport")]
mod binding;
#[cfg(feature = "transport")]
mod config;
#[cfg(feature = "transport")]
mod inbound;
#[cfg(feature = "transport")]
mod net;
#[cfg(feature = "transport")]
mod outbound;
#[cfg(feature = "transport")]
mod peers;
#[cfg(feature = "transport")]
mod streams;

pub use error::Error;

/// A node's id in the roster (the protocol's `NodeId`, as its `u32`).
pub type NodeId = u32;

#[cfg(feature = "transport")]
pub use binding::{MAX_PEER_ID_LEN, NetIdentity, PeerBinding, TAG_PEER_BINDING};
#[cfg(feature = "transport")]
pub use config::*;
#[cfg(feature = "transport")]
pub use inbound::{Inbound, Message, MessageReader};
#[cfg(feature = "transport")]
pub use libp2p::{Multiaddr, PeerId};
#[cfg(feature = "transport")]
pub use net::{Net, NetHandle, NetStats, PROTOCOL};
#[cfg(feature = "transport")]
pub use outbound::MessageWriter;
#[cfg(feature = "transport")]
pub use peers::{PeerEntry, PeerTable};
