//! The node's TOML configuration (`gradseal node --config FILE`).
//!
//! Relative paths in the file are resolved against the file's directory. Every error is
//! one line naming the file and the problem. Spec: `spec/node.md`, section "Configuration".

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use gradseal_protocol::params::{MAX_CLIENTS, MAX_COMMITTEE, MAX_RELAYS};
use gradseal_protocol::{DEFAULT_MIN_CLIENTS, Millis, ParamsError, RoundParams, ShardLayout};
use serde::{Deserialize, Serialize};

use crate::Error;

/// The largest config file read.
pub const MAX_CONFIG_LEN: usize = 1 << 20;

/// The fixed-point scale of every round the authority node announces (the synthetic
/// updates are integers already).
pub const ROUND_SCALE: u32 = 1000;
/// The model version every announcement names (opaque to the protocol).
pub const MODEL_VERSION: u64 = 1;

/// Why a configuration is refused. `Display` is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read (missing, too large, an I/O error).
    #[error("unreadable ({0})")]
    Unreadable(String),
    /// The file is not UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// The TOML does not parse into a configuration (syntax, unknown key, wrong type).
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Syntax {
        /// The line of the error, when the parser knows it.
        line: Option<usize>,
        /// The parser's message, on one line.
        message: String,
    },
    /// The role needs a section the file lacks.
    #[error("role = \"{role}\" needs a [{role}] section")]
    MissingSection {
        /// The role (and section) name.
        role: &'static str,
    },
    /// `client.update_seed` is not 64 hex digits.
    #[error("client.update_seed must be 64 hex digits")]
    UpdateSeed,
    /// `[client]` names neither or both of `update_seed` and `update_file`.
    #[error("[client] needs exactly one of update_seed and update_file")]
    UpdateSource,
    /// A node id appears twice in the address book.
    #[error("node id {id} appears twice in peers")]
    DuplicatePeer {
        /// The repeated id.
        id: u32,
    },
    /// `connect_at_start` names a node that is not in the address book (or this node).
    #[error("connect_at_start: node id {id} is not a peer of the address book")]
    ConnectNotAPeer {
        /// The id.
        id: u32,
    },
    /// `connect_at_start` names a node twice.
    #[error("connect_at_start: node id {id} appears twice")]
    ConnectTwice {
        /// The repeated id.
        id: u32,
    },
    /// `authority.rounds` is 0.
    #[error("authority.rounds must be at least 1")]
    NoRounds,
    /// The committee, the relays or the roster is empty, or larger than an announcement
    /// may carry.
    #[error("authority.{what} has {len} entries, outside [{min}, {max}]")]
    PartySize {
        /// `committee`, `relays` or `roster`.
        what: &'static str,
        /// Its length.
        len: usize,
        /// Fewest allowed (a committee needs 2: decryption is n-of-n over key seeds).
        min: usize,
        /// Most allowed.
        max: usize,
    },
    /// The round parameters the authority would announce are refused by the protocol
    /// (`RoundParams::check`; e.g. `min_clients` below 2, or a roster smaller than it).
    #[error("authority: {0}")]
    Params(#[from] ParamsError),
}

/// The role a node plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RoleKind {
    /// Announces rounds (and audits them as the round's observer).
    Authority,
    /// Collects, sums, publishes the transcript and the result.
    Aggregator,
    /// A decryption committee member.
    Committee,
    /// Contributes one encrypted update per round.
    Client,
    /// Forwards shards.
    Relay,
}

impl RoleKind {
    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RoleKind::Authority => "authority",
            RoleKind::Aggregator => "aggregator",
            RoleKind::Committee => "committee",
            RoleKind::Client => "client",
            RoleKind::Relay => "relay",
        }
    }
}

/// One entry of the address book: where a node listens and the public files that
/// authenticate it (its bundle and the binding of its libp2p PeerId to that bundle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    /// Node id.
    pub id: u32,
    /// Where it listens (on the config's transport).
    pub addr: SocketAddr,
    /// Its public bundle file (kind 7, or a node key file).
    pub bundle: PathBuf,
    /// Its peer binding file (kind 8): its libp2p PeerId signed with its node key.
    pub binding: PathBuf,
}

