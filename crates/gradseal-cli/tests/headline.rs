//! The headline round over the network: 100 clients × 10^5 parameters, every role its own
//! process on 127.0.0.1 over gradseal-net (QUIC), against the in-memory batched driver
//! (`gradseal_protocol::sim`, `Sim::run_parallel` on 2 threads) on the same round shape in
//! the same run; and 10 clients × 10^5 to show how the aggregator's memory grows with the
//! number of clients. Prints a markdown table (the README's).
//!
//! ```sh
//! cargo test --release -p gradseal-cli --test headline -- --ignored --nocapture
//! ```
//! Environment: `GRADSEAL_HEADLINE_CONTRIBUTION_MS` (default 6000) and
//! `GRADSEAL_HEADLINE_TRANSPORT` (`quic` or `tcp`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use chacha20::ChaCha20Rng;
use gradseal_clsc::Kgc;
use gradseal_node::keyfile::enrol_locally;
use gradseal_protocol::sim::{self, RoundPlan};
use gradseal_protocol::{GradsealSuite, GradsealSystem, RoundId, ShardLayout};
use rand_core::SeedableRng;
use serde_json::Value;

const DIMENSION: u32 = 100_000;

fn cluster(clients: usize, contribution_ms: u64, transport: &str) -> Value {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("headline-{clients}"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_gradseal"))
        .args(["cluster", "--clients", &clients.to_string(), "--rounds", "2"])
        .args(["--dimension", &DIMENSION.to_string(), "--transport", transport])
        .args(["--contribution-ms", &contribution_ms.to_string()])
        .args(["--decryption-ms", &(contribution_ms + 20_000).to_string()])
        .arg("--dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cluster failed: {}\nlogs in {}",
        String::from_utf8_lossy(&out.stderr),
        dir.display()
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["sum_matches_plaintext"], true, "{summary}");
    for r in summary["per_round"].as_array().unwrap() {
        assert_eq!(r["accepted"].as_u64().unwrap(), clients as u64, "{summary}");
    }
    summary
}

/// The same round in memory: wall time of `Sim::run_parallel` on 2 threads (keys and
/// updates made beforehand, not timed).
fn in_memory(clients: usize) -> f64 {
    let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed([1; 32]));
    let key = |label: &str, i: usize| {
        let seed = gradseal_core::hash(
            "gradseal/v1/node/test/headline-key",
            &[label.as_bytes(), &(i as u64).to_be_bytes()],
        );
        enrol_locally(&kgc, &format!("{label}-{i}"), &mut ChaCha20Rng::from_seed(seed)).unwrap()
    };
    let plan = RoundPlan {
        round: RoundId(1),
        clients,
        members: 3,
        privacy_threshold: 2,
        relays: 6,
        layout: ShardLayout { data: 4, parity: 2 },
        dimension: DIMENSION,
        bits: 16,
        min_clients: 3,
    };
    let updates = (0..clients)
        .map(|i| {
            let seed = [u8::try_from(i % 256).unwrap(); 32];
            gradseal_node::synth::update(&seed, RoundId(1), DIMENSION, 16)
        })
        .collect();
    let sys = GradsealSystem { kgc: *kgc.public() };
    let seed = |l: &str, i: usize| {
        gradseal_core::hash(
            "gradseal/v1/node/test/headline-seed",
            &[l.as_bytes(), &(i as u64).to_be_bytes()],
        )
    };
    let mut s = sim::build::<GradsealSuite>(&plan, &sys, key, seed, updates).unwrap();
    let t = Instant::now();
    assert!(s.run_parallel(10_000_000, 2));
    let secs = t.elapsed().as_secs_f64();
    // The round really ran: the observer audited every contribution.
    let audited = s.events_of(sim::OBSERVER).find_map(|e| match e {
        gradseal_protocol::Event::AuditPassed { count } => Some(*count),
        _ => None,
    });
    assert_eq!(audited.map(|c| c as usize), Some(clients));
    secs
}

