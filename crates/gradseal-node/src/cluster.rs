//! `gradseal cluster`: a whole local network as child processes.
//!
//! Creates a KGC and enrols every node (key files in the run directory), picks free ports,
//! writes one config per node, spawns `gradseal node --config` for each, lets the authority
//! run the rounds over gradseal-net (QUIC by default, or TCP + Noise + Yamux), optionally
//! kills clients, relays and committee members between rounds 1 and 2 (SIGKILL), restarts
//! the killed members once round 2 has ended (with an n-of-n committee the round they missed
//! fails with a typed reason and the next one completes; with a t-of-n committee,
//! `--privacy-threshold`, it completes while a quorum is left), and checks every round: the
//! observer's audited, decrypted sum must equal the plaintext sum of the synthetic updates of
//! exactly the clients the aggregator accepted, every client that was never killed must have
//! been accepted, and exactly the rounds a member missed with too few left for a quorum must
//! have failed. Every child is killed on the way out, also on
//! error (`kill_on_drop`). Spec: `spec/node.md`, section "Cluster".

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use gradseal_clsc::Kgc;
use gradseal_protocol::{MIN_CLIENTS, RoundId};
use serde::Serialize;
use serde_json::Value;
use tokio::process::{Child, Command};

use crate::config::{
    AuthoritySection, ClientSection, Config, NetSection, Party, Peer, RoleKind, Transport,
};
use crate::keyfile::{KeyFile, binding_of, enrol_locally, os_rng};
use crate::report::{ReportTail, read_lines};
use crate::{Error, synth};

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Clients.
    pub clients: usize,
    /// Fewest accepted contributions the committee decrypts (at least 2).
    pub min_clients: usize,
    /// Rounds.
    pub rounds: u64,
    /// Clients killed (SIGKILL) once round 1 has ended, before round 2 is announced (before
    /// round 1 if it is the only one).
    pub kill_clients: usize,
    /// Relays killed at the same time.
    pub kill_relays: usize,
    /// Committee members killed at the same time; they are restarted once the round they
    /// missed has ended (it fails if fewer than a quorum is left: always n-of-n).
    pub kill_members: usize,
    /// The transport every node uses.
    pub transport: Transport,
    /// Clients read their updates from files the launcher writes beforehand (`.npy` for
    /// even-numbered clients, raw little-endian f32 for odd ones; the synthetic values
    /// divided by the round's scale) instead of generating them.
    pub update_files: bool,
    /// Coordinates per update.
    pub dimension: u32,
    /// Committee size.
    pub committee: usize,
    /// Privacy threshold f of the committee (`None`: committee − 1, n-of-n).
    pub privacy_threshold: Option<u32>,
    /// Relays.
    pub relays: usize,
    /// Contribution deadline of every round (ms from its start).
    pub contribution_ms: u64,
    /// Decryption deadline of every round (ms from its start).
    pub decryption_ms: u64,
    /// Run directory (keys, configs, logs, reports, summary.json).
    pub dir: PathBuf,
    /// The `gradseal` executable to spawn (normally the current one).
    pub exe: PathBuf,
}

/// The summary printed and written to `DIR/summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Rounds run.
    pub rounds: u64,
    /// Clients on the roster.
    pub clients: usize,
    /// Fewest accepted contributions the committee decrypts.
    pub min_clients: usize,
    /// Mean wall time from announcement to audited result.
    pub seconds_per_round: f64,
    /// Mean bytes a client handed to the network per round (12-byte stream headers included).
    pub bytes_per_client_per_round: f64,
    /// Clients killed.
    pub dropped_clients: usize,
    /// Relays killed.
    pub dropped_relays: usize,
    /// Committee members killed (and restarted after the round they missed).
    pub dropped_members: usize,
    /// The transport.
    pub transport: &'static str,
    /// Rounds that failed (each must be one a killed member missed).
    pub failed_rounds: Vec<u64>,
    /// Per role: mean bytes one process sent and received over the run (transport
    /// counters: message bodies and stream headers).
    pub net_bytes_per_role: BTreeMap<String, RoleBytes>,
    /// Per role: the largest peak resident set (VmHWM, KiB) of its processes alive at the end.
    pub peak_rss_kib_per_role: BTreeMap<String, u64>,
    /// Per role: CPU seconds (user + system) its processes alive at the end had used, from
    /// start-up to the last round's audit.
    pub cpu_seconds_per_role: BTreeMap<String, RoleCpu>,
    /// Contributions the aggregator rejected, all rounds.
    pub rejected_contributions: u64,
    /// Whether every round's decrypted sum equals the plaintext sum of its accepted clients.
    pub sum_matches_plaintext: bool,
    /// Coordinates per update.
    pub dimension: u32,
    /// Per-round details.
    pub per_round: Vec<RoundSummary>,
}