/// The transport (`transport = "quic"` or `"tcp"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// QUIC v1 (TLS 1.3) over UDP: the default.
    #[default]
    Quic,
    /// TCP with Noise XX and Yamux.
    Tcp,
}

impl Transport {
    /// The gradseal-net transport.
    pub fn kind(self) -> gradseal_net::TransportKind {
        match self {
            Transport::Quic => gradseal_net::TransportKind::Quic,
            Transport::Tcp => gradseal_net::TransportKind::Tcp,
        }
    }

    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Quic => "quic",
            Transport::Tcp => "tcp",
        }
    }
}

/// A party named by the announcement: node id and public bundle file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Node id.
    pub id: u32,
    /// Its public bundle (or node key) file.
    pub bundle: PathBuf,
}

/// Transport limits (`[net]`), in milliseconds; every other bound is gradseal-net's
/// default (`spec/node.md` §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetSection {
    /// How long a sender keeps retrying a peer that cannot be reached (it may be starting).
    pub connect_retry_ms: u64,
    /// Longest wait for any byte inside a message, or for a write or an acknowledgement.
    pub stall_ms: u64,
    /// Time for a stream's 12-byte header to arrive.
    pub header_ms: u64,
    /// A connection with no stream open is closed after this long.
    pub idle_ms: u64,
}

impl Default for NetSection {
    fn default() -> Self {
        let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        NetSection {
            connect_retry_ms: ms(gradseal_net::DEFAULT_CONNECT_RETRY),
            stall_ms: ms(gradseal_net::DEFAULT_STALL_TIMEOUT),
            header_ms: ms(gradseal_net::DEFAULT_HEADER_TIMEOUT),
            idle_ms: ms(gradseal_net::DEFAULT_IDLE_CONNECTION_TIMEOUT),
        }
    }
}

/// Client settings: where each round's update comes from (exactly one of the two).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSection {
    /// Hex of the 32-byte seed of synthetic updates ([`crate::synth::update`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_seed: Option<String>,
    /// The update file of each round: a path in which `{round}` is replaced by the round id
    /// (raw little-endian f32, or `.npy` float32 1-D; [`crate::update`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_file: Option<String>,
}

/// Authority settings: the rounds to run and what every announcement says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthoritySection {
    /// The first round id.
    #[serde(default = "one")]
    pub first_round: u64,
    /// Rounds to run, one after the other.
    pub rounds: u64,
    /// Coordinates per update.
    pub dimension: u32,
    /// Bits per coordinate.
    #[serde(default = "sixteen")]
    pub bits: u8,
    /// Fewest accepted contributions the committee decrypts: at least 2
    /// (`gradseal_protocol::MIN_CLIENTS`), by default 3 (`DEFAULT_MIN_CLIENTS`).
    #[serde(default = "default_min_clients")]
    pub min_clients: u32,
    /// Contribution deadline, from the round's start.
    pub contribution_deadline_ms: u64,
    /// Decryption deadline, from the round's start.
    pub decryption_deadline_ms: u64,
    /// Data shards.
    #[serde(default = "four")]
    pub shards_data: u8,
    /// Parity shards.
    #[serde(default = "two")]
    pub shards_parity: u8,
    /// Wait before the first announcement (peers start up).
    #[serde(default)]
    pub start_delay_ms: u64,
    /// Pause between a round's end and the next announcement.
    #[serde(default)]
    pub pause_ms: u64,
    /// The aggregator.
    pub aggregator: Party,
    /// The committee, in order.
    pub committee: Vec<Party>,
    /// Privacy threshold f of the committee (no f members learn anything; any
    /// ⌊(n + f)/2⌋ + 1 decrypt): `1 <= f <= n − 1`; absent, `n − 1` (n-of-n).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_threshold: Option<u32>,
    /// Relay node ids.
    pub relays: Vec<u32>,
    /// The client roster, in order.
    pub roster: Vec<Party>,
}

