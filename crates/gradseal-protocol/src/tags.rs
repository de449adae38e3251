//! Every domain tag of gradseal-protocol, in one place (see `spec/protocol.md`, "Digests").
//!
//! Scheme v2 renamed every tag whose input changed from v1, so that no v1 digest can be
//! confused with a v2 one; the t-of-n committee (`-v3`) renamed those whose input changed
//! again (seeds per set and holder, partials naming the agreement and quorum, results
//! carrying the certificate).

/// Digest of a round announcement (the authority signs it).
pub const TAG_ANNOUNCEMENT: &str = "gradseal/v1/protocol/announcement";
/// gradseal-agg's `round_id` of a round, from the announcement digest (binds the public
/// masks and every seed expansion to the announcement).
pub const TAG_AGG_ROUND: &str = "gradseal/v1/protocol/agg-round-id";
/// The statement a client signs for its contribution (round, client, body digest, the
/// digests of its sealed seeds in (set, holder) order).
pub const TAG_CONTRIBUTION: &str = "gradseal/v1/protocol/contribution-v3";
/// Bulk digest of a contribution's gradseal-agg bytes (bodies and correction).
pub const TAG_CONTRIBUTION_BODY: &str = "gradseal/v1/protocol/contribution-body";
/// Digest of one sealed (signcrypted) key seed.
pub const TAG_SEALED_SEED: &str = "gradseal/v1/protocol/sealed-seed";
/// The signcryption context of the key seed of one set a client seals to one of its
/// holders: (announcement, round, client, set, member).
pub const TAG_SEED_CONTEXT: &str = "gradseal/v1/protocol/seed-context-v3";
/// The signcryption context (associated data) of a contribution envelope.
pub const TAG_ENVELOPE_CONTEXT: &str = "gradseal/v1/protocol/envelope-context";
/// Digest of a shard message (for de-duplication and blame).
pub const TAG_SHARD: &str = "gradseal/v1/protocol/shard";
/// Bulk digest of the aggregate inside the transcript digest.
pub const TAG_AGGREGATE: &str = "gradseal/v1/protocol/aggregate";
/// Digest of a round transcript (the aggregator signs it).
pub const TAG_TRANSCRIPT: &str = "gradseal/v1/protocol/transcript-v3";
/// Digest of one member's list (the aggregator signs it; the member's partial names it).
pub const TAG_MEMBER_LIST: &str = "gradseal/v1/protocol/member-list";
/// The statement a member signs for its partial decryption (the share enters by its digest).
pub const TAG_PARTIAL: &str = "gradseal/v1/protocol/partial-decryption-v4";
/// Bulk digest of a partial decryption's share (the encoded gradseal-agg partial).
pub const TAG_PARTIAL_SHARE: &str = "gradseal/v1/protocol/partial-share";
/// The agreement digest `E` of a checked list: the (client, contribution statement) pairs
/// it holds (member-independent; members and observers compute it alike).
pub const TAG_AGREED_LIST: &str = "gradseal/v1/protocol/agreed-list";
/// The statement a member signs to agree to decrypt the list with digest `E` (round,
/// member, `E`).
pub const TAG_AGREEMENT: &str = "gradseal/v1/protocol/agreement";
/// Digest of a member's refusal to decrypt (the member signs it).
pub const TAG_REFUSAL: &str = "gradseal/v1/protocol/refusal-v2";
/// Digest of a rejection notice sent to a client (the aggregator signs it).
pub const TAG_REJECTION: &str = "gradseal/v1/protocol/rejection";
/// Digest of the round result (the aggregator signs it).
pub const TAG_RESULT: &str = "gradseal/v1/protocol/result-v4";
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
    TAG_PARTIAL_SHARE,
    TAG_AGREED_LIST,
    TAG_AGREEMENT,
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
