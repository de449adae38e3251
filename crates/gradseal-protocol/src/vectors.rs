//! Test-vector generator for `spec/vectors/protocol.json` (feature `vectors`): a complete
//! small t-of-n round of the production suite from fixed seeds (4 members, privacy threshold
//! 1, quorum 3: every distinct message's bytes and signed digest, in send order, and the
//! result), negative decoding and signature cases,
//! re-signed cheating transcripts with the fault the observer's verification must name, and
//! re-signed cheating member lists with the fault member 0's list check must name.

use chacha20::ChaCha20Rng;
use gradseal_clsc::{EnrolmentRegistry, Identity, Kgc, NodeKeys, NodeSecret};
use gradseal_core::{Codec, hash};
use rand_core::SeedableRng;
use serde_json::{Value, json};

use crate::messages::{MemberList, Message, TranscriptMsg, contribution_statement};
use crate::params::{RoundId, RoundParams, ShardLayout};
use crate::sim::{self, RoundPlan};
use crate::{Event, GradsealSuite, GradsealSystem, Suite, TranscriptFault};

/// The round the vectors describe.
pub fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(42),
        clients: 3,
        members: 4,
        privacy_threshold: 1,
        relays: 3,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: 4,
        bits: 8,
        min_clients: 2,
    }
}

/// The quantized updates of the three clients.
pub fn updates() -> Vec<Vec<i64>> {
    vec![vec![1, -2, 3, -4], vec![10, 20, -30, 40], vec![-100, 0, 100, 127]]
}

/// Seed of node `label`-`i`.
pub fn seed(label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v1/protocol/vectors/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
}

/// The KGC of the vectors.
pub fn kgc() -> Kgc {
    Kgc::generate(&mut ChaCha20Rng::from_seed(seed("kgc", 0)))
}

/// The enrolled key of node `label`-`i`.
///
/// # Panics
/// Never for the fixed labels used here (identities are short, the KGC is consistent).
#[allow(clippy::expect_used)]
pub fn key(kgc: &Kgc, label: &str, i: usize) -> NodeKeys {
    let mut rng = ChaCha20Rng::from_seed(seed(label, i));
    let id = Identity::new(format!("{label}-{i}")).expect("short identity");
    // The KGC's policy authorises exactly this identity, once.
    let mut policy = EnrolmentRegistry::new([id.clone()]);
    let secret = NodeSecret::generate(id, &mut rng);
    kgc.enrol_in_process(&secret, &mut policy, &mut rng).expect("authorised, valid partial key")
}

fn kind(m: &Message) -> &'static str {
    match m {
        Message::Announcement(_) => "announcement",
        Message::Shard(_) => "shard",
        Message::Entry(_) => "entry",
        Message::Transcript(_) => "transcript",
        Message::List(_) => "member_list",
        Message::Agreement(_) => "agreement",
        Message::Certificate(_) => "certificate",
        Message::Partial(_) => "partial_decryption",
        Message::Refusal(_) => "refusal",
        Message::Rejection(_) => "rejection",
        Message::Result(_) => "result",
    }
}

/// The digest a message's signer signs (for a shard, which is unsigned, the manifest bytes'
/// framed hash is given instead so the case still pins every byte; for a certificate, whose
/// `q` signers each sign their agreement statement, the agreement digest `E` it names).
pub fn signed_digest(m: &Message) -> [u8; 32] {
    match m {
        Message::Announcement(a) => a.digest(),
        Message::Shard(s) => hash(crate::tags::TAG_SHARD, &[&s.manifest, &s.shard]),
        Message::Entry(e) => crate::messages::body_digest(&e.entry.body),
        Message::Transcript(t) => t.digest(),
        Message::List(l) => l.digest(),
        Message::Agreement(a) => a.digest(),
        Message::Certificate(c) => c.list,
        Message::Partial(p) => p.digest(),
        Message::Refusal(r) => r.digest(),
        Message::Rejection(r) => r.digest(),
        Message::Result(r) => r.digest(),
    }
}