impl AuthoritySection {
    /// The round parameters every announcement of this authority carries.
    pub fn round_params(&self) -> RoundParams {
        RoundParams {
            model_version: MODEL_VERSION,
            dimension: self.dimension,
            bits: self.bits,
            scale: ROUND_SCALE,
            min_clients: self.min_clients,
            contribution_deadline: Millis(self.contribution_deadline_ms),
            decryption_deadline: Millis(self.decryption_deadline_ms),
            shards: ShardLayout { data: self.shards_data, parity: self.shards_parity },
            privacy_threshold: self.privacy_threshold.unwrap_or_else(|| {
                u32::try_from(self.committee.len().saturating_sub(1)).unwrap_or(u32::MAX)
            }),
        }
    }

    /// Checks what the authority would announce, with the protocol's own rules
    /// (`RoundParams::check` and the roster bound), so that a bad config fails at startup
    /// rather than at the first announcement.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.rounds == 0 {
            return Err(ConfigError::NoRounds);
        }
        let sizes = [
            ("committee", self.committee.len(), 2, MAX_COMMITTEE),
            ("relays", self.relays.len(), 1, MAX_RELAYS),
            ("roster", self.roster.len(), 1, MAX_CLIENTS),
        ];
        for (what, len, min, max) in sizes {
            let max = usize::try_from(max).unwrap_or(usize::MAX);
            if !(min..=max).contains(&len) {
                return Err(ConfigError::PartySize { what, len, min, max });
            }
        }
        self.round_params().check()?;
        self.round_params().check_committee(self.committee.len())?;
        if self.roster.len() < usize::try_from(self.min_clients).unwrap_or(usize::MAX) {
            let roster = u32::try_from(self.roster.len()).unwrap_or(u32::MAX);
            return Err(ParamsError::Roster { roster, min_clients: self.min_clients }.into());
        }
        Ok(())
    }
}

fn one() -> u64 {
    1
}
fn default_min_clients() -> u32 {
    DEFAULT_MIN_CLIENTS
}
fn sixteen() -> u8 {
    16
}
fn four() -> u8 {
    4
}
fn two() -> u8 {
    2
}

/// A node's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The role.
    pub role: RoleKind,
    /// This node's id.
    pub id: u32,
    /// Where to listen (127.0.0.1:port).
    pub listen: SocketAddr,
    /// The node key file.
    pub key: PathBuf,
    /// The KGC public parameters file.
    pub kgc_public: PathBuf,
    /// The authority's bundle file (it signs announcements).
    pub authority_bundle: PathBuf,
    /// Where to append the node's events as JSON lines (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<PathBuf>,
    /// The address book: every node this one talks to or accepts messages from. A peer
    /// missing here is refused by the transport right after its handshake.
    #[serde(default)]
    pub peers: Vec<Peer>,
    /// Peers (node ids of the address book) this node connects to at startup, before any
    /// round, so that round 1 finds its connections open and their QUIC path MTU already
    /// discovered (`spec/node.md` §2, "Connecting at startup"). The peers it sends to in a
    /// round: a client its relays, a relay and a committee member the aggregator. Empty (the
    /// default): connections open on the first message. The authority connects to every peer
    /// whatever this says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect_at_start: Vec<u32>,
    /// The transport: `quic` (default) or `tcp`.
    #[serde(default)]
    pub transport: Transport,
    /// Transport limits.
    #[serde(default)]
    pub net: NetSection,
    /// Client settings (role = client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientSection>,
    /// Authority settings (role = authority).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<AuthoritySection>,
}

