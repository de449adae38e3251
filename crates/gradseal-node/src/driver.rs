//! The tokio driver: runs a node's role, one role instance per round, over gradseal-net
//! (libp2p: QUIC or TCP + Noise + Yamux; every message's sender is the node the transport
//! authenticated).
//!
//! Every non-authority node creates its role for a round when a valid announcement for
//! that round arrives (messages of a round not yet announced are held, bounded), keeps at
//! most [`MAX_ROUNDS`] rounds (current and next) and forgets a round once it completed.
//! The protocol's virtual time is the real time since the node started the round. The
//! authority node announces its rounds one after the other and audits each one as the
//! round's observer; it starts the next round when the audit ends (or the round's deadline
//! passes), and exits after the last.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use gradseal_clsc::{KgcPublic, NodeKeys};
use gradseal_core::{Codec, hash};
use gradseal_net::Inbound;
use gradseal_protocol::messages::{KIND_ANNOUNCEMENT, KIND_RESULT, Party};
use gradseal_protocol::{
    Aggregator, Announcement, Authority, Client, Event, GradsealSuite, GradsealSystem, Member,
    Message, Millis, NodeConfig, NodeId, Observer, Relay, Role, RoundId,
};
use serde_json::json;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::time::Instant;
use zeroize::Zeroizing;

use crate::config::{AuthoritySection, Config, RoleKind};
use crate::report::Reporter;
use crate::transport::{Outbox, log};
use crate::update::{Hooks, Outcome, ResultSink, Synthetic, Update, UpdateFiles, UpdateSource};
use crate::warmup::WarmUp;
use crate::{Error, bounds, keyfile, tags, transport, update, warmup};

/// Rounds a node keeps at once (the current one and the next).
pub const MAX_ROUNDS: usize = 2;
/// Messages held for rounds not announced yet.
pub const MAX_EARLY: usize = 256;
/// Bytes held for rounds not announced yet.
pub const MAX_EARLY_BYTES: usize = 64 << 20;
/// How far ahead of the last finished round an unannounced round's messages are held.
pub const EARLY_WINDOW: u64 = 4;
/// The authority's grace after a round's decryption deadline before it gives up on it.
pub const ROUND_GRACE_MS: u64 = 3000;
/// Streamed messages (longer than gradseal-net's `max_whole_message_len`) read at once; more
/// wait, holding only their transport chunk.
pub const STREAM_READERS: usize = 2;
pub use crate::warmup::{PING, WARMUP_MS};

type Suite = GradsealSuite;

/// One round's role.
struct Slot {
    round: RoundId,
    start: Instant,
    role: Box<dyn Role>,
    /// The authority node's announcer (send-only) beside its observer.
    announcer: Option<Authority<Suite>>,
    sent_bytes: u64,
    finished: bool,
    /// The largest message this node accepts for the round ([`bounds::max_message_len`]).
    max_message: u64,
    /// The round's scale (for the result sink).
    scale: u32,
    /// The round's observers and committee, whose messages are sent first.
    observers: Vec<NodeId>,
    committee: Vec<NodeId>,
}

