//! Outbound streams: header, body in chunks, end of stream.

use std::sync::Arc;

use futures::{AsyncReadExt, AsyncWriteExt};
use libp2p::Stream;
use tokio::sync::OwnedSemaphorePermit;

use crate::Error;
use crate::codec::{ACCEPT, ACK, CHUNK_LEN, encode_header};
use crate::net::{Counters, Shared};

/// An open outbound message (from [`crate::NetHandle::open_message`]): write exactly the
/// declared number of bytes with [`MessageWriter::write_chunk`], then
/// [`MessageWriter::finish`]. Dropping it before `finish` cuts the stream, and the receiver
/// discards the partial message.
pub struct MessageWriter {
    stream: Stream,
    remaining: u64,
    len: u64,
    shared: Arc<Shared>,
    _slots: [OwnedSemaphorePermit; 2],
}

impl std::fmt::Debug for MessageWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageWriter")
            .field("len", &self.len)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl MessageWriter {
    pub(crate) fn new(
        stream: Stream,
        shared: Arc<Shared>,
        slots: [OwnedSemaphorePermit; 2],
    ) -> Self {
        MessageWriter { stream, remaining: 0, len: 0, shared, _slots: slots }
    }

    /// Writes the header of a `len`-byte message and waits for the receiver's [`ACCEPT`]
    /// (it may wait up to `budget_timeout` for budget first).
    pub(crate) async fn start(&mut self, len: u64) -> Result<(), Error> {
        self.write_timed(&encode_header(len)).await?;
        let l = &self.shared.limits;
        let wait = l.budget_timeout.saturating_add(l.stall_timeout);
        let mut byte = [0u8; 1];
        let flushed = async {
            self.stream.flush().await?;
            self.stream.read(&mut byte).await
        };
        match tokio::time::timeout(wait, flushed).await {
            Ok(Ok(1)) if byte == [ACCEPT] => {}
            _ => return Err(Error::NotDelivered),
        }
        self.len = len;
        self.remaining = len;
        Ok(())
    }

    async fn write_timed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let stall = self.shared.limits.stall_timeout;
        match tokio::time::timeout(stall, self.stream.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::from(e)),
            Err(_) => Err(Error::Stalled),
        }
    }

    /// Bytes still to write.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Writes the next part of the body (any length; written in pieces of at most
    /// [`CHUNK_LEN`], each within `stall_timeout`).
    ///
    /// # Errors
    /// [`Error::MessageTooLong`] if `bytes` runs past the declared length (nothing is
    /// written), [`Error::Stalled`], [`Error::Io`].
    pub async fn write_chunk(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() as u64 > self.remaining {
            return Err(Error::MessageTooLong {
                len: self.len - self.remaining + bytes.len() as u64,
                max: self.len,
            });
        }
        for piece in bytes.chunks(CHUNK_LEN) {
            self.write_timed(piece).await?;
            self.remaining -= piece.len() as u64;
        }
        Ok(())
    }

    /// Ends the message: closes the stream's sending side, then waits (at most
    /// `stall_timeout`) for the receiver's acknowledgement ([`crate::codec::ACK`]), which it
    /// writes once it has read and checked the whole message (for a streamed message: once
    /// its consumer has read the last chunk).
    ///
    /// # Errors
    /// [`Error::Truncated`] if fewer bytes than declared were written (the stream is cut
    /// and the receiver discards the message), [`Error::NotDelivered`] if no
    /// acknowledgement came, [`Error::Stalled`], [`Error::Io`].
    pub async fn finish(mut self) -> Result<(), Error> {
        if self.remaining != 0 {
            return Err(Error::Truncated);
        }
        let stall = self.shared.limits.stall_timeout;
        match tokio::time::timeout(stall, self.stream.close()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(Error::from(e)),
            Err(_) => return Err(Error::Stalled),
        }
        let mut ack = [0u8; 1];
        match tokio::time::timeout(stall, self.stream.read(&mut ack)).await {
            Ok(Ok(1)) if ack == [ACK] => {}
            _ => return Err(Error::NotDelivered),
        }
        Counters::bump(&self.shared.counters.messages_sent, 1);
        Counters::bump(&self.shared.counters.bytes_sent, self.len);
        Ok(())
    }

    /// Writes raw bytes with no regard for the declared length: for tests of the receiver's
    /// checks only.
    ///
    /// # Errors
    /// [`Error::Stalled`], [`Error::Io`].
    #[doc(hidden)]
    pub async fn danger_write_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.write_timed(bytes).await
    }
}
