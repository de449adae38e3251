//! The node's TOML configuration (`gradseal node --config FILE`).
//!
//! Relative paths in the file are resolved against the file's directory. Every error is
//! one line naming the file and the problem. Spec: `spec/node.md`, section "Configuration".

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;

/// The largest config file read.
pub const MAX_CONFIG_LEN: usize = 1 << 20;

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

/// One entry of the address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    /// Node id.
    pub id: u32,
    /// Where it listens.
    pub addr: SocketAddr,
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

/// Network timeouts, in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    /// One connection attempt.
    pub connect_ms: u64,
    /// How long to keep retrying to reach a peer that is not (yet) listening.
    pub connect_retry_ms: u64,
    /// Writing one frame.
    pub write_ms: u64,
    /// Reading the rest of a frame once its header arrived.
    pub read_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect_ms: 1000, connect_retry_ms: 5000, write_ms: 5000, read_ms: 10_000 }
    }
}

/// Client settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSection {
    /// Hex of the 32-byte seed of the synthetic updates ([`crate::synth::update`]).
    pub update_seed: String,
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
    /// Fewest accepted contributions the committee decrypts.
    #[serde(default = "one_u32")]
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
    /// Relay node ids.
    pub relays: Vec<u32>,
    /// The client roster, in order.
    pub roster: Vec<Party>,
}

fn one() -> u64 {
    1
}
fn one_u32() -> u32 {
    1
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
    /// The address book.
    #[serde(default)]
    pub peers: Vec<Peer>,
    /// Network timeouts.
    #[serde(default)]
    pub timeouts: Timeouts,
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
        let err = |reason: String| Error::Config { path: path.display().to_string(), reason };
        let bytes = crate::keyfile::read_bounded(path, MAX_CONFIG_LEN)
            .map_err(|e| err(format!("unreadable ({e})")))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| err("not UTF-8".into()))?;
        let mut cfg = Config::parse(text).map_err(err)?;
        let base = path.parent().unwrap_or(Path::new("."));
        cfg.resolve(base);
        Ok(cfg)
    }

    /// Parses and validates TOML text; the error is one line.
    ///
    /// # Errors
    /// A one-line description with the line number for syntax errors.
    pub fn parse(text: &str) -> Result<Config, String> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| {
                text.get(..s.start).map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count()) + 1
            });
            let msg = e.message().replace('\n', " ");
            match line {
                Some(l) => format!("line {l}: {}", msg.trim()),
                None => msg.trim().to_string(),
            }
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        match self.role {
            RoleKind::Client if self.client.is_none() => {
                return Err("role = \"client\" needs a [client] section".into());
            }
            RoleKind::Authority if self.authority.is_none() => {
                return Err("role = \"authority\" needs an [authority] section".into());
            }
            _ => {}
        }
        if let Some(c) = &self.client {
            parse_seed(&c.update_seed)?;
        }
        let mut ids: Vec<u32> = self.peers.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w.first() == w.get(1)) {
            return Err("a node id appears twice in peers".into());
        }
        if let Some(a) = &self.authority {
            if a.rounds == 0 {
                return Err("authority.rounds must be at least 1".into());
            }
            if a.decryption_deadline_ms <= a.contribution_deadline_ms {
                return Err(
                    "authority.decryption_deadline_ms must exceed the contribution deadline".into(),
                );
            }
            if a.committee.is_empty() || a.roster.is_empty() || a.relays.is_empty() {
                return Err("authority needs a committee, relays and a roster".into());
            }
        }
        Ok(())
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

    /// The client's update seed.
    ///
    /// # Errors
    /// If there is no valid `[client]` section.
    pub fn update_seed(&self) -> Result<[u8; 32], String> {
        let c = self.client.as_ref().ok_or("no [client] section")?;
        parse_seed(&c.update_seed)
    }
}

fn parse_seed(s: &str) -> Result<[u8; 32], String> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out)
        .map_err(|_| "client.update_seed must be 64 hex digits".to_string())?;
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
peers = [{ id = 0, addr = "127.0.0.1:4001" }]
[client]
update_seed = "0101010101010101010101010101010101010101010101010101010101010101"
"#;

    #[test]
    fn parses_and_resolves() {
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.role, RoleKind::Client);
        assert_eq!(c.update_seed().unwrap(), [1; 32]);
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
            (format!("{GOOD}\n[[["), "line"),
            (GOOD.replace("[client]\nupdate_seed", "[x]\nupdate_seed"), "x"),
        ];
        for (text, needle) in cases {
            let e = Config::parse(&text).unwrap_err();
            assert!(!e.contains('\n') && e.contains(needle), "{needle}: {e}");
        }
        let e = Config::parse(&GOOD.replace("[client]\n", "[authority]\n")).unwrap_err();
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn load_names_the_file() {
        let e = Config::load(Path::new("/nonexistent/node.toml")).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/node.toml") && e.contains("unreadable"), "{e}");
    }
}
