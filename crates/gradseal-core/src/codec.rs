//! Canonical binary codec (see `spec/core.md`).
//!
//! Conventions, shared by every gradseal encoding:
//! - integers are fixed-width big-endian;
//! - a variable-length field is a `u32` big-endian length followed by that many bytes, and
//!   every such field has a `MAX_*` bound checked *before* anything is allocated;
//! - [`Codec::from_bytes`] rejects trailing bytes, so each value has one encoding;
//! - encoding cannot fail: bounds on values we produce are `debug_assert`ed.

use thiserror::Error;

/// Why a byte string was rejected by a decoder.
///
/// Each variant carries the name of the field being read (a static string chosen by the
/// decoder, never data from the input), so a caller learns what was wrong without the error
/// carrying attacker-controlled content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended before the field was complete.
    #[error("truncated input while reading {field}")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// Bytes were left over after a complete value.
    #[error("{extra} trailing byte(s) after {field}")]
    TrailingBytes {
        /// The value that was complete.
        field: &'static str,
        /// How many bytes were left.
        extra: usize,
    },
    /// A length prefix exceeded the field's bound.
    #[error("length {len} of {field} exceeds its maximum {max}")]
    LengthTooLarge {
        /// The field being read.
        field: &'static str,
        /// The length found on the wire.
        len: u64,
        /// The field's bound.
        max: u64,
    },
    /// A length or count had the wrong value for the field's shape.
    #[error("length of {field} is {len}, expected {expected}")]
    LengthMismatch {
        /// The field being read.
        field: &'static str,
        /// The length found on the wire.
        len: u64,
        /// The length required by the context.
        expected: u64,
    },
    /// A value has another, canonical encoding (non-reduced scalar, non-canonical point,
    /// unsorted or duplicated list entries, non-zero padding...).
    #[error("non-canonical encoding of {field}")]
    NonCanonical {
        /// The field being read.
        field: &'static str,
    },
    /// A value is well-formed but not allowed (identity point, zero where non-zero is
    /// required, out-of-range parameter...).
    #[error("invalid value for {field}")]
    InvalidValue {
        /// The field being read.
        field: &'static str,
    },
    /// An enum discriminant, version or tag byte is unknown.
    #[error("unknown tag {tag} for {field}")]
    UnknownTag {
        /// The field being read.
        field: &'static str,
        /// The unknown tag value.
        tag: u32,
    },
}