/// Bytes one process of a role moved over the run.
#[derive(Debug, Clone, Serialize)]
pub struct RoleBytes {
    /// Sent (mean over the role's processes).
    pub sent: f64,
    /// Received (mean over the role's processes).
    pub received: f64,
}

/// CPU time of a role's processes over the run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoleCpu {
    /// Mean over the role's processes.
    pub per_process: f64,
    /// Sum over the role's processes.
    pub total: f64,
}

/// What `/proc` says of the live nodes near the end of the run, per role.
#[derive(Debug, Default)]
struct ProcSample {
    peak_rss_kib: BTreeMap<String, u64>,
    cpu: BTreeMap<String, RoleCpu>,
}

/// One round's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct RoundSummary {
    /// Round id.
    pub round: u64,
    /// Contributions summed.
    pub accepted: u64,
    /// Contributions rejected.
    pub rejected: u64,
    /// Seconds from announcement to audit.
    pub seconds: f64,
    /// Why the round failed, if it did (the observer's typed reason, or `round_timeout`).
    pub failed: Option<String>,
    /// Whether the decrypted sum matched the plaintext sum.
    pub sum_matches_plaintext: bool,
}

struct NodeSpec {
    name: String,
    id: u32,
    role: RoleKind,
    addr: SocketAddr,
    update_seed: Option<[u8; 32]>,
}

/// Children, killed when dropped (also on error paths).
struct Children(Vec<(String, u32, Child)>);

impl Children {
    async fn kill_all(&mut self) {
        for (_, _, c) in &mut self.0 {
            // Already exited children make kill fail; nothing to do then.
            let _ = c.kill().await;
        }
    }

    /// A child that exited although it was not killed (the authority: with an error).
    fn crashed(&mut self, killed: &BTreeSet<u32>) -> Option<String> {
        for (name, id, c) in &mut self.0 {
            if killed.contains(id) {
                continue;
            }
            if let Ok(Some(st)) = c.try_wait()
                && (*id != 0 || !st.success())
            {
                return Some(format!("node {name} exited ({st})"));
            }
        }
        None
    }
}

fn io(what: &str, p: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let msg = format!("{what} {}", p.display());
    move |e| Error::Io(format!("{msg}: {e}"))
}

fn specs(plan: &Plan, rng: &mut chacha20::ChaCha20Rng) -> Result<Vec<NodeSpec>, Error> {
    use rand_core::Rng;
    let mut v: Vec<(String, u32, RoleKind)> = vec![
        ("authority".into(), 0, RoleKind::Authority),
        ("aggregator".into(), 1, RoleKind::Aggregator),
    ];
    for i in 0..plan.committee {
        v.push((format!("member-{i}"), 10 + u32::try_from(i).unwrap_or(0), RoleKind::Committee));
    }
    for i in 0..plan.relays {
        v.push((format!("relay-{i}"), 100 + u32::try_from(i).unwrap_or(0), RoleKind::Relay));
    }
    for i in 0..plan.clients {
        v.push((format!("client-{i}"), 1000 + u32::try_from(i).unwrap_or(0), RoleKind::Client));
    }
    let addrs = crate::ports::free_addrs(v.len(), plan.transport, rng)?;
    Ok(v.into_iter()
        .zip(addrs)
        .map(|((name, id, role), addr)| {
            let update_seed = (role == RoleKind::Client).then(|| {
                let mut s = [0u8; 32];
                rng.fill_bytes(&mut s);
                s
            });
            NodeSpec { name, id, role, addr, update_seed }
        })
        .collect())
}

