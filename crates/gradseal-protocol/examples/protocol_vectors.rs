//! Writes or checks `spec/vectors/protocol.json`, and writes fuzz seeds derived from it.
//!
//! ```text
//! cargo run -p gradseal-protocol --features vectors --example protocol_vectors -- --write
//! cargo run -p gradseal-protocol --features vectors --example protocol_vectors -- --check
//! cargo run -p gradseal-protocol --features vectors --example protocol_vectors -- --corpus fuzz/corpus
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::ExitCode;

fn vector_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors/protocol.json")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--write") => {
            std::fs::write(vector_path(), gradseal_protocol::vectors::generate())
                .expect("write vectors");
            println!("wrote {}", vector_path().display());
            ExitCode::SUCCESS
        }
        Some("--check") => {
            let committed = std::fs::read_to_string(vector_path()).unwrap_or_default();
            if committed == gradseal_protocol::vectors::generate() {
                println!("spec/vectors/protocol.json matches the code");
                ExitCode::SUCCESS
            } else {
                println!(
                    "spec/vectors/protocol.json differs from what the code generates; run with --write"
                );
                ExitCode::FAILURE
            }
        }
        Some("--corpus") => {
            let dir = PathBuf::from(args.get(1).map_or("fuzz/corpus", String::as_str));
            for (target, name, bytes) in gradseal_protocol::vectors::corpus() {
                let d = dir.join(target);
                std::fs::create_dir_all(&d).expect("create corpus directory");
                std::fs::write(d.join(name), bytes).expect("write seed");
            }
            println!("wrote seeds under {}", dir.display());
            ExitCode::SUCCESS
        }
        _ => {
            println!("usage: protocol_vectors --write | --check | --corpus DIR");
            ExitCode::FAILURE
        }
    }
}