/// Runs the round; returns (distinct messages in first-send order with senders and
/// receivers, the system, the sim).
#[allow(clippy::type_complexity)]
fn run() -> (Vec<(u32, Vec<u32>, Vec<u8>)>, GradsealSystem, sim::Sim) {
    let kgc = kgc();
    let sys = GradsealSystem { kgc: *kgc.public() };
    let built = sim::build::<GradsealSuite>(&plan(), &sys, |l, i| key(&kgc, l, i), seed, updates());
    let mut s = built.unwrap_or_default();
    s.log = Some(Vec::new());
    s.run(1_000_000);
    let mut out: Vec<(u32, Vec<u32>, Vec<u8>)> = Vec::new();
    for d in s.log.clone().unwrap_or_default() {
        match out.iter_mut().find(|(_, _, b)| b.as_slice() == d.payload.as_slice()) {
            Some((_, to, _)) => to.push(d.to.0),
            None => out.push((d.from.0, vec![d.to.0], d.payload.to_vec())),
        }
    }
    (out, sys, s)
}

fn negative(messages: &[(u32, Vec<u32>, Vec<u8>)]) -> Vec<Value> {
    let mut cases = Vec::new();
    let mut id = 1;
    let mut push = |comment: String, flags: &[&str], bytes: &[u8]| {
        cases.push(json!({
            "tcId": id, "comment": comment, "flags": flags, "msg": hex::encode(bytes), "result": "invalid"
        }));
        id += 1;
    };
    let mut seen = std::collections::BTreeSet::new();
    for (_, _, bytes) in messages {
        let Ok(m) = Message::from_bytes(bytes) else { continue };
        let k = kind(&m);
        // Small kinds only: the others carry 32 KiB corrections and would bloat the file
        // without exercising other decoder paths (every kind shares the framing checked here).
        let small = ["announcement", "member_list", "agreement", "partial_decryption", "result"];
        if !small.contains(&k) || !seen.insert(k) {
            continue;
        }
        push(
            format!("{k}: last byte missing"),
            &["Truncated"],
            bytes.get(..bytes.len() - 1).unwrap_or_default(),
        );
        let mut longer = bytes.clone();
        longer.push(0);
        push(format!("{k}: one trailing byte"), &["TrailingBytes"], &longer);
        let mut unknown = bytes.clone();
        if let Some(b) = unknown.first_mut() {
            *b = 0x63;
        }
        push(format!("{k}: unknown message kind"), &["UnknownKind"], &unknown);
        if k != "shard" {
            // The signature is the last field: 4-byte length prefix then 64 bytes.
            let n = bytes.len();
            let mut big = bytes.clone();
            if let Some(prefix) = big.get_mut(n.saturating_sub(68)..n.saturating_sub(64)) {
                prefix.copy_from_slice(&u32::MAX.to_be_bytes());
            }
            push(format!("{k}: signature length prefix 2^32-1"), &["LengthTooLarge"], &big);
            let mut bad = bytes.clone();
            if let Some(b) = bad.last_mut() {
                *b ^= 1;
            }
            push(format!("{k}: signature bit flipped"), &["BadSignature"], &bad);
            let mut other = bytes.clone();
            if let Some(r) = other.get_mut(1..9) {
                r.copy_from_slice(&43u64.to_be_bytes());
            }
            push(
                format!("{k}: names round 43 (replay into another round)"),
                &["WrongRound", "BadSignature"],
                &other,
            );
        }
    }
    cases
}