/// Enrols every node and writes keys and configs; returns the config paths.
fn prepare(
    plan: &Plan,
    nodes: &[NodeSpec],
    rng: &mut chacha20::ChaCha20Rng,
) -> Result<Vec<PathBuf>, Error> {
    for sub in ["keys", "configs", "logs", "reports", "updates"] {
        let p = plan.dir.join(sub);
        // A previous run's reports would be read as this run's: start empty.
        if (sub == "reports" || sub == "logs" || sub == "updates") && p.exists() {
            std::fs::remove_dir_all(&p).map_err(io("cannot clear", &p))?;
        }
        std::fs::create_dir_all(&p).map_err(io("cannot create", &p))?;
    }
    let kgc = Kgc::generate(rng);
    let keys = plan.dir.join("keys");
    KeyFile::KgcPublic(*kgc.public()).write(&keys.join("kgc.pub"))?;
    for n in nodes {
        let k = enrol_locally(&kgc, &n.name, rng)?;
        KeyFile::Bundle(k.bundle().clone()).write(&keys.join(format!("{}.bundle", n.name)))?;
        KeyFile::Binding(binding_of(&k, rng)?).write(&keys.join(format!("{}.binding", n.name)))?;
        KeyFile::NodeKeys(k).write(&keys.join(format!("{}.key", n.name)))?;
    }
    KeyFile::KgcSecret(kgc).write(&keys.join("kgc.key"))?;
    let bundle = |name: &str| PathBuf::from(format!("../keys/{name}.bundle"));
    let by_role = |r: RoleKind| nodes.iter().filter(move |n| n.role == r);
    let authority = AuthoritySection {
        first_round: 1,
        rounds: plan.rounds,
        dimension: plan.dimension,
        bits: 16,
        min_clients: u32::try_from(plan.min_clients)
            .map_err(|_| Error::Cluster("--min-clients too large".into()))?,
        contribution_deadline_ms: plan.contribution_ms,
        decryption_deadline_ms: plan.decryption_ms,
        shards_data: 4,
        shards_parity: 2,
        start_delay_ms: 200,
        pause_ms: 300,
        aggregator: Party { id: 1, bundle: bundle("aggregator") },
        committee: by_role(RoleKind::Committee)
            .map(|n| Party { id: n.id, bundle: bundle(&n.name) })
            .collect(),
        privacy_threshold: plan.privacy_threshold,
        relays: by_role(RoleKind::Relay).map(|n| n.id).collect(),
        roster: by_role(RoleKind::Client)
            .map(|n| Party { id: n.id, bundle: bundle(&n.name) })
            .collect(),
    };
    let peers: Vec<Peer> = nodes
        .iter()
        .map(|n| Peer {
            id: n.id,
            addr: n.addr,
            bundle: bundle(&n.name),
            binding: PathBuf::from(format!("../keys/{}.binding", n.name)),
        })
        .collect();
    let mut paths = Vec::new();
    for n in nodes {
        let cfg = Config {
            role: n.role,
            id: n.id,
            listen: n.addr,
            key: PathBuf::from(format!("../keys/{}.key", n.name)),
            kgc_public: PathBuf::from("../keys/kgc.pub"),
            authority_bundle: bundle("authority"),
            report: Some(PathBuf::from(format!("../reports/{}.jsonl", n.name))),
            peers: peers.iter().filter(|p| p.id != n.id).cloned().collect(),
            connect_at_start: connect_at_start(n.role, nodes),
            transport: plan.transport,
            net: NetSection::default(),
            client: match (n.update_seed, plan.update_files) {
                (Some(s), false) => {
                    Some(ClientSection { update_seed: Some(hex::encode(s)), update_file: None })
                }
                (Some(s), true) => Some(ClientSection {
                    update_seed: None,
                    update_file: Some(write_update_files(plan, n, &s)?),
                }),
                (None, _) => None,
            },
            authority: (n.role == RoleKind::Authority).then(|| authority.clone()),
        };
        let text = toml::to_string(&cfg).map_err(|e| Error::Cluster(format!("config: {e}")))?;
        let p = plan.dir.join("configs").join(format!("{}.toml", n.name));
        std::fs::write(&p, text).map_err(io("cannot write", &p))?;
        paths.push(p);
    }
    Ok(paths)
}