fn report(dir: &std::path::Path, name: &str) -> Vec<Value> {
    std::fs::read_to_string(dir.join("reports").join(format!("{name}.jsonl")))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Per round, milliseconds from the announcement to: the last contribution accepted, the
/// transcript published (the contribution deadline), the aggregator's result, the audit, the
/// last client holding the result.
fn phases(clients: usize) -> Vec<[u64; 5]> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("headline-{clients}"));
    let (auth, agg) = (report(&dir, "authority"), report(&dir, "aggregator"));
    let at = |lines: &[Value], round: u64, event: &str| -> Vec<u64> {
        lines
            .iter()
            .filter(|l| l["round"] == round && l["event"] == event)
            .filter_map(|l| l["unix_ms"].as_u64())
            .collect()
    };
    (1..=2u64)
        .map(|r| {
            let a = at(&auth, r, "announced")[0];
            let last = at(&agg, r, "accepted").into_iter().max().unwrap_or(a);
            let t = at(&agg, r, "transcript").first().copied().unwrap_or(a);
            let done = at(&agg, r, "completed").first().copied().unwrap_or(a);
            let audit = at(&auth, r, "audit_passed").first().copied().unwrap_or(a);
            let client_done = (0..clients)
                .filter_map(|i| {
                    at(&report(&dir, &format!("client-{i}")), r, "completed").first().copied()
                })
                .max()
                .unwrap_or(a);
            [last - a, t - a, done - a, audit - a, client_done - a]
        })
        .collect()
}

fn mb(v: &Value) -> String {
    format!("{:.1}", v.as_f64().unwrap_or(0.0) / 1e6)
}

#[test]
#[ignore = "about 2 minutes: 111 processes, 100 clients x 10^5 parameters"]
fn hundred_clients_times_ten_to_the_five_over_loopback() {
    let contribution_ms = std::env::var("GRADSEAL_HEADLINE_CONTRIBUTION_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6000);
    let transport = std::env::var("GRADSEAL_HEADLINE_TRANSPORT").unwrap_or("quic".into());
    let memory = in_memory(100);
    let small = cluster(10, contribution_ms, &transport);
    let big = cluster(100, contribution_ms, &transport);
    let net = big["seconds_per_round"].as_f64().unwrap();
    println!("\n100 clients x 10^5, {transport}, contribution deadline {contribution_ms} ms");
    println!("in-memory batched driver (2 threads): {memory:.2} s per round");
    println!(
        "over loopback: {net:.2} s per round (announcement to audit), rounds {:?}; ratio {:.2}x",
        big["per_round"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["seconds"].clone())
            .collect::<Vec<_>>(),
        net / memory
    );
    for (i, [last, t, done, audit, clients_done]) in phases(100).iter().enumerate() {
        println!(
            "round {}: last contribution accepted {last} ms, transcript (deadline) {t} ms, \
             aggregator's result {done} ms, audit {audit} ms, last client's result \
             {clients_done} ms; busy (round minus the wait for the deadline) {} ms",
            i + 1,
            audit - (t - last)
        );
    }
    println!(
        "\n| role | sent per process (MB, 2 rounds) | received per process (MB, 2 rounds) | CPU s per process (all processes), start-up and 2 rounds | peak RSS, 100 clients (MiB) | peak RSS, 10 clients (MiB) |"
    );
    println!("|---|---|---|---|---|---|");
    for role in ["authority", "aggregator", "committee", "relay", "client"] {
        let b = &big["net_bytes_per_role"][role];
        let cpu = &big["cpu_seconds_per_role"][role];
        let rss = |s: &Value| s["peak_rss_kib_per_role"][role].as_f64().unwrap_or(0.0) / 1024.0;
        println!(
            "| {role} | {} | {} | {:.2} ({:.1}) | {:.0} | {:.0} |",
            mb(&b["sent"]),
            mb(&b["received"]),
            cpu["per_process"].as_f64().unwrap_or(0.0),
            cpu["total"].as_f64().unwrap_or(0.0),
            rss(&big),
            rss(&small)
        );
    }
    println!("\n{}", serde_json::to_string_pretty(&big).unwrap());
    assert!(net > 0.0 && memory > 0.0);
}
