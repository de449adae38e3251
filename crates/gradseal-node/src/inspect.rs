//! `gradseal inspect`: decodes any gradseal file or message and describes it readably.
//!
//! Tried in order: a key file (magic `gradseal`), a node frame, a protocol `Message`, a
//! bare public bundle or enrolment request, a shard manifest, and the gradseal-agg
//! encodings. Secret scalars are never printed: a secret file shows its public parts only.

use std::fmt::Write;

use gradseal_clsc::{EnrolmentRequest, PublicBundle};
use gradseal_core::Codec;
use gradseal_protocol::Message;

use crate::Error;
use crate::frame::Frame;
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
        Message::KeyBody(k) => writeln!(
            out,
            "committee key body, round {r}\n  member: {}\n  announcement: {}\n  body: {} bytes\n  signature: {}",
            k.member,
            hx(&k.announcement),
            k.body.len(),
            short(&k.signature)
        ),
        Message::Shard(s) => writeln!(
            out,
            "contribution shard, round {r}\n  manifest: {} bytes\n  shard: {} bytes",
            s.manifest.len(),
            s.shard.len()
        ),
        Message::Transcript(t) => writeln!(
            out,
            "transcript, round {r}\n  announcement: {}\n  accepted: {}\n  rejected: {}\n  bad relays: {}\n  aggregate: {} bytes\n  signature: {}",
            hx(&t.announcement),
            t.accepted.len(),
            t.rejected.len(),
            t.bad_relays.len(),
            t.aggregate.len(),
            short(&t.signature)
        ),
        Message::Partial(p) => writeln!(
            out,
            "partial decryption, round {r}\n  member: {}\n  transcript: {}\n  partial: {} bytes",
            p.member,
            hx(&p.transcript),
            p.partial.len()
        ),
        Message::Refusal(f) => writeln!(
            out,
            "refusal to decrypt, round {r}\n  member: {}\n  fault: {:?}",
            f.member, f.fault
        ),
        Message::Rejection(j) => writeln!(
            out,
            "rejection notice, round {r}\n  client: {}\n  reason: {:?}",
            j.client, j.reason
        ),
        Message::Result(res) => writeln!(
            out,
            "round result, round {r}\n  transcript: {}\n  contributions: {}\n  sum: {:?}{}\n  partials: {}",
            hx(&res.transcript),
            res.count,
            res.sum.iter().take(8).collect::<Vec<_>>(),
            if res.sum.len() > 8 {
                format!(" … ({} coordinates)", res.sum.len())
            } else {
                String::new()
            },
            res.partials.len()
        ),
        #[allow(unreachable_patterns)]
        _ => writeln!(out, "protocol message, round {r}"),
    };
    out
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
    if let Ok(f) = Frame::decode_exact(bytes)
        && let Ok(m) = Message::from_bytes(&f.payload)
    {
        return Ok(format!("node frame from node {}: {}", f.from.0, message(&m)));
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
    let agg: [(&str, bool); 4] = [
        ("gradseal-agg encrypted update", gradseal_agg::EncryptedUpdate::from_bytes(bytes).is_ok()),
        ("gradseal-agg aggregate", gradseal_agg::Aggregate::from_bytes(bytes).is_ok()),
        ("gradseal-agg committee key body", gradseal_agg::KeyBody::from_bytes(bytes).is_ok()),
        (
            "gradseal-agg partial decryption",
            gradseal_agg::PartialDecryption::from_bytes(bytes).is_ok(),
        ),
    ];
    if let Some((name, _)) = agg.iter().find(|(_, ok)| *ok) {
        return Ok(format!("{name} ({} bytes)\n", bytes.len()));
    }
    Err(Error::Io(format!("not a gradseal file or message ({} bytes)", bytes.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused() {
        assert!(describe(b"").is_err());
        assert!(describe(b"hello world, not gradseal").is_err());
        let e = describe(b"gradseal\x01\x06abc").unwrap_err().to_string();
        assert!(e.contains("node keys") && !e.contains('\n'), "{e}");
    }
}