/// The peers a node of `role` connects to at startup (`spec/node.md` §2): each connection
/// on the round's path, dialed by the side that sends on it (a connection serves both
/// directions). Clients dial their relays (shards), relays and members the aggregator; the
/// aggregator dials nobody: its results to the clients are off the round's path, and
/// client-aggregator connections opened in the startup burst made them slower (measured,
/// `spec/net.md` §4); the authority dials everyone anyway (before its first announcement).
fn connect_at_start(role: RoleKind, nodes: &[NodeSpec]) -> Vec<u32> {
    let ids = |r: RoleKind| nodes.iter().filter(move |n| n.role == r).map(|n| n.id);
    match role {
        RoleKind::Client => ids(RoleKind::Relay).collect(),
        RoleKind::Relay | RoleKind::Committee => ids(RoleKind::Aggregator).collect(),
        RoleKind::Aggregator | RoleKind::Authority => Vec::new(),
    }
}

/// Writes client `n`'s updates for every round of the plan as files (the synthetic values
/// over [`crate::config::ROUND_SCALE`], which quantize back to exactly the same integers) and
/// returns the pattern for its config, relative to the configs directory.
fn write_update_files(plan: &Plan, n: &NodeSpec, seed: &[u8; 32]) -> Result<String, Error> {
    let dir = plan.dir.join("updates").join(&n.name);
    std::fs::create_dir_all(&dir).map_err(io("cannot create", &dir))?;
    let npy = n.id.is_multiple_of(2);
    let ext = if npy { "npy" } else { "f32" };
    let scale = f64::from(crate::config::ROUND_SCALE);
    for r in 1..=plan.rounds {
        let values = synth::update(seed, RoundId(r), plan.dimension, 16);
        // |v| <= 1000: v / 1000 as f32 is within 2^-24 relative, so round(f32 * 1000) = v.
        #[allow(clippy::cast_possible_truncation)]
        let body: Vec<u8> =
            values.iter().flat_map(|&v| ((v as f64 / scale) as f32).to_le_bytes()).collect();
        let mut bytes = if npy { npy_header(values.len()) } else { Vec::new() };
        bytes.extend_from_slice(&body);
        let p = dir.join(format!("round-{r}.{ext}"));
        std::fs::write(&p, bytes).map_err(io("cannot write", &p))?;
    }
    Ok(format!("../updates/{}/round-{{round}}.{ext}", n.name))
}

/// A NumPy 1.0 header for a 1-D little-endian float32 array of `len` values.
fn npy_header(len: usize) -> Vec<u8> {
    let mut h = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({len},), }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(h.len()).unwrap_or(u16::MAX).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out
}

fn spawn_one(plan: &Plan, n: &NodeSpec, cfg: &Path, append: bool) -> Result<Child, Error> {
    let log = plan.dir.join("logs").join(format!("{}.log", n.name));
    let err = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(&log)
        .map_err(io("cannot create", &log))?;
    Command::new(&plan.exe)
        .arg("node")
        .arg("--config")
        .arg(cfg)
        .arg("--role")
        .arg(n.role.name())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(err))
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Error::Io(format!("cannot start {}: {e}", plan.exe.display())))
}

fn spawn(
    plan: &Plan,
    children: &mut Children,
    nodes: &[NodeSpec],
    configs: &[PathBuf],
    authority: bool,
) -> Result<(), Error> {
    for (n, cfg) in
        nodes.iter().zip(configs).filter(|(n, _)| (n.role == RoleKind::Authority) == authority)
    {
        let child = spawn_one(plan, n, cfg, false)?;
        children.0.push((n.name.clone(), n.id, child));
    }
    Ok(())
}

