//! Domain-separation tags of this crate (all under `gradseal/v1/agg/`).
//!
//! Every hash and XOF this crate computes is framed under one of these tags.

/// Digest of the round parameters: binds every mask, seed expansion and value of a round.
pub const ROUND: &str = "gradseal/v1/agg/round";
/// Expansion of (round digest, polynomial index) into the public mask a_i.
pub const MASK: &str = "gradseal/v1/agg/rlwe-mask";
/// Expansion of (round digest, set index, key seed) into a key share r ∈ R_q.
pub const SEED: &str = "gradseal/v1/agg/seed-expansion";

/// Digest of a key seed, kept by a member to refuse a seed it already added.
pub const SEED_ID: &str = "gradseal/v1/agg/seed-id";

/// Digest of large values in the test vectors (`spec/vectors/agg.json`) only.
pub const VECTOR_DIGEST: &str = "gradseal/v1/agg/vector-digest";

/// Every tag, for the distinctness test and for auditors.
pub const ALL: &[&str] = &[ROUND, MASK, SEED, SEED_ID, VECTOR_DIGEST];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_distinct_and_prefixed() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.starts_with(gradseal_core::DOMAIN_PREFIX));
            assert!(a.starts_with("gradseal/v1/agg/"));
            for b in &ALL[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
