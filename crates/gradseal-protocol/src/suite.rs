//! The cryptography a round needs, as one trait (rustls' `CryptoProvider` idea).
//!
//! [`Suite`] is the only place where the roles touch the scheme crates. The production
//! implementation is [`crate::GradsealSuite`] (gradseal-clsc, gradseal-shard, gradseal-agg);
//! [`crate::mock::MockSuite`] is a fast, **insecure** stand-in that lets fuzzers and unit
//! tests drive the state machines without lattice or curve arithmetic.
//!
//! Every method taking bytes from the network returns `Option`/`bool`: the roles turn a
//! failure into a typed reason and never learn *which* cryptographic check failed inside a
//! secret-dependent operation (signcryption opening is one opaque failure).

use chacha20::ChaCha20Rng;

use crate::messages::Digest;
use crate::params::{RoundParams, ShardLayout};

/// The shape of a round that the aggregation scheme needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggShape {
    /// Coordinates per update.
    pub dimension: u32,
    /// Bit width of a quantized coordinate (signed).
    pub bits: u8,
    /// Committee size (n of n).
    pub committee: u32,
    /// Most contributions that may be summed (the roster size).
    pub max_clients: u32,
}

impl AggShape {
    /// The shape of a round with these parameters, committee and roster sizes.
    pub fn of(params: &RoundParams, committee: usize, roster: usize) -> Self {
        AggShape {
            dimension: params.dimension,
            bits: params.bits,
            committee: u32::try_from(committee).unwrap_or(u32::MAX),
            max_clients: u32::try_from(roster).unwrap_or(u32::MAX),
        }
    }
}

/// Binds a range proof to its context: a proof made for other metadata must not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofContext {
    /// Digest of the announcement (names the round).
    pub announcement: Digest,
    /// The client's roster index.
    pub client: u32,
}

/// Cryptographic operations of a round. See the module docs.
pub trait Suite {
    /// Public system parameters (the authority's master public key).
    type System: Clone;
    /// A node's long-term secret key (signs and opens signcryption).
    type NodeKey;
    /// A committee member's secret share of the round key; consumed by one decryption.
    type KeyShare;
    /// The round's joint public key.
    type JointKey;
    /// A decoded ciphertext (a contribution or an aggregate).
    type Ciphertext: Clone;
    /// A decoded shard manifest.
    type Manifest;

    /// The encoded public bundle of `key` (what rosters list).
    fn bundle(key: &Self::NodeKey) -> Vec<u8>;
    /// Signs a 32-byte statement.
    fn sign(key: &Self::NodeKey, statement: &Digest, rng: &mut ChaCha20Rng) -> Vec<u8>;
    /// Verifies a signature by the holder of `bundle` (strict: the only verification).
    fn verify(sys: &Self::System, bundle: &[u8], statement: &Digest, signature: &[u8]) -> bool;
    /// Signcrypts `msg` from `sender` to the holder of `recipient` under `context`.
    fn signcrypt(
        sys: &Self::System,
        sender: &Self::NodeKey,
        recipient: &[u8],
        context: &Digest,
        msg: &[u8],
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>>;
    /// Opens a signcrypted envelope: the sender's bundle and the message, or `None`.
    fn unsigncrypt(
        sys: &Self::System,
        recipient: &Self::NodeKey,
        context: &Digest,
        envelope: &[u8],
    ) -> Option<(Vec<u8>, Vec<u8>)>;

    /// Splits `payload` into authenticated shards: (encoded manifest, encoded shards).
    fn shard(payload: &[u8], layout: ShardLayout) -> (Vec<u8>, Vec<Vec<u8>>);
    /// Decodes a manifest and checks it against the layout and a payload bound.
    fn decode_manifest(
        bytes: &[u8],
        layout: ShardLayout,
        max_payload: usize,
    ) -> Option<Self::Manifest>;
    /// A digest naming the manifest (groups shards of one payload).
    fn manifest_digest(manifest: &Self::Manifest) -> Digest;
    /// Authenticates one encoded shard against the manifest; its index if valid.
    fn check_shard(manifest: &Self::Manifest, shard: &[u8]) -> Option<usize>;
    /// Rebuilds the payload from valid shards (indices from `check_shard`), or `None`.
    fn reconstruct(manifest: &Self::Manifest, shards: &[(usize, &[u8])]) -> Option<Vec<u8>>;

    /// A member's key share and its encoded public body for the round's mask seed.
    fn key_share(
        shape: AggShape,
        mask_seed: &Digest,
        rng: &mut ChaCha20Rng,
    ) -> (Self::KeyShare, Vec<u8>);
    /// The joint key from every member's body, in committee order.
    fn joint_key(shape: AggShape, mask_seed: &Digest, bodies: &[&[u8]]) -> Option<Self::JointKey>;
    /// Encrypts a quantized update under the joint key (and proves it in range when
    /// `proof` is given): (encoded ciphertext, encoded proof or empty).
    fn encrypt(
        shape: AggShape,
        key: &Self::JointKey,
        values: &[i64],
        proof: Option<&ProofContext>,
        rng: &mut ChaCha20Rng,
    ) -> Option<(Vec<u8>, Vec<u8>)>;
    /// Decodes a ciphertext of the round's shape.
    fn decode_ciphertext(shape: AggShape, bytes: &[u8]) -> Option<Self::Ciphertext>;
    /// Encodes a ciphertext.
    fn encode_ciphertext(ct: &Self::Ciphertext) -> Vec<u8>;
    /// `acc += ct`.
    fn add_assign(acc: &mut Self::Ciphertext, ct: &Self::Ciphertext);
    /// Ciphertext equality (public data; not constant time).
    fn ciphertext_eq(a: &Self::Ciphertext, b: &Self::Ciphertext) -> bool;
    /// Verifies a range proof of `ciphertext` under the joint key for `context`.
    fn verify_proof(
        shape: AggShape,
        key: &Self::JointKey,
        ciphertext: &[u8],
        proof: &[u8],
        context: &ProofContext,
    ) -> bool;
    /// One member's partial decryption of `aggregate`; consumes the share.
    fn partial_decrypt(
        shape: AggShape,
        share: Self::KeyShare,
        aggregate: &Self::Ciphertext,
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>>;
    /// Combines every member's partial decryption into the decoded sum.
    fn combine(
        shape: AggShape,
        aggregate: &Self::Ciphertext,
        partials: &[&[u8]],
    ) -> Option<Vec<i64>>;
}
