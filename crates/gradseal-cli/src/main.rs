//! `gradseal`: the command-line entry point. `demo` trains a real model across simulated edge
//! nodes with every update encrypted; `node`, `cluster`, `keygen`, `enrol` and `inspect` come
//! from `gradseal-node`.

#![forbid(unsafe_code)]

mod demo;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Encrypted, verifiable federated learning between untrusted nodes.
#[derive(Debug, Parser)]
#[command(name = "gradseal", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Federated training of a real model, every round through the full protocol, beside
    /// plaintext FedAvg with the same seed.
    Demo(demo::DemoArgs),
    /// Runs one role of a round over TCP on 127.0.0.1.
    Node(gradseal_node::cli::NodeArgs),
    /// Starts a whole local network as child processes and runs rounds.
    Cluster(gradseal_node::cli::ClusterArgs),
    #[command(flatten)]
    Keys(gradseal_node::cli::KeyCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go out as clap renders them; a bad flag is one line.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.to_string();
            let line = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("gradseal: {}", line.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    let outcome = match &cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Node(args) => gradseal_node::cli::run_node(args),
        Command::Cluster(args) => gradseal_node::cli::run_cluster(args),
        Command::Keys(cmd) => gradseal_node::cli::run_key_command(cmd),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gradseal: {e}");
            ExitCode::FAILURE
        }
    }
}
