//! The command-line surface of the node layer: argument structs (clap) and their entry
//! points, called by the `gradseal` binary.

use std::path::{Path, PathBuf};

use gradseal_clsc::{Identity, Kgc, NodeSecretSeed};
use gradseal_protocol::DEFAULT_MIN_CLIENTS;

use crate::cluster::{self, Plan};
use crate::config::{Config, RoleKind, Transport};
use crate::keyfile::{self, KeyFile, os_rng};
use crate::registry::Registry;
use crate::{Error, driver, inspect};

/// `gradseal node`: runs one role of a round over gradseal-net (QUIC or TCP).
#[derive(Debug, clap::Args)]
pub struct NodeArgs {
    /// Path of the node's TOML configuration (see spec/node.md).
    #[arg(long)]
    pub config: PathBuf,
    /// The role to run; if given, it must match the config's `role`.
    #[arg(long, value_enum)]
    pub role: Option<RoleKind>,
}

/// `gradseal cluster`: starts a whole local network as child processes and runs rounds.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// Number of clients.
    #[arg(long, default_value_t = 10)]
    pub clients: usize,
    /// Fewest accepted contributions the committee decrypts (at least 2).
    #[arg(long, default_value_t = DEFAULT_MIN_CLIENTS as usize)]
    pub min_clients: usize,
    /// Number of rounds.
    #[arg(long, default_value_t = 3)]
    pub rounds: u64,
    /// Clients killed (SIGKILL) between rounds 1 and 2 (before round 1 if it is the only
    /// one): they miss every later round.
    #[arg(long, default_value_t = 0)]
    pub kill_clients: usize,
    /// Relays killed at the same moment (with 6 relays, at most 2).
    #[arg(long, default_value_t = 0)]
    pub kill_relays: usize,
    /// Committee members killed at the same moment: the round they miss fails if fewer than
    /// a quorum is left (always with the default n-of-n committee); they are restarted once
    /// it has ended and the next round completes.
    #[arg(long, default_value_t = 0)]
    pub kill_members: usize,
    /// The transport: quic (default) or tcp (Noise + Yamux).
    #[arg(long, value_enum, default_value_t = Transport::Quic)]
    pub transport: Transport,
    /// Clients read each round's update from a file the launcher writes beforehand (.npy
    /// and raw little-endian f32, alternately) instead of generating it.
    #[arg(long)]
    pub update_files: bool,
    /// Coordinates per synthetic update.
    #[arg(long, default_value_t = 64)]
    pub dimension: u32,
    /// Committee size (at least 2).
    #[arg(long, default_value_t = 3)]
    pub committee: usize,
    /// Privacy threshold f of the committee (1 to committee − 1; default committee − 1,
    /// n-of-n): no f members learn anything, any ⌊(committee + f)/2⌋ + 1 decrypt.
    #[arg(long)]
    pub privacy_threshold: Option<u32>,
    /// Relays.
    #[arg(long, default_value_t = 6)]
    pub relays: usize,
    /// Contribution deadline per round, in milliseconds.
    #[arg(long, default_value_t = 2500)]
    pub contribution_ms: u64,
    /// Decryption deadline per round, in milliseconds (after the contribution deadline).
    #[arg(long, default_value_t = 7500)]
    pub decryption_ms: u64,
    /// Run directory: keys, configs, logs, reports and summary.json.
    #[arg(long, default_value = "gradseal-cluster-out")]
    pub dir: PathBuf,
}

/// What `gradseal keygen` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeygenKind {
    /// A KGC master secret (and, with `--public`, its public parameters).
    Kgc,
    /// A node secret to enrol (needs `--id`).
    Node,
}

