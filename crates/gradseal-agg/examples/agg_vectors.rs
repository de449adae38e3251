//! Test-vector generator for `spec/vectors/agg.json`.
//!
//! `--write` writes the file, `--check` exits non-zero if it differs from what the code
//! generates, `--corpus DIR` writes fuzz seeds into `DIR/<target>/`.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

fn vectors_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors/agg.json")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--write") => {
            let path = vectors_path();
            if let Err(e) = std::fs::write(&path, gradseal_agg::vectors::generate()) {
                eprintln!("cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Some("--check") => {
            let committed = std::fs::read_to_string(vectors_path()).unwrap_or_default();
            if committed == gradseal_agg::vectors::generate() {
                println!("spec/vectors/agg.json is up to date");
                ExitCode::SUCCESS
            } else {
                eprintln!("spec/vectors/agg.json differs from the generator (run with --write)");
                ExitCode::FAILURE
            }
        }
        Some("--corpus") => {
            let Some(dir) = args.get(1) else {
                eprintln!("usage: agg_vectors --corpus DIR");
                return ExitCode::FAILURE;
            };
            for (target, name, bytes) in gradseal_agg::vectors::corpus() {
                let d = PathBuf::from(dir).join(target);
                if let Err(e) =
                    std::fs::create_dir_all(&d).and_then(|()| std::fs::write(d.join(&name), bytes))
                {
                    eprintln!("cannot write {target}/{name}: {e}");
                    return ExitCode::FAILURE;
                }
            }
            println!("wrote fuzz seeds under {dir}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: agg_vectors --write | --check | --corpus DIR");
            ExitCode::FAILURE
        }
    }
}
