//! `gradseal demo`: federated training across simulated edge nodes.

/// Arguments of `gradseal demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Number of clients.
    #[arg(long, default_value_t = 20)]
    pub(crate) clients: usize,
    /// Number of rounds.
    #[arg(long, default_value_t = 10)]
    pub(crate) rounds: usize,
}

/// Runs the demo.
pub(crate) fn run(args: &DemoArgs) -> Result<(), String> {
    Err(format!("gradseal demo is not implemented yet ({} clients)", args.clients))
}
