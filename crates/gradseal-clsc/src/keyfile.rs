//! Secret encodings for key files: a node's secret value before enrolment.
//!
//! The KGC's master secret ([`crate::Kgc::to_secret_bytes`]) and a completed node key
//! ([`crate::NodeKeys::to_secret_bytes`]) already have secret encodings; this module adds
//! the one missing piece of the offline enrolment flow (secret → request → partial key →
//! completed keys): [`NodeSecretSeed`], the stored form of a [`NodeSecret`].
//!
//! Spec: `spec/clsc.md`, section "Key files".

use core::fmt;

use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{Error, Identity, NodeSecret};

/// Length of a [`NodeSecretSeed`] encoding's seed.
pub const NODE_SEED_LEN: usize = 32;

/// A node's secret value before enrolment, stored as (identity, 32-byte seed) with
/// `x = Hs(TAG_NODE_SECRET, seed)` (the derivation [`NodeSecret::generate`] uses).
///
/// Encoding: `identity (u32 length ‖ bytes) ‖ seed (32)`. Secret: not `Clone`, zeroized on
/// drop, redacted `Debug`, constant-time `PartialEq`.
pub struct NodeSecretSeed {
    identity: Identity,
    seed: Zeroizing<[u8; NODE_SEED_LEN]>,
}

impl NodeSecretSeed {
    /// Draws a fresh seed for `identity` (redrawing the 2^-252-rare seeds that give `x = 0`).
    pub fn generate(identity: Identity, rng: &mut impl CryptoRng) -> Self {
        loop {
            let mut seed = Zeroizing::new([0u8; NODE_SEED_LEN]);
            rng.fill_bytes(&mut seed[..]);
            if NodeSecret::from_seed(identity.clone(), &seed).is_some() {
                return Self { identity, seed };
            }
        }
    }

    /// The identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The node secret this seed stands for.
    ///
    /// # Errors
    /// [`Error::Decode`] if the seed derives `x = 0` (never for a seed from
    /// [`NodeSecretSeed::generate`] or [`NodeSecretSeed::from_secret_bytes`]).
    pub fn secret(&self) -> Result<NodeSecret, Error> {
        NodeSecret::from_seed(self.identity.clone(), &self.seed)
            .ok_or(Error::Decode(DecodeError::InvalidValue { field: "node_secret.seed" }))
    }

    /// The secret encoding `identity ‖ seed`.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(4 + crate::MAX_IDENTITY_LEN + NODE_SEED_LEN);
        self.identity.encode(&mut w);
        w.put_bytes(&self.seed[..]);
        Zeroizing::new(w.into_bytes())
    }

    /// Decodes [`NodeSecretSeed::to_secret_bytes`] (canonical: no trailing bytes).
    ///
    /// # Errors
    /// [`Error::Decode`] for a malformed encoding or a seed that derives `x = 0`.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let identity = Identity::decode(&mut r)?;
        let mut seed = Zeroizing::new([0u8; NODE_SEED_LEN]);
        seed.copy_from_slice(r.read_bytes("node_secret.seed", NODE_SEED_LEN)?);
        r.finish("node_secret")?;
        let out = Self { identity, seed };
        out.secret()?;
        Ok(out)
    }
}

impl fmt::Debug for NodeSecretSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeSecretSeed").field("identity", &self.identity).finish_non_exhaustive()
    }
}

impl PartialEq for NodeSecretSeed {
    fn eq(&self, other: &Self) -> bool {
        self.identity == other.identity && bool::from(self.seed[..].ct_eq(&other.seed[..]))
    }
}

impl Eq for NodeSecretSeed {}

#[cfg(test)]
mod tests {
    use chacha20::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let id = Identity::new(b"node-1".to_vec()).unwrap();
        let s = NodeSecretSeed::generate(id, &mut rng);
        let bytes = s.to_secret_bytes();
        let back = NodeSecretSeed::from_secret_bytes(&bytes).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.secret().unwrap(), s.secret().unwrap());
        assert!(!format!("{s:?}").contains(&hex_of(&bytes[bytes.len() - 32..])));
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(NodeSecretSeed::from_secret_bytes(&long).is_err());
        assert!(NodeSecretSeed::from_secret_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
