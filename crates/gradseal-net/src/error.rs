//! The crate's one error type.

use thiserror::Error;

/// Why a gradseal-net operation failed.
///
/// Every variant carries public facts only (lengths, node ids, an I/O error kind). Whether a
/// received message was refused never reaches the sender beyond a closed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A stream does not start with [`crate::codec::STREAM_MAGIC`].
    #[error("stream header has the wrong magic or version")]
    WrongMagic,
    /// A stream declares a message longer than the receiver's maximum (or a sender tried to
    /// send one longer than its own).
    #[error("message of {len} bytes exceeds the maximum of {max}")]
    MessageTooLong {
        /// The declared length.
        len: u64,
        /// The maximum in force.
        max: u64,
    },
    /// A stream ended before its header or before the body it declared.
    #[error("stream ended inside a message")]
    Truncated,
    /// A stream carried bytes after the body it declared.
    #[error("stream carries bytes after its message")]
    TrailingBytes,
    /// A peer binding's signature does not verify against the node's bundle.
    #[error("peer binding does not verify against the node's bundle")]
    InvalidBinding,
    /// A peer binding or a peer id is not a valid encoding.
    #[error("malformed peer binding or peer id")]
    MalformedBinding,
    /// Two entries of a peer table carry the same peer id.
    #[error("peer id of node {node} is already bound to another node")]
    DuplicatePeer {
        /// The node whose entry was refused.
        node: u32,
    },
    /// The node id has no entry in the peer table.
    #[error("node {node} is not in the peer table")]
    UnknownNode {
        /// The node id.
        node: u32,
    },
    /// The remote's PeerId is bound to no node of the peer table (its connection is
    /// refused right after the handshake).
    #[error("peer is bound to no node of the peer table")]
    UnknownPeer,
    /// No stream could be opened to the node within the connect limits.
    #[error("node {node} is unreachable")]
    Unreachable {
        /// The node id.
        node: u32,
    },
    /// The receiver did not acknowledge the message (it refused it, or the stream or the
    /// connection failed first): the message may not have been delivered.
    #[error("message not acknowledged by the receiver")]
    NotDelivered,
    /// A stream made no progress within its limits (header, stall or rate).
    #[error("stream stalled past its limit")]
    Stalled,
    /// Inbound byte budget not available within its limit.
    #[error("inbound byte budget exhausted")]
    BudgetExhausted,
    /// The peer or the node has too many streams open; the stream was refused.
    #[error("too many streams open")]
    TooManyStreams,
    /// An I/O error on a stream or a listener.
    #[error("i/o error: {0:?}")]
    Io(std::io::ErrorKind),
    /// A configuration value is out of range; the field is named.
    #[error("invalid configuration: {0}")]
    InvalidConfig(&'static str),
    /// The listen address could not be bound (or is not an address of the chosen transport).
    #[error("cannot listen: {0:?}")]
    Listen(std::io::ErrorKind),
    /// The transport has shut down.
    #[error("transport shut down")]
    Closed,
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.kind())
    }
}