/// Re-signed cheating transcript heads derived from the honest one, each with the clients
/// whose streamed entries the observer holds (`entries`).
fn cheating(transcript: &TranscriptMsg, kgc: &Kgc) -> Vec<Value> {
    let aggregator = key(kgc, "aggregator", 0);
    let mut rng = ChaCha20Rng::from_seed(seed("cheat", 0));
    let mut sign = |mut t: TranscriptMsg| {
        t.signature = GradsealSuite::sign(&aggregator, &t.digest(), &mut rng);
        hex::encode(t.to_bytes())
    };
    let all: Vec<u32> = transcript.accepted.iter().map(|e| e.client).collect();
    let mut cases = Vec::new();
    let Some(first) = transcript.accepted.first().cloned() else { return cases };
    let others: Vec<u32> = all.iter().copied().filter(|&c| c != first.client).collect();
    let mut dup = transcript.clone();
    dup.accepted.insert(1, first.clone());
    cases
        .push(json!({"tcId": 1, "comment": "first entry listed twice", "fault": "DuplicateClient",
        "client": first.client, "entries": all, "transcript": sign(dup)}));
    let mut omit = transcript.clone();
    omit.accepted.remove(0);
    cases.push(json!({"tcId": 2, "comment": "first entry neither listed nor streamed, aggregate kept",
        "fault": "AggregateMismatch", "client": Value::Null, "entries": others, "transcript": sign(omit.clone())}));
    let mut few = transcript.clone();
    few.accepted.truncate(1);
    cases.push(
        json!({"tcId": 3, "comment": "one entry only (isolation attempt)", "fault": "TooFewClients",
        "client": Value::Null, "entries": all, "transcript": sign(few)}),
    );
    cases.push(json!({"tcId": 4, "comment": "first entry streamed but not listed, aggregate kept",
        "fault": "EntryMismatch", "client": first.client, "entries": all, "transcript": sign(omit)}));
    cases.push(json!({"tcId": 5, "comment": "honest head, first entry never streamed",
        "fault": "MissingEntry", "client": first.client, "entries": others,
        "transcript": sign(transcript.clone())}));
    cases
}

/// Re-signed cheating lists derived from member 0's honest list: each must fail member 0's
/// list check with the recorded fault.
fn cheating_lists(list: &MemberList, kgc: &Kgc) -> Vec<Value> {
    let aggregator = key(kgc, "aggregator", 0);
    let mut rng = ChaCha20Rng::from_seed(seed("cheat-list", 0));
    let mut sign = |mut l: MemberList| {
        l.signature = GradsealSuite::sign(&aggregator, &l.digest(), &mut rng);
        hex::encode(l.to_bytes())
    };
    let mut cases = Vec::new();
    let (Some(first), Some(second)) = (list.entries.first(), list.entries.get(1)) else {
        return cases;
    };
    let mut dup = list.clone();
    dup.entries.insert(1, first.clone());
    cases
        .push(json!({"tcId": 1, "comment": "first entry listed twice", "fault": "DuplicateClient",
        "client": first.client, "list": sign(dup)}));
    let mut few = list.clone();
    few.entries.truncate(1);
    cases.push(
        json!({"tcId": 2, "comment": "one entry only (isolation attempt)", "fault": "TooFewClients",
        "client": Value::Null, "list": sign(few)}),
    );
    // The second client copies the first client's sealed seed into its own entry and signs
    // the statement over it (a colluding client): the seed does not open under (round,
    // second client, member 0).
    let mut copied = list.clone();
    let client_key = key(kgc, "client", usize::try_from(second.client).unwrap_or(0));
    let holders = holders();
    if let Some(e) = copied.entries.get_mut(1) {
        e.sealed_seeds.clone_from(&first.sealed_seeds);
        let seeds = e.seed_digests(0, &holders).unwrap_or_default();
        let statement = contribution_statement(
            &list.announcement,
            list.round,
            e.client,
            &e.body_digest,
            &seeds,
        );
        let mut client_rng = ChaCha20Rng::from_seed(seed("cheat-client", 0));
        e.signature = GradsealSuite::sign(&client_key, &statement, &mut client_rng);
    }
    cases.push(json!({"tcId": 3, "comment": "second client's entry carries the first client's sealed seeds, re-signed by the second client",
        "fault": "BadSealedSeed", "client": second.client, "list": sign(copied)}));
    let mut injected = list.clone();
    if let Some(e) = injected.entries.get_mut(1) {
        e.body_digest[0] ^= 1;
    }
    cases.push(json!({"tcId": 4, "comment": "second entry's body digest altered", "fault": "BadClientSignature",
        "client": second.client, "list": sign(injected)}));
    cases
}

/// The holder of each canonical sealed-seed position of the vectors' committee.
pub fn holders() -> Vec<u32> {
    let p = plan();
    let params = RoundParams {
        model_version: 1,
        dimension: p.dimension,
        bits: p.bits,
        scale: 1,
        min_clients: p.min_clients,
        contribution_deadline: crate::Millis(1),
        decryption_deadline: crate::Millis(2),
        shards: p.layout,
        privacy_threshold: p.privacy_threshold,
    };
    params.committee(p.members).map(|c| crate::round::seed_holders(&c)).unwrap_or_default()
}

