//! The manifest: what a receiver needs (besides `k` shards) to rebuild and authenticate a
//! payload. 57 bytes, one canonical encoding (`spec/shard.md`, "Manifest").

use crate::hashing::{self, Digest};
use crate::layout::Layout;
use crate::shard::{ShardRef, VerifiedShard};
use crate::tags::TAG_MANIFEST;
use crate::{ShardError, ShardRejection};
use gradseal_core::{Codec, DecodeError, Reader, Writer};

/// The only manifest version: TurboSHAKE128 chunk digests, SHA3-256 Merkle tree.
pub const MANIFEST_VERSION: u8 = 1;
/// Length of an encoded manifest.
pub const MANIFEST_LEN: usize = 1 + 8 + 2 + 2 + 4 + 8 + 32;

/// Payload length, `k`, `m`, stripe and shard sizes, and the Merkle root over the shards.
///
/// Every claim is validated when the manifest is decoded (before anything is allocated
/// from it), so a `Manifest` value always describes a consistent layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    layout: Layout,
    root: Digest,
}

impl Manifest {
    pub(crate) fn new(layout: Layout, root: Digest) -> Self {
        Self { layout, root }
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Payload length in bytes.
    pub fn payload_len(&self) -> u64 {
        self.layout.len
    }

    /// Number of data shards `k` (any `k` valid shards rebuild the payload).
    pub fn data_shards(&self) -> u16 {
        u16::try_from(self.layout.k).unwrap_or(u16::MAX)
    }

    /// Number of parity shards `m`.
    pub fn parity_shards(&self) -> u16 {
        u16::try_from(self.layout.m).unwrap_or(u16::MAX)
    }

    /// `k + m`.
    pub fn total_shards(&self) -> u16 {
        u16::try_from(self.layout.n()).unwrap_or(u16::MAX)
    }

    /// Bytes of each shard per stripe (`C`).
    pub fn stripe_size(&self) -> u32 {
        u32::try_from(self.layout.stripe).unwrap_or(u32::MAX)
    }

    /// Number of stripes.
    pub fn stripes(&self) -> u64 {
        self.layout.stripes as u64
    }

    /// Bytes of shard data (every shard has this size).
    pub fn shard_size(&self) -> u64 {
        self.layout.shard_size as u64
    }

    /// Number of siblings in every inclusion proof: `ceil(log2(k + m))`.
    pub fn proof_len(&self) -> usize {
        self.layout.depth()
    }

    /// The Merkle root over the shards.
    pub fn root(&self) -> &[u8; 32] {
        &self.root
    }

    /// SHA3-256 of the canonical encoding under `gradseal/v1/shard/manifest`: what a higher
    /// layer signs or binds into a signcrypted envelope. Binding this digest binds the
    /// payload: the decoder returns only the payload committed by the root.
    pub fn digest(&self) -> [u8; 32] {
        gradseal_core::hash(TAG_MANIFEST, &[&self.to_bytes()])
    }

    /// The encoding without the root (bound into every leaf).
    pub(crate) fn header(&self) -> Vec<u8> {
        header_bytes(&self.layout)
    }

    /// Checks one shard against this manifest without any other shard: the relay API.
    /// Hashes the shard once (on all cores for large shards).
    ///
    /// # Errors
    /// [`ShardError::Rejected`] with the reason.
    pub fn verify_shard(&self, shard: &ShardRef<'_>) -> Result<(), ShardError> {
        self.verified_leaf(shard).map(|_| ())
    }

    /// The relay check, returning the shard's leaf.
    fn verified_leaf(&self, shard: &ShardRef<'_>) -> Result<Digest, ShardError> {
        self.screen(shard)?;
        let digests =
            hashing::shard_chunk_digests(&self.layout, &[(shard.index().into(), shard.data())]);
        let leaf = hashing::leaf(
            &self.header(),
            shard.index().into(),
            digests.first().map_or(&[], Vec::as_slice),
        );
        if self.proof_matches(shard, leaf) {
            Ok(leaf)
        } else {
            Err(ShardRejection::NotAuthentic.into())
        }
    }

    /// As [`Manifest::verify_shard_bytes`], keeping the encoded shard with the leaf its
    /// data hashed to: [`crate::decode_verified`] rebuilds from it without hashing it again
    /// (a receiver that checks each shard on arrival, as the relay check does, then hashes
    /// every byte once, not twice).
    ///
    /// # Errors
    /// As [`Manifest::verify_shard_bytes`].
    pub fn verify_owned(&self, bytes: Vec<u8>) -> Result<VerifiedShard, ShardError> {
        let shard = ShardRef::parse(&bytes).map_err(ShardRejection::Malformed)?;
        let leaf = self.verified_leaf(&shard)?;
        let index = shard.index();
        Ok(VerifiedShard::new(bytes, index, leaf, self.clone()))
    }

    /// Parses and checks one encoded shard (relay API).
    ///
    /// # Errors
    /// [`ShardError::Rejected`]: [`ShardRejection::Malformed`] or a verification failure.
    pub fn verify_shard_bytes<'a>(&self, bytes: &'a [u8]) -> Result<ShardRef<'a>, ShardError> {
        let shard = ShardRef::parse(bytes).map_err(ShardRejection::Malformed)?;
        self.verify_shard(&shard)?;
        Ok(shard)
    }

    /// The cheap shape checks done before any hashing.
    pub(crate) fn screen(&self, shard: &ShardRef<'_>) -> Result<(), ShardRejection> {
        if usize::from(shard.index()) >= self.layout.n() {
            return Err(ShardRejection::IndexOutOfRange);
        }
        if shard.data().len() != self.layout.shard_size {
            return Err(ShardRejection::WrongSize);
        }
        if shard.proof_len() != self.layout.depth() {
            return Err(ShardRejection::WrongProofLength);
        }
        Ok(())
    }

    /// Whether `leaf` at the shard's index and the shard's proof lead to the root.
    pub(crate) fn proof_matches(&self, shard: &ShardRef<'_>, leaf: Digest) -> bool {
        hashing::root_from_proof(leaf, shard.index().into(), shard.proof_bytes()) == self.root
    }
}

