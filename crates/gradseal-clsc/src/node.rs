//! Node keys: the secret value, completion with a partial key, public key bundles.
//!
//! Spec: `spec/clsc.md`, sections "Enrolment", "Partial key check" and "Public keys".

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use gradseal_core::{Codec, DecodeError, Reader, Writer, hash};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::kgc::{EnrolmentRequest, KgcPublic, PartialKey};
use crate::wire::{Point, hash_to_scalar, read_scalar};
use crate::{Error, Identity, tags};

/// A node's secret value `x` before enrolment, with its identity and `X = x·G`.
///
/// Secret: not `Clone`, zeroized on drop, redacted `Debug`, constant-time `PartialEq`.
pub struct NodeSecret {
    identity: Identity,
    x: Zeroizing<Scalar>,
    x_pub: Point,
}

impl NodeSecret {
    /// Draws a fresh secret value for `identity`.
    pub fn generate(identity: Identity, rng: &mut impl CryptoRng) -> Self {
        loop {
            let mut seed = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(&mut seed[..]);
            if let Some(node) = Self::from_seed(identity.clone(), &seed) {
                return node;
            }
        }
    }

    /// `x = Hs(TAG_NODE_SECRET, seed)`; `None` if `x = 0` (probability 2^-252).
    pub(crate) fn from_seed(identity: Identity, seed: &[u8; 32]) -> Option<Self> {
        let x = Zeroizing::new(hash_to_scalar(tags::TAG_NODE_SECRET, &[seed]));
        let x_pub = Point::mul_base(&x)?;
        Some(Self { identity, x, x_pub })
    }

    /// The identity this secret will be enrolled under.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The canonical encoding of the public value `X = x·G`.
    pub fn public_value(&self) -> &[u8; 32] {
        &self.x_pub.bytes
    }

    /// The enrolment request for `kgc`: identity, `X` and a Schnorr proof of possession of
    /// `x` bound to `Ppub`, the identity and `X`, with a hedged nonce.
    pub fn request(&self, kgc: &KgcPublic, rng: &mut impl CryptoRng) -> EnrolmentRequest {
        let mut rnd = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut rnd[..]);
        self.request_with_random(kgc, &rnd)
    }

    pub(crate) fn request_with_random(&self, kgc: &KgcPublic, rnd: &[u8; 32]) -> EnrolmentRequest {
        let k = self.pop_nonce(kgc, rnd);
        let a = Point::mul_base_unchecked(&k);
        let c = EnrolmentRequest::challenge(kgc, &self.identity, &self.x_pub, &a);
        let z = *k + c * *self.x;
        EnrolmentRequest { identity: self.identity.clone(), x: self.x_pub, a, z }
    }

    /// `k = Hs(TAG_POP_NONCE, x, rnd, Ppub, ID, X)`.
    pub(crate) fn pop_nonce(&self, kgc: &KgcPublic, rnd: &[u8; 32]) -> Zeroizing<Scalar> {
        let x_bytes = Zeroizing::new(self.x.to_bytes());
        Zeroizing::new(hash_to_scalar(
            tags::TAG_POP_NONCE,
            &[&x_bytes[..], rnd, &kgc.ppub.bytes, self.identity.as_bytes(), &self.x_pub.bytes],
        ))
    }

    #[cfg(feature = "vectors")]
    pub(crate) fn secret(&self) -> &Scalar {
        &self.x
    }

    #[cfg(feature = "vectors")]
    pub(crate) fn x_point(&self) -> Point {
        self.x_pub
    }

    /// Checks a partial key (`d·G = R + h·Ppub` with `h = Hs(Ppub, ID, X, R)`) and completes
    /// the node's keys: `sk = x + d`, `P = sk·G`.
    ///
    /// # Errors
    /// [`Error::InvalidPartialKey`] if the partial key was issued for another identity,
    /// another `X` or another KGC, or if `sk = 0`.
    pub fn complete(&self, kgc: &KgcPublic, partial: &PartialKey) -> Result<NodeKeys, Error> {
        NodeKeys::assemble(
            kgc,
            self.identity.clone(),
            Zeroizing::new(*self.x),
            self.x_pub,
            partial.r,
            Zeroizing::new(*partial.d),
        )
    }
}

