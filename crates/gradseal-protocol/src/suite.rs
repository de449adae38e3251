//! The cryptography a round needs, as one trait (rustls' `CryptoProvider` idea).
//!
//! [`Suite`] is the only place where the roles touch the scheme crates. The production
//! implementation is [`crate::GradsealSuite`] (gradseal-clsc, gradseal-shard, gradseal-agg);
//! `mock::MockSuite` (feature `insecure-mock`) is a fast, **insecure** stand-in that lets
//! fuzzers and unit tests drive the state machines without lattice or curve arithmetic.
//!
//! Every method taking bytes from the network returns `Option`/`bool`: the roles turn a
//! failure into a typed reason and never learn *which* cryptographic check failed inside a
//! secret-dependent operation (signcryption opening is one opaque failure).

use chacha20::ChaCha20Rng;

use crate::messages::Digest;
use crate::params::{ProofPolicy, RoundParams, ShardLayout};

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
    /// Public system parameters (the authority's master public key, the proof CRS).
    type System: Clone + Send + Sync;
    /// A node's long-term secret key (signs and opens signcryption).
    type NodeKey: Send + Sync;
    /// The aggregation parameters of one round, derived once from the announcement.
    type Params: Send + Sync;
    /// A committee member's secret share of the round key; consumed by one decryption.
    type KeyShare: Send + Sync;
    /// The round's joint public key.
    type JointKey: Send + Sync;
    /// A decoded encrypted update (with its proofs, if any).
    type Update: Send + Sync;
    /// A homomorphic sum of updates.
    type Aggregate: Send + Sync;
    /// A decoded shard manifest.
    type Manifest: Send + Sync;

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
    fn shard(payload: &[u8], layout: ShardLayout) -> Option<(Vec<u8>, Vec<Vec<u8>>)>;
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

    /// The aggregation parameters for a round of this shape whose mask seed is `mask_seed`;
    /// `None` if the shape is not supported (the announcement is then refused).
    fn params(
        sys: &Self::System,
        shape: AggShape,
        policy: ProofPolicy,
        mask_seed: &Digest,
    ) -> Option<Self::Params>;
    /// Member `member`'s key share and its encoded public body.
    fn key_share(
        p: &Self::Params,
        member: u32,
        rng: &mut ChaCha20Rng,
    ) -> Option<(Self::KeyShare, Vec<u8>)>;
    /// The joint key from every member's body, in committee order.
    fn joint_key(p: &Self::Params, bodies: &[&[u8]]) -> Option<Self::JointKey>;
    /// Encrypts a quantized update under the joint key, with range proofs bound to `proof`
    /// when the round's policy asks for them: the encoded update.
    fn encrypt(
        p: &Self::Params,
        key: &Self::JointKey,
        values: &[i64],
        proof: &ProofContext,
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>>;
    /// Decodes an update and checks its shape against the round.
    fn decode_update(p: &Self::Params, bytes: &[u8]) -> Option<Self::Update>;
    /// Checks an update's proofs against the round's policy (none when the policy asks for
    /// none; every one valid for `context` otherwise).
    fn verify_proofs(
        p: &Self::Params,
        key: &Self::JointKey,
        update: &Self::Update,
        context: &ProofContext,
    ) -> bool;
    /// The empty aggregate.
    fn new_aggregate(p: &Self::Params) -> Self::Aggregate;
    /// `acc += update`; false if the aggregate is full or shapes differ.
    fn add(p: &Self::Params, acc: &mut Self::Aggregate, update: &Self::Update) -> bool;
    /// Aggregate equality (public data; not constant time).
    fn aggregate_eq(a: &Self::Aggregate, b: &Self::Aggregate) -> bool;
    /// Encodes an aggregate.
    fn encode_aggregate(a: &Self::Aggregate) -> Vec<u8>;
    /// Decodes an aggregate of the round's shape.
    fn decode_aggregate(p: &Self::Params, bytes: &[u8]) -> Option<Self::Aggregate>;
    /// One member's partial decryption of `aggregate`; consumes the share.
    fn partial_decrypt(
        p: &Self::Params,
        share: Self::KeyShare,
        aggregate: &Self::Aggregate,
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>>;
    /// Combines every member's partial decryption into the decoded sum.
    fn combine(
        p: &Self::Params,
        aggregate: &Self::Aggregate,
        partials: &[&[u8]],
    ) -> Option<Vec<i64>>;
}