/// Waits until every node but the authority reports that it listens, so the first
/// announcement finds everyone.
async fn wait_listening(
    plan: &Plan,
    nodes: &[NodeSpec],
    children: &mut Children,
) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let reports = plan.dir.join("reports");
    // (name, whether it warms connections up at start, its report)
    let mut waiting: Vec<(&str, bool, ReportTail)> = nodes
        .iter()
        .filter(|n| n.role != RoleKind::Authority)
        .map(|n| {
            let report = ReportTail::new(reports.join(format!("{}.jsonl", n.name)));
            (n.name.as_str(), !connect_at_start(n.role, nodes).is_empty(), report)
        })
        .collect();
    while !waiting.is_empty() {
        waiting.retain_mut(|(_, warms, report)| {
            let lines = report.poll();
            let has =
                |e: &str| lines.iter().any(|l| l.get("event").and_then(Value::as_str) == Some(e));
            !(has("listening") && (!*warms || has("warmed_up")))
        });
        if let Some(why) = children.crashed(&BTreeSet::new()) {
            return Err(Error::Cluster(format!("{why}; see {}", plan.dir.join("logs").display())));
        }
        if Instant::now() > deadline {
            let names: Vec<&str> = waiting.iter().map(|(name, ..)| *name).collect();
            return Err(Error::Cluster(format!("nodes did not start within 30 s: {names:?}")));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

fn events<'a>(lines: &'a [Value], round: u64, event: &'a str) -> impl Iterator<Item = &'a Value> {
    lines.iter().filter(move |l| {
        l.get("round").and_then(Value::as_u64) == Some(round)
            && l.get("event").and_then(Value::as_str) == Some(event)
    })
}

fn ended(lines: &[Value], round: u64) -> bool {
    // `completed` is written after `audit_passed` (spec/node.md §2).
    ["completed", "audit_failed", "failed", "round_timeout"]
        .iter()
        .any(|e| events(lines, round, e).next().is_some())
}

/// Runs the cluster and returns its summary (also written to `DIR/summary.json`).
///
/// # Errors
/// [`Error::Cluster`] if a round does not end in time, a node crashes, or a sum differs
/// (the summary is written first in that last case).
pub fn run(plan: &Plan) -> Result<Summary, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the runtime: {e}")))?;
    rt.block_on(run_async(plan))
}

async fn run_async(plan: &Plan) -> Result<Summary, Error> {
    if plan.min_clients < MIN_CLIENTS as usize {
        return Err(Error::Cluster(format!(
            "--min-clients must be at least {MIN_CLIENTS} (a sum of one update is that update)"
        )));
    }
    if plan.clients < plan.min_clients.saturating_add(plan.kill_clients) {
        return Err(Error::Cluster(format!(
            "--clients ({}) minus --kill-clients ({}) must be at least --min-clients ({})",
            plan.clients, plan.kill_clients, plan.min_clients
        )));
    }
    // Shard i of 6 goes through relay i mod relays; the last `kill_relays` relays die.
    let lost = (0..6usize)
        .filter(|i| {
            plan.relays > 0 && i % plan.relays >= plan.relays.saturating_sub(plan.kill_relays)
        })
        .count();
    if plan.kill_members > plan.committee {
        return Err(Error::Cluster(format!(
            "--kill-members ({}) exceeds --committee ({})",
            plan.kill_members, plan.committee
        )));
    }
    if plan.relays == 0 || plan.committee < 2 || lost > 2 {
        return Err(Error::Cluster(
            "need relays and a committee of at least 2, and --kill-relays must leave 4 of 6 shards"
                .into(),
        ));
    }
    if quorum(plan).is_none() {
        return Err(Error::Cluster(format!(
            "--privacy-threshold must be 1 to --committee − 1 ({}), with at most 1024 sealed seeds",
            plan.committee.saturating_sub(1)
        )));
    }
    let mut rng = os_rng()?;
    let nodes = specs(plan, &mut rng)?;
    let configs = prepare(plan, &nodes, &mut rng)?;
    let mut children = Children(Vec::new());
    let outcome = async {
        spawn(plan, &mut children, &nodes, &configs, false)?;
        wait_listening(plan, &nodes, &mut children).await?;
        let killed = if plan.rounds == 1 {
            kill_victims(plan, &nodes, &mut children, 1).await?
        } else {
            BTreeSet::new()
        };
        spawn(plan, &mut children, &nodes, &configs, true)?;
        let killed = supervise(plan, &nodes, &configs, &mut children, killed).await?;
        // Peak memory and CPU time now, while the authority is still in its one-second exit
        // pause; then let the last sends (results to clients) finish and every node write
        // its last transport counters (once a second).
        let procs = sample_procs(&nodes, &mut children);
        tokio::time::sleep(Duration::from_millis(2500)).await;
        Ok::<_, Error>((killed, procs))
    }
    .await;
    children.kill_all().await;
    let (killed, procs) = outcome?;
    let summary = summarize(plan, &nodes, &killed, procs)?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| Error::Cluster(e.to_string()))?;
    let p = plan.dir.join("summary.json");
    std::fs::write(&p, format!("{text}\n")).map_err(io("cannot write", &p))?;
    if !summary.sum_matches_plaintext {
        return Err(Error::Cluster(format!(
            "a decrypted sum differs from the plaintext sum, or a round failed that no killed \
             member missed (see {})",
            p.display()
        )));
    }
    Ok(summary)
}