impl fmt::Debug for NodeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeSecret")
            .field("identity", &self.identity)
            .field("x_pub", &self.x_pub)
            .finish_non_exhaustive()
    }
}

impl PartialEq for NodeSecret {
    fn eq(&self, other: &Self) -> bool {
        self.identity == other.identity && bool::from(self.x.ct_eq(&other.x))
    }
}

impl Eq for NodeSecret {}

/// A node's public key bundle `(ID, X, R)`: what a node publishes instead of a certificate.
///
/// Encoding: `identity ‖ X (32) ‖ R (32)`. Turn it into a usable [`PublicKey`] with
/// [`PublicKey::derive`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicBundle {
    pub(crate) identity: Identity,
    pub(crate) x: Point,
    pub(crate) r: Point,
}

impl PublicBundle {
    /// The bundle's identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The canonical encoding of the node's public value `X`.
    pub fn public_value(&self) -> &[u8; 32] {
        &self.x.bytes
    }

    /// The canonical encoding of the partial key's public part `R`.
    pub fn public_part(&self) -> &[u8; 32] {
        &self.r.bytes
    }

    /// Constant-time equality of two bundles (identity, `X` and `R`), for roster checks on
    /// bundles returned by [`crate::unsigncrypt`], which outsiders never see: the
    /// comparison runs over the fixed-width form (identity zero-filled to 64 bytes), so its
    /// time depends on neither bundle. Prefer it to comparing identities alone: the KGC can
    /// issue a second bundle for an identity.
    pub fn ct_eq(&self, other: &Self) -> bool {
        bool::from(self.sender_block().ct_eq(&other.sender_block()))
    }

    /// `u8(len ID) ‖ ID ‖ 0^(64 − len ID) ‖ X ‖ R`: the sender block of a signcryption,
    /// 129 bytes for every bundle.
    fn sender_block(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(1 + crate::MAX_IDENTITY_LEN + 64);
        crate::signcrypt::write_sender_block(&mut w, self);
        w.into_bytes()
    }

    /// `bid = H(TAG_BUNDLE_ID, Ppub, ID, X, R)`: names the bundle under one KGC.
    pub(crate) fn id_under(&self, kgc: &KgcPublic) -> [u8; 32] {
        hash(
            tags::TAG_BUNDLE_ID,
            &[&kgc.ppub.bytes, self.identity.as_bytes(), &self.x.bytes, &self.r.bytes],
        )
    }
}

impl Codec for PublicBundle {
    fn encode(&self, w: &mut Writer) {
        self.identity.encode(w);
        self.x.write(w);
        self.r.write(w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            identity: Identity::decode(r)?,
            x: Point::read(r, "bundle.x")?,
            r: Point::read(r, "bundle.r")?,
        })
    }
}

/// A node's certificateless public key: its bundle with the derived
/// `P = X + R + h·Ppub` and bundle id cached, so each is computed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    kgc: KgcPublic,
    bundle: PublicBundle,
    p: Point,
    bid: [u8; 32],
}

impl PublicKey {
    /// Derives the public key of `bundle` under `kgc`.
    ///
    /// This does not (and cannot) check that the KGC issued `R`: a bundle with a replaced
    /// `X` or `R` derives a `P` whose secret nobody knows, so signatures under it fail and
    /// signcryptions to it are unreadable by anyone.
    ///
    /// # Errors
    /// [`Error::DegeneratePublicKey`] if `P` is the identity.
    pub fn derive(kgc: &KgcPublic, bundle: PublicBundle) -> Result<Self, Error> {
        let h = kgc.partial_hash(&bundle.identity, &bundle.x, &bundle.r);
        // Public inputs only: variable time is fine.
        let p = RistrettoPoint::vartime_multiscalar_mul(
            [Scalar::ONE, Scalar::ONE, h],
            [bundle.x.point, bundle.r.point, kgc.ppub.point],
        );
        let p = Point::new(p).ok_or(Error::DegeneratePublicKey)?;
        let bid = bundle.id_under(kgc);
        Ok(Self { kgc: *kgc, bundle, p, bid })
    }

    /// The bundle this key was derived from.
    pub fn bundle(&self) -> &PublicBundle {
        &self.bundle
    }

    /// The key's identity.
    pub fn identity(&self) -> &Identity {
        &self.bundle.identity
    }

