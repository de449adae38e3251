//! The six roles of a round, each a sans-IO state machine implementing [`crate::Role`].

pub mod aggregator;
pub mod authority;
pub mod client;
pub mod member;
pub mod observer;
pub mod relay;

use chacha20::ChaCha20Rng;
use gradseal_core::hash;
use rand_core::SeedableRng;

use crate::params::RoundId;
use crate::suite::Suite;
use crate::tags;

/// What every node is built from: system parameters, the authority's public bundle (which
/// signs announcements), the node's own key, the round it takes part in, and a 32-byte seed
/// for all of its randomness.
pub struct NodeConfig<S: Suite> {
    /// System parameters.
    pub sys: S::System,
    /// The authority's encoded public bundle.
    pub authority: Vec<u8>,
    /// This node's key.
    pub key: S::NodeKey,
    /// The round this node takes part in; messages naming another round are dropped.
    pub round: RoundId,
    /// Seed of the node's randomness (tests and vectors fix it; the CLI draws it from the OS).
    pub seed: [u8; 32],
}

impl<S: Suite> core::fmt::Debug for NodeConfig<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NodeConfig").field("round", &self.round).finish_non_exhaustive()
    }
}

pub(crate) fn node_rng(seed: &[u8; 32], round: RoundId) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(hash(tags::TAG_NODE_RNG, &[seed, &round.0.to_be_bytes()]))
}
