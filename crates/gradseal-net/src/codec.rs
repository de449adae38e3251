//! The stream codec: one message per stream, `magic ‖ u64 length ‖ body`, then end of stream.
//!
//! Pure and sans-IO: [`StreamDecoder`] is fed whatever bytes arrived and reports the header,
//! body pieces and completion; it never allocates, never buffers more than the 12 header
//! bytes, and never panics. The I/O loops of the transport read at most
//! [`StreamDecoder::wanted`] bytes at a time (never more than [`CHUNK_LEN`]), so a peer's
//! bytes past the end of its message are never read into memory. Spec: `spec/net.md` §2.
//!
//! ```
//! use gradseal_net::codec::{encode_header, Step, StreamDecoder};
//!
//! let mut wire = encode_header(5).to_vec();
//! wire.extend_from_slice(b"hello");
//! let mut dec = StreamDecoder::new(1024);
//! let mut input = &wire[..];
//! let mut body = Vec::new();
//! while !input.is_empty() {
//!     let (used, step) = dec.feed(input)?;
//!     if let Step::Body(piece) = step {
//!         body.extend_from_slice(piece);
//!     }
//!     input = &input[used..];
//! }
//! assert_eq!(dec.finish()?, 5);
//! assert_eq!(body, b"hello");
//! # Ok::<(), gradseal_net::Error>(())
//! ```

use crate::Error;

/// The first bytes of every stream: `"gsn"` and the wire version `0x01`.
pub const STREAM_MAGIC: [u8; 4] = *b"gsn\x01";

/// Bytes of the stream header: magic (4) and the body length as a big-endian `u64` (8).
pub const HEADER_LEN: usize = 12;

/// The one byte a receiver writes back once it has checked a stream's header and reserved
/// what the message needs (budget, a place in the hand-off): ASCII STX. A sender writes no
/// body byte before it, so a stream refused at this point is safely sent again.
pub const ACCEPT: u8 = 0x02;

/// The one byte a receiver writes back once it has read and checked a whole message (header,
/// body, end of stream): ASCII ACK. A sender counts a message as delivered only on this byte.
pub const ACK: u8 = 0x06;

/// The most bytes one read of a body takes: 64 KiB. Whole messages are assembled from reads
/// of at most this size, and a chunk-by-chunk consumer never holds more than this at once.
pub const CHUNK_LEN: usize = 64 << 10;

/// The header of a stream carrying a body of `len` bytes.
pub fn encode_header(len: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    let (magic, rest) = h.split_at_mut(STREAM_MAGIC.len());
    magic.copy_from_slice(&STREAM_MAGIC);
    rest.copy_from_slice(&len.to_be_bytes());
    h
}

/// What one call of [`StreamDecoder::feed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The bytes were consumed (possibly none) and more are needed.
    NeedMore,
    /// The header is complete and declares a body of `len` bytes (already checked against
    /// the maximum).
    Header {
        /// Declared body length.
        len: u64,
    },
    /// A piece of the body: a prefix of the input, never past the declared end.
    Body(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header { have: usize },
    Body { len: u64, remaining: u64 },
    Complete { len: u64 },
    Failed(Error),
}

/// Incremental decoder of one stream (see the module docs).
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    max_len: u64,
    header: [u8; HEADER_LEN],
    state: State,
}

impl StreamDecoder {
    /// A decoder that refuses bodies longer than `max_len` from the header alone.
    pub fn new(max_len: u64) -> Self {
        StreamDecoder { max_len, header: [0; HEADER_LEN], state: State::Header { have: 0 } }
    }

