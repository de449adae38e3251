//! `gradseal demo` end to end: a small run writes a complete summary.json and a PNG with
//! encrypted and plaintext accuracy within one percentage point; faults are reported; bad
//! flags fail with one line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn demo(out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradseal"))
        .arg("demo")
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("the binary runs")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn summary(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn small_run_writes_summary_and_plot() {
    let dir = out_dir("small");
    let o = demo(&dir, &["--clients", "6", "--rounds", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("enc acc"), "{stdout}");
    let s = summary(&dir);
    for field in [
        "rounds",
        "clients",
        "accuracy_encrypted",
        "accuracy_plaintext",
        "bytes_per_client_per_round",
        "seconds_per_round",
        "dropped_clients",
        "rejected_contributions",
        "accuracy_encrypted_per_round",
        "accuracy_plaintext_per_round",
        "per_round",
    ] {
        assert!(s.get(field).is_some(), "summary.json lacks {field}");
    }
    assert_eq!(s["rounds"], 2);
    assert_eq!(s["clients"], 6);
    assert_eq!(s["per_round"].as_array().unwrap().len(), 2);
    assert_eq!(s["accuracy_encrypted_per_round"].as_array().unwrap().len(), 3);
    let (e, p) =
        (s["accuracy_encrypted"].as_f64().unwrap(), s["accuracy_plaintext"].as_f64().unwrap());
    assert!((e - p).abs() <= 0.01, "encrypted {e} vs plaintext {p}");
    assert!(p > 0.3, "plaintext accuracy {p}");
    assert!(s["bytes_per_client_per_round"].as_f64().unwrap() > 10_000.0);
    assert_eq!(s["rejected_contributions"], 0);
    for r in s["per_round"].as_array().unwrap() {
        assert_eq!(r["completed"], true);
        assert_eq!(r["audit_passed"], true);
        assert_eq!(r["accepted"], 6);
    }
    let png = std::fs::read(dir.join("accuracy.png")).unwrap();
    assert!(png.len() > 5_000);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn faults_are_survived_and_reported() {
    let dir = out_dir("faults");
    let o = demo(
        &dir,
        &[
            "--clients",
            "8",
            "--rounds",
            "2",
            "--drop-clients",
            "0.2",
            "--corrupt-shards",
            "0.1",
            "--malicious-clients",
            "2",
            "--seed",
            "5",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(&dir);
    let rows = s["per_round"].as_array().unwrap();
    // The replayer (client 7) is honest in its first online round and replays afterwards:
    // every replay is rejected as WrongRound. The biased client (6) is accepted whenever it
    // is online (scheme v2 does not verify inputs) and named in the report.
    let replays: u64 = rows
        .iter()
        .map(|r| r["rejected_reasons"].get("WrongRound").and_then(Value::as_u64).unwrap_or(0))
        .sum();
    assert_eq!(replays, s["rejected_contributions"].as_u64().unwrap());
    let biased: Vec<&Value> =
        rows.iter().flat_map(|r| r["malicious_accepted"].as_array().unwrap()).collect();
    assert!(biased.iter().all(|c| c.as_u64() == Some(6)), "{rows:?}");
    let blamed: usize = rows.iter().map(|r| r["blamed_relays"].as_object().unwrap().len()).sum();
    assert!(blamed > 0, "corrupting relays are named: {rows:?}");
}

#[test]
fn bad_flags_fail_with_one_line() {
    let dir = out_dir("bad");
    for args in [
        &["--drop-clients", "1.5"][..],
        &["--corrupt-shards", "-0.1"],
        &["--clients", "2"],
        &["--rounds", "0"],
        &["--clients", "5", "--malicious-clients", "3"],
        &["--min-clients", "0"],
        &["--min-clients", "1"],
        &["--proofs"],
        &["--clients", "many"],
    ] {
        let o = demo(&dir, args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.trim().is_empty(), "{args:?}: no message");
    }
    // Our own validation errors are exactly one line.
    let o = demo(&dir, &["--drop-clients", "2"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("--drop-clients"), "{err}");
    let o = demo(&dir, &["--min-clients", "1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("--min-clients must be at least 2"), "{err}");
}

/// One biased client (scheme v2 does not verify inputs) is accepted in every round and
/// its shift lands in the sum: the encrypted model falls far behind the plaintext one, and
/// the report names the client.
#[test]
fn a_biased_client_is_summed_and_named() {
    let dir = out_dir("biased");
    let o = demo(&dir, &["--clients", "6", "--rounds", "2", "--malicious-clients", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("altered contributions were accepted and summed"), "{stdout}");
    let s = summary(&dir);
    for r in s["per_round"].as_array().unwrap() {
        assert_eq!(r["accepted"], 6);
        assert_eq!(r["completed"], true);
        assert_eq!(r["malicious_accepted"], serde_json::json!([5]));
    }
    let (e, p) =
        (s["accuracy_encrypted"].as_f64().unwrap(), s["accuracy_plaintext"].as_f64().unwrap());
    assert!(p - e > 0.1, "encrypted {e} vs plaintext {p}: the bias should show");
}
