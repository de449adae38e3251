//! Certificateless Schnorr signatures.
//!
//! One core ([`schnorr_sign`]) signs a 32-byte *statement* `st` under `sk`; each use builds
//! its own statement under its own tag, so a signature made for one use never verifies in
//! another. Spec: `spec/clsc.md`, section "Signatures".

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::MultiscalarMul;
use gradseal_core::{Codec, DecodeError, Reader, Writer, bulk_digest, hash};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::wire::{Point, hash_to_scalar, read_scalar};
use crate::{Error, NodeKeys, PublicKey, tags};

/// A Schnorr signature `(Rsig, z)` with `z·G = Rsig + c·P`.
///
/// Encoding: `Rsig (32) ‖ z (32)`; `Rsig` must be a canonical non-identity point and `z` a
/// canonical scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub(crate) r: Point,
    pub(crate) z: Scalar,
}

/// Length of an encoded [`Signature`].
pub const SIGNATURE_LEN: usize = 64;

impl Codec for Signature {
    fn encode(&self, w: &mut Writer) {
        self.r.write(w);
        w.put_bytes(self.z.as_bytes());
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { r: Point::read(r, "signature.r")?, z: read_scalar(r, "signature.z")? })
    }
}

/// `md = B(TAG_MESSAGE, msg)`, gradseal-core's bulk digest ([`bulk_digest`]): the one pass of
/// a hash over a message, one definition for every message length.
///
/// Messages can be large (model updates: 834 KB for a 10^5-coordinate contribution), so this
/// pass is the tree of 8 KiB TurboSHAKE128 chunks that `bulk_digest` hashes four lanes at a
/// time on AVX2, bound by one framed SHA3-256 node (which frames the tag and the length);
/// every other hash input is short and uses framed SHA3-256.
pub(crate) fn message_digest(message: &[u8]) -> [u8; 32] {
    bulk_digest(tags::TAG_MESSAGE, message)
}

/// The statement of a plain signature: `H(TAG_SIGN_STATEMENT, bid_S, context, md)`.
pub(crate) fn sign_statement(signer_bid: &[u8; 32], context: &[u8], md: &[u8; 32]) -> [u8; 32] {
    hash(tags::TAG_SIGN_STATEMENT, &[signer_bid, context, md])
}

/// `c = Hs(TAG_SCHNORR_CHALLENGE, Rsig, st)`.
pub(crate) fn challenge(r: &Point, statement: &[u8; 32]) -> Scalar {
    hash_to_scalar(tags::TAG_SCHNORR_CHALLENGE, &[&r.bytes, statement])
}

/// Signs `statement` with `sk`: hedged nonce `k = Hs(TAG_SCHNORR_NONCE, sk, rnd, st)`.
pub(crate) fn schnorr_sign(sk: &Scalar, rnd: &[u8; 32], statement: &[u8; 32]) -> Signature {
    let k = schnorr_nonce(sk, rnd, statement);
    let r = Point::mul_base_unchecked(&k);
    let c = challenge(&r, statement);
    Signature { r, z: *k + c * sk }
}

/// `k = Hs(TAG_SCHNORR_NONCE, sk, rnd, st)`.
pub(crate) fn schnorr_nonce(
    sk: &Scalar,
    rnd: &[u8; 32],
    statement: &[u8; 32],
) -> Zeroizing<Scalar> {
    let sk_bytes = Zeroizing::new(sk.to_bytes());
    Zeroizing::new(hash_to_scalar(tags::TAG_SCHNORR_NONCE, &[&sk_bytes[..], rnd, statement]))
}

/// Checks `z·G − c·P = Rsig` for a derived `P` (variable time: all inputs are public).
pub(crate) fn schnorr_verify(p: &Point, statement: &[u8; 32], sig: &Signature) -> bool {
    let c = challenge(&sig.r, statement);
    RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c, &p.point, &sig.z) == sig.r.point
}

