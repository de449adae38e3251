//! Domain-separation tags of this crate (all under `gradseal/v1/agg/`).
//!
//! Every hash this crate computes goes through [`gradseal_core::hash`] under one of these tags.

/// Digest of the round parameters: binds every key body, ciphertext and partial decryption.
pub const ROUND: &str = "gradseal/v1/agg/round";
/// Expansion of the round digest into the public mask polynomial `a` of the committee key.
pub const PUBLIC_MASK: &str = "gradseal/v1/agg/public-mask";
/// Metadata of a list's zero-knowledge proof: (round, client id, list index).
pub const PROOF_METADATA: &str = "gradseal/v1/agg/proof-metadata";
/// Digest of an aggregate: binds each partial decryption to the aggregate it decrypts.
pub const AGGREGATE: &str = "gradseal/v1/agg/aggregate";
/// Digest of a joint public key.
pub const JOINT_KEY: &str = "gradseal/v1/agg/joint-key";

/// Digest of large values in the test vectors (`spec/vectors/agg.json`) only.
pub const VECTOR_DIGEST: &str = "gradseal/v1/agg/vector-digest";

/// Every tag, for the distinctness test and for auditors.
pub const ALL: &[&str] = &[ROUND, PUBLIC_MASK, PROOF_METADATA, AGGREGATE, JOINT_KEY, VECTOR_DIGEST];

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
