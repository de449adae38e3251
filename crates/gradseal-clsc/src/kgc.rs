//! The key generation centre (KGC): master key, enrolment requests and partial keys.
//!
//! Spec: `spec/clsc.md`, sections "Setup", "Enrolment" and "Partial key issue".

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::enrolment::EnrolmentPolicy;
use crate::wire::{Point, hash_to_scalar, read_scalar};
use crate::{Error, Identity, NodeKeys, NodeSecret, PublicBundle, tags};

/// The KGC's public parameters: its master public key `Ppub = s·G`.
///
/// Encoded as the 32-byte ristretto255 encoding of `Ppub`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KgcPublic {
    pub(crate) ppub: Point,
}

impl KgcPublic {
    /// The canonical encoding of `Ppub`.
    pub fn ppub_bytes(&self) -> &[u8; 32] {
        &self.ppub.bytes
    }

    /// `h = Hs(TAG_PARTIAL_KEY, Ppub, ID, X, R)`: the scalar binding a partial key to its
    /// KGC, identity, public value and `R`.
    pub(crate) fn partial_hash(&self, id: &Identity, x: &Point, r: &Point) -> Scalar {
        hash_to_scalar(
            tags::TAG_PARTIAL_KEY,
            &[&self.ppub.bytes, id.as_bytes(), &x.bytes, &r.bytes],
        )
    }
}

impl Codec for KgcPublic {
    fn encode(&self, w: &mut Writer) {
        self.ppub.write(w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { ppub: Point::read(r, "kgc.ppub")? })
    }
}

/// The KGC: master secret `s` and the public parameters.
///
/// Secret: not `Clone`, zeroized on drop, redacted `Debug`, constant-time `PartialEq`.
pub struct Kgc {
    s: Zeroizing<Scalar>,
    public: KgcPublic,
}

impl Kgc {
    /// Draws a fresh master key from `rng`.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        loop {
            let mut seed = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(&mut seed[..]);
            if let Some(kgc) = Self::from_seed(&seed) {
                return kgc;
            }
        }
    }

    /// `s = Hs(TAG_KGC_SECRET, seed)`; `None` if `s = 0` (probability 2^-252).
    pub(crate) fn from_seed(seed: &[u8; 32]) -> Option<Self> {
        let s = Zeroizing::new(hash_to_scalar(tags::TAG_KGC_SECRET, &[seed]));
        Self::from_scalar(s)
    }

    fn from_scalar(s: Zeroizing<Scalar>) -> Option<Self> {
        let ppub = Point::mul_base(&s)?;
        Some(Self { s, public: KgcPublic { ppub } })
    }

    /// Restores a KGC from [`Kgc::to_secret_bytes`].
    ///
    /// # Errors
    /// [`Error::Decode`] if the bytes are not a canonical non-zero scalar.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        const FIELD: &str = "kgc.secret";
        let s = Zeroizing::new(read_scalar(&mut Reader::new(bytes), FIELD)?);
        Self::from_scalar(s).ok_or(Error::Decode(DecodeError::InvalidValue { field: FIELD }))
    }

    /// The master secret as 32 bytes (for storage only; handle as a secret).
    pub fn to_secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.s.to_bytes())
    }

    /// The public parameters.
    pub fn public(&self) -> &KgcPublic {
        &self.public
    }

    /// Checks an enrolment request, asks `policy` whether its identity may be enrolled and
    /// was not already, issues the partial key for (identity, X) and records the issued
    /// bundle in `policy` before returning the key (spec §5.4).
    ///
    /// The nonce `r` is hedged: derived from the master secret, the whole request and 32
    /// fresh bytes, so neither a repeated request nor a broken `rng` can repeat `r` for two
    /// different requests (a repeated `r` would reveal `s`).
    ///
    /// # Errors
    /// In the order checked: [`Error::InvalidProofOfPossession`] if the request's proof
    /// does not verify; [`Error::NotAuthorised`] if `policy` does not authorise the
    /// identity; [`Error::AlreadyEnrolled`] if `policy` says it was enrolled;
    /// [`Error::EnrolmentNotRecorded`] if `policy` could not record the issuance (no
    /// partial key is returned then).
    pub fn issue_authorised(
        &self,
        request: &EnrolmentRequest,
        policy: &mut impl EnrolmentPolicy,
        rng: &mut impl CryptoRng,
    ) -> Result<PartialKey, Error> {
        let mut rnd = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut rnd[..]);
        self.issue_with_random(request, policy, &rnd)
    }

    /// Enrols `secret` with this KGC in one process (simulations, tests, a KGC that is also
    /// the node's operator): the node's request, [`Kgc::issue_authorised`] under `policy`,
    /// and the node's completion, drawing from `rng` in that order.
    ///
    /// # Errors
    /// Those of [`Kgc::issue_authorised`] and [`NodeSecret::complete`].
    pub fn enrol_in_process(
        &self,
        secret: &NodeSecret,
        policy: &mut impl EnrolmentPolicy,
        rng: &mut impl CryptoRng,
    ) -> Result<NodeKeys, Error> {
        let request = secret.request(&self.public, rng);
        let partial = self.issue_authorised(&request, policy, rng)?;
        secret.complete(&self.public, &partial)
    }

    pub(crate) fn issue_with_random(
        &self,
        request: &EnrolmentRequest,
        policy: &mut impl EnrolmentPolicy,
        rnd: &[u8; 32],
    ) -> Result<PartialKey, Error> {
        request.verify(&self.public)?;
        if !policy.authorises(&request.identity) {
            return Err(Error::NotAuthorised);
        }
        if policy.is_enrolled(&request.identity) {
            return Err(Error::AlreadyEnrolled);
        }
        let r = self.partial_nonce(rnd, request);
        // r = 0 has probability 2^-252; the identity R would then fail every decoder.
        let big_r = Point::mul_base_unchecked(&r);
        let h = self.public.partial_hash(&request.identity, &request.x, &big_r);
        let d = Zeroizing::new(*r + h * *self.s);
        let partial = PartialKey { r: big_r, d };
        if !policy.record(&request.bundle(&partial)) {
            return Err(Error::EnrolmentNotRecorded);
        }
        Ok(partial)
    }

    /// `r = Hs(TAG_PARTIAL_NONCE, s, rnd, request)`.
    pub(crate) fn partial_nonce(
        &self,
        rnd: &[u8; 32],
        request: &EnrolmentRequest,
    ) -> Zeroizing<Scalar> {
        let s_bytes = Zeroizing::new(self.s.to_bytes());
        Zeroizing::new(hash_to_scalar(
            tags::TAG_PARTIAL_NONCE,
            &[&s_bytes[..], rnd, &request.to_bytes()],
        ))
    }

    #[cfg(feature = "vectors")]
    pub(crate) fn secret(&self) -> &Scalar {
        &self.s
    }
}