impl Slot {
    fn now(&self) -> Millis {
        Millis(u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn deadline(&self) -> Option<Instant> {
        self.role.poll_timeout().map(|t| self.start + Duration::from_millis(t.0))
    }
}

/// The authority's round schedule.
struct Schedule {
    plan: AuthoritySection,
    bundles: PartyBundles,
    next_round: u64,
    /// When to announce `next_round`.
    next_at: Option<Instant>,
    /// The running round and when the authority gives up on it.
    running: Option<(RoundId, Instant)>,
    /// Set once the last round ended: exit at this time.
    exit_at: Option<Instant>,
}

struct PartyBundles {
    aggregator: Party,
    committee: Vec<Party>,
    roster: Vec<Party>,
}

/// A running node.
struct Node {
    id: NodeId,
    kind: RoleKind,
    sys: GradsealSystem,
    kgc: KgcPublic,
    authority_bundle: Vec<u8>,
    key_bytes: Zeroizing<Vec<u8>>,
    seed: Zeroizing<[u8; 32]>,
    updates: Option<Box<dyn UpdateSource>>,
    results: Option<Box<dyn ResultSink>>,
    slots: Vec<Slot>,
    early: Vec<(RoundId, NodeId, Vec<u8>)>,
    early_bytes: usize,
    finished_upto: u64,
    out: Option<Outbox>,
    local: VecDeque<(NodeId, Arc<Vec<u8>>)>,
    /// Senders the transport holds back for the roles ([`Role::paused_senders`]).
    paused: Vec<NodeId>,
    /// How many times a sender was paused (for the report).
    pauses: u64,
    report: Reporter,
    schedule: Option<Schedule>,
}

/// Loads the config's files, starts the transport and runs the node until it is killed
/// (or, for the authority, until its last round ended). A client's updates come from its
/// config's `[client]` section.
///
/// # Errors
/// A one-line error: unreadable or corrupt key files, a port in use, a bad config.
pub fn run(cfg: Config) -> Result<(), Error> {
    run_with(cfg, Hooks::new())
}

/// As [`run`], with the caller's hooks: a client's updates from `hooks`' [`UpdateSource`]
/// (instead of the config's `[client]`), and every round's outcome to its [`ResultSink`].
///
/// # Errors
/// As [`run`].
pub fn run_with(cfg: Config, hooks: Hooks) -> Result<(), Error> {
    crate::heap::keep_round_buffers(crate::heap::ROUND_BUFFERS);
    crate::heap::prefault(crate::heap::PREFAULT);
    // Built here rather than inside the first round, by the roles that multiply in R_q
    // (a relay only forwards).
    if cfg.role != RoleKind::Relay {
        gradseal_agg::Profile::DEFAULT.prepare();
    }
    // A client sends one contribution a round and receives a few messages, a relay only
    // forwards: on one thread their network tasks and role wake each other without crossing
    // threads (measured in the 100-client cluster: 18 % fewer context switches, clients' CPU
    // 4.6 → 4.2 s, relays' 1.8 → 1.6 s). The aggregator, the members and the authority keep
    // two workers, so their network moves while their role computes.
    let mut builder = if matches!(cfg.role, RoleKind::Client | RoleKind::Relay) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    };
    let rt = builder
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the runtime: {e}")))?;
    rt.block_on(run_async(cfg, hooks))
}

async fn run_async(cfg: Config, hooks: Hooks) -> Result<(), Error> {
    let mut node = Node::new(&cfg)?;
    if let Some(u) = hooks.updates {
        node.updates = Some(u);
    }
    node.results = hooks.results;
    let keys = keyfile::read_node_keys(&cfg.key)?;
    let (net, mut inbound) = transport::start(&cfg, &keys).await?;
    drop(keys);
    let outbox = Outbox::new(node.id, net.clone());
    let backlog = Arc::clone(&outbox.backlog);
    node.out = Some(outbox);
    // Streamed messages are read to their end in tasks of their own (at most STREAM_READERS
    // at once) and come back here whole.
    let (read_tx, mut read_rx) = mpsc::channel::<(NodeId, Vec<u8>)>(STREAM_READERS);
    let readers = Arc::new(Semaphore::new(STREAM_READERS));
    let addrs: Vec<String> = net.listen_addrs().iter().map(ToString::to_string).collect();
    log(node.id, &format!("{:?} listening on {} as {}", cfg.role, addrs.join(", "), net.peer_id()));
    node.report.record(
        0,
        "listening",
        json!({ "addr": cfg.listen.to_string(), "transport": cfg.transport.name(),
                "peer_id": net.peer_id().to_string() }),
    );
    // Connections are opened before the first round (the authority's announcement, every
    // other node's `connect_at_start`): round 1 then finds them open and their QUIC path MTU
    // discovered, like round 2 (and a burst of 100+ handshakes at the announcement could
    // outlast a peer's connect_retry on a loaded machine, so that peer would miss the round).
    let mut warming = node.warm_up(&cfg, &net).await;
    // Transport counters go to the report once a second when they changed (the cluster
    // reads the last line of each node).
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut last_stats = (0u64, 0u64);
    loop {
        let wake = node.next_wake();
        // Backpressure: while the peer queues hold more than OUTBOUND_BYTES, no inbound
        // message is taken (timers still run); a message leaving a queue wakes the loop.
        let room = !backlog.full();
        tokio::select! {
            () = backlog.drained(), if !room => {}
            _ = tick.tick() => {
                let st = net.stats();
                if (st.bytes_sent, st.bytes_received) != last_stats {
                    last_stats = (st.bytes_sent, st.bytes_received);
                    node.report.record(0, "net_stats", json!({
                        "bytes_sent": st.bytes_sent, "bytes_received": st.bytes_received,
                        "messages_sent": st.messages_sent,
                        "messages_received": st.messages_received,
                        "connections_refused": st.connections_refused,
                        "connections_closed": st.connections_closed,
                        "streams_refused": st.streams_refused,
                        "streams_malformed": st.streams_malformed,
                        "streams_stalled": st.streams_stalled,
                        "senders_paused": node.pauses,
                    }));
                }
            }
            msg = inbound.recv(), if room => match msg {
                Some(Inbound::Message(m)) => {
                    let from = NodeId(m.from());
                    node.on_message(from, m.into_bytes());
                }
                Some(Inbound::Stream(r)) => {
                    let (from, len, max) = (NodeId(r.from()), r.len(), node.max_inbound());
                    if len > max {
                        log(node.id, &format!(
                            "streamed message of {len} bytes from node {} exceeds this node's \
                             bound of {max}; refused unread", from.0));
                    } else {
                        let (tx, readers, me) = (read_tx.clone(), Arc::clone(&readers), node.id);
                        tokio::spawn(async move {
                            let Ok(_slot) = readers.acquire_owned().await else { return };
                            match r.read_to_end(max).await {
                                Ok(bytes) => { let _ = tx.send((from, bytes)).await; }
                                Err(e) => log(me, &format!(
                                    "streamed message from node {} cut: {e}", from.0)),
                            }
                        });
                    }
                }
                None => return Err(Error::Io("transport stopped".into())),
            },
            Some((from, bytes)) = read_rx.recv(), if room => node.on_message(from, bytes),
            w = warmed(&mut warming) => {
                warming = None;
                node.warmed_up(w, cfg.connect_at_start.len());
            }
            () = sleep_until(wake) => node.on_timers(),
        }
        node.pump();
        if node.schedule.as_ref().and_then(|s| s.exit_at).is_some_and(|t| Instant::now() >= t) {
            log(node.id, "every round ended; exiting");
            let stats = net.stats();
            node.report.record(
                0,
                "net_stats",
                json!({ "bytes_sent": stats.bytes_sent, "bytes_received": stats.bytes_received }),
            );
            net.shutdown().await;
            return Ok(());
        }
    }
}

/// A non-authority node's warm-up, once it has ended (never, if there is none).
async fn warmed(w: &mut Option<oneshot::Receiver<WarmUp>>) -> Option<WarmUp> {
    match w {
        Some(rx) => rx.await.ok(),
        None => std::future::pending().await,
    }
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

fn fresh_keys(kgc: &KgcPublic, bytes: &[u8]) -> Result<NodeKeys, Error> {
    NodeKeys::from_secret_bytes(kgc, bytes)
        .map_err(|e| Error::Clsc { what: "node keys".into(), source: e })
}

fn party(id: u32, path: &std::path::Path) -> Result<Party, Error> {
    Ok(Party { node: NodeId(id), bundle: keyfile::read_bundle(path)?.to_bytes() })
}

impl Node {
    fn new(cfg: &Config) -> Result<Self, Error> {
        let keys = keyfile::read_node_keys(&cfg.key)?;
        let kgc = keyfile::read_kgc_public(&cfg.kgc_public)?;
        if keys.kgc() != &kgc {
            return Err(Error::KeyFile(format!(
                "{}: enrolled under another KGC than {}",
                cfg.key.display(),
                cfg.kgc_public.display()
            )));
        }
        let authority_bundle = keyfile::read_bundle(&cfg.authority_bundle)?.to_bytes();
        let mut os = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut os[..]).map_err(|e| Error::Io(format!("no OS randomness: {e}")))?;
        let seed = Zeroizing::new(hash(tags::TAG_ROLE_SEED, &[&os[..], &cfg.id.to_be_bytes()]));
        let updates: Option<Box<dyn UpdateSource>> = match cfg.role {
            RoleKind::Client => {
                let seed = cfg
                    .update_seed()
                    .map_err(|reason| Error::Config { path: "[client]".into(), reason })?;
                let file = cfg.client.as_ref().and_then(|c| c.update_file.clone());
                match (seed, file) {
                    (Some(s), _) => Some(Box::new(Synthetic(s))),
                    (None, Some(f)) => Some(Box::new(UpdateFiles::new(f))),
                    (None, None) => None,
                }
            }
            _ => None,
        };
        let schedule = match (&cfg.authority, cfg.role) {
            (Some(a), RoleKind::Authority) => Some(Schedule {
                bundles: PartyBundles {
                    aggregator: party(a.aggregator.id, &a.aggregator.bundle)?,
                    committee: a
                        .committee
                        .iter()
                        .map(|p| party(p.id, &p.bundle))
                        .collect::<Result<_, _>>()?,
                    roster: a
                        .roster
                        .iter()
                        .map(|p| party(p.id, &p.bundle))
                        .collect::<Result<_, _>>()?,
                },
                next_round: a.first_round,
                next_at: Some(Instant::now() + Duration::from_millis(a.start_delay_ms)),
                running: None,
                exit_at: None,
                plan: a.clone(),
            }),
            _ => None,
        };
        let id = NodeId(cfg.id);
        Ok(Node {
            id,
            kind: cfg.role,
            sys: GradsealSystem { kgc },
            kgc,
            authority_bundle,
            key_bytes: keys.to_secret_bytes(),
            seed,
            updates,
            results: None,
            slots: Vec::new(),
            early: Vec::new(),
            early_bytes: 0,
            finished_upto: 0,
            out: None,
            local: VecDeque::new(),
            paused: Vec::new(),
            pauses: 0,
            report: Reporter::open(cfg.report.as_deref(), cfg.id)?,
            schedule,
        })
    }

    fn node_config(&self, round: RoundId, label: &[u8]) -> Result<NodeConfig<Suite>, Error> {
        Ok(NodeConfig {
            sys: self.sys.clone(),
            authority: self.authority_bundle.clone(),
            key: fresh_keys(&self.kgc, &self.key_bytes)?,
            round,
            seed: hash(tags::TAG_ROLE_SEED, &[&self.seed[..], label]),
        })
    }

    /// Connects to the config's startup peers ([`Config::startup_peers`]). The authority
    /// waits for it (its first announcement must find the connections open) and moves its
    /// first announcement after it; any other node connects in a task of its own, so that a
    /// peer it cannot reach never holds up its rounds, and gets the outcome to report.
    async fn warm_up(
        &mut self,
        cfg: &Config,
        net: &gradseal_net::NetHandle,
    ) -> Option<oneshot::Receiver<WarmUp>> {
        let peers = cfg.startup_peers();
        let within = Duration::from_millis(WARMUP_MS);
        if self.schedule.is_some() {
            let w = warmup::connect(net, &peers, within).await;
            self.warmed_up(Some(w), peers.len());
            if let Some(s) = self.schedule.as_mut() {
                let earliest = Instant::now();
                s.next_at = s.next_at.map(|t| t.max(earliest));
            }
            return None;
        }
        if peers.is_empty() {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        let net = net.clone();
        tokio::spawn(async move {
            let _ = tx.send(warmup::connect(&net, &peers, within).await);
        });
        Some(rx)
    }

    /// Logs and reports (`warmed_up`) the end of the warm-up.
    fn warmed_up(&mut self, w: Option<WarmUp>, asked: usize) {
        let Some(w) = w else { return };
        log(self.id, &w.line(asked));
        self.report.record(0, "warmed_up", w.fields());
    }

    /// The earliest of every role's timer and the authority's schedule.
    fn next_wake(&self) -> Option<Instant> {
        let roles = self.slots.iter().filter_map(Slot::deadline);
        let sched = self
            .schedule
            .iter()
            .flat_map(|s| [s.next_at, s.running.map(|(_, t)| t), s.exit_at].into_iter().flatten());
        roles.chain(sched).min()
    }

    fn on_timers(&mut self) {
        let now = Instant::now();
        for slot in &mut self.slots {
            if slot.deadline().is_some_and(|t| t <= now) {
                let ms = slot.now();
                slot.role.handle_timeout(ms);
            }
        }
        let Some(s) = self.schedule.as_mut() else { return };
        if let Some((round, give_up)) = s.running
            && give_up <= now
        {
            log(self.id, &format!("round {} did not end before its deadline", round.0));
            self.report.record(round.0, "round_timeout", json!({}));
            self.end_round(round);
        }
        let Some(s) = self.schedule.as_mut() else { return };
        if s.next_at.is_some_and(|t| t <= now) {
            s.next_at = None;
            self.start_round();
        }
    }

    /// Authority: builds the announcement, the announcer and the observer of the next round.
    fn start_round(&mut self) {
        let Some(s) = self.schedule.as_mut() else { return };
        let round = RoundId(s.next_round);
        s.next_round += 1;
        let p = &s.plan;
        let ann = Announcement {
            round,
            params: p.round_params(),
            aggregator: s.bundles.aggregator.clone(),
            relays: p.relays.iter().copied().map(NodeId).collect(),
            observers: vec![self.id],
            committee: s.bundles.committee.clone(),
            roster: s.bundles.roster.clone(),
            signature: Vec::new(),
        };
        let give_up =
            Instant::now() + Duration::from_millis(p.decryption_deadline_ms + ROUND_GRACE_MS);
        s.running = Some((round, give_up));
        let (max_message, scale) = (bounds::max_message_len(&ann, true), ann.params.scale);
        let observers = ann.observers.clone();
        let committee: Vec<NodeId> = ann.committee.iter().map(|p| p.node).collect();
        let made = self.node_config(round, b"authority").and_then(|a| {
            Ok((Authority::new(a), Observer::new(self.node_config(round, b"observer")?)))
        });
        let (mut announcer, observer) = match made {
            Ok(m) => m,
            Err(e) => {
                log(self.id, &format!("cannot start round {}: {e}", round.0));
                self.end_round(round);
                return;
            }
        };
        // The config was checked against the same rules at startup (`AuthoritySection::check`),
        // so a refusal here means the config and the protocol disagree: the round is skipped.
        if let Err(e) = announcer.announce(ann) {
            log(self.id, &format!("cannot announce round {}: {e}", round.0));
            self.report.record(round.0, "failed", json!({ "reason": e.to_string() }));
            self.end_round(round);
            return;
        }
        log(self.id, &format!("announced round {}", round.0));
        self.report.record(round.0, "announced", json!({}));
        self.slots.push(Slot {
            round,
            start: Instant::now(),
            role: Box::new(observer),
            announcer: Some(announcer),
            sent_bytes: 0,
            finished: false,
            max_message,
            scale,
            observers,
            committee,
        });
    }

    /// Authority: the running round ended (audited, failed or timed out).
    fn end_round(&mut self, round: RoundId) {
        let Some(s) = self.schedule.as_mut() else { return };
        if s.running.is_none_or(|(r, _)| r != round) {
            return;
        }
        s.running = None;
        if let Some(slot) = self.slots.iter_mut().find(|sl| sl.round == round) {
            slot.finished = true;
        }
        let last = s.plan.first_round + s.plan.rounds;
        if s.next_round >= last {
            self.report.record(round.0, "done", json!({}));
            s.exit_at = Some(Instant::now() + Duration::from_millis(1000));
        } else {
            s.next_at = Some(Instant::now() + Duration::from_millis(s.plan.pause_ms));
        }
    }

    fn on_message(&mut self, from: NodeId, bytes: Vec<u8>) {
        // Every message is `kind (1) ‖ round (8) ‖ ...`: route on the round without
        // decoding the whole message (the role decodes and checks it).
        let round =
            bytes.get(1..9).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_be_bytes);
        let Some(round) = round else {
            if bytes == PING {
                return;
            }
            log(self.id, &format!("garbage from node {} ({} bytes) dropped", from.0, bytes.len()));
            return;
        };
        self.deliver(from, RoundId(round), &bytes);
    }

    fn deliver(&mut self, from: NodeId, round: RoundId, bytes: &[u8]) {
        if let Some(slot) = self.slots.iter_mut().find(|s| s.round == round) {
            let now = slot.now();
            slot.role.handle_message(now, from, bytes);
            return;
        }
        if self.kind == RoleKind::Authority || round.0 <= self.finished_upto {
            return; // not ours, or a round already forgotten
        }
        if bytes.first() == Some(&KIND_ANNOUNCEMENT)
            && let Ok(Message::Announcement(ann)) = Message::from_bytes(bytes)
        {
            self.open_round(from, &ann, bytes);
            return;
        }
        // A node that has seen no round yet (it may join a network at any round id) holds
        // any round; afterwards only rounds close to the ones it knows.
        let fresh = self.finished_upto == 0 && self.slots.is_empty();
        let in_window = fresh
            || round.0 <= self.finished_upto.saturating_add(EARLY_WINDOW)
            || self.slots.iter().any(|s| round.0 <= s.round.0.saturating_add(EARLY_WINDOW));
        if in_window
            && self.early.len() < MAX_EARLY
            && self.early_bytes + bytes.len() <= MAX_EARLY_BYTES
        {
            self.early_bytes += bytes.len();
            self.early.push((round, from, bytes.to_vec()));
        } else {
            log(
                self.id,
                &format!("message for unknown round {} from node {} dropped", round.0, from.0),
            );
        }
    }

    /// The role of this node for the round `ann` announces. A client asks its update source
    /// for the round's update here; `Ok(None)` if it has none (the error is reported).
    fn make_role(&mut self, ann: &Announcement) -> Result<Option<Box<dyn Role>>, Error> {
        let cfg = self.node_config(ann.round, b"role")?;
        Ok(Some(match self.kind {
            RoleKind::Aggregator => Box::new(Aggregator::new(cfg)),
            RoleKind::Committee => Box::new(Member::new(cfg)),
            RoleKind::Relay => Box::new(Relay::new(cfg)),
            RoleKind::Client => {
                let got = match self.updates.as_mut() {
                    Some(src) => src.update(ann.round, &ann.params),
                    None => Err(update::UpdateError::Unavailable { round: ann.round.0 }),
                };
                let quantized = got.and_then(|u| match u {
                    Update::Quantized(q) => Ok(q),
                    Update::Float(f) => update::quantize(&f, &ann.params),
                });
                match quantized {
                    Ok(q) => Box::new(Client::new(cfg, q)),
                    Err(e) => {
                        log(self.id, &format!("round {}: no update: {e}", ann.round.0));
                        self.report.record(
                            ann.round.0,
                            "update_failed",
                            json!({ "reason": e.to_string() }),
                        );
                        if let Some(sink) = self.results.as_mut() {
                            sink.round_ended(ann.round, Outcome::NoUpdate(e));
                        }
                        return Ok(None);
                    }
                }
            }
            RoleKind::Authority => Box::new(Observer::new(cfg)),
        }))
    }

    /// The largest message this node reads whole for any round it has open, or, with no
    /// round open, the bound on messages held for rounds not announced yet.
    fn max_inbound(&self) -> u64 {
        let open = self.slots.iter().map(|s| s.max_message).max().unwrap_or(0);
        open.max(MAX_EARLY_BYTES as u64)
    }

    /// A role for a newly announced round; kept only if the role accepts the announcement.
    fn open_round(&mut self, from: NodeId, ann: &Announcement, bytes: &[u8]) {
        // Check the announcement before asking for an update: a forged one costs a signature
        // check, not a file read.
        if self.kind == RoleKind::Client {
            let ctx = gradseal_protocol::round::RoundContext::<Suite>::new(
                self.sys.clone(),
                &self.authority_bundle,
                ann.clone(),
            );
            if let Err(e) = ctx {
                log(
                    self.id,
                    &format!("invalid announcement for round {} dropped: {e:?}", ann.round.0),
                );
                return;
            }
        }
        let mut role = match self.make_role(ann) {
            Ok(Some(r)) => r,
            Ok(None) => {
                // The client sits the round out; the round is done for it.
                self.finished_upto = self.finished_upto.max(ann.round.0);
                return;
            }
            Err(e) => {
                log(self.id, &format!("cannot start round {}: {e}", ann.round.0));
                return;
            }
        };
        let start = Instant::now();
        role.handle_message(Millis(0), from, bytes);
        let mut events = Vec::new();
        while let Some(e) = role.poll_event() {
            events.push(e);
        }
        if !events.iter().any(|e| matches!(e, Event::Announced { .. })) {
            log(
                self.id,
                &format!("invalid announcement for round {} dropped: {events:?}", ann.round.0),
            );
            return;
        }
        let mut slot = Slot {
            round: ann.round,
            start,
            role,
            announcer: None,
            sent_bytes: 0,
            finished: false,
            max_message: bounds::max_message_len(ann, ann.observers.contains(&self.id)),
            scale: ann.params.scale,
            observers: ann.observers.clone(),
            committee: ann.committee.iter().map(|p| p.node).collect(),
        };
        // A client contributes on the announcement itself: hand its shards to the network
        // before its `Contributed` event is reported, so the event counts their bytes.
        self.send_transmits(&mut slot);
        for e in events {
            self.on_event(&mut slot, e);
        }
        // Replay what arrived before the announcement, in arrival order.
        let (held, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.early).into_iter().partition(|(r, _, _)| *r == ann.round);
        self.early = rest;
        self.early_bytes = self.early.iter().map(|(_, _, b)| b.len()).sum();
        for (_, f, b) in held {
            let now = slot.now();
            slot.role.handle_message(now, f, &b);
        }
        self.slots.push(slot);
        self.slots.sort_by_key(|s| s.round);
        while self.slots.len() > MAX_ROUNDS {
            let old = self.slots.remove(0);
            self.finished_upto = self.finished_upto.max(old.round.0);
            log(self.id, &format!("round {} forgotten (a newer round started)", old.round.0));
        }
    }

    /// Drains every role's transmits and events; delivers self-addressed messages locally.
    fn pump(&mut self) {
        loop {
            let mut slots = std::mem::take(&mut self.slots);
            for slot in &mut slots {
                self.send_transmits(slot);
                while let Some(e) = slot.role.poll_event() {
                    self.on_event(slot, e);
                }
            }
            // `on_event` may have started or ended rounds meanwhile.
            slots.append(&mut self.slots);
            self.slots = slots;
            let Some((from, payload)) = self.local.pop_front() else { break };
            self.on_message(from, payload.to_vec());
        }
        let done: Vec<u64> = self.slots.iter().filter(|s| s.finished).map(|s| s.round.0).collect();
        if let Some(&max) = done.iter().max() {
            self.finished_upto = self.finished_upto.max(max);
            self.slots.retain(|s| !s.finished);
            self.early.retain(|(r, _, _)| r.0 > max);
            self.early_bytes = self.early.iter().map(|(_, _, b)| b.len()).sum();
        }
        self.apply_pauses();
    }

    /// Hands the senders any slot's role asks to pause to the transport, and resumes those
    /// no role asks for any more (a finished round's included).
    fn apply_pauses(&mut self) {
        let mut want: Vec<NodeId> =
            self.slots.iter().flat_map(|s| s.role.paused_senders().iter().copied()).collect();
        want.sort_unstable();
        want.dedup();
        if want == self.paused {
            return;
        }
        let resumed = self.paused.iter().filter(|n| !want.contains(n));
        let paused: Vec<NodeId> =
            want.iter().filter(|n| !self.paused.contains(n)).copied().collect();
        if let Some(out) = &self.out {
            for &n in resumed {
                out.pause_inbound(n, false);
            }
            for &n in &paused {
                out.pause_inbound(n, true);
            }
        }
        self.pauses += paused.len() as u64;
        self.paused = want;
    }

    /// Hands a slot's queued transmits (its announcer's first) to the network, or to the
    /// local queue when addressed to this node, counting the bytes sent.
    fn send_transmits(&mut self, slot: &mut Slot) {
        let mut out = Vec::new();
        if let Some(a) = slot.announcer.as_mut() {
            while let Some(t) = a.poll_transmit() {
                out.push(t);
            }
            while a.poll_event().is_some() {}
        }
        while let Some(t) = slot.role.poll_transmit() {
            out.push(t);
        }
        // Observers, then members, before everyone else (stable: each peer's messages keep
        // their order): a result broadcast reaches those who audit and decrypt first; their
        // large messages also take the next large-send slot (`transport::Turns`).
        let class = |to: &NodeId| {
            if slot.observers.contains(to) {
                0u8
            } else if slot.committee.contains(to) {
                1
            } else {
                2
            }
        };
        let mut out: Vec<(u8, _)> = out.into_iter().map(|t| (class(&t.to), t)).collect();
        out.sort_by_key(|(c, _)| *c);
        for (c, t) in out {
            if t.to == self.id {
                self.local.push_back((self.id, t.payload));
            } else {
                slot.sent_bytes +=
                    u64::try_from(t.payload.len() + gradseal_net::codec::HEADER_LEN).unwrap_or(0);
                // A result is the last message of its round to a client, and the next comes
                // a round later: its connection is closed once the result is delivered, so
                // that a node's connections do not grow with its clients (spec/node.md §1).
                let close_after = c == 2 && t.payload.first() == Some(&KIND_RESULT);
                if let Some(out) = self.out.as_mut() {
                    out.send(t.to, t.payload, c < 2, close_after);
                }
            }
        }
    }

    fn on_event(&mut self, slot: &mut Slot, e: Event) {
        let r = slot.round;
        let rep = &mut self.report;
        match e {
            Event::Announced { .. } => rep.record(r.0, "joined", json!({})),
            Event::NotParticipating => rep.record(r.0, "not_participating", json!({})),
            Event::Contributed { shards } => {
                // The shards were just handed to the network (transmits drain first).
                rep.record(
                    r.0,
                    "contributed",
                    json!({ "shards": shards, "bytes": slot.sent_bytes }),
                );
            }
            Event::Accepted { client } => rep.record(r.0, "accepted", json!({ "client": client })),
            Event::Rejected { client, reason } => {
                rep.record(
                    r.0,
                    "rejected",
                    json!({ "client": client, "reason": format!("{reason:?}") }),
                );
            }
            Event::RelayBlamed(b) => {
                rep.record(r.0, "relay_blamed", json!({ "detail": format!("{b:?}") }))
            }
            Event::TranscriptPublished { accepted, .. } => {
                rep.record(r.0, "transcript", json!({ "accepted": accepted }));
            }
            Event::Decrypted { list } => {
                rep.record(r.0, "decrypted", json!({ "list": hex::encode(list) }));
            }
            Event::Refused { member, fault } => {
                rep.record(
                    r.0,
                    "refused",
                    json!({ "member": member, "fault": format!("{fault:?}") }),
                );
            }
            Event::Completed(res) => {
                let sum = if self.kind == RoleKind::Client { json!(null) } else { json!(res.sum) };
                rep.record(r.0, "completed", json!({ "count": res.count, "sum": sum }));
                if let Some(sink) = self.results.as_mut() {
                    let (count, sum, scale) = (res.count, res.sum, slot.scale);
                    sink.round_ended(r, Outcome::Completed { count, sum, scale });
                }
                slot.finished = true;
                // The observer reports `AuditPassed` and then `Completed`: the round ends once
                // both are in the report, so whoever reads it sees the result with the audit.
                self.end_round(r);
            }
            Event::AuditPassed { count } => {
                rep.record(r.0, "audit_passed", json!({ "count": count }));
                log(self.id, &format!("round {} audited: {count} contributions", r.0));
            }
            Event::AuditFailed(f) => {
                rep.record(r.0, "audit_failed", json!({ "fault": format!("{f:?}") }));
                self.end_round(r);
                slot.finished = true;
            }
            Event::Failed(f) => {
                rep.record(r.0, "failed", json!({ "reason": format!("{f:?}") }));
                log(self.id, &format!("round {} failed: {f:?}", r.0));
                if let Some(sink) = self.results.as_mut() {
                    sink.round_ended(r, Outcome::Failed(format!("{f:?}")));
                }
                slot.finished = true;
                self.end_round(r);
            }
            Event::Dropped { from, error } => {
                log(
                    self.id,
                    &format!("round {}: message from node {} dropped: {error:?}", r.0, from.0),
                );
            }
            other => rep.record(r.0, "event", json!({ "detail": format!("{other:?}") })),
        }
    }
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
