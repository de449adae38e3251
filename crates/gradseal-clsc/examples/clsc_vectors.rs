//! Writes, checks or turns into fuzz seeds the test vectors of `spec/vectors/clsc.json`.
//!
//! ```text
//! cargo run -p gradseal-clsc --features vectors --example clsc_vectors -- --write
//! cargo run -p gradseal-clsc --features vectors --example clsc_vectors -- --check
//! cargo run -p gradseal-clsc --features vectors --example clsc_vectors -- --corpus fuzz/corpus
//! ```
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn vectors_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors/clsc.json")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let generated = gradseal_clsc::vectors::generate();
    let path = vectors_path();
    match args.first().map(String::as_str) {
        Some("--write") => match std::fs::write(&path, &generated) {
            Ok(()) => {
                println!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        Some("--check") => match std::fs::read_to_string(&path) {
            Ok(committed) if committed == generated => {
                println!("{} matches the generator", path.display());
                ExitCode::SUCCESS
            }
            Ok(_) => {
                eprintln!(
                    "{} differs from what the code generates; rerun with --write",
                    path.display()
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("cannot read {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        Some("--corpus") => {
            let Some(dir) = args.get(1) else {
                eprintln!("usage: --corpus DIR");
                return ExitCode::FAILURE;
            };
            for (target, name, bytes) in gradseal_clsc::vectors::corpus() {
                let target_dir = Path::new(dir).join(target);
                let file = target_dir.join(name);
                if let Err(e) =
                    std::fs::create_dir_all(&target_dir).and_then(|()| std::fs::write(&file, bytes))
                {
                    eprintln!("cannot write {}: {e}", file.display());
                    return ExitCode::FAILURE;
                }
            }
            println!("wrote the clsc seed corpora under {dir}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: clsc_vectors --write | --check | --corpus DIR");
            ExitCode::FAILURE
        }
    }
}
