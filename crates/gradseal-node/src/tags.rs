//! Domain-separation tags of gradseal-node (all under `gradseal/v1/node/`).

/// Derives a client's synthetic update for one round from its update seed.
pub const TAG_SYNTH_UPDATE: &str = "gradseal/v1/node/synth-update";
/// Derives a node's per-process role seed from OS randomness and its node id.
pub const TAG_ROLE_SEED: &str = "gradseal/v1/node/role-seed";

/// Derives a node's libp2p identity (Ed25519 seed) from its node keys.
pub const TAG_NET_IDENTITY: &str = "gradseal/v1/node/net-identity";

/// Every tag, for the distinctness test.
pub const ALL: &[&str] = &[TAG_SYNTH_UPDATE, TAG_ROLE_SEED, TAG_NET_IDENTITY];

#[cfg(test)]
mod tests {
    #[test]
    fn tags_distinct_and_prefixed() {
        for (i, a) in super::ALL.iter().enumerate() {
            assert!(a.starts_with("gradseal/v1/node/"));
            for b in &super::ALL[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