impl Config {
    /// Reads, parses and validates a config file; relative paths become relative to it.
    ///
    /// # Errors
    /// [`Error::Config`] (one line) naming the file and the problem.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let err = |reason: ConfigError| Error::Config { path: path.display().to_string(), reason };
        let bytes = crate::keyfile::read_bounded(path, MAX_CONFIG_LEN)
            .map_err(|e| err(ConfigError::Unreadable(e.to_string())))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| err(ConfigError::NotUtf8))?;
        let mut cfg = Config::parse(text).map_err(err)?;
        let base = path.parent().unwrap_or(Path::new("."));
        cfg.resolve(base);
        Ok(cfg)
    }

    /// Parses and validates TOML text.
    ///
    /// # Errors
    /// A [`ConfigError`] (one line; with the line number for syntax errors).
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| {
                text.get(..s.start).map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count()) + 1
            });
            ConfigError::Syntax { line, message: e.message().replace('\n', " ").trim().to_string() }
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        match self.role {
            RoleKind::Client if self.client.is_none() => {
                return Err(ConfigError::MissingSection { role: "client" });
            }
            RoleKind::Authority if self.authority.is_none() => {
                return Err(ConfigError::MissingSection { role: "authority" });
            }
            _ => {}
        }
        if let Some(c) = &self.client {
            match (&c.update_seed, &c.update_file) {
                (Some(seed), None) => {
                    parse_seed(seed)?;
                }
                (None, Some(_)) => {}
                _ => return Err(ConfigError::UpdateSource),
            }
        }
        let mut ids: Vec<u32> = self.peers.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w.first() == w.get(1))
            && let Some(&id) = w.first()
        {
            return Err(ConfigError::DuplicatePeer { id });
        }
        self.check_connect_at_start()?;
        if let Some(a) = &self.authority {
            a.check()?;
        }
        Ok(())
    }

    /// Every `connect_at_start` id names a peer of the address book other than this node,
    /// once.
    fn check_connect_at_start(&self) -> Result<(), ConfigError> {
        let mut seen = std::collections::BTreeSet::new();
        for &id in &self.connect_at_start {
            if id == self.id || !self.peers.iter().any(|p| p.id == id) {
                return Err(ConfigError::ConnectNotAPeer { id });
            }
            if !seen.insert(id) {
                return Err(ConfigError::ConnectTwice { id });
            }
        }
        Ok(())
    }

    /// The peers this node connects to at startup: every peer for the authority (its
    /// announcements go to all of them), else `connect_at_start`.
    pub fn startup_peers(&self) -> Vec<u32> {
        match self.role {
            RoleKind::Authority => self.peers.iter().map(|p| p.id).collect(),
            _ => self.connect_at_start.clone(),
        }
    }

    fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.key);
        fix(&mut self.kgc_public);
        fix(&mut self.authority_bundle);
        for p in &mut self.peers {
            fix(&mut p.bundle);
            fix(&mut p.binding);
        }
        if let Some(f) = self.client.as_mut().and_then(|c| c.update_file.as_mut()) {
            let mut p = PathBuf::from(&*f);
            fix(&mut p);
            *f = p.to_string_lossy().into_owned();
        }
        if let Some(r) = self.report.as_mut() {
            fix(r);
        }
        if let Some(a) = self.authority.as_mut() {
            fix(&mut a.aggregator.bundle);
            for p in a.committee.iter_mut().chain(a.roster.iter_mut()) {
                fix(&mut p.bundle);
            }
        }
    }

    /// The client's update seed, if its updates are synthetic.
    ///
    /// # Errors
    /// [`ConfigError::MissingSection`] or [`ConfigError::UpdateSeed`].
    pub fn update_seed(&self) -> Result<Option<[u8; 32]>, ConfigError> {
        let c = self.client.as_ref().ok_or(ConfigError::MissingSection { role: "client" })?;
        c.update_seed.as_deref().map(parse_seed).transpose()
    }
}