/// The nodes killed before round 2 (before round 1 if it is the only one): the last
/// `kill_clients` clients, the last `kill_relays` relays and the last `kill_members` members.
fn victims(plan: &Plan, nodes: &[NodeSpec]) -> BTreeSet<u32> {
    let last = |role: RoleKind, k: usize| {
        nodes.iter().filter(move |n| n.role == role).rev().take(k).map(|n| n.id)
    };
    last(RoleKind::Client, plan.kill_clients)
        .chain(last(RoleKind::Relay, plan.kill_relays))
        .chain(last(RoleKind::Committee, plan.kill_members))
        .collect()
}

/// The committee's quorum size, if its threshold fits it.
fn quorum(plan: &Plan) -> Option<usize> {
    let n = u16::try_from(plan.committee).ok()?;
    let f = match plan.privacy_threshold {
        Some(f) => u16::try_from(f).ok()?,
        None => n.checked_sub(1)?,
    };
    gradseal_agg::Committee::new(n, f).ok().map(|c| usize::from(c.quorum_size()))
}

/// The round the killed members miss, if any are killed and too few are left for a quorum
/// (it fails; with enough members left it completes).
fn member_round(plan: &Plan) -> Option<u64> {
    let left = plan.committee.saturating_sub(plan.kill_members);
    let fails = plan.kill_members > 0 && quorum(plan).is_none_or(|q| left < q);
    fails.then_some(if plan.rounds == 1 { 1 } else { 2 })
}

/// Kills (SIGKILL) the victims before round `round`; returns their ids.
async fn kill_victims(
    plan: &Plan,
    nodes: &[NodeSpec],
    children: &mut Children,
    round: u64,
) -> Result<BTreeSet<u32>, Error> {
    let ids = victims(plan, nodes);
    for (name, id, c) in &mut children.0 {
        if ids.contains(id) {
            c.kill().await.map_err(|e| Error::Cluster(format!("cannot kill {name}: {e}")))?;
            eprintln!("gradseal cluster: killed {name} before round {round}");
        }
    }
    Ok(ids)
}

/// Restarts the killed committee members (same keys, hence the same PeerId and binding).
fn restart_members(
    plan: &Plan,
    nodes: &[NodeSpec],
    configs: &[PathBuf],
    children: &mut Children,
    killed: &mut BTreeSet<u32>,
    round: u64,
) -> Result<(), Error> {
    for (n, cfg) in nodes.iter().zip(configs) {
        if n.role != RoleKind::Committee || !killed.contains(&n.id) {
            continue;
        }
        let child = spawn_one(plan, n, cfg, true)?;
        if let Some(slot) = children.0.iter_mut().find(|(_, id, _)| *id == n.id) {
            slot.2 = child;
        }
        killed.remove(&n.id);
        eprintln!("gradseal cluster: restarted {} before round {round}", n.name);
    }
    Ok(())
}

