//! The command-line surface of the node layer: argument structs (clap) and their entry
//! points, called by the `gradseal` binary.

use std::path::PathBuf;

/// `gradseal node`: runs one role of a round over TCP.
#[derive(Debug, clap::Args)]
pub struct NodeArgs {
    /// Path of the node's TOML configuration.
    #[arg(long)]
    pub config: PathBuf,
}

/// `gradseal cluster`: starts a whole local network as child processes and runs rounds.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// Number of clients.
    #[arg(long, default_value_t = 10)]
    pub clients: usize,
    /// Number of rounds.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
}

/// `gradseal keygen`, `gradseal enrol`, `gradseal inspect`: key files and decoding.
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
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
    Err(format!("gradseal node is not implemented yet ({})", args.config.display()))
}

/// Runs `gradseal cluster`.
///
/// # Errors
/// A one-line description of what went wrong.
pub fn run_cluster(args: &ClusterArgs) -> Result<(), String> {
    Err(format!("gradseal cluster is not implemented yet ({} clients)", args.clients))
}

/// Runs a key subcommand.
///
/// # Errors
/// A one-line description of what went wrong.
pub fn run_key_command(cmd: &KeyCommand) -> Result<(), String> {
    Err(format!("not implemented yet: {cmd:?}"))
}
