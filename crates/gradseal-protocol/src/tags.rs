//! Every domain tag of gradseal-protocol, in one place (see `spec/protocol.md`, "Digests").
//!
//! Scheme v2 renamed every tag whose input changed from v1, so that no v1 digest can be
//! confused with a v2 one.

/// Digest of a round announcement (the authority signs it).
pub const TAG_ANNOUNCEMENT: &str = "gradseal/v1/protocol/announcement";
/// gradseal-agg's `round_id` of a round, from the announcement digest (binds the public
/// masks and every seed expansion to the announcement).
pub const TAG_AGG_ROUND: &str = "gradseal/v1/protocol/agg-round-id";
/// The statement a client signs for its contribution (round, client, body digest, the
/// digests of its sealed seeds).
pub const TAG_CONTRIBUTION: &str = "gradseal/v1/protocol/contribution-v2";
/// Bulk digest of a contribution's gradseal-agg bytes (bodies and correction).
pub const TAG_CONTRIBUTION_BODY: &str = "gradseal/v1/protocol/contribution-body";
/// Digest of one sealed (signcrypted) key seed.
pub const TAG_SEALED_SEED: &str = "gradseal/v1/protocol/sealed-seed";
/// The signcryption context of the key seed a client seals to a member: (announcement,
/// round, client, member).
pub const TAG_SEED_CONTEXT: &str = "gradseal/v1/protocol/seed-context";
/// The signcryption context (associated data) of a contribution envelope.
pub const TAG_ENVELOPE_CONTEXT: &str = "gradseal/v1/protocol/envelope-context";
/// Digest of a shard message (for de-duplication and blame).
pub const TAG_SHARD: &str = "gradseal/v1/protocol/shard";
/// Bulk digest of the aggregate inside the transcript digest.
pub const TAG_AGGREGATE: &str = "gradseal/v1/protocol/aggregate";
/// Digest of a round transcript (the aggregator signs it).
pub const TAG_TRANSCRIPT: &str = "gradseal/v1/protocol/transcript-v2";
/// Digest of one member's list (the aggregator signs it; the member's partial names it).
pub const TAG_MEMBER_LIST: &str = "gradseal/v1/protocol/member-list";
/// Digest of a partial decryption (the member signs it).
pub const TAG_PARTIAL: &str = "gradseal/v1/protocol/partial-decryption-v2";
/// Digest of a member's refusal to decrypt (the member signs it).
pub const TAG_REFUSAL: &str = "gradseal/v1/protocol/refusal-v2";
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
    TAG_AGG_ROUND,
    TAG_CONTRIBUTION,
    TAG_CONTRIBUTION_BODY,
    TAG_SEALED_SEED,
    TAG_SEED_CONTEXT,
    TAG_ENVELOPE_CONTEXT,
    TAG_SHARD,
    TAG_AGGREGATE,
    TAG_TRANSCRIPT,
    TAG_MEMBER_LIST,
    TAG_PARTIAL,
    TAG_REFUSAL,
    TAG_REJECTION,
    TAG_RESULT,
    TAG_SIGNATURE,
    TAG_NODE_RNG,
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