fn parse_seed(s: &str) -> Result<[u8; 32], ConfigError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| ConfigError::UpdateSeed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
role = "client"
id = 1000
listen = "127.0.0.1:4000"
key = "keys/c.key"
kgc_public = "kgc.pub"
authority_bundle = "keys/a.bundle"
peers = [{ id = 0, addr = "127.0.0.1:4001", bundle = "keys/a.bundle", binding = "keys/a.binding" }]
[client]
update_seed = "0101010101010101010101010101010101010101010101010101010101010101"
"#;

    #[test]
    fn parses_and_resolves() {
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.role, RoleKind::Client);
        assert_eq!(c.update_seed().unwrap(), Some([1; 32]));
        assert_eq!(c.transport, Transport::Quic);
        let tcp = Config::parse(&GOOD.replace("id = 1000\n", "id = 1000\ntransport = \"tcp\"\n"))
            .unwrap();
        assert_eq!(tcp.transport, Transport::Tcp);
        let text = toml::to_string(&c).unwrap();
        assert_eq!(Config::parse(&text).unwrap(), c);
    }

    #[test]
    fn errors_are_one_line_and_name_the_problem() {
        let cases = [
            (GOOD.replace("role = \"client\"", "role = \"king\""), "king"),
            (GOOD.replace("listen = \"127.0.0.1:4000\"", "listen = \"nowhere\""), "line 4"),
            (GOOD.replace("[client]", "[clint]"), "clint"),
            (GOOD.replace("0101010101", "zz"), "hex"),
            (GOOD.replace("id = 1000\n", ""), "id"),
            (GOOD.replace("id = 0,", "id = 0, id = 1,"), "line"),
            (GOOD.replace("id = 1000\n", "id = 1000\ntransport = \"udp\"\n"), "udp"),
            (format!("{GOOD}\n[[["), "line"),
            (GOOD.replace("[client]\nupdate_seed", "[x]\nupdate_seed"), "x"),
        ];
        for (text, needle) in cases {
            let e = Config::parse(&text).unwrap_err().to_string();
            assert!(!e.contains('\n') && e.contains(needle), "{needle}: {e}");
        }
        let e = Config::parse(&GOOD.replace("[client]\n", "[authority]\n")).unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
        let peer = "{ id = 0, addr = \"127.0.0.1:4001\", bundle = \"keys/a.bundle\", binding = \"keys/a.binding\" }";
        let twice =
            GOOD.replace(&format!("peers = [{peer}]"), &format!("peers = [{peer}, {peer}]"));
        assert_eq!(Config::parse(&twice), Err(ConfigError::DuplicatePeer { id: 0 }));
        let both = GOOD.replace("[client]\n", "[client]\nupdate_file = \"u-{round}.npy\"\n");
        assert_eq!(Config::parse(&both), Err(ConfigError::UpdateSource));
        let file = GOOD.replace(
            "update_seed = \"0101010101010101010101010101010101010101010101010101010101010101\"",
            "update_file = \"u-{round}.npy\"",
        );
        assert_eq!(Config::parse(&file).unwrap().update_seed(), Ok(None));
    }

    #[test]
    fn connect_at_start_is_optional_and_must_name_peers_once() {
        // Absent (every existing config file): empty, and not written back.
        let c = Config::parse(GOOD).unwrap();
        assert!(c.connect_at_start.is_empty());
        assert_eq!(c.startup_peers(), Vec::<u32>::new());
        assert!(!toml::to_string(&c).unwrap().contains("connect_at_start"));
        let with =
            |list: &str| GOOD.replace("[client]", &format!("connect_at_start = {list}\n[client]"));
        let c = Config::parse(&with("[0]")).unwrap();
        assert_eq!(c.connect_at_start, vec![0]);
        assert_eq!(c.startup_peers(), vec![0]);
        assert_eq!(Config::parse(&toml::to_string(&c).unwrap()).unwrap(), c);
        assert_eq!(Config::parse(&with("[]")).unwrap().connect_at_start, Vec::<u32>::new());
        // Not in the address book, this node itself, twice, not a list of ids.
        assert_eq!(Config::parse(&with("[7]")), Err(ConfigError::ConnectNotAPeer { id: 7 }));
        assert_eq!(Config::parse(&with("[1000]")), Err(ConfigError::ConnectNotAPeer { id: 1000 }));
        assert_eq!(Config::parse(&with("[0, 0]")), Err(ConfigError::ConnectTwice { id: 0 }));
        for bad in ["[\"relay\"]", "0", "[-1]"] {
            let e = Config::parse(&with(bad)).unwrap_err();
            assert!(matches!(e, ConfigError::Syntax { line: Some(9), .. }), "{bad}: {e}");
        }
        let line = ConfigError::ConnectNotAPeer { id: 7 }.to_string();
        assert!(!line.contains('\n') && line.contains("connect_at_start"), "{line}");
    }

    #[test]
    fn the_authority_connects_to_every_peer_at_start() {
        let peers = "peers = [{ id = 1, addr = \"127.0.0.1:4001\", bundle = \"a\", binding = \"b\" }, \
                     { id = 10, addr = \"127.0.0.1:4002\", bundle = \"c\", binding = \"d\" }]\n[authority]";
        let c = Config::parse(&AUTHORITY.replace("[authority]", peers)).unwrap();
        assert_eq!(c.startup_peers(), vec![1, 10]);
    }

    const AUTHORITY: &str = r#"
