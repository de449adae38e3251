//! One shard on the wire: index, inclusion proof, data (`spec/shard.md`, "Shard").

use crate::hashing::Digest;
use crate::layout::{MAX_PROOF_LEN, MAX_SHARD_SIZE};
use crate::manifest::Manifest;
use gradseal_core::{Codec, DecodeError, Reader, Writer};

/// [`MAX_SHARD_SIZE`] as a `usize` (saturating on 32-bit targets).
fn max_shard_usize() -> usize {
    usize::try_from(MAX_SHARD_SIZE).unwrap_or(usize::MAX)
}

/// An owned shard: `u16 index ‖ u8 proof count ‖ 32-byte siblings ‖ u32 length ‖ data`.
#[derive(Clone, PartialEq, Eq)]
pub struct Shard {
    index: u16,
    proof: Vec<[u8; 32]>,
    data: Vec<u8>,
}

impl core::fmt::Debug for Shard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Shard")
            .field("index", &self.index)
            .field("proof_len", &self.proof.len())
            .field("data_len", &self.data.len())
            .finish()
    }
}

impl Shard {
    pub(crate) fn new(index: u16, proof: Vec<[u8; 32]>, data: Vec<u8>) -> Self {
        Self { index, proof, data }
    }

    /// Position of this shard: `0..k` are data, `k..k+m` parity.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The shard's bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The Merkle siblings, bottom-up.
    pub fn proof(&self) -> &[[u8; 32]] {
        &self.proof
    }

    /// The shard's bytes, by value (to recycle the buffer, see [`crate::encode_reusing`]).
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// A borrowed view (what the verifier and decoder take).
    pub fn as_ref(&self) -> ShardRef<'_> {
        ShardRef { index: self.index, proof: self.proof.as_flattened(), data: &self.data }
    }

    /// Test and fuzz helper: the same shard with other fields.
    #[doc(hidden)]
    pub fn with_parts(index: u16, proof: Vec<[u8; 32]>, data: Vec<u8>) -> Self {
        Self { index, proof, data }
    }
}

/// A shard borrowed from a received buffer: no copy of the data.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ShardRef<'a> {
    index: u16,
    proof: &'a [u8],
    data: &'a [u8],
}

impl core::fmt::Debug for ShardRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ShardRef")
            .field("index", &self.index)
            .field("proof_len", &self.proof_len())
            .field("data_len", &self.data.len())
            .finish()
    }
}

impl<'a> ShardRef<'a> {
    /// Parses exactly one encoded shard (trailing bytes are an error).
    ///
    /// # Errors
    /// A [`DecodeError`]; the proof count is bounded by 8 and the data by `u32::MAX`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let s = Self::read(&mut r)?;
        r.finish("shard")?;
        Ok(s)
    }

    /// Reads one shard from `r`.
    ///
    /// # Errors
    /// A [`DecodeError`].
    pub fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let index = r.read_u16("shard.index")?;
        let count = usize::from(r.read_u8("shard.proof_len")?);
        if count > MAX_PROOF_LEN {
            return Err(DecodeError::LengthTooLarge {
                field: "shard.proof_len",
                len: count as u64,
                max: MAX_PROOF_LEN as u64,
            });
        }
        let proof = r.read_bytes("shard.proof", count * 32)?;
        let data = r.read_var_bytes("shard.data", max_shard_usize())?;
        Ok(Self { index, proof, data })
    }

    /// Position of this shard.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The shard's bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Number of proof siblings.
    pub fn proof_len(&self) -> usize {
        self.proof.len() / 32
    }

    /// The proof siblings as concatenated 32-byte digests.
    pub fn proof_bytes(&self) -> &'a [u8] {
        self.proof
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Shard {
        let proof = self
            .proof
            .chunks_exact(32)
            .map(|c| {
                let mut a = [0u8; 32];
                a.copy_from_slice(c);
                a
            })
            .collect();
        Shard { index: self.index, proof, data: self.data.to_vec() }
    }

    /// Appends the canonical encoding.
    pub fn encode(&self, w: &mut Writer) {
        w.put_u16(self.index);
        // At most 8 siblings by construction (parse bounds it; the encoder makes ≤ 8).
        w.put_u8(u8::try_from(self.proof_len()).unwrap_or(u8::MAX));
        w.put_bytes(self.proof);
        w.put_var_bytes(self.data);
    }
}

impl Codec for Shard {
    fn encode(&self, w: &mut Writer) {
        self.as_ref().encode(w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ShardRef::read(r)?.to_owned())
    }
}

/// An encoded shard that passed the relay check against a manifest
/// ([`Manifest::verify_owned`]), kept with the leaf its data hashed to and that manifest, so
/// that [`crate::decode_verified`] uses it without hashing it again. Its bytes cannot be
/// changed after the check.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedShard {
    bytes: Vec<u8>,
    index: u16,
    leaf: Digest,
    manifest: Manifest,
}

impl core::fmt::Debug for VerifiedShard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifiedShard")
            .field("index", &self.index)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl VerifiedShard {
    pub(crate) fn new(bytes: Vec<u8>, index: u16, leaf: Digest, manifest: Manifest) -> Self {
        Self { bytes, index, leaf, manifest }
    }

    /// Position of this shard.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The encoded shard, as received.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The encoded shard, by value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The manifest it was checked against.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The parsed shard (it parsed when checked) and its leaf.
    pub(crate) fn parts(&self) -> Option<(ShardRef<'_>, Digest)> {
        ShardRef::parse(&self.bytes).ok().map(|s| (s, self.leaf))
    }
}