/// Name of a fault, as written in the vectors.
pub fn fault_name(f: &TranscriptFault) -> &'static str {
    match f {
        TranscriptFault::DuplicateClient { .. } => "DuplicateClient",
        TranscriptFault::AggregateMismatch => "AggregateMismatch",
        TranscriptFault::BadClientSignature { .. } => "BadClientSignature",
        TranscriptFault::TooFewClients { .. } => "TooFewClients",
        TranscriptFault::BadSealedSeed { .. } => "BadSealedSeed",
        TranscriptFault::EntryMismatch { .. } => "EntryMismatch",
        TranscriptFault::MissingEntry { .. } => "MissingEntry",
        _ => "Other",
    }
}

/// The pretty JSON of `spec/vectors/protocol.json`.
pub fn generate() -> String {
    let (messages, sys, s) = run();
    let kgc = kgc();
    let result = s.events.iter().find_map(|(n, e)| match e {
        Event::Completed(r) if *n == sim::AGGREGATOR => Some(r.clone()),
        _ => None,
    });
    let transcript = messages.iter().find_map(|(_, _, b)| match Message::from_bytes(b) {
        Ok(Message::Transcript(t)) => Some(t),
        _ => None,
    });
    let list0 = messages.iter().find_map(|(_, _, b)| match Message::from_bytes(b) {
        Ok(Message::List(l)) if l.member == 0 => Some(l),
        _ => None,
    });
    let list: Vec<Value> = messages
        .iter()
        .enumerate()
        .filter_map(|(i, (from, to, bytes))| {
            let m = Message::from_bytes(bytes).ok()?;
            let mut v = json!({
                "index": i, "kind": kind(&m), "from": from, "to": to,
                "digest": hex::encode(signed_digest(&m)), "bytes": hex::encode(bytes),
            });
            if let (Message::Partial(p), Some(fields)) = (&m, v.as_object_mut()) {
                fields.insert("share_digest".into(), json!(hex::encode(p.share_digest())));
            }
            Some(v)
        })
        .collect();
    let p = plan();
    let doc = json!({
        "description": "gradseal-protocol vectors: one round of the production suite from fixed seeds \
    (seed(label, i) = H(\"gradseal/v1/protocol/vectors/seed\", label, u64 i)); messages are deduplicated and listed in \
    first-send order of a FIFO scheduler; 'digest' is what the sender signs (for shards: H(TAG_SHARD, manifest, shard); \
    for entries, which are unsigned, the body digest C the transcript head lists; for partial decryptions, the statement \
    H(TAG_PARTIAL, body with the share replaced by 'share_digest' = B(TAG_PARTIAL_SHARE, share)), as the result lists them). \
    Negative cases follow Wycheproof: decode failures, or a signature that must not verify. Cheating transcript heads, \
    with the streamed entries of the clients in 'entries', must fail the observer's transcript verification, \
    cheating lists member 0's list check, with the named fault.",
        "plan": {
            "round": p.round.0, "clients": p.clients, "members": p.members, "relays": p.relays,
            "data_shards": p.layout.data, "parity_shards": p.layout.parity, "dimension": p.dimension,
            "bits": p.bits, "min_clients": p.min_clients, "privacy_threshold": p.privacy_threshold,
        },
        "kgc_public": hex::encode(sys.kgc.to_bytes()),
        "authority_bundle": hex::encode(GradsealSuite::bundle(&key(&kgc, "authority", 0))),
        "updates": updates(),
        "messages": list,
        "result": result.as_ref().map(|r| json!({"count": r.count, "sum": r.sum})),
        "negative": negative(&messages),
        "cheating_transcripts": transcript.map(|t| cheating(&t, &kgc)).unwrap_or_default(),
        "cheating_lists": list0.map(|l| cheating_lists(&l, &kgc)).unwrap_or_default(),
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Fuzz seeds: every distinct message of the round, for `protocol_messages`.
pub fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let (messages, _, _) = run();
    messages
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, b))| ("protocol_messages", format!("message-{i:03}"), b))
        .collect()
}
