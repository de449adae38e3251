//! Shared pieces of the wire formats: the shape header and vectors of u64 words.

use gradseal_core::{DecodeError, Reader, Writer};

use crate::params::MAX_DIMENSION;
use crate::{AggError, Profile, RoundParams};

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

/// The header every value of a round starts with: `profile u8 ‖ round digest [32] ‖
/// dimension u32` (37 bytes). Checked against the round parameters before use; never trusted
/// to size anything beyond [`MAX_DIMENSION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) profile: Profile,
    pub(crate) round: [u8; 32],
    pub(crate) dimension: u32,
}

/// Bytes of an encoded [`Shape`].
pub(crate) const SHAPE_LEN: usize = 37;

impl Shape {
    pub(crate) fn of(params: &RoundParams) -> Shape {
        Shape {
            profile: params.profile(),
            round: *params.digest(),
            dimension: params.config().dimension,
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.put_u8(self.profile.id());
        w.put_bytes(&self.round);
        w.put_u32(self.dimension);
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Shape, DecodeError> {
        let id = r.read_u8("agg.shape.profile")?;
        let profile = Profile::from_id(id)
            .ok_or(DecodeError::UnknownTag { field: "agg.shape.profile", tag: u32::from(id) })?;
        let round = r.read_array("agg.shape.round")?;
        let dimension = r.read_u32("agg.shape.dimension")?;
        if dimension == 0 || dimension > MAX_DIMENSION {
            return Err(DecodeError::InvalidValue { field: "agg.shape.dimension" });
        }
        Ok(Shape { profile, round, dimension })
    }

    pub(crate) fn n(&self) -> usize {
        self.profile.ring_dimension()
    }

    pub(crate) fn dimension(&self) -> usize {
        self.dimension as usize
    }

    /// Checks the shape against the round: profile, round digest, dimension.
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
        Ok(())
    }
}
