//! `gradseal inspect`: decodes any gradseal file or message and describes it readably.
//!
//! Tried in order: a key file (magic `gradseal`), a gradseal-net message stream (as captured
//! from one `/gradseal/msg/1` stream), a protocol `Message`, a
//! bare public bundle or enrolment request, a shard manifest, and the gradseal-agg
//! encodings. Secret scalars are never printed: a secret file shows its public parts only.

use std::fmt::Write;

use gradseal_clsc::{EnrolmentRequest, PublicBundle};
use gradseal_core::Codec;
use gradseal_protocol::Message;

use crate::Error;
use crate::keyfile::KeyFile;

/// The largest input `inspect` reads.
pub const MAX_INSPECT_LEN: usize = 256 << 20;

fn hx(b: &[u8]) -> String {
    hex::encode(b)
}

fn short(b: &[u8]) -> String {
    if b.len() <= 16 {
        hx(b)
    } else {
        format!("{}… ({} bytes)", hx(b.get(..16).unwrap_or_default()), b.len())
    }
}

fn identity(id: &gradseal_clsc::Identity) -> String {
    match std::str::from_utf8(id.as_bytes()) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("{s:?}"),
        _ => format!("0x{}", hx(id.as_bytes())),
    }
}

fn bundle_lines(out: &mut String, b: &PublicBundle) {
    let bytes = b.to_bytes();
    let _ = writeln!(out, "  identity: {}", identity(b.identity()));
    // A bundle's encoding is identity ‖ X (32) ‖ R (32).
    let n = bytes.len();
    let _ = writeln!(
        out,
        "  X: {}",
        hx(bytes.get(n.saturating_sub(64)..n.saturating_sub(32)).unwrap_or_default())
    );
    let _ = writeln!(out, "  R: {}", hx(bytes.get(n.saturating_sub(32)..).unwrap_or_default()));
}