impl fmt::Debug for Kgc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kgc").field("public", &self.public).finish_non_exhaustive()
    }
}

impl PartialEq for Kgc {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.s.ct_eq(&other.s))
    }
}

impl Eq for Kgc {}

/// A node's enrolment request: identity, public value `X = x·G` and a Schnorr proof of
/// possession of `x` bound to the KGC, the identity and `X`.
///
/// Encoding: `identity ‖ X (32) ‖ A (32) ‖ z (32)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentRequest {
    pub(crate) identity: Identity,
    pub(crate) x: Point,
    pub(crate) a: Point,
    pub(crate) z: Scalar,
}

impl EnrolmentRequest {
    /// The identity to enrol.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The canonical encoding of the node's public value `X`.
    pub fn public_value(&self) -> &[u8; 32] {
        &self.x.bytes
    }

    /// The public key bundle that `partial` (issued for this request) completes.
    pub fn bundle(&self, partial: &PartialKey) -> PublicBundle {
        PublicBundle { identity: self.identity.clone(), x: self.x, r: partial.r }
    }

    pub(crate) fn challenge(kgc: &KgcPublic, id: &Identity, x: &Point, a: &Point) -> Scalar {
        hash_to_scalar(
            tags::TAG_POP_CHALLENGE,
            &[&kgc.ppub.bytes, id.as_bytes(), &x.bytes, &a.bytes],
        )
    }

    /// Checks the proof of possession: `z·G − c·X = A`.
    ///
    /// # Errors
    /// [`Error::InvalidProofOfPossession`].
    pub fn verify(&self, kgc: &KgcPublic) -> Result<(), Error> {
        let c = Self::challenge(kgc, &self.identity, &self.x, &self.a);
        let lhs = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c, &self.x.point, &self.z);
        if lhs == self.a.point { Ok(()) } else { Err(Error::InvalidProofOfPossession) }
    }
}

impl Codec for EnrolmentRequest {
    fn encode(&self, w: &mut Writer) {
        self.identity.encode(w);
        self.x.write(w);
        self.a.write(w);
        w.put_bytes(self.z.as_bytes());
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            identity: Identity::decode(r)?,
            x: Point::read(r, "request.x")?,
            a: Point::read(r, "request.a")?,
            z: read_scalar(r, "request.z")?,
        })
    }
}

/// A partial private key `(R, d)` with `d = r + h·s`, issued by the KGC for one
/// (identity, X). Secret (`d`): deliver it over a confidential channel.
///
/// Encoding: `R (32) ‖ d (32)`. Not `Clone`, zeroized on drop, redacted `Debug`,
/// constant-time `PartialEq`.
pub struct PartialKey {
    pub(crate) r: Point,
    pub(crate) d: Zeroizing<Scalar>,
}

impl PartialKey {
    /// The canonical encoding of the public part `R`.
    pub fn public_part(&self) -> &[u8; 32] {
        &self.r.bytes
    }
}

impl fmt::Debug for PartialKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartialKey").field("r", &self.r).finish_non_exhaustive()
    }
}

impl PartialEq for PartialKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.r.bytes.ct_eq(&other.r.bytes) & self.d.ct_eq(&other.d))
    }
}

impl Eq for PartialKey {}

impl Codec for PartialKey {
    fn encode(&self, w: &mut Writer) {
        self.r.write(w);
        w.put_bytes(self.d.as_bytes());
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            r: Point::read(r, "partial.r")?,
            d: Zeroizing::new(read_scalar(r, "partial.d")?),
        })
    }
}