    /// Consumes a prefix of `input` and reports what it was. Call again with the rest of the
    /// input until it is empty: one call returns at most one [`Step`].
    ///
    /// # Errors
    /// [`Error::WrongMagic`], [`Error::MessageTooLong`] (from the header alone, before any
    /// body byte), [`Error::TrailingBytes`] for input after the body. Once an error is
    /// returned, every later call returns it again.
    pub fn feed<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Step<'a>), Error> {
        match self.state {
            State::Failed(e) => Err(e),
            State::Header { have } => {
                let want = HEADER_LEN.saturating_sub(have);
                let take = want.min(input.len());
                let (src, dst) = match (input.get(..take), self.header.get_mut(have..have + take)) {
                    (Some(s), Some(d)) => (s, d),
                    // Unreachable: `have + take <= HEADER_LEN` and `take <= input.len()`.
                    _ => return self.fail(Error::Truncated),
                };
                dst.copy_from_slice(src);
                let have = have + take;
                if have < HEADER_LEN {
                    self.state = State::Header { have };
                    return Ok((take, Step::NeedMore));
                }
                let (magic, len) = self.header.split_at(STREAM_MAGIC.len());
                if magic != STREAM_MAGIC {
                    return self.fail(Error::WrongMagic);
                }
                let mut len_be = [0u8; 8];
                len_be.copy_from_slice(len);
                let len = u64::from_be_bytes(len_be);
                if len > self.max_len {
                    return self.fail(Error::MessageTooLong { len, max: self.max_len });
                }
                self.state = if len == 0 {
                    State::Complete { len }
                } else {
                    State::Body { len, remaining: len }
                };
                Ok((take, Step::Header { len }))
            }
            State::Body { len, remaining } => {
                if input.is_empty() {
                    return Ok((0, Step::NeedMore));
                }
                let take = usize::try_from(remaining).unwrap_or(usize::MAX).min(input.len());
                let piece = input.get(..take).unwrap_or_default();
                let remaining = remaining - take as u64;
                self.state = if remaining == 0 {
                    State::Complete { len }
                } else {
                    State::Body { len, remaining }
                };
                Ok((take, Step::Body(piece)))
            }
            State::Complete { .. } => {
                if input.is_empty() {
                    Ok((0, Step::NeedMore))
                } else {
                    self.fail(Error::TrailingBytes)
                }
            }
        }
    }

    fn fail<T>(&mut self, e: Error) -> Result<T, Error> {
        self.state = State::Failed(e);
        Err(e)
    }

    /// Called at the end of the stream: the body length if the message is complete.
    ///
    /// # Errors
    /// [`Error::Truncated`] if the stream ended inside the header or the body, or the error
    /// the decoder already failed with.
    pub fn finish(&self) -> Result<u64, Error> {
        match self.state {
            State::Complete { len } => Ok(len),
            State::Failed(e) => Err(e),
            State::Header { .. } | State::Body { .. } => Err(Error::Truncated),
        }
    }

    /// How many bytes the next read should ask for: the rest of the header, or the rest of
    /// the body capped at [`CHUNK_LEN`]; 0 once the body is complete (the reader then only
    /// checks for the end of the stream) or after an error.
    pub fn wanted(&self) -> usize {
        match self.state {
            State::Header { have } => HEADER_LEN.saturating_sub(have),
            State::Body { remaining, .. } => {
                usize::try_from(remaining).unwrap_or(usize::MAX).min(CHUNK_LEN)
            }
            State::Complete { .. } | State::Failed(_) => 0,
        }
    }

    /// The declared body length, once the header has been read.
    pub fn declared_len(&self) -> Option<u64> {
        match self.state {
            State::Body { len, .. } | State::Complete { len } => Some(len),
            State::Header { .. } | State::Failed(_) => None,
        }
    }

    /// Body bytes still to come (0 before the header and after the end).
    pub fn remaining(&self) -> u64 {
        match self.state {
            State::Body { remaining, .. } => remaining,
            _ => 0,
        }
    }

    /// Whether the header and the whole body have been decoded.
    pub fn is_complete(&self) -> bool {
        matches!(self.state, State::Complete { .. })
    }
}

/// Decodes a buffer holding exactly one stream's bytes (header, body, nothing after) into
/// its body. A convenience over [`StreamDecoder`] for tests and tools.
///
/// # Errors
/// As [`StreamDecoder::feed`] and [`StreamDecoder::finish`].
pub fn decode_all(bytes: &[u8], max_len: u64) -> Result<Vec<u8>, Error> {
    let mut dec = StreamDecoder::new(max_len);
    let mut body = Vec::new();
    let mut input = bytes;
    while !input.is_empty() {
        let (used, step) = dec.feed(input)?;
        if let Step::Body(piece) = step {
            body.extend_from_slice(piece);
        }
        input = input.get(used..).unwrap_or_default();
    }
    dec.finish()?;
    Ok(body)
}