/// A cursor over untrusted input. Reads never panic; each failure is a [`DecodeError`].
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte has been read.
    ///
    /// # Errors
    /// [`DecodeError::TrailingBytes`] naming `field` if input is left.
    pub fn finish(&self, field: &'static str) -> Result<(), DecodeError> {
        match self.buf.len() {
            0 => Ok(()),
            extra => Err(DecodeError::TrailingBytes { field, extra }),
        }
    }

    /// Takes the next `n` bytes.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than `n` bytes remain.
    pub fn read_bytes(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(DecodeError::Truncated { field });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// Takes the next `N` bytes as an array.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than `N` bytes remain.
    pub fn read_array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let bytes = self.read_bytes(field, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Reads one byte.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] at end of input.
    pub fn read_u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(u8::from_be_bytes(self.read_array(field)?))
    }

    /// Reads a big-endian `u16`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than 2 bytes remain.
    pub fn read_u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.read_array(field)?))
    }

    /// Reads a big-endian `u32`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than 4 bytes remain.
    pub fn read_u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.read_array(field)?))
    }

    /// Reads a big-endian `u64`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than 8 bytes remain.
    pub fn read_u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.read_array(field)?))
    }

    /// Reads a boolean encoded as one byte, `0` or `1`; any other byte is non-canonical.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] or [`DecodeError::NonCanonical`].
    pub fn read_bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        match self.read_u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::NonCanonical { field }),
        }
    }

    /// Reads a `u32` length prefix, checks it against `max`, and returns it as `usize`.
    ///
    /// The bound is checked before any allocation, and the length is also checked against
    /// the bytes actually remaining, so a hostile prefix can never cause a large allocation.
    ///
    /// # Errors
    /// [`DecodeError::LengthTooLarge`] if the prefix exceeds `max`, [`DecodeError::Truncated`]
    /// if the input is shorter than the prefix says (for byte fields).
    pub fn read_len(&mut self, field: &'static str, max: usize) -> Result<usize, DecodeError> {
        let len = self.read_u32(field)?;
        let len_usize = usize::try_from(len).map_err(|_| DecodeError::LengthTooLarge {
            field,
            len: u64::from(len),
            max: max as u64,
        })?;
        if len_usize > max {
            return Err(DecodeError::LengthTooLarge {
                field,
                len: u64::from(len),
                max: max as u64,
            });
        }
        Ok(len_usize)
    }

    /// Reads a length-prefixed byte string of at most `max` bytes.
    ///
    /// # Errors
    /// As [`Reader::read_len`], then [`DecodeError::Truncated`].
    pub fn read_var_bytes(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<&'a [u8], DecodeError> {
        let len = self.read_len(field, max)?;
        self.read_bytes(field, len)
    }

    /// Reads a length-prefixed list of at most `max` items, each decoded by `item`.
    ///
    /// Capacity is never reserved from the wire length: items are pushed as they decode.
    ///
    /// # Errors
    /// As [`Reader::read_len`], then whatever `item` returns.
    pub fn read_list<T>(
        &mut self,
        field: &'static str,
        max: usize,
        mut item: impl FnMut(&mut Reader<'a>) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let count = self.read_len(field, max)?;
        let mut out = Vec::new();
        for _ in 0..count {
            out.push(item(self)?);
        }
        Ok(out)
    }

    /// Reads a length-prefixed sub-slice and returns a [`Reader`] confined to it.
    ///
    /// # Errors
    /// As [`Reader::read_var_bytes`].
    pub fn sub(&mut self, field: &'static str, max: usize) -> Result<Reader<'a>, DecodeError> {
        Ok(Reader::new(self.read_var_bytes(field, max)?))
    }
}

/// An append-only output buffer. Encoding never fails.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `n` bytes (the size is ours, never a wire length).
    pub fn with_capacity(n: usize) -> Self {
        Self { buf: Vec::with_capacity(n) }
    }

    /// The bytes written so far.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// Number of bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True if nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Appends raw bytes with no prefix (fixed-size fields).
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Appends one byte.
    pub fn put_u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Appends a big-endian `u16`.
    pub fn put_u16(&mut self, v: u16) {
        self.put_bytes(&v.to_be_bytes());
    }

    /// Appends a big-endian `u32`.
    pub fn put_u32(&mut self, v: u32) {
        self.put_bytes(&v.to_be_bytes());
    }

    /// Appends a big-endian `u64`.
    pub fn put_u64(&mut self, v: u64) {
        self.put_bytes(&v.to_be_bytes());
    }

    /// Appends a boolean as one byte, `0` or `1`.
    pub fn put_bool(&mut self, v: bool) {
        self.put_u8(u8::from(v));
    }

    /// Appends a `u32` length prefix.
    ///
    /// Lengths above `u32::MAX` cannot be produced by a well-formed value (every field has a
    /// smaller `MAX_*` bound); this is asserted in debug builds and saturates otherwise, so a
    /// buggy caller produces bytes the decoder rejects rather than a silent truncation.
    pub fn put_len(&mut self, len: usize) {
        debug_assert!(u32::try_from(len).is_ok(), "length {len} does not fit the u32 prefix");
        self.put_u32(u32::try_from(len).unwrap_or(u32::MAX));
    }

    /// Appends a `u32` length prefix and then the bytes.
    pub fn put_var_bytes(&mut self, bytes: &[u8]) {
        self.put_len(bytes.len());
        self.put_bytes(bytes);
    }

    /// Appends a `u32` count and then each item encoded by `item`.
    pub fn put_list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Writer, &T)) {
        self.put_len(items.len());
        for it in items {
            item(self, it);
        }
    }

    /// Appends a nested value behind a `u32` length prefix.
    pub fn put_sub(&mut self, f: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::new();
        f(&mut inner);
        self.put_var_bytes(inner.as_slice());
    }
}

