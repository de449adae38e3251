//! Connecting at startup: a node sends the 8-byte node-layer [`PING`] to the peers it will
//! exchange messages with (the authority: every peer; any other node: its config's
//! `connect_at_start`) before the first round, so that round 1 finds those connections
//! open, their handshakes done and (QUIC) their path MTU discovered, as round 2 does.
//! Spec: `spec/node.md` §2, "Connecting at startup".

use std::time::Duration;

use gradseal_net::NetHandle;
use serde_json::json;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The node-layer ping: 8 bytes, too short to be a protocol message (every message starts
/// with `kind ‖ round`, 9 bytes). A driver drops it silently.
pub const PING: &[u8; 8] = b"gs-ping\0";
/// Longest a node waits for its pings to be acknowledged (the authority then announces
/// anyway; any other node has been running its rounds meanwhile).
pub const WARMUP_MS: u64 = 15_000;

/// What a warm-up reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmUp {
    /// Peers that acknowledged a ping.
    pub reached: u32,
    /// Peers that did not within [`WARMUP_MS`].
    pub unreachable: Vec<u32>,
    /// How long it took.
    pub ms: u64,
}

impl WarmUp {
    /// The report's `warmed_up` fields.
    pub fn fields(&self) -> serde_json::Value {
        json!({ "peers": self.reached, "unreachable": self.unreachable, "ms": self.ms })
    }

    /// One log line.
    pub fn line(&self, asked: usize) -> String {
        format!(
            "connected to {} of {asked} peers in {} ms (unreachable: {:?})",
            self.reached, self.ms, self.unreachable
        )
    }
}

/// Pings every peer of `peers` at once and waits until each has acknowledged or `within`
/// has passed. A failed ping (the peer may still be starting, or its handshake queue was
/// full) is sent again while at least a second of the warm-up is left. Every peer is dialed
/// by this node, so each connection is made once, in the direction the config chose.
pub async fn connect(net: &NetHandle, peers: &[u32], within: Duration) -> WarmUp {
    let t0 = Instant::now();
    let deadline = t0 + within;
    let mut pings = JoinSet::new();
    let ping = |pings: &mut JoinSet<_>, to: u32| {
        let net = net.clone();
        pings.spawn(async move { (to, net.send(to, PING).await) });
    };
    for &to in peers {
        ping(&mut pings, to);
    }
    let mut reached = Vec::new();
    while let Ok(Some(done)) = tokio::time::timeout_at(deadline, pings.join_next()).await {
        match done {
            Ok((to, Ok(()))) => reached.push(to),
            Ok((to, Err(_))) if Instant::now() + Duration::from_secs(1) < deadline => {
                ping(&mut pings, to);
            }
            Ok(_) | Err(_) => {}
        }
    }
    // Pings still out at the deadline are dropped (aborted) with the set.
    let unreachable = peers.iter().copied().filter(|p| !reached.contains(p)).collect();
    let ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
    WarmUp { reached: u32::try_from(reached.len()).unwrap_or(u32::MAX), unreachable, ms }
}

#[cfg(test)]
mod tests {
    use chacha20::ChaCha20Rng;
    use gradseal_clsc::Kgc;
    use gradseal_net::{Inbound, Net, NetConfig, PeerTable, TransportKind};
    use rand_core::SeedableRng;
    use tokio::sync::mpsc;

    use super::*;
    use crate::keyfile::enrol_locally;
    use crate::transport::net_identity;

    /// Nodes 1..=n on QUIC at free loopback ports; node 1 knows every other node, every
    /// other node knows node 1. Node `n + 1` is in node 1's table at an address nobody
    /// listens on.
    async fn nodes(n: u32) -> Vec<(NetHandle, mpsc::Receiver<Inbound>)> {
        let mut rng = ChaCha20Rng::from_seed([5; 32]);
        let kgc = Kgc::generate(&mut rng);
        let keys: Vec<_> =
            (1..=n + 1).map(|i| enrol_locally(&kgc, &format!("n{i}"), &mut rng).unwrap()).collect();
        let mut out = Vec::new();
        for (i, k) in (1..=n).zip(&keys) {
            let cfg = NetConfig::new(TransportKind::Quic, "127.0.0.1:0".parse().unwrap());
            let id = net_identity(k, i).unwrap();
            out.push(Net::start(cfg, id, PeerTable::new(*kgc.public())).await.unwrap());
        }
        let addrs: Vec<_> = out.iter().map(|(h, _)| h.listen_addrs()).collect();
        let nowhere = TransportKind::Quic.multiaddr("127.0.0.1:9".parse().unwrap());
        let entry = |t: &mut PeerTable, i: u32, rng: &mut ChaCha20Rng| {
            let k = &keys[i as usize - 1];
            let binding = net_identity(k, i).unwrap().bind(k, rng);
            let at = addrs.get(i as usize - 1).cloned().unwrap_or_else(|| vec![nowhere.clone()]);
            t.insert(i, k.bundle().clone(), binding, at).unwrap();
        };
        for (i, (h, _)) in (1..=n).zip(&out) {
            let mut t = PeerTable::new(*kgc.public());
            if i == 1 {
                (2..=n + 1).for_each(|j| entry(&mut t, j, &mut rng));
            } else {
                entry(&mut t, 1, &mut rng);
            }
            h.set_peers(t).await.unwrap();
        }
        out
    }

    #[tokio::test]
    async fn a_node_pings_exactly_the_peers_it_is_told_to() {
        let mut n = nodes(4).await;
        let a = n[0].0.clone();
        // Nodes 2 and 3 are listed, node 4 is a peer but not listed.
        let w = connect(&a, &[2, 3], Duration::from_secs(10)).await;
        assert_eq!((w.reached, w.unreachable.clone()), (2, vec![]), "{w:?}");
        for (_, rx) in &mut n[1..3] {
            let Some(Inbound::Message(m)) = rx.recv().await else { panic!("no ping") };
            assert_eq!((m.from(), m.into_bytes()), (1, PING.to_vec()));
        }
        assert_eq!(a.stats().messages_sent, 2);
        assert_eq!(n[3].0.stats().messages_received, 0);
    }

    #[tokio::test]
    async fn a_peer_that_does_not_answer_is_reported_unreachable() {
        let n = nodes(2).await;
        // Node 3 is in node 1's table at an address nobody listens on.
        let w = connect(&n[0].0, &[2, 3], Duration::from_millis(1500)).await;
        assert_eq!((w.reached, w.unreachable), (1, vec![3]));
    }
}