role = "authority"
id = 0
listen = "127.0.0.1:4000"
key = "keys/a.key"
kgc_public = "kgc.pub"
authority_bundle = "keys/a.bundle"
[authority]
rounds = 2
dimension = 64
contribution_deadline_ms = 2500
decryption_deadline_ms = 7500
aggregator = { id = 1, bundle = "agg.bundle" }
committee = [{ id = 10, bundle = "m0.bundle" }, { id = 11, bundle = "m1.bundle" }]
relays = [100]
roster = [{ id = 1000, bundle = "c0.bundle" }, { id = 1001, bundle = "c1.bundle" }, { id = 1002, bundle = "c2.bundle" }]
"#;

    #[test]
    fn authority_defaults_to_three_clients_and_announces_valid_params() {
        let c = Config::parse(AUTHORITY).unwrap();
        let a = c.authority.unwrap();
        assert_eq!(a.min_clients, DEFAULT_MIN_CLIENTS);
        assert_eq!(a.min_clients, 3);
        assert_eq!(a.round_params().check(), Ok(()));
        assert_eq!(a.round_params().min_clients, 3);
    }

    #[test]
    fn min_clients_below_two_is_refused_with_a_typed_one_line_error() {
        for m in [0u32, 1] {
            let text = AUTHORITY.replace("rounds = 2", &format!("rounds = 2\nmin_clients = {m}"));
            let e = Config::parse(&text).unwrap_err();
            assert_eq!(e, ConfigError::Params(ParamsError::MinClients { min_clients: m }));
            let line = e.to_string();
            assert!(!line.contains('\n') && line.contains("min_clients"), "{line}");
        }
        let two = AUTHORITY.replace("rounds = 2", "rounds = 2\nmin_clients = 2");
        assert_eq!(Config::parse(&two).unwrap().authority.unwrap().min_clients, 2);
        // Through a file: the error names the file, still on one line.
        let dir = std::env::temp_dir().join(format!("gradseal-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("authority.toml");
        std::fs::write(&path, AUTHORITY.replace("rounds = 2", "rounds = 2\nmin_clients = 1"))
            .unwrap();
        let e = Config::load(&path).unwrap_err();
        assert!(matches!(
            &e,
            Error::Config {
                reason: ConfigError::Params(ParamsError::MinClients { min_clients: 1 }),
                ..
            }
        ));
        let line = e.to_string();
        assert!(!line.contains('\n') && line.contains("authority.toml"), "{line}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn announcement_rules_are_checked_at_startup() {
        let roster_of_one = AUTHORITY.replace(
            ", { id = 1001, bundle = \"c1.bundle\" }, { id = 1002, bundle = \"c2.bundle\" }",
            "",
        );
        assert_eq!(
            Config::parse(&roster_of_one),
            Err(ConfigError::Params(ParamsError::Roster { roster: 1, min_clients: 3 }))
        );
        let one_member = AUTHORITY.replace(", { id = 11, bundle = \"m1.bundle\" }", "");
        assert!(matches!(
            Config::parse(&one_member),
            Err(ConfigError::PartySize { what: "committee", len: 1, min: 2, .. })
        ));
        let late =
            AUTHORITY.replace("decryption_deadline_ms = 7500", "decryption_deadline_ms = 2500");
        assert_eq!(Config::parse(&late), Err(ConfigError::Params(ParamsError::Deadlines)));
        let bits = AUTHORITY.replace("rounds = 2", "rounds = 2\nbits = 1");
        assert_eq!(Config::parse(&bits), Err(ConfigError::Params(ParamsError::Bits)));
        let none = AUTHORITY.replace("rounds = 2", "rounds = 0");
        assert_eq!(Config::parse(&none), Err(ConfigError::NoRounds));
    }

    #[test]
    fn load_names_the_file() {
        let e = Config::load(Path::new("/nonexistent/node.toml")).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/node.toml") && e.contains("unreadable"), "{e}");
    }
}
