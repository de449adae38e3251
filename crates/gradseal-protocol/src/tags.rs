//! Every domain tag of gradseal-protocol, in one place (see `spec/protocol.md`, "Digests").

/// Digest of a round announcement (the authority signs it).
pub const TAG_ANNOUNCEMENT: &str = "gradseal/v1/protocol/announcement";
/// Digest of a committee member's key body (the member signs it).
pub const TAG_KEY_BODY: &str = "gradseal/v1/protocol/key-body";
/// Seed of the round's common mask (joint-key compression seed), from the announcement.
pub const TAG_MASK_SEED: &str = "gradseal/v1/protocol/mask-seed";
/// The statement a client signs for its contribution (round, client, ciphertext digest).
pub const TAG_CONTRIBUTION: &str = "gradseal/v1/protocol/contribution";
/// Digest of a contribution's ciphertext bytes.
pub const TAG_CIPHERTEXT: &str = "gradseal/v1/protocol/ciphertext";
/// The signcryption context (associated data) of a contribution envelope.
pub const TAG_ENVELOPE_CONTEXT: &str = "gradseal/v1/protocol/envelope-context";
/// Digest of a shard message (for de-duplication and blame).
pub const TAG_SHARD: &str = "gradseal/v1/protocol/shard";
/// Bulk digest of the aggregate ciphertext inside the transcript digest.
pub const TAG_AGGREGATE: &str = "gradseal/v1/protocol/aggregate";
/// Digest of a round transcript (the aggregator signs it; members decrypt against it).
pub const TAG_TRANSCRIPT: &str = "gradseal/v1/protocol/transcript";
/// Digest of a partial decryption (the member signs it).
pub const TAG_PARTIAL: &str = "gradseal/v1/protocol/partial-decryption";
/// Digest of a member's refusal to decrypt (the member signs it).
pub const TAG_REFUSAL: &str = "gradseal/v1/protocol/refusal";
/// Digest of a rejection notice sent to a client (the aggregator signs it).
pub const TAG_REJECTION: &str = "gradseal/v1/protocol/rejection";
/// Digest of the round result (the aggregator signs it).
pub const TAG_RESULT: &str = "gradseal/v1/protocol/result";
/// The context string of every protocol signature (the signed statements are themselves
/// domain-separated digests).
pub const TAG_SIGNATURE: &str = "gradseal/v1/protocol/signature";
/// Derivation of a node's per-purpose randomness from its 32-byte seed.
pub const TAG_NODE_RNG: &str = "gradseal/v1/protocol/node-rng";

/// All tags, for the distinctness test and the spec.
pub const ALL: &[&str] = &[
    TAG_ANNOUNCEMENT,
    TAG_KEY_BODY,
    TAG_MASK_SEED,
    TAG_CONTRIBUTION,
    TAG_CIPHERTEXT,
    TAG_ENVELOPE_CONTEXT,
    TAG_SHARD,
    TAG_AGGREGATE,
    TAG_TRANSCRIPT,
    TAG_PARTIAL,
    TAG_REFUSAL,
    TAG_REJECTION,
    TAG_RESULT,
    TAG_NODE_RNG,
    TAG_SIGNATURE,
];

#[cfg(test)]
mod tests {
    #[test]
    fn tags_are_distinct_and_prefixed() {
        let mut seen = std::collections::BTreeSet::new();
        for t in super::ALL {
            assert!(t.starts_with("gradseal/v1/protocol/"), "{t}");
            assert!(seen.insert(*t), "duplicate tag {t}");
        }
    }
}
