//! The peer table: node id → (bundle, binding, addresses), checked once on insertion.

use std::collections::HashMap;

use gradseal_clsc::{KgcPublic, PublicBundle, PublicKey};
use libp2p::{Multiaddr, PeerId};

use crate::{Error, NodeId, PeerBinding};

/// One verified peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerEntry {
    key: PublicKey,
    binding: PeerBinding,
    addrs: Vec<Multiaddr>,
}

impl PeerEntry {
    /// The node's public key (derived from its bundle).
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The node's verified binding.
    pub fn binding(&self) -> &PeerBinding {
        &self.binding
    }

    /// Where to dial the node (may be empty: the node can still dial us).
    pub fn addrs(&self) -> &[Multiaddr] {
        &self.addrs
    }
}

/// Node id → verified peer, and PeerId → node id. Every entry's binding has been verified
/// against its bundle under the table's KGC; no two entries share a PeerId.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerTable {
    kgc: KgcPublic,
    by_node: HashMap<NodeId, PeerEntry>,
    by_peer: HashMap<PeerId, NodeId>,
}

impl PeerTable {
    /// An empty table for nodes enrolled under `kgc`.
    pub fn new(kgc: KgcPublic) -> Self {
        PeerTable { kgc, by_node: HashMap::new(), by_peer: HashMap::new() }
    }

    /// Adds (or replaces) node `node`: derives its key from `bundle`, verifies `binding`
    /// against it, and records `addrs` to dial it.
    ///
    /// # Errors
    /// [`Error::InvalidBinding`] if the binding does not verify (also for a bundle that
    /// derives no usable key), [`Error::DuplicatePeer`] if another node already has this
    /// PeerId. On error the table is unchanged.
    pub fn insert(
        &mut self,
        node: NodeId,
        bundle: PublicBundle,
        binding: PeerBinding,
        addrs: Vec<Multiaddr>,
    ) -> Result<(), Error> {
        let key = PublicKey::derive(&self.kgc, bundle).map_err(|_| Error::InvalidBinding)?;
        binding.verify(&key)?;
        let peer = *binding.peer_id();
        if self.by_peer.get(&peer).is_some_and(|n| *n != node) {
            return Err(Error::DuplicatePeer { node });
        }
        if let Some(old) = self.by_node.remove(&node) {
            self.by_peer.remove(old.binding.peer_id());
        }
        self.by_peer.insert(peer, node);
        self.by_node.insert(node, PeerEntry { key, binding, addrs });
        Ok(())
    }

    /// Removes node `node`; returns its entry.
    pub fn remove(&mut self, node: NodeId) -> Option<PeerEntry> {
        let old = self.by_node.remove(&node)?;
        self.by_peer.remove(old.binding.peer_id());
        Some(old)
    }

    /// The node an authenticated PeerId speaks for.
    pub fn node_of(&self, peer: &PeerId) -> Option<NodeId> {
        self.by_peer.get(peer).copied()
    }

    /// The entry of a node.
    pub fn entry(&self, node: NodeId) -> Option<&PeerEntry> {
        self.by_node.get(&node)
    }

    /// The PeerId of a node.
    pub fn peer_of(&self, node: NodeId) -> Option<PeerId> {
        self.by_node.get(&node).map(|e| *e.binding.peer_id())
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.by_node.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.by_node.is_empty()
    }

    /// The KGC parameters bundles are derived under.
    pub fn kgc(&self) -> &KgcPublic {
        &self.kgc
    }

    /// The PeerIds in the table.
    pub fn peer_ids(&self) -> impl Iterator<Item = &PeerId> {
        self.by_peer.keys()
    }
}
