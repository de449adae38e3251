//! Binding a node's libp2p identity (its [`PeerId`]) to its roster identity (its gradseal
//! node key), and the node's libp2p identity itself.
//!
//! A binding is a certificateless Schnorr signature ([`gradseal_clsc::sign`]) by the node's
//! [`NodeKeys`] over the PeerId's bytes under the context [`TAG_PEER_BINDING`]: anyone holding
//! the node's public bundle (and the KGC's public parameters) can check that the holder of
//! the node key vouches for that PeerId. The transport's own handshake (TLS 1.3 in QUIC,
//! Noise XX on TCP) proves that the remote holds the PeerId's private key, so a connection
//! from a PeerId whose binding verifies under node `n`'s bundle is node `n`. Spec:
//! `spec/net.md` §3.

use std::fmt;

use gradseal_clsc::{NodeKeys, PublicKey, SIGNATURE_LEN, Signature};
use gradseal_core::{Codec, Reader, Writer};
use libp2p::PeerId;
use libp2p::identity::Keypair;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::Error;

/// The signing context of a peer binding (a versioned domain tag: a binding never verifies as
/// any other gradseal signature, nor any other signature as a binding).
pub const TAG_PEER_BINDING: &str = "gradseal/v1/net/peer-binding";

/// The longest PeerId encoding accepted in a binding (an identity-multihash Ed25519 PeerId
/// is 38 bytes; a SHA-256 multihash 34).
pub const MAX_PEER_ID_LEN: usize = 64;

/// A node's signed statement "my libp2p PeerId is `peer_id`".
///
/// Encoding: `u32 len ‖ PeerId bytes (multihash, at most` [`MAX_PEER_ID_LEN`]`) ‖ signature
/// (64)`. Public: travels with the node's bundle (key files, roster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerBinding {
    peer_id: PeerId,
    signature: Signature,
}

impl PeerBinding {
    /// `keys` vouches for `peer_id` (normally the node's own [`NetIdentity::peer_id`]).
    pub fn sign(keys: &NodeKeys, peer_id: &PeerId, rng: &mut impl CryptoRng) -> Self {
        let signature =
            gradseal_clsc::sign(keys, TAG_PEER_BINDING.as_bytes(), &peer_id.to_bytes(), rng);
        PeerBinding { peer_id: *peer_id, signature }
    }

    /// Assembles a binding from its parts (no check: see [`PeerBinding::verify`]).
    pub fn from_parts(peer_id: PeerId, signature: Signature) -> Self {
        PeerBinding { peer_id, signature }
    }

    /// The PeerId vouched for.
    pub fn peer_id(&self) -> &PeerId {
        &self.peer_id
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Checks the binding against the node's public key (derived from its bundle).
    ///
    /// # Errors
    /// [`Error::InvalidBinding`].
    pub fn verify(&self, key: &PublicKey) -> Result<(), Error> {
        gradseal_clsc::verify(
            key,
            TAG_PEER_BINDING.as_bytes(),
            &self.peer_id.to_bytes(),
            &self.signature,
        )
        .map_err(|_| Error::InvalidBinding)
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let id = self.peer_id.to_bytes();
        let mut w = Writer::with_capacity(4 + id.len() + SIGNATURE_LEN);
        w.put_var_bytes(&id);
        self.signature.encode(&mut w);
        w.into_bytes()
    }

    /// Decodes [`PeerBinding::encode`]'s output (trailing bytes refused). Does not verify.
    ///
    /// # Errors
    /// [`Error::MalformedBinding`].
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let id = r
            .read_var_bytes("binding.peer_id", MAX_PEER_ID_LEN)
            .map_err(|_| Error::MalformedBinding)?;
        let peer_id = PeerId::from_bytes(id).map_err(|_| Error::MalformedBinding)?;
        let signature = Signature::decode(&mut r).map_err(|_| Error::MalformedBinding)?;
        r.finish("binding").map_err(|_| Error::MalformedBinding)?;
        // PeerId::from_bytes accepts only canonical multihashes, so this re-encodes exactly.
        Ok(PeerBinding { peer_id, signature })
    }
}

/// A node's libp2p identity: an Ed25519 key pair derived from a 32-byte seed, and the node id
/// it speaks for.
///
/// Secret: no `Clone`, redacted `Debug`; the key pair zeroizes itself on drop (libp2p's
/// Ed25519 key is `ZeroizeOnDrop`).
pub struct NetIdentity {
    node_id: u32,
    keypair: Keypair,
}

impl NetIdentity {
    /// The identity of node `node_id` from `seed` (zeroized here after use).
    ///
    /// # Errors
    /// None in practice: libp2p refuses only seeds that are not 32 bytes long
    /// ([`Error::InvalidConfig`]).
    pub fn from_seed(node_id: u32, mut seed: Zeroizing<[u8; 32]>) -> Result<Self, Error> {
        let keypair = Keypair::ed25519_from_bytes(&mut seed[..])
            .map_err(|_| Error::InvalidConfig("identity seed"))?;
        Ok(NetIdentity { node_id, keypair })
    }

    /// A fresh identity from `rng`.
    ///
    /// # Errors
    /// As [`NetIdentity::from_seed`].
    pub fn generate(node_id: u32, rng: &mut impl CryptoRng) -> Result<Self, Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut seed[..]);
        Self::from_seed(node_id, seed)
    }

    /// The node id this identity speaks for.
    pub fn node_id(&self) -> u32 {
        self.node_id
    }

    /// The libp2p PeerId (hash of the public key).
    pub fn peer_id(&self) -> PeerId {
        self.keypair.public().to_peer_id()
    }

    /// Signs this identity's PeerId with the node's gradseal keys.
    pub fn bind(&self, keys: &NodeKeys, rng: &mut impl CryptoRng) -> PeerBinding {
        PeerBinding::sign(keys, &self.peer_id(), rng)
    }

    pub(crate) fn keypair(&self) -> &Keypair {
        &self.keypair
    }
}

impl fmt::Debug for NetIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetIdentity")
            .field("node_id", &self.node_id)
            .field("peer_id", &self.peer_id())
            .finish_non_exhaustive()
    }
}