/// A type with one canonical byte encoding.
///
/// Implementations must satisfy `decode(encode(x)) == x` and, for every accepted input `b`,
/// `encode(decode(b)) == b`.
pub trait Codec: Sized {
    /// Appends the canonical encoding of `self`.
    fn encode(&self, w: &mut Writer);

    /// About how many bytes [`Codec::encode`] writes, to size the buffer of
    /// [`Codec::to_bytes`] once (multi-megabyte messages otherwise grow by doubling, copying
    /// and faulting in each new buffer). Only a hint: 0 by default, never trusted.
    fn encoded_len_hint(&self) -> usize {
        0
    }

    /// Decodes one value from the reader, leaving any following bytes unread.
    ///
    /// # Errors
    /// A [`DecodeError`] describing the first problem found.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// The canonical encoding as a fresh vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(self.encoded_len_hint());
        self.encode(&mut w);
        w.into_bytes()
    }

    /// Decodes exactly one value: trailing bytes are an error.
    ///
    /// # Errors
    /// A [`DecodeError`]; [`DecodeError::TrailingBytes`] if input remains.
    fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::decode(&mut r)?;
        r.finish(core::any::type_name::<Self>())?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers_are_big_endian() {
        let mut w = Writer::new();
        w.put_u16(0x0102);
        w.put_u32(0x0304_0506);
        w.put_u64(0x0708_090a_0b0c_0d0e);
        assert_eq!(w.as_slice(), &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    }

    #[test]
    fn length_bound_checked_before_reading() {
        // A prefix of 2^32-1 with no body: must fail on the bound, not try to read.
        let bytes = [0xff, 0xff, 0xff, 0xff];
        let err = Reader::new(&bytes).read_var_bytes("f", 16).unwrap_err();
        assert_eq!(
            err,
            DecodeError::LengthTooLarge { field: "f", len: u64::from(u32::MAX), max: 16 }
        );
    }

    #[test]
    fn truncated_body_is_rejected() {
        let bytes = [0, 0, 0, 3, 1, 2];
        assert_eq!(
            Reader::new(&bytes).read_var_bytes("f", 16),
            Err(DecodeError::Truncated { field: "f" })
        );
    }

    #[test]
    fn bool_must_be_zero_or_one() {
        assert_eq!(Reader::new(&[2]).read_bool("b"), Err(DecodeError::NonCanonical { field: "b" }));
        assert_eq!(Reader::new(&[1]).read_bool("b"), Ok(true));
    }

    #[test]
    fn list_with_huge_count_does_not_allocate() {
        // Count says 1000 items of 8 bytes, input has 8 bytes: fails on truncation.
        let mut bytes = vec![0, 0, 0x03, 0xe8];
        bytes.extend_from_slice(&[0; 8]);
        let r = Reader::new(&bytes).read_list("l", 1000, |r| r.read_u64("item"));
        assert_eq!(r, Err(DecodeError::Truncated { field: "item" }));
    }

    #[test]
    fn sub_reader_is_confined() {
        let mut w = Writer::new();
        w.put_sub(|w| w.put_u16(9));
        w.put_u8(1);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        let mut inner = r.sub("inner", 8).unwrap();
        assert_eq!(inner.read_u16("x"), Ok(9));
        assert_eq!(inner.read_u8("y"), Err(DecodeError::Truncated { field: "y" }));
        assert_eq!(r.read_u8("z"), Ok(1));
        r.finish("all").unwrap();
    }

    proptest! {
        #[test]
        fn var_bytes_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300), tail in proptest::collection::vec(any::<u8>(), 0..4)) {
            let mut w = Writer::new();
            w.put_var_bytes(&data);
            let mut bytes = w.into_bytes();
            bytes.extend_from_slice(&tail);
            let mut r = Reader::new(&bytes);
            prop_assert_eq!(r.read_var_bytes("d", 300).unwrap(), &data[..]);
            prop_assert_eq!(r.remaining(), tail.len());
            prop_assert_eq!(r.finish("d").is_ok(), tail.is_empty());
        }

        #[test]
        fn reader_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut r = Reader::new(&data);
            let _ = r.read_list("l", 8, |r| r.read_var_bytes("x", 16).map(<[u8]>::to_vec));
            let _ = r.read_u64("a");
            let _ = r.read_bool("b");
        }
    }
}