    /// The KGC parameters the key was derived under.
    pub fn kgc(&self) -> &KgcPublic {
        &self.kgc
    }

    /// The canonical encoding of `P`.
    pub fn point_bytes(&self) -> &[u8; 32] {
        &self.p.bytes
    }

    /// The bundle id `bid = H(TAG_BUNDLE_ID, Ppub, ID, X, R)`.
    pub fn bundle_id(&self) -> &[u8; 32] {
        &self.bid
    }

    pub(crate) fn point(&self) -> &Point {
        &self.p
    }
}

/// A node's complete key pair: `sk = x + d` and its [`PublicKey`].
///
/// Secret: not `Clone`, zeroized on drop, redacted `Debug`, constant-time `PartialEq`.
/// Stored with [`NodeKeys::to_secret_bytes`].
pub struct NodeKeys {
    x: Zeroizing<Scalar>,
    d: Zeroizing<Scalar>,
    sk: Zeroizing<Scalar>,
    public: PublicKey,
}

impl NodeKeys {
    fn assemble(
        kgc: &KgcPublic,
        identity: Identity,
        x: Zeroizing<Scalar>,
        x_pub: Point,
        r: Point,
        d: Zeroizing<Scalar>,
    ) -> Result<Self, Error> {
        let bundle = PublicBundle { identity, x: x_pub, r };
        let h = kgc.partial_hash(&bundle.identity, &bundle.x, &bundle.r);
        // d·G in constant time (d is secret); the right side is public.
        let expected =
            RistrettoPoint::vartime_multiscalar_mul([Scalar::ONE, h], [r.point, kgc.ppub.point]);
        if RistrettoPoint::mul_base(&d) != expected {
            return Err(Error::InvalidPartialKey);
        }
        let sk = Zeroizing::new(*x + *d);
        let p = Point::mul_base(&sk).ok_or(Error::InvalidPartialKey)?;
        let bid = bundle.id_under(kgc);
        Ok(Self { x, d, sk, public: PublicKey { kgc: *kgc, bundle, p, bid } })
    }

    /// The node's public key (bundle, `P`, bundle id).
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The node's public key bundle, to publish.
    pub fn bundle(&self) -> &PublicBundle {
        &self.public.bundle
    }

    /// The node's identity.
    pub fn identity(&self) -> &Identity {
        &self.public.bundle.identity
    }

    /// The KGC parameters the keys belong to.
    pub fn kgc(&self) -> &KgcPublic {
        &self.public.kgc
    }

    pub(crate) fn sk(&self) -> &Scalar {
        &self.sk
    }

    #[cfg(feature = "vectors")]
    pub(crate) fn partial_secret(&self) -> &Scalar {
        &self.d
    }

    /// The secret key file contents: `identity ‖ x (32) ‖ R (32) ‖ d (32)`.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(4 + crate::MAX_IDENTITY_LEN + 96);
        self.public.bundle.identity.encode(&mut w);
        w.put_bytes(self.x.as_bytes());
        self.public.bundle.r.write(&mut w);
        w.put_bytes(self.d.as_bytes());
        Zeroizing::new(w.into_bytes())
    }

    /// Restores keys from [`NodeKeys::to_secret_bytes`], re-running the partial key check.
    ///
    /// # Errors
    /// [`Error::Decode`] for a malformed encoding (including `x = 0`),
    /// [`Error::InvalidPartialKey`] if the stored partial key does not match.
    pub fn from_secret_bytes(kgc: &KgcPublic, bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let identity = Identity::decode(&mut r)?;
        let x = Zeroizing::new(read_scalar(&mut r, "keys.x")?);
        let big_r = Point::read(&mut r, "keys.r")?;
        let d = Zeroizing::new(read_scalar(&mut r, "keys.d")?);
        r.finish("keys")?;
        let x_pub = Point::mul_base(&x).ok_or(DecodeError::InvalidValue { field: "keys.x" })?;
        Self::assemble(kgc, identity, x, x_pub, big_r, d)
    }
}

impl fmt::Debug for NodeKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeKeys").field("public", &self.public).finish_non_exhaustive()
    }
}

impl PartialEq for NodeKeys {
    fn eq(&self, other: &Self) -> bool {
        self.public == other.public && bool::from(self.sk.ct_eq(&other.sk))
    }
}

impl Eq for NodeKeys {}
