//! Group elements, scalars and identities on the wire, and the wide hash-to-scalar.
//!
//! Every point on the wire is a canonical 32-byte ristretto255 encoding of a point other than
//! the identity; every scalar is a canonical (fully reduced) 32-byte little-endian integer.

use core::fmt;

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use gradseal_core::{Codec, DecodeError, Reader, Writer, hash};
use zeroize::Zeroizing;

use crate::Error;

/// Largest identity, in bytes.
pub const MAX_IDENTITY_LEN: usize = 64;

/// A non-identity ristretto255 point together with its canonical encoding.
///
/// Keeping both avoids re-compressing (an inverse square root) every time the point is
/// hashed or encoded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Point {
    pub(crate) point: RistrettoPoint,
    pub(crate) bytes: [u8; 32],
}

impl Point {
    /// Wraps a point we computed. Returns `None` for the identity.
    pub(crate) fn new(point: RistrettoPoint) -> Option<Self> {
        if point.is_identity() {
            return None;
        }
        Some(Self { point, bytes: point.compress().to_bytes() })
    }

    /// `k·G` for a non-zero scalar (the caller guarantees non-zero; zero yields `None`).
    pub(crate) fn mul_base(k: &Scalar) -> Option<Self> {
        Self::new(RistrettoPoint::mul_base(k))
    }

    /// `k·G` without the identity check, for hedged nonces: `k = 0` has probability 2^-252
    /// and its identity output is then rejected by every decoder and verifier.
    pub(crate) fn mul_base_unchecked(k: &Scalar) -> Self {
        let point = RistrettoPoint::mul_base(k);
        Self { point, bytes: point.compress().to_bytes() }
    }

    /// Decodes 32 bytes: canonical encoding, not the identity.
    pub(crate) fn from_bytes(bytes: [u8; 32], field: &'static str) -> Result<Self, DecodeError> {
        // Ristretto decompression accepts only the canonical encoding of each point.
        let point =
            CompressedRistretto(bytes).decompress().ok_or(DecodeError::NonCanonical { field })?;
        if point.is_identity() {
            return Err(DecodeError::InvalidValue { field });
        }
        Ok(Self { point, bytes })
    }

    pub(crate) fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        Self::from_bytes(r.read_array(field)?, field)
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.put_bytes(&self.bytes);
    }
}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Point(")?;
        for b in self.bytes {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// Reads a canonical scalar.
pub(crate) fn read_scalar(r: &mut Reader<'_>, field: &'static str) -> Result<Scalar, DecodeError> {
    let bytes: [u8; 32] = r.read_array(field)?;
    Option::from(Scalar::from_canonical_bytes(bytes)).ok_or(DecodeError::NonCanonical { field })
}

/// `Hs(T, p_1..p_n)`: a scalar from 64 bytes of framed SHA3-256 output, reduced mod ℓ.
///
/// `Hs(T, p..) = LE(H(T, [0x00], p..) ‖ H(T, [0x01], p..)) mod ℓ`. The 512-bit reduction makes
/// the bias negligible (2^-259), which matters for nonces.
pub(crate) fn hash_to_scalar(tag: &str, parts: &[&[u8]]) -> Scalar {
    let mut framed: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
    framed.push(&[0x00]);
    framed.extend_from_slice(parts);
    let mut wide = Zeroizing::new([0u8; 64]);
    let lo = Zeroizing::new(hash(tag, &framed));
    if let Some(counter) = framed.first_mut() {
        *counter = &[0x01];
    }
    let hi = Zeroizing::new(hash(tag, &framed));
    for (dst, src) in wide.iter_mut().zip(lo.iter().chain(hi.iter())) {
        *dst = *src;
    }
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// A node identity: 1 to [`MAX_IDENTITY_LEN`] arbitrary bytes, chosen by the node and
/// certified by the KGC. Encoded as `u32(len) ‖ bytes`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity(Vec<u8>);

impl Identity {
    /// An identity from its bytes.
    ///
    /// # Errors
    /// [`Error::InvalidIdentity`] if `bytes` is empty or longer than [`MAX_IDENTITY_LEN`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let bytes = bytes.into();
        if bytes.is_empty() || bytes.len() > MAX_IDENTITY_LEN {
            return Err(Error::InvalidIdentity);
        }
        Ok(Self(bytes))
    }

    /// The identity's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match core::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "Identity({s:?})"),
            Err(_) => write!(f, "Identity({:02x?})", self.0),
        }
    }
}

impl Codec for Identity {
    fn encode(&self, w: &mut Writer) {
        w.put_var_bytes(&self.0);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        const FIELD: &str = "identity";
        let bytes = r.read_var_bytes(FIELD, MAX_IDENTITY_LEN)?;
        if bytes.is_empty() {
            return Err(DecodeError::InvalidValue { field: FIELD });
        }
        Ok(Self(bytes.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_point_and_non_canonical_points_are_rejected() {
        assert_eq!(Point::from_bytes([0; 32], "p"), Err(DecodeError::InvalidValue { field: "p" }));
        // 2^255 - 18 = p - 1 is not a canonical field element encoding... use an odd value,
        // which ristretto always rejects as "negative".
        let mut odd = [0u8; 32];
        odd[0] = 1;
        assert_eq!(Point::from_bytes(odd, "p"), Err(DecodeError::NonCanonical { field: "p" }));
    }

    #[test]
    fn non_canonical_scalar_is_rejected() {
        let bytes = [0xff; 32];
        assert_eq!(
            read_scalar(&mut Reader::new(&bytes), "s"),
            Err(DecodeError::NonCanonical { field: "s" })
        );
    }

    #[test]
    fn identity_bounds() {
        assert_eq!(Identity::new(Vec::new()), Err(Error::InvalidIdentity));
        assert_eq!(Identity::new(vec![1; 65]), Err(Error::InvalidIdentity));
        let id = Identity::new(vec![1; 64]).unwrap();
        assert_eq!(Identity::from_bytes(&id.to_bytes()).unwrap(), id);
        assert!(Identity::from_bytes(&[0, 0, 0, 0]).is_err());
    }
}