/// Describes a key file.
fn key_file(f: &KeyFile) -> String {
    let mut out = format!("gradseal key file: {}\n", f.kind().name());
    match f {
        KeyFile::KgcSecret(k) => {
            let _ = writeln!(
                out,
                "  Ppub: {}\n  master secret: (not shown)",
                hx(k.public().ppub_bytes())
            );
        }
        KeyFile::KgcPublic(p) => {
            let _ = writeln!(out, "  Ppub: {}", hx(p.ppub_bytes()));
        }
        KeyFile::NodeSecret(s) => {
            let _ = writeln!(out, "  identity: {}", identity(s.identity()));
            if let Ok(sec) = s.secret() {
                let _ = writeln!(out, "  X: {}", hx(sec.public_value()));
            }
            let _ = writeln!(out, "  secret seed: (not shown)");
        }
        KeyFile::Request(r) => {
            let _ = writeln!(
                out,
                "  identity: {}\n  X: {}",
                identity(r.identity()),
                hx(r.public_value())
            );
        }
        KeyFile::Partial(p) => {
            let _ = writeln!(out, "  R: {}\n  d: (not shown)", hx(p.public_part()));
        }
        KeyFile::NodeKeys(k) => {
            let _ = writeln!(out, "  KGC Ppub: {}", hx(k.kgc().ppub_bytes()));
            bundle_lines(&mut out, k.bundle());
            let _ = writeln!(out, "  public key P: {}", hx(k.public_key().point_bytes()));
            let _ = writeln!(out, "  secret key: (not shown)");
        }
        KeyFile::Bundle(b) => bundle_lines(&mut out, b),
        KeyFile::Binding(b) => {
            let _ = writeln!(out, "  libp2p PeerId: {}", b.peer_id());
            let _ = writeln!(out, "  signature: {}", hx(&b.signature().to_bytes()));
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
    out
}

/// Describes a protocol message.
pub fn message(m: &Message) -> String {
    let mut out = String::new();
    let r = m.round().0;
    let _ = match m {
        Message::Announcement(a) => writeln!(
            out,
            "announcement, round {r}\n  params: {:?}\n  aggregator: node {}\n  relays: {:?}\n  observers: {:?}\n  committee: {:?}\n  roster: {} clients\n  signature: {}",
            a.params,
            a.aggregator.node.0,
            a.relays.iter().map(|n| n.0).collect::<Vec<_>>(),
            a.observers.iter().map(|n| n.0).collect::<Vec<_>>(),
            a.committee.iter().map(|p| p.node.0).collect::<Vec<_>>(),
            a.roster.len(),
            short(&a.signature),
        ),
        Message::Shard(s) => writeln!(
            out,
            "contribution shard, round {r}\n  manifest: {} bytes\n  shard: {} bytes",
            s.manifest.len(),
            s.shard.len()
        ),
        Message::Entry(e) => writeln!(
            out,
            "accepted entry, round {r}\n  client: {}\n  body: {} bytes\n  sealed seeds: {}\n  signature: {}",
            e.entry.client,
            e.entry.body.len(),
            e.entry.sealed_seeds.len(),
            short(&e.entry.signature)
        ),
        Message::Transcript(t) => writeln!(
            out,
            "transcript head, round {r}\n  announcement: {}\n  accepted: {} contributions (clients {:?}, {} seed digests)\n  rejected: {}\n  bad relays: {}\n  aggregate: {} bytes\n  signature: {}",
            hx(&t.announcement),
            t.accepted.len(),
            t.accepted.iter().map(|e| e.client).collect::<Vec<_>>(),
            t.accepted.iter().map(|e| e.digests.seeds.len()).sum::<usize>(),
            t.rejected.len(),
            t.bad_relays.len(),
            t.aggregate.len(),
            short(&t.signature)
        ),
        Message::List(l) => writeln!(
            out,
            "member list, round {r}\n  member: {}\n  announcement: {}\n  transcript: {}\n  entries: {} (clients {:?})\n  signature: {}",
            l.member,
            hx(&l.announcement),
            hx(&l.transcript),
            l.entries.len(),
            l.entries.iter().map(|e| e.client).take(16).collect::<Vec<_>>(),
            short(&l.signature)
        ),
        Message::Agreement(a) => writeln!(
            out,
            "agreement, round {r}\n  member: {}\n  agreed list: {}\n  signature: {}",
            a.member,
            hx(&a.list),
            short(&a.signature)
        ),
        Message::Certificate(c) => writeln!(
            out,
            "quorum certificate, round {r}\n  agreed list: {}\n  quorum: {:?}",
            hx(&c.list),
            c.signatures.iter().map(|s| s.member).collect::<Vec<_>>()
        ),
        Message::Partial(p) => writeln!(
            out,
            "partial decryption, round {r}\n  member: {}\n  transcript: {}\n  list: {}\n  agreed list: {}\n  quorum: {:#x}\n  partial: {} bytes\n  signature: {}",
            p.member,
            hx(&p.transcript),
            hx(&p.list),
            hx(&p.agreed),
            p.quorum,
            p.partial.len(),
            short(&p.signature)
        ),
        Message::Refusal(f) => writeln!(
            out,
            "refusal to decrypt, round {r}\n  member: {}\n  transcript: {}\n  list: {}\n  fault: {:?}\n  signature: {}",
            f.member,
            hx(&f.transcript),
            hx(&f.list),
            f.fault,
            short(&f.signature)
        ),
        Message::Rejection(j) => writeln!(
            out,
            "rejection notice, round {r}\n  client: {}\n  reason: {:?}",
            j.client, j.reason
        ),
        Message::Result(res) => writeln!(
            out,
            "round result, round {r}\n  transcript: {}\n  contributions: {}\n  sum: {:?}{}\n  partials: {}\n  quorum: {:?}\n  equivocating members: {:?}",
            hx(&res.transcript),
            res.count,
            res.sum.iter().take(8).collect::<Vec<_>>(),
            if res.sum.len() > 8 {
                format!(" … ({} coordinates)", res.sum.len())
            } else {
                String::new()
            },
            res.partials.len(),
            res.certificate.signatures.iter().map(|s| s.member).collect::<Vec<_>>(),
            res.equivocations.iter().map(|e| e.member()).collect::<Vec<_>>()
        ),
    };
    out
}

/// Describes a gradseal-agg encoding (scheme v2): a client's contribution, an aggregate, a
/// member's partial decryption or a round's parameters. Key seeds are 32 raw bytes with no
/// structure and are not recognised.
fn agg_encoding(bytes: &[u8]) -> Option<String> {
    use gradseal_agg::{Aggregate, Contribution, PartialDecryption, RoundParams};
    if let Ok(c) = Contribution::from_bytes(bytes) {
        return Some(format!(
            "gradseal-agg contribution ({} bytes)\n  bodies: {} coordinates\n  correction: {} words\n",
            bytes.len(),
            c.bodies().len(),
            c.correction().len()
        ));
    }
    if let Ok(a) = Aggregate::from_bytes(bytes) {
        return Some(format!(
            "gradseal-agg aggregate ({} bytes)\n  contributions: {}\n  bodies: {} coordinates\n",
            bytes.len(),
            a.count(),
            a.bodies().len()
        ));
    }
    if let Ok(p) = PartialDecryption::from_bytes(bytes) {
        return Some(format!(
            "gradseal-agg partial decryption ({} bytes)\n  member: {}\n  contributions: {}\n  values: {}\n",
            bytes.len(),
            p.member(),
            p.count(),
            p.values().len()
        ));
    }
    if let Ok(p) = RoundParams::from_bytes(bytes) {
        let c = p.config();
        return Some(format!(
            "gradseal-agg round parameters\n  digest: {}\n  dimension: {}\n  bits: {}\n  clients: {}..={}\n  committee: {}\n",
            hx(p.digest()),
            c.dimension,
            c.bits,
            c.min_clients,
            c.max_clients,
            c.committee_size
        ));
    }
    None
}

/// Describes `bytes` if they are any gradseal encoding.
///
/// # Errors
/// [`Error::KeyFile`] naming why a key file is corrupt, or [`Error::Io`] ("not a gradseal
/// file or message") for anything else.
pub fn describe(bytes: &[u8]) -> Result<String, Error> {
    if KeyFile::sniff(bytes) {
        return KeyFile::from_bytes(bytes).map(|f| key_file(&f));
    }
    if bytes.starts_with(&gradseal_net::codec::STREAM_MAGIC)
        && let Ok(body) = gradseal_net::codec::decode_all(bytes, u64::MAX)
        && let Ok(m) = Message::from_bytes(&body)
    {
        return Ok(format!("gradseal-net message stream: {}", message(&m)));
    }
    if let Ok(m) = Message::from_bytes(bytes) {
        return Ok(message(&m));
    }
    if let Ok(b) = PublicBundle::from_bytes(bytes) {
        let mut out = "bare public key bundle\n".to_string();
        bundle_lines(&mut out, &b);
        return Ok(out);
    }
    if let Ok(r) = EnrolmentRequest::from_bytes(bytes) {
        return Ok(format!(
            "bare enrolment request\n  identity: {}\n  X: {}\n",
            identity(r.identity()),
            hx(r.public_value())
        ));
    }
    if let Ok(m) = gradseal_shard::Manifest::from_bytes(bytes) {
        return Ok(format!(
            "shard manifest\n  data shards: {}\n  parity shards: {}\n  payload: {} bytes\n  digest: {}\n",
            m.data_shards(),
            m.parity_shards(),
            m.payload_len(),
            hx(&m.digest())
        ));
    }
    if let Some(text) = agg_encoding(bytes) {
        return Ok(text);
    }
    Err(Error::Io(format!("not a gradseal file or message ({} bytes)", bytes.len())))
}

#[cfg(test)]
mod tests {
    use chacha20::ChaCha20Rng;
    use gradseal_clsc::Kgc;
    use gradseal_protocol::sim::{self, RoundPlan};
    use gradseal_protocol::{GradsealSuite, GradsealSystem, RoundId, ShardLayout};
    use rand_core::SeedableRng;

    use super::*;
    use crate::keyfile::enrol_locally;

    #[test]
    fn garbage_is_refused() {
        assert!(describe(b"").is_err());
        assert!(describe(b"hello world, not gradseal").is_err());
        let e = describe(b"gradseal\x01\x06abc").unwrap_err().to_string();
        assert!(e.contains("node keys") && !e.contains('\n'), "{e}");
    }

    /// Every message kind of an honest v2 round (production suite), bare and as a gradseal-net
    /// stream, and the gradseal-agg encodings inside them, are recognised and named.
    #[test]
    fn every_message_of_a_round_is_described() {
        let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed([5; 32]));
        let key = |label: &str, i: usize| {
            let seed = gradseal_core::hash(
                "gradseal/v1/node/test/key",
                &[label.as_bytes(), &[u8::try_from(i).unwrap()]],
            );
            enrol_locally(&kgc, &format!("{label}-{i}"), &mut ChaCha20Rng::from_seed(seed)).unwrap()
        };
        let plan = RoundPlan {
            round: RoundId(1),
            clients: 3,
            members: 2,
            privacy_threshold: 1,
            relays: 3,
            layout: ShardLayout { data: 2, parity: 1 },
            dimension: 4,
            bits: 8,
            min_clients: 2,
        };
        let sys = GradsealSystem { kgc: *kgc.public() };
        let seed = |_: &str, i: usize| [u8::try_from(i).unwrap(); 32];
        let mut s =
            sim::build::<GradsealSuite>(&plan, &sys, key, seed, vec![vec![1, -2, 3, -4]; 3])
                .unwrap();
        s.log = Some(Vec::new());
        assert!(s.run(100_000));
        let mut seen = std::collections::BTreeMap::new();
        for d in s.log.take().unwrap() {
            let Ok(m) = Message::from_bytes(&d.payload) else { panic!("undecodable message") };
            let text = describe(&d.payload).unwrap();
            let framed = describe(&gradseal_net::codec::encode_all(&d.payload)).unwrap();
            assert_eq!(framed, format!("gradseal-net message stream: {text}"));
            if let Message::Entry(e) = &m {
                let body = describe(&e.entry.body).unwrap();
                assert!(body.starts_with("gradseal-agg contribution"), "{body}");
            }
            if let Message::Transcript(t) = &m {
                let agg = describe(&t.aggregate).unwrap();
                assert!(agg.contains("gradseal-agg aggregate") && agg.contains("contributions: 3"));
            }
            if let Message::Partial(p) = &m {
                let part = describe(&p.partial).unwrap();
                assert!(part.starts_with("gradseal-agg partial decryption"), "{part}");
            }
            seen.entry(m.kind()).or_insert(text);
        }
        let expected = [
            (1, "announcement"),
            (2, "contribution shard"),
            (3, "transcript head"),
            (11, "accepted entry"),
            (4, "member list"),
            (5, "partial decryption"),
            (8, "round result"),
        ];
        for (kind, name) in expected {
            let text = seen.get(&kind).unwrap_or_else(|| panic!("no message of kind {kind}"));
            assert!(text.starts_with(name), "kind {kind}: {text}");
        }
        assert!(seen[&4].contains("entries: 3"), "{}", seen[&4]);
    }
}