/// Checks `z·G − c·(X + R) − (c·h)·Ppub = Rsig`, the same equation with
/// `P = X + R + h·Ppub` folded in, so a signer's bundle is verified without deriving `P`.
///
/// Constant time (dalek's constant-time multiscalar multiplication and point equality):
/// inside unsigncrypt the signer's bundle and signature are hidden from outsiders.
pub(crate) fn schnorr_verify_folded_ct(
    x_plus_r: &RistrettoPoint,
    h: &Scalar,
    ppub: &RistrettoPoint,
    statement: &[u8; 32],
    sig: &Signature,
) -> bool {
    let c = challenge(&sig.r, statement);
    let lhs = RistrettoPoint::multiscalar_mul(
        [sig.z, -c, -(c * h)],
        [curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT, *x_plus_r, *ppub],
    );
    bool::from(lhs.ct_eq(&sig.r.point))
}

/// Signs `message` under `context` (e.g. a protocol's transcript label) with a hedged nonce.
pub fn sign(
    signer: &NodeKeys,
    context: &[u8],
    message: &[u8],
    rng: &mut impl CryptoRng,
) -> Signature {
    let mut rnd = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut rnd[..]);
    sign_with_random(signer, context, message, &rnd)
}

pub(crate) fn sign_with_random(
    signer: &NodeKeys,
    context: &[u8],
    message: &[u8],
    rnd: &[u8; 32],
) -> Signature {
    let st = sign_statement(signer.public_key().bundle_id(), context, &message_digest(message));
    schnorr_sign(signer.sk(), rnd, &st)
}

/// Verifies a signature made by [`sign`] with the same `context` and `message`.
///
/// # Errors
/// [`Error::InvalidSignature`].
pub fn verify(
    signer: &PublicKey,
    context: &[u8],
    message: &[u8],
    signature: &Signature,
) -> Result<(), Error> {
    let st = sign_statement(signer.bundle_id(), context, &message_digest(message));
    if schnorr_verify(signer.point(), &st, signature) {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

/// The chunk digests of `MD(m)` written out from spec/clsc.md §3.3 with `turboshake` (one
/// TurboSHAKE128 per framed 8192-byte chunk), independent of gradseal-core's lockstep code:
/// the reference the vectors and the tests check `message_digest` against.
#[cfg(any(test, feature = "vectors"))]
pub(crate) fn spec_md_chunks(m: &[u8]) -> Vec<[u8; 32]> {
    use turboshake::digest::{ExtendableOutput, Update};
    let tag = tags::TAG_MESSAGE.as_bytes();
    m.chunks(8192)
        .enumerate()
        .map(|(i, c)| {
            let mut h = turboshake::TurboShake128::default();
            h.update(&u32::try_from(tag.len()).unwrap_or(u32::MAX).to_be_bytes());
            h.update(tag);
            h.update(&(i as u64).to_be_bytes());
            h.update(&(c.len() as u64).to_be_bytes());
            h.update(c);
            let mut out = [0u8; 32];
            h.finalize_xof_into(&mut out);
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `MD(m)` from spec/clsc.md §3.3: the framed SHA3-256 node over the chunk digests.
    fn spec_md(m: &[u8]) -> [u8; 32] {
        let tag = tags::TAG_MESSAGE.as_bytes();
        let chunks = spec_md_chunks(m);
        hash(
            "gradseal/v1/core/bulk",
            &[tag, &(m.len() as u64).to_be_bytes(), chunks.as_flattened()],
        )
    }

    #[test]
    fn message_digest_is_the_spec_md_at_every_size() {
        let data: Vec<u8> = (0..(1 << 20) + 3 * 8192 + 11)
            .map(|i: usize| u8::try_from(i % 251).expect("below 251"))
            .collect();
        // No chunk, one short, one full, lockstep groups with and without a remainder, an
        // 834 KB contribution, and past the 1 MiB threshold where the bulk digest uses threads.
        for len in
            [0, 1, 8191, 8192, 8193, 4 * 8192, 4 * 8192 + 5, 9 * 8192 + 1, 833_829, data.len()]
        {
            assert_eq!(message_digest(&data[..len]), spec_md(&data[..len]), "{len}");
        }
    }
}