/// Encodes one stream's bytes: header and body.
pub fn encode_all(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&encode_header(body.len() as u64));
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use proptest::prelude::*;

    use super::*;

    /// Feeds `wire` split at `cuts`, returning the body and the first error.
    fn feed_split(wire: &[u8], cuts: &[usize], max: u64) -> Result<Vec<u8>, Error> {
        let mut dec = StreamDecoder::new(max);
        let mut body = Vec::new();
        let mut start = 0;
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
        points.push(wire.len());
        points.sort_unstable();
        for end in points {
            let mut input = &wire[start..end];
            while !input.is_empty() {
                let (used, step) = dec.feed(input)?;
                if let Step::Body(p) = step {
                    body.extend_from_slice(p);
                }
                input = &input[used..];
            }
            start = end;
        }
        dec.finish()?;
        Ok(body)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn any_split_decodes_the_same(body in proptest::collection::vec(any::<u8>(), 0..3000), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
            let wire = encode_all(&body);
            prop_assert_eq!(feed_split(&wire, &cuts, 4096).unwrap(), body.clone());
            // Every strict prefix is truncated, never accepted.
            for cut in [0, 1, HEADER_LEN - 1, HEADER_LEN, wire.len().saturating_sub(1)] {
                if cut < wire.len() {
                    prop_assert_eq!(decode_all(&wire[..cut], 4096), Err(Error::Truncated));
                }
            }
            let mut longer = wire.clone();
            longer.push(0);
            prop_assert_eq!(feed_split(&longer, &cuts, 4096), Err(Error::TrailingBytes));
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), cuts in proptest::collection::vec(any::<usize>(), 0..4)) {
            let _ = feed_split(&bytes, &cuts, 16);
        }
    }

    #[test]
    fn too_long_refused_from_the_header_alone() {
        let h = encode_header(1 << 40);
        let mut dec = StreamDecoder::new(1 << 20);
        assert_eq!(dec.feed(&h), Err(Error::MessageTooLong { len: 1 << 40, max: 1 << 20 }));
        // The failure is sticky.
        assert_eq!(dec.feed(b"more"), Err(Error::MessageTooLong { len: 1 << 40, max: 1 << 20 }));
        assert_eq!(dec.wanted(), 0);
        // Exactly the maximum is fine.
        let mut dec = StreamDecoder::new(1 << 20);
        assert_eq!(dec.feed(&encode_header(1 << 20)).unwrap(), (12, Step::Header { len: 1 << 20 }));
        assert_eq!(dec.wanted(), CHUNK_LEN);
        assert_eq!(dec.remaining(), 1 << 20);
    }

    #[test]
    fn wrong_magic_refused() {
        let mut h = encode_header(3);
        h[3] = 2; // version 2
        assert_eq!(decode_all(&h, 100), Err(Error::WrongMagic));
        assert_eq!(decode_all(b"GET / HTTP/1.1\r\n", 100), Err(Error::WrongMagic));
    }

    #[test]
    fn wanted_tracks_header_then_body() {
        let mut dec = StreamDecoder::new(u64::MAX);
        assert_eq!(dec.wanted(), HEADER_LEN);
        let wire = encode_all(&vec![7u8; CHUNK_LEN + 10]);
        assert_eq!(dec.feed(&wire[..5]).unwrap(), (5, Step::NeedMore));
        assert_eq!(dec.wanted(), HEADER_LEN - 5);
        assert_eq!(dec.declared_len(), None);
        let (used, step) = dec.feed(&wire[5..]).unwrap();
        assert_eq!((used, step), (7, Step::Header { len: (CHUNK_LEN + 10) as u64 }));
        assert_eq!(dec.wanted(), CHUNK_LEN);
        let (used, _) = dec.feed(&wire[12..12 + CHUNK_LEN]).unwrap();
        assert_eq!(used, CHUNK_LEN);
        assert_eq!(dec.wanted(), 10);
        // A body piece never runs past the declared end.
        let (used, step) = dec.feed(&[1u8; 50]).unwrap();
        assert_eq!((used, step), (10, Step::Body(&[1u8; 10][..])));
        assert!(dec.is_complete());
        assert_eq!(dec.finish(), Ok((CHUNK_LEN + 10) as u64));
        assert_eq!(dec.feed(&[1]), Err(Error::TrailingBytes));
    }

    #[test]
    fn empty_body_completes_at_the_header() {
        let mut dec = StreamDecoder::new(0);
        assert_eq!(dec.feed(&encode_header(0)).unwrap(), (12, Step::Header { len: 0 }));
        assert!(dec.is_complete());
        assert_eq!(dec.finish(), Ok(0));
    }
}