/// Waits for every round; with two rounds or more, kills the chosen nodes as soon as round 1
/// has ended, before round 2 is announced (a v2 client contributes the moment the
/// announcement arrives, so a kill after it would miss nothing), and restarts the killed
/// members as soon as round 2 has ended. `killed` are nodes already killed (before round 1,
/// when there is only one). Returns the clients and relays killed.
async fn supervise(
    plan: &Plan,
    nodes: &[NodeSpec],
    configs: &[PathBuf],
    children: &mut Children,
    mut killed: BTreeSet<u32>,
) -> Result<BTreeSet<u32>, Error> {
    let mut report = ReportTail::new(plan.dir.join("reports").join("authority.jsonl"));
    let per_round = Duration::from_millis(plan.decryption_ms + 15_000);
    let mut round = 1u64;
    let mut deadline = Instant::now() + per_round + Duration::from_secs(15);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if ended(report.poll(), round) {
            if round == plan.rounds {
                break;
            }
            round += 1;
            if round == 2 {
                killed = kill_victims(plan, nodes, children, round).await?;
            }
            if round == 3 && plan.kill_members > 0 {
                restart_members(plan, nodes, configs, children, &mut killed, round)?;
            }
            deadline = Instant::now() + per_round;
        }
        if let Some(why) = children.crashed(&killed) {
            return Err(Error::Cluster(format!("{why}; see {}", plan.dir.join("logs").display())));
        }
        if Instant::now() > deadline {
            return Err(Error::Cluster(format!(
                "round {round} did not end within {} s; see {}",
                per_round.as_secs(),
                plan.dir.join("logs").display()
            )));
        }
    }
    Ok(killed)
}

/// Peak resident memory (VmHWM, KiB) of a live process, from `/proc` (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user + system, every thread) a live process has used, from `/proc` (Linux:
/// `utime` and `stime`, fields 14 and 15 of `stat`, in USER_HZ = 100 ticks per second).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let mut rest = stat.get(stat.rfind(')')? + 2..)?.split_whitespace().skip(11);
    let utime: u64 = rest.next()?.parse().ok()?;
    let stime: u64 = rest.next()?.parse().ok()?;
    #[allow(clippy::cast_precision_loss)] // ticks of a run: far below 2^52
    Some((utime + stime) as f64 / 100.0)
}

/// Per role: the largest peak RSS and the CPU time of its live processes, read just before
/// they are killed.
fn sample_procs(nodes: &[NodeSpec], children: &mut Children) -> ProcSample {
    let mut out = ProcSample::default();
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for (_, id, c) in &mut children.0 {
        let Some(n) = nodes.iter().find(|n| n.id == *id) else { continue };
        let (Ok(None), Some(pid)) = (c.try_wait(), c.id()) else { continue };
        let role = n.role.name().to_string();
        if let Some(kib) = peak_rss_kib(pid) {
            let e = out.peak_rss_kib.entry(role.clone()).or_insert(0);
            *e = (*e).max(kib);
        }
        if let Some(secs) = cpu_seconds(pid) {
            out.cpu.entry(role.clone()).or_default().total += secs;
            *counts.entry(role).or_insert(0) += 1;
        }
    }
    for (role, cpu) in &mut out.cpu {
        cpu.per_process = cpu.total / f64::from(counts.get(role).copied().unwrap_or(1));
    }
    out
}

/// Per role: mean bytes a process sent and received over the whole run (its last
/// `net_stats` line).
fn net_bytes(plan: &Plan, nodes: &[NodeSpec]) -> BTreeMap<String, RoleBytes> {
    let mut acc: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for n in nodes {
        let lines = read_lines(&plan.dir.join("reports").join(format!("{}.jsonl", n.name)));
        let Some(last) = lines
            .iter()
            .rev()
            .find(|l| l.get("event").and_then(Value::as_str) == Some("net_stats"))
        else {
            continue;
        };
        let get = |k: &str| last.get(k).and_then(Value::as_u64).unwrap_or(0);
        let e = acc.entry(n.role.name().to_string()).or_insert((0, 0, 0));
        e.0 += get("bytes_sent");
        e.1 += get("bytes_received");
        e.2 += 1;
    }
    acc.into_iter()
        .map(|(role, (s, r, k))| {
            let k = k.max(1) as f64;
            (role, RoleBytes { sent: s as f64 / k, received: r as f64 / k })
        })
        .collect()
}

