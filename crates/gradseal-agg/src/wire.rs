//! Shared pieces of the wire formats: headers and vectors of u64 words.

use gradseal_core::{DecodeError, Reader, Writer};

use crate::params::MAX_DIMENSION;
use crate::{AggError, Profile, RoundParams};

/// Reads a profile identifier.
pub(crate) fn read_profile(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<Profile, DecodeError> {
    let id = r.read_u8(field)?;
    Profile::from_id(id).ok_or(DecodeError::UnknownTag { field, tag: u32::from(id) })
}

/// Reads `count` big-endian u64 words, failing before allocating if the input is too short.
pub(crate) fn read_words(
    r: &mut Reader<'_>,
    field: &'static str,
    count: usize,
) -> Result<Vec<u64>, DecodeError> {
    let bytes =
        r.read_bytes(field, count.checked_mul(8).ok_or(DecodeError::Truncated { field })?)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            u64::from_be_bytes(w)
        })
        .collect())
}

/// Appends u64 words big-endian.
pub(crate) fn put_words(w: &mut Writer, words: &[u64]) {
    let mut buf = Vec::with_capacity(words.len() * 8);
    for x in words {
        buf.extend_from_slice(&x.to_be_bytes());
    }
    w.put_bytes(&buf);
}

/// The shape every ciphertext-carrying value declares: checked against the round parameters
/// before use, never trusted to size anything beyond its `MAX_*` bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) profile: Profile,
    pub(crate) round: [u8; 32],
    pub(crate) dimension: u32,
    pub(crate) list_len: u16,
}

impl Shape {
    pub(crate) fn of(params: &RoundParams) -> Shape {
        Shape {
            profile: params.profile(),
            round: *params.digest(),
            dimension: params.config().dimension,
            list_len: params.config().list_len,
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.put_u8(self.profile.id());
        w.put_bytes(&self.round);
        w.put_u32(self.dimension);
        w.put_u16(self.list_len);
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Shape, DecodeError> {
        let profile = read_profile(r, "agg.shape.profile")?;
        let round = r.read_array("agg.shape.round")?;
        let dimension = r.read_u32("agg.shape.dimension")?;
        if dimension == 0 || dimension > MAX_DIMENSION {
            return Err(DecodeError::LengthTooLarge {
                field: "agg.shape.dimension",
                len: u64::from(dimension),
                max: u64::from(MAX_DIMENSION),
            });
        }
        let list_len = r.read_u16("agg.shape.list_len")?;
        if list_len == 0 || usize::from(list_len) > profile.lwe_dimension() {
            return Err(DecodeError::InvalidValue { field: "agg.shape.list_len" });
        }
        Ok(Shape { profile, round, dimension, list_len })
    }

    pub(crate) fn n(&self) -> usize {
        self.profile.lwe_dimension()
    }

    pub(crate) fn dimension(&self) -> usize {
        self.dimension as usize
    }

    pub(crate) fn list_count(&self) -> usize {
        self.dimension().div_ceil(usize::from(self.list_len))
    }

    pub(crate) fn list_coords(&self, l: usize) -> usize {
        let len = usize::from(self.list_len);
        len.min(self.dimension().saturating_sub(l * len))
    }

    /// Checks the shape against the round: profile, round digest, dimension, list length.
    pub(crate) fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        if self.profile != params.profile() {
            return Err(AggError::WrongProfile);
        }
        if &self.round != params.digest() {
            return Err(AggError::WrongRound);
        }
        if self.dimension != params.config().dimension {
            return Err(AggError::DimensionMismatch {
                expected: u64::from(params.config().dimension),
                got: u64::from(self.dimension),
            });
        }
        if self.list_len != params.config().list_len {
            return Err(AggError::DimensionMismatch {
                expected: u64::from(params.config().list_len),
                got: u64::from(self.list_len),
            });
        }
        Ok(())
    }
}
