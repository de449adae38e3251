//! Domain tags of gradseal-shard. Every hash this crate computes starts with one of these.

/// TurboSHAKE128 digest of one chunk (one stripe of one shard).
pub const TAG_CHUNK: &str = "gradseal/v1/shard/chunk";
/// SHA3-256 leaf of the Merkle tree: one shard, over its chunk digests.
pub const TAG_LEAF: &str = "gradseal/v1/shard/leaf";
/// SHA3-256 inner node of the Merkle tree.
pub const TAG_NODE: &str = "gradseal/v1/shard/node";
/// SHA3-256 filler leaf for the positions past `k + m` in the padded tree.
pub const TAG_EMPTY: &str = "gradseal/v1/shard/empty";
/// SHA3-256 digest of a manifest's canonical encoding (what a higher layer signs).
pub const TAG_MANIFEST: &str = "gradseal/v1/shard/manifest";

/// Every tag, for the distinctness test and the spec.
pub const ALL: [&str; 5] = [TAG_CHUNK, TAG_LEAF, TAG_NODE, TAG_EMPTY, TAG_MANIFEST];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_distinct_and_prefixed() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.starts_with(gradseal_core::DOMAIN_PREFIX));
            assert!(a.starts_with("gradseal/v1/shard/"));
            for b in &ALL[i + 1..] {
                assert_ne!(a, b);
                // No tag is a prefix of another (framing makes this harmless; keep it anyway).
                assert!(!a.starts_with(b) && !b.starts_with(a));
            }
        }
    }
}
