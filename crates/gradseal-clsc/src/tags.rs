//! Every domain tag used by gradseal-clsc (see `spec/clsc.md`, section "Hash inputs").
//!
//! Each hash in the crate is `gradseal_core::hash(TAG_*, parts)`, the wide-scalar variant
//! built on it, or the message digest `gradseal_core::bulk_digest(TAG_MESSAGE, m)`; no two
//! uses share a tag, which a test below checks.

/// Master secret derivation from 32 random bytes: `s = Hs(TAG_KGC_SECRET, seed)`.
pub const TAG_KGC_SECRET: &str = "gradseal/v1/clsc/kgc-secret";
/// Node secret value derivation from 32 random bytes: `x = Hs(TAG_NODE_SECRET, seed)`.
pub const TAG_NODE_SECRET: &str = "gradseal/v1/clsc/node-secret";
/// Hedged nonce of the proof of possession.
pub const TAG_POP_NONCE: &str = "gradseal/v1/clsc/pop-nonce";
/// Challenge of the proof of possession (binds Ppub, identity and X).
pub const TAG_POP_CHALLENGE: &str = "gradseal/v1/clsc/pop-challenge";
/// Hedged nonce `r` of a partial key (from the master secret, the request and fresh bytes).
pub const TAG_PARTIAL_NONCE: &str = "gradseal/v1/clsc/partial-nonce";
/// `h = Hs(TAG_PARTIAL_KEY, Ppub, ID, X, R)`, the implicit-certificate hash.
pub const TAG_PARTIAL_KEY: &str = "gradseal/v1/clsc/partial-key";
/// Digest naming a public key bundle under one KGC.
pub const TAG_BUNDLE_ID: &str = "gradseal/v1/clsc/bundle-id";
/// Digest of a message: the tag of `gradseal_core::bulk_digest` over it (the only pass of a
/// hash over the message, see `schnorr::message_digest`).
pub const TAG_MESSAGE: &str = "gradseal/v1/clsc/message";
/// Statement signed by a plain certificateless signature.
pub const TAG_SIGN_STATEMENT: &str = "gradseal/v1/clsc/sign-statement";
/// Statement signed inside a signcryption (binds E and the recipient).
pub const TAG_SIGNCRYPT_STATEMENT: &str = "gradseal/v1/clsc/signcrypt-statement";
/// Hedged nonce of a Schnorr signature.
pub const TAG_SCHNORR_NONCE: &str = "gradseal/v1/clsc/schnorr-nonce";
/// Challenge of a Schnorr signature.
pub const TAG_SCHNORR_CHALLENGE: &str = "gradseal/v1/clsc/schnorr-challenge";
/// Hedged ephemeral scalar `e` of a signcryption.
pub const TAG_EPHEMERAL: &str = "gradseal/v1/clsc/ephemeral";
/// Key derivation: `key = H(TAG_KDF, E, K, bid_R, context)`.
pub const TAG_KDF: &str = "gradseal/v1/clsc/kdf";

/// Test-vector and fuzz-fixture seeds only: `H(TAG_VECTOR_SEED, u32(case), label)`.
pub const TAG_VECTOR_SEED: &str = "gradseal/v1/clsc/vector-seed";

/// All tags, for the distinctness test and the spec table.
pub const ALL: [&str; 15] = [
    TAG_KGC_SECRET,
    TAG_NODE_SECRET,
    TAG_POP_NONCE,
    TAG_POP_CHALLENGE,
    TAG_PARTIAL_NONCE,
    TAG_PARTIAL_KEY,
    TAG_BUNDLE_ID,
    TAG_MESSAGE,
    TAG_SIGN_STATEMENT,
    TAG_SIGNCRYPT_STATEMENT,
    TAG_SCHNORR_NONCE,
    TAG_SCHNORR_CHALLENGE,
    TAG_EPHEMERAL,
    TAG_KDF,
    TAG_VECTOR_SEED,
];

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn tags_are_distinct_and_prefixed() {
        let mut seen = std::collections::BTreeSet::new();
        for tag in ALL {
            assert!(tag.starts_with("gradseal/v1/clsc/"), "{tag}");
            assert!(tag.is_ascii());
            assert!(seen.insert(tag), "duplicate tag {tag}");
        }
    }
}