fn summarize(
    plan: &Plan,
    nodes: &[NodeSpec],
    killed: &BTreeSet<u32>,
    procs: ProcSample,
) -> Result<Summary, Error> {
    let reports = plan.dir.join("reports");
    let authority = read_lines(&reports.join("authority.jsonl"));
    let aggregator = read_lines(&reports.join("aggregator.jsonl"));
    let clients: Vec<&NodeSpec> = nodes.iter().filter(|n| n.role == RoleKind::Client).collect();
    let mut per_round = Vec::new();
    let (mut sent, mut sends) = (0u64, 0u64);
    for c in &clients {
        for l in read_lines(&reports.join(format!("{}.jsonl", c.name))) {
            if l.get("event").and_then(Value::as_str) == Some("contributed") {
                sent += l.get("bytes").and_then(Value::as_u64).unwrap_or(0);
                sends += 1;
            }
        }
    }
    for round in 1..=plan.rounds {
        let time =
            |e: &str| events(&authority, round, e).next().and_then(|l| l.get("unix_ms")?.as_u64());
        let seconds = match (time("announced"), time("audit_passed")) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1000.0,
            _ => f64::NAN,
        };
        let accepted: BTreeSet<u64> = events(&aggregator, round, "accepted")
            .filter_map(|l| l.get("client")?.as_u64())
            .collect();
        let rejected = u64::try_from(events(&aggregator, round, "rejected").count()).unwrap_or(0);
        let completed = events(&authority, round, "completed").next();
        let decrypted: Option<Vec<i64>> = completed.and_then(|l| {
            l.get("sum")?.as_array().map(|a| a.iter().filter_map(Value::as_i64).collect())
        });
        let count = completed.and_then(|l| l.get("count")?.as_u64());
        let mut expected = vec![0i64; usize::try_from(plan.dimension).unwrap_or(0)];
        for &i in &accepted {
            let seed =
                usize::try_from(i).ok().and_then(|i| clients.get(i)).and_then(|c| c.update_seed);
            let Some(seed) = seed else { continue };
            for (e, v) in
                expected.iter_mut().zip(synth::update(&seed, RoundId(round), plan.dimension, 16))
            {
                *e += v;
            }
        }
        // Every client that was alive the whole round must have been accepted.
        let survivors_in = clients
            .iter()
            .enumerate()
            .filter(|(_, c)| !killed.contains(&c.id))
            .all(|(i, _)| accepted.contains(&u64::try_from(i).unwrap_or(u64::MAX)));
        // The aggregator's typed reason first (e.g. `NoQuorum { agreed: 2, quorum: 3 }`), else
        // the observer's.
        let failed = [
            (&aggregator, "failed"),
            (&authority, "failed"),
            (&authority, "audit_failed"),
            (&authority, "round_timeout"),
        ]
        .iter()
        .find_map(|(lines, e)| {
            let l = events(lines, round, e).next()?;
            Some(l.get("reason").and_then(Value::as_str).map_or((*e).to_string(), str::to_string))
        });
        // A round a killed member missed must fail if too few members were left for a quorum
        // (always n-of-n); any other must complete with the right sum.
        let ok = if member_round(plan) == Some(round) {
            failed.is_some() && completed.is_none()
        } else {
            failed.is_none()
                && survivors_in
                && count == Some(u64::try_from(accepted.len()).unwrap_or(0))
                && decrypted.as_deref() == Some(&expected[..])
        };
        per_round.push(RoundSummary {
            round,
            accepted: u64::try_from(accepted.len()).unwrap_or(0),
            rejected,
            seconds,
            failed,
            sum_matches_plaintext: ok,
        });
    }
    let secs: Vec<f64> = per_round.iter().map(|r| r.seconds).filter(|s| s.is_finite()).collect();
    Ok(Summary {
        rounds: plan.rounds,
        clients: plan.clients,
        min_clients: plan.min_clients,
        seconds_per_round: if secs.is_empty() {
            f64::NAN
        } else {
            secs.iter().sum::<f64>() / secs.len() as f64
        },
        bytes_per_client_per_round: if sends == 0 { 0.0 } else { sent as f64 / sends as f64 },
        dropped_clients: plan.kill_clients,
        dropped_relays: plan.kill_relays,
        dropped_members: plan.kill_members,
        transport: plan.transport.name(),
        failed_rounds: per_round.iter().filter(|r| r.failed.is_some()).map(|r| r.round).collect(),
        net_bytes_per_role: net_bytes(plan, nodes),
        peak_rss_kib_per_role: procs.peak_rss_kib,
        cpu_seconds_per_role: procs.cpu,
        rejected_contributions: per_round.iter().map(|r| r.rejected).sum(),
        sum_matches_plaintext: !per_round.is_empty()
            && per_round.iter().all(|r| r.sum_matches_plaintext),
        dimension: plan.dimension,
        per_round,
    })
}