pub(crate) fn header_bytes(layout: &Layout) -> Vec<u8> {
    let mut w = Writer::with_capacity(MANIFEST_LEN);
    write_header(layout, &mut w);
    w.into_bytes()
}

fn write_header(l: &Layout, w: &mut Writer) {
    w.put_u8(MANIFEST_VERSION);
    w.put_u64(l.len);
    // k, m ≤ 256 and stripe ≤ 2^20 by construction of every Layout.
    w.put_u16(u16::try_from(l.k).unwrap_or(u16::MAX));
    w.put_u16(u16::try_from(l.m).unwrap_or(u16::MAX));
    w.put_u32(u32::try_from(l.stripe).unwrap_or(u32::MAX));
    w.put_u64(l.shard_size as u64);
}

impl Codec for Manifest {
    fn encode(&self, w: &mut Writer) {
        write_header(&self.layout, w);
        w.put_bytes(&self.root);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let version = r.read_u8("manifest.version")?;
        if version != MANIFEST_VERSION {
            return Err(DecodeError::UnknownTag { field: "manifest.version", tag: version.into() });
        }
        let len = r.read_u64("manifest.payload_len")?;
        let k = r.read_u16("manifest.k")?;
        let m = r.read_u16("manifest.m")?;
        let stripe = r.read_u32("manifest.stripe_size")?;
        let shard_size = r.read_u64("manifest.shard_size")?;
        let root = r.read_array::<32>("manifest.root")?;
        let layout = Layout::from_header(len, k, m, stripe.into(), shard_size)?;
        Ok(Self { layout, root })
    }
}