/// `gradseal enrol` steps: each reads and writes files, so the node and the KGC can be on
/// different machines and only public data and the partial key cross between them.
#[derive(Debug, clap::Subcommand)]
pub enum EnrolStep {
    /// Node side: makes an enrolment request (public) from a node secret.
    Request {
        /// The node secret file (`keygen --kind node`).
        #[arg(long)]
        secret: PathBuf,
        /// The KGC public parameters file.
        #[arg(long)]
        kgc_public: PathBuf,
        /// Where to write the request.
        #[arg(long)]
        out: PathBuf,
    },
    /// KGC side: authorises an identity for enrolment (recorded in the registry file).
    Authorise {
        /// The registry file (created if absent).
        #[arg(long)]
        registry: PathBuf,
        /// The identity to authorise (1 to 64 bytes).
        #[arg(long)]
        id: String,
    },
    /// KGC side: checks a request, checks the registry (the identity must be authorised and
    /// not yet enrolled), records the issued bundle in the registry and only then writes the
    /// partial private key (secret: deliver it confidentially).
    Issue {
        /// The KGC secret file.
        #[arg(long)]
        kgc: PathBuf,
        /// The request file.
        #[arg(long)]
        request: PathBuf,
        /// The registry of authorised and enrolled identities.
        #[arg(long)]
        registry: PathBuf,
        /// Where to write the partial key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Node side: checks the partial key and writes the completed node key file.
    Complete {
        /// The node secret file.
        #[arg(long)]
        secret: PathBuf,
        /// The KGC public parameters file.
        #[arg(long)]
        kgc_public: PathBuf,
        /// The partial key file.
        #[arg(long)]
        partial: PathBuf,
        /// Where to write the node key file.
        #[arg(long)]
        out: PathBuf,
        /// Where to write the node's public bundle (optional).
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Where to write the node's peer binding (optional; see `enrol bind`).
        #[arg(long)]
        binding: Option<PathBuf>,
    },
    /// Node side: writes the node's peer binding (its libp2p PeerId, derived from its keys,
    /// signed with them), to publish beside its bundle.
    Bind {
        /// The node key file.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the binding.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `gradseal keygen`, `gradseal enrol`, `gradseal inspect`: key files and decoding.
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Creates a KGC master secret or a node secret.
    Keygen {
        /// What to create.
        #[arg(long, value_enum)]
        kind: KeygenKind,
        /// The node identity (kind node): 1 to 64 bytes.
        #[arg(long)]
        id: Option<String>,
        /// Where to write the secret (mode 0600).
        #[arg(long)]
        out: PathBuf,
        /// Kind kgc: also write the public parameters here.
        #[arg(long)]
        public: Option<PathBuf>,
    },
    /// Enrols a node with the KGC, one offline step at a time.
    Enrol {
        /// The step.
        #[command(subcommand)]
        step: EnrolStep,
    },
    /// Decodes any gradseal file or message and prints it readably.
    Inspect {
        /// The file to decode.
        file: PathBuf,
    },
}

/// Runs `gradseal node`.
///
/// # Errors
/// A one-line description of what went wrong.
pub fn run_node(args: &NodeArgs) -> Result<(), String> {
    let cfg = Config::load(&args.config).map_err(|e| e.to_string())?;
    if let Some(role) = args.role
        && role != cfg.role
    {
        return Err(format!(
            "--role {} but {} says role {}",
            role.name(),
            args.config.display(),
            cfg.role.name()
        ));
    }
    driver::run(cfg).map_err(|e| e.to_string())
}

/// Runs `gradseal cluster`: prints the summary as JSON on stdout.
///
/// # Errors
/// A one-line description of what went wrong.
pub fn run_cluster(args: &ClusterArgs) -> Result<(), String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the gradseal executable: {e}"))?;
    let plan = Plan {
        clients: args.clients,
        min_clients: args.min_clients,
        rounds: args.rounds,
        kill_clients: args.kill_clients,
        kill_relays: args.kill_relays,
        kill_members: args.kill_members,
        transport: args.transport,
        update_files: args.update_files,
        dimension: args.dimension,
        committee: args.committee,
        privacy_threshold: args.privacy_threshold,
        relays: args.relays,
        contribution_ms: args.contribution_ms,
        decryption_ms: args.decryption_ms,
        dir: args.dir.clone(),
        exe,
    };
    if args.clients == 0 || args.rounds == 0 || args.dimension == 0 {
        return Err("--clients, --rounds and --dimension must be at least 1".into());
    }
    if args.decryption_ms <= args.contribution_ms {
        return Err("--decryption-ms must exceed --contribution-ms".into());
    }
    let summary = cluster::run(&plan).map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    print_line(&text)
}

fn read_kind<T>(
    path: &Path,
    want: &str,
    pick: impl FnOnce(KeyFile) -> Option<T>,
) -> Result<T, Error> {
    let f = KeyFile::read(path)?;
    let kind = f.kind();
    pick(f).ok_or_else(|| {
        Error::KeyFile(format!("{}: is a {} file, expected {want}", path.display(), kind.name()))
    })
}

fn keygen(
    kind: KeygenKind,
    id: Option<&str>,
    out: &Path,
    public: Option<&Path>,
) -> Result<String, Error> {
    let mut rng = os_rng()?;
    match kind {
        KeygenKind::Kgc => {
            let kgc = Kgc::generate(&mut rng);
            if let Some(p) = public {
                KeyFile::KgcPublic(*kgc.public()).write(p)?;
            }
            KeyFile::KgcSecret(kgc).write(out)?;
            Ok(format!("wrote KGC secret {}", out.display()))
        }
        KeygenKind::Node => {
            let id = id.ok_or_else(|| Error::KeyFile("keygen --kind node needs --id".into()))?;
            let identity = Identity::new(id.as_bytes().to_vec())
                .map_err(|e| Error::Clsc { what: "identity".into(), source: e })?;
            KeyFile::NodeSecret(NodeSecretSeed::generate(identity, &mut rng)).write(out)?;
            Ok(format!("wrote node secret {}", out.display()))
        }
    }
}

fn enrol(step: &EnrolStep) -> Result<String, Error> {
    let mut rng = os_rng()?;
    let clsc = |what: &str| {
        let what = what.to_string();
        move |source| Error::Clsc { what, source }
    };
    match step {
        EnrolStep::Request { secret, kgc_public, out } => {
            let seed = read_kind(secret, "node secret", |f| match f {
                KeyFile::NodeSecret(s) => Some(s),
                _ => None,
            })?;
            let kgc = keyfile::read_kgc_public(kgc_public)?;
            let req = seed.secret().map_err(clsc("node secret"))?.request(&kgc, &mut rng);
            KeyFile::Request(req).write(out)?;
            Ok(format!("wrote enrolment request {}", out.display()))
        }
        EnrolStep::Authorise { registry, id } => {
            let identity = Identity::new(id.as_bytes().to_vec())
                .map_err(|e| Error::Clsc { what: "identity".into(), source: e })?;
            Registry::open(registry)?.authorise(&identity)?;
            Ok(format!("authorised {id:?} in {}", registry.display()))
        }
        EnrolStep::Bind { key, out } => {
            let keys = keyfile::read_node_keys(key)?;
            KeyFile::Binding(keyfile::binding_of(&keys, &mut rng)?).write(out)?;
            Ok(format!("wrote peer binding {}", out.display()))
        }
        EnrolStep::Issue { kgc, request, registry, out } => {
            let kgc = read_kind(kgc, "KGC secret", |f| match f {
                KeyFile::KgcSecret(k) => Some(k),
                _ => None,
            })?;
            let req = read_kind(request, "enrolment request", |f| match f {
                KeyFile::Request(r) => Some(r),
                _ => None,
            })?;
            let mut reg = Registry::open(registry)?;
            let partial = kgc.issue_authorised(&req, &mut reg, &mut rng).map_err(|e| match reg
                .failure()
            {
                Some(why) => Error::Io(format!("registry not updated, no key issued: {why}")),
                None => Error::Clsc { what: request.display().to_string(), source: e },
            })?;
            KeyFile::Partial(partial).write(out)?;
            Ok(format!("wrote partial key {}", out.display()))
        }
        EnrolStep::Complete { secret, kgc_public, partial, out, bundle, binding } => {
            let seed = read_kind(secret, "node secret", |f| match f {
                KeyFile::NodeSecret(s) => Some(s),
                _ => None,
            })?;
            let kgc = keyfile::read_kgc_public(kgc_public)?;
            let partial = read_kind(partial, "partial private key", |f| match f {
                KeyFile::Partial(p) => Some(p),
                _ => None,
            })?;
            let keys = seed
                .secret()
                .map_err(clsc("node secret"))?
                .complete(&kgc, &partial)
                .map_err(clsc("partial key"))?;
            if let Some(b) = bundle {
                KeyFile::Bundle(keys.bundle().clone()).write(b)?;
            }
            if let Some(b) = binding {
                KeyFile::Binding(keyfile::binding_of(&keys, &mut rng)?).write(b)?;
            }
            KeyFile::NodeKeys(keys).write(out)?;
            Ok(format!("wrote node keys {}", out.display()))
        }
    }
}

/// Runs a key subcommand; prints what it did (or, for inspect, the description).
///
/// # Errors
/// A one-line description of what went wrong.
pub fn run_key_command(cmd: &KeyCommand) -> Result<(), String> {
    let out = match cmd {
        KeyCommand::Keygen { kind, id, out, public } => {
            keygen(*kind, id.as_deref(), out, public.as_deref())
        }
        KeyCommand::Enrol { step } => enrol(step),
        KeyCommand::Inspect { file } => keyfile::read_bounded(file, inspect::MAX_INSPECT_LEN)
            .and_then(|b| inspect::describe(&b))
            .map_err(|e| Error::Io(format!("{}: {e}", file.display()))),
    }
    .map_err(|e| e.to_string())?;
    print_line(out.trim_end())
}

/// Writes one line to stdout (a closed stdout is an error, not a panic).
fn print_line(text: &str) -> Result<(), String> {
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{text}").map_err(|e| format!("cannot write to stdout: {e}"))
}
