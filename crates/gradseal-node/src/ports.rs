//! Listen ports for the local cluster's nodes. Spec: `spec/node.md` §5.

use std::net::{SocketAddr, TcpListener, UdpSocket};

use crate::Error;
use crate::config::Transport;

/// The lowest port the cluster picks listen ports from.
const PORTS_FROM: u16 = 10_000;

/// Free loopback ports of the transport (UDP for QUIC, TCP for TCP): bound and read back,
/// all held at once so they differ, then released for the children. They are picked below
/// the kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`, from 32768 by
/// default), from a random start (clusters launched at once pick different ones): a socket
/// a starting node opens gets its port from that range, and took a port picked for a node
/// not yet listening (`AddrInUse`, about one 100-client cluster in 50) when these came from
/// it too. Where that range leaves too little room, ports come from the kernel (port 0).
pub(crate) fn free_addrs(
    n: usize,
    transport: Transport,
    rng: &mut chacha20::ChaCha20Rng,
) -> Result<Vec<SocketAddr>, Error> {
    use rand_core::Rng;
    let (mut udp, mut tcp) = (Vec::new(), Vec::new());
    let mut hold = |port: u16| -> Option<SocketAddr> {
        let at = SocketAddr::from(([127, 0, 0, 1], port));
        match transport {
            Transport::Quic => UdpSocket::bind(at).ok().and_then(|s| {
                let a = s.local_addr().ok()?;
                udp.push(s);
                Some(a)
            }),
            Transport::Tcp => TcpListener::bind(at).ok().and_then(|s| {
                let a = s.local_addr().ok()?;
                tcp.push(s);
                Some(a)
            }),
        }
    };
    let span = ephemeral_low().saturating_sub(PORTS_FROM);
    let mut addrs = Vec::with_capacity(n);
    if usize::from(span) >= 4 * n {
        let start = rng.next_u32() % u32::from(span);
        for k in 0..u32::from(span) {
            if addrs.len() == n {
                break;
            }
            let port = u32::from(PORTS_FROM) + (start + k) % u32::from(span);
            addrs.extend(u16::try_from(port).ok().and_then(&mut hold));
        }
    }
    while addrs.len() < n {
        let a = hold(0).ok_or_else(|| Error::Io("cannot pick a free port".into()))?;
        addrs.push(a);
    }
    Ok(addrs)
}

/// The first port of the kernel's ephemeral range (32768 if unreadable).
fn ephemeral_low() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next().and_then(|p| p.parse().ok()))
        .unwrap_or(32_768)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn ports_are_distinct_free_and_below_the_ephemeral_range() {
        let mut rng = chacha20::ChaCha20Rng::seed_from_u64(7);
        for transport in [Transport::Quic, Transport::Tcp] {
            let addrs = free_addrs(50, transport, &mut rng).unwrap();
            let mut ports: Vec<u16> = addrs.iter().map(SocketAddr::port).collect();
            ports.sort_unstable();
            ports.dedup();
            assert_eq!(ports.len(), 50);
            if ephemeral_low() >= PORTS_FROM + 200 {
                assert!(
                    ports.iter().all(|p| (PORTS_FROM..ephemeral_low()).contains(p)),
                    "{ports:?}"
                );
            }
            // Released: each can be bound again.
            for a in &addrs {
                match transport {
                    Transport::Quic => drop(UdpSocket::bind(a).unwrap()),
                    Transport::Tcp => drop(TcpListener::bind(a).unwrap()),
                }
            }
        }
    }
}
