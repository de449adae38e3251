//! The cryptography a round needs, as one trait (rustls' `CryptoProvider` idea).
//!
//! [`Suite`] is the only place where the roles touch the scheme crates. The production
//! implementation is [`crate::GradsealSuite`] (gradseal-clsc, gradseal-shard, gradseal-agg
//! scheme v2); `mock::MockSuite` (feature `insecure-mock`) is a fast, **insecure**
//! stand-in with the same algebra that lets fuzzers and unit tests drive the state machines
//! without lattice or curve arithmetic.
//!
//! Every method taking bytes from the network returns `Option`/`bool`: the roles turn a
//! failure into a typed reason and never learn *which* cryptographic check failed inside a
//! secret-dependent operation (signcryption opening is one opaque failure, and so is a
//! combination that does not decode).

use chacha20::ChaCha20Rng;
use zeroize::Zeroizing;

use crate::messages::Digest;
use crate::params::{RoundParams, ShardLayout};

/// Bytes of a key seed (gradseal-agg's `SEED_LEN`).
pub const SEED_LEN: usize = 32;

/// A key seed in the clear: secret, zeroized on drop.
pub type SeedBytes = Zeroizing<[u8; SEED_LEN]>;

/// The shape of a round that the aggregation scheme needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggShape {
    /// Coordinates per update.
    pub dimension: u32,
    /// Bit width of a quantized coordinate (signed).
    pub bits: u8,
    /// Committee size n.
    pub committee: u32,
    /// Privacy threshold f (`1 <= f <= n − 1`; `n − 1` is n-of-n).
    pub privacy_threshold: u32,
    /// Fewest contributions a member decrypts.
    pub min_clients: u32,
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
            privacy_threshold: params.privacy_threshold,
            min_clients: params.min_clients,
            max_clients: u32::try_from(roster).unwrap_or(u32::MAX),
        }
    }
}

/// Cryptographic operations of a round. See the module docs.
pub trait Suite {
    /// Public system parameters (the authority's master public key).
    type System: Clone + Send + Sync;
    /// A node's long-term secret key (signs and opens signcryption).
    type NodeKey: Send + Sync;
    /// The aggregation parameters of one round, derived once from the announcement.
    type Params: Send + Sync;
    /// A decoded client contribution (bodies and correction), checked against the round.
    type Contribution: Send + Sync;
    /// A sum of contributions.
    type Aggregate: Send + Sync;
    /// A member's running sum of the key shares on its list; secret, consumed by its one
    /// decryption.
    type MemberShare: Send + Sync;
    /// A decoded shard manifest.
    type Manifest: Send + Sync;
    /// An encoded shard `check_shard` authenticated against a manifest.
    type CheckedShard: Send + Sync;

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
    /// Opens a signcrypted envelope: the sender's bundle and the message (zeroized on
    /// drop: it may be a key seed), or `None`. An envelope that could hold a message longer
    /// than `max_msg` bytes is refused before anything is allocated or decrypted.
    fn unsigncrypt(
        sys: &Self::System,
        recipient: &Self::NodeKey,
        context: &Digest,
        envelope: &[u8],
        max_msg: usize,
    ) -> Option<(Vec<u8>, Zeroizing<Vec<u8>>)>;

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
    /// Authenticates one encoded shard against the manifest; its index and the checked
    /// shard if valid.
    fn check_shard(
        manifest: &Self::Manifest,
        shard: Vec<u8>,
    ) -> Option<(usize, Self::CheckedShard)>;
    /// Rebuilds the payload from shards `check_shard` accepted against `manifest` (not
    /// authenticated again), or `None`.
    fn reconstruct(manifest: &Self::Manifest, shards: &[&Self::CheckedShard]) -> Option<Vec<u8>>;

    /// The aggregation parameters for a round of this shape whose gradseal-agg round id is
    /// `round_id`; `None` if the shape is not supported (the announcement is then refused).
    fn params(sys: &Self::System, shape: AggShape, round_id: &Digest) -> Option<Self::Params>;
    /// Encrypts a quantized update: the encoded contribution and one key seed per set of
    /// `f` members, in set order (`gradseal_agg::Committee`). `None` if the values do not
    /// fit the round.
    fn encrypt(
        p: &Self::Params,
        values: &[i64],
        rng: &mut ChaCha20Rng,
    ) -> Option<(Vec<u8>, Vec<SeedBytes>)>;
    /// Decodes a contribution and checks its shape against the round.
    fn decode_contribution(p: &Self::Params, bytes: &[u8]) -> Option<Self::Contribution>;
    /// The empty aggregate.
    fn new_aggregate(p: &Self::Params) -> Self::Aggregate;
    /// `acc += contribution`; false if the aggregate is full or shapes differ (the aggregator
    /// sums as it accepts, an observer as it re-checks the transcript).
    fn add(p: &Self::Params, acc: &mut Self::Aggregate, c: &Self::Contribution) -> bool;
    /// Aggregate equality (public data; not constant time).
    fn aggregate_eq(a: &Self::Aggregate, b: &Self::Aggregate) -> bool;
    /// Encodes an aggregate.
    fn encode_aggregate(a: &Self::Aggregate) -> Vec<u8>;
    /// Decodes an aggregate of the round's shape.
    fn decode_aggregate(p: &Self::Params, bytes: &[u8]) -> Option<Self::Aggregate>;
    /// Member `member`'s empty share.
    fn new_share(p: &Self::Params, member: u32) -> Option<Self::MemberShare>;
    /// Adds one client's opened key seeds for this member: exactly one per set it holds,
    /// ascending by set (the caller checked who sealed each, for which round, client, set
    /// and member). Atomic: false, and nothing added, if the count is wrong or the share is
    /// full.
    fn add_client(p: &Self::Params, share: &mut Self::MemberShare, seeds: &[SeedBytes]) -> bool;
    /// The member's one flooded partial decryption for quorum `quorum` (bit j = member j):
    /// it decrypts the sets assigned to it under that quorum; consumes the share. `None`
    /// below `min_clients` clients, or if the quorum is not a quorum containing the member.
    fn partial_decrypt(
        p: &Self::Params,
        share: Self::MemberShare,
        quorum: u64,
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>>;
    /// Combines the partial decryptions of one quorum (exactly one per member of it, all
    /// naming it) with the aggregate into the decoded sum; `None` if any input is
    /// malformed, the partials do not make up one quorum, or the sum does not decode.
    fn combine(
        p: &Self::Params,
        aggregate: &Self::Aggregate,
        partials: &[&[u8]],
    ) -> Option<Vec<i64>>;
}
