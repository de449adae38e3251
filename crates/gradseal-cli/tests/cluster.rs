//! `gradseal cluster`, `node`, `keygen`, `enrol` and `inspect` end to end, with real
//! processes and sockets on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn gradseal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradseal")).args(args).output().expect("the binary runs")
}

fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The stderr of a failed command: exactly one line, starting with `gradseal:`.
fn one_line_error(out: &Output) -> String {
    assert!(!out.status.success(), "expected failure, got {:?}", out.status);
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(err.starts_with("gradseal: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

/// Processes whose command line mentions `needle` (Linux /proc).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().chars().all(|c| c.is_ascii_digit()))
        .filter_map(|e| {
            let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
            let status = std::fs::read_to_string(e.path().join("status")).ok()?;
            let state = status.lines().find(|l| l.starts_with("State:"))?.to_string();
            Some(format!("{state} {}", String::from_utf8_lossy(&cmd).replace('\0', " ")))
        })
        .filter(|c| c.contains(needle) && c.contains(" node "))
        .collect()
}

#[test]
fn cluster_of_10_clients_3_rounds_survives_a_killed_client_and_relay() {
    let d = dir("cluster-10-3");
    let start = Instant::now();
    let out = gradseal(&[
        "cluster",
        "--clients",
        "10",
        "--rounds",
        "3",
        "--kill-clients",
        "1",
        "--kill-relays",
        "1",
        "--dir",
        s(&d),
    ]);
    assert!(
        out.status.success(),
        "cluster failed: {}\nlogs in {}",
        String::from_utf8_lossy(&out.stderr),
        d.display()
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap();
    assert_eq!(printed, summary);
    assert_eq!(summary["sum_matches_plaintext"], true);
    assert_eq!(summary["rounds"], 3);
    assert_eq!(summary["clients"], 10);
    assert_eq!(summary["dropped_clients"], 1);
    assert_eq!(summary["dropped_relays"], 1);
    assert_eq!(summary["rejected_contributions"], 0);
    // A contribution carries the n = 4096-word public correction (32 KiB) besides its bodies.
    assert!(summary["bytes_per_client_per_round"].as_f64().unwrap() > 32_768.0);
    assert!(summary["seconds_per_round"].as_f64().unwrap() > 0.0);
    let rounds = summary["per_round"].as_array().unwrap();
    assert_eq!(rounds.len(), 3);
    // The client and the relay die between rounds 1 and 2: rounds 2 and 3 go on without
    // them (every contribution still has 5 of 6 shards).
    assert_eq!(rounds[0]["accepted"], 10);
    assert_eq!(rounds[1]["accepted"], 9, "{summary}");
    assert_eq!(rounds[2]["accepted"], 9, "{summary}");
    // No orphans: every child was killed by the launcher (a process still being torn down
    // gets a moment; an orphan would run on forever).
    let t0 = Instant::now();
    while !processes_mentioning(s(&d)).is_empty() && t0.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(processes_mentioning(s(&d)).is_empty(), "{:?}", processes_mentioning(s(&d)));
    assert!(start.elapsed() < Duration::from_secs(60));
}

/// Makes a KGC and one enrolled node through the key commands; returns (kgc.pub, node.key,
/// node.bundle).
fn enrol(d: &Path, id: &str) -> (PathBuf, PathBuf, PathBuf) {
    let p = |n: &str| d.join(n);
    let ok = |args: &[&str]| {
        let out = gradseal(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    ok(&["keygen", "--kind", "kgc", "--out", s(&p("kgc.key")), "--public", s(&p("kgc.pub"))]);
    ok(&["keygen", "--kind", "node", "--id", id, "--out", s(&p("node.secret"))]);
    ok(&[
        "enrol",
        "request",
        "--secret",
        s(&p("node.secret")),
        "--kgc-public",
        s(&p("kgc.pub")),
        "--out",
        s(&p("node.req")),
    ]);
    ok(&[
        "enrol",
        "issue",
        "--kgc",
        s(&p("kgc.key")),
        "--request",
        s(&p("node.req")),
        "--out",
        s(&p("node.partial")),
    ]);
    ok(&[
        "enrol",
        "complete",
        "--secret",
        s(&p("node.secret")),
        "--kgc-public",
        s(&p("kgc.pub")),
        "--partial",
        s(&p("node.partial")),
        "--out",
        s(&p("node.key")),
        "--bundle",
        s(&p("node.bundle")),
    ]);
    (p("kgc.pub"), p("node.key"), p("node.bundle"))
}

fn relay_config(d: &Path, port: u16) -> PathBuf {
    let text = format!(
        "role = \"relay\"\nid = 100\nlisten = \"127.0.0.1:{port}\"\nkey = \"node.key\"\n\
         kgc_public = \"kgc.pub\"\nauthority_bundle = \"node.bundle\"\n\
         peers = [{{ id = 1, addr = \"127.0.0.1:9\" }}]\n"
    );
    let p = d.join("relay.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn key_tools_round_trip_and_inspect() {
    let d = dir("key-tools");
    let (kgc_pub, key, bundle) = enrol(&d, "relay-0");
    for (file, needle) in [
        (d.join("kgc.key"), "KGC secret"),
        (kgc_pub, "KGC public"),
        (d.join("node.secret"), "node secret"),
        (d.join("node.req"), "enrolment request"),
        (d.join("node.partial"), "partial private key"),
        (key.clone(), "node keys"),
        (bundle, "public key bundle"),
    ] {
        let out = gradseal(&["inspect", s(&file)]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success() && text.contains(needle), "{needle}: {text}");
    }
    let text = String::from_utf8(gradseal(&["inspect", s(&key)]).stdout).unwrap();
    assert!(text.contains("\"relay-0\"") && text.contains("secret key: (not shown)"), "{text}");

    // Garbage, a missing file, a corrupted key file: one line, non-zero.
    std::fs::write(d.join("garbage"), b"certainly not gradseal").unwrap();
    assert!(
        one_line_error(&gradseal(&["inspect", s(&d.join("garbage"))])).contains("not a gradseal")
    );
    one_line_error(&gradseal(&["inspect", s(&d.join("missing"))]));
    let mut bytes = std::fs::read(&key).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(d.join("corrupt.key"), &bytes).unwrap();
    assert!(
        one_line_error(&gradseal(&["inspect", s(&d.join("corrupt.key"))])).contains("node keys")
    );
    // A key of the wrong kind for the step.
    let e = one_line_error(&gradseal(&[
        "enrol",
        "issue",
        "--kgc",
        s(&d.join("kgc.pub")),
        "--request",
        s(&d.join("node.req")),
        "--out",
        s(&d.join("x")),
    ]));
    assert!(e.contains("expected KGC secret"), "{e}");
}

#[test]
fn node_errors_are_one_line() {
    let d = dir("node-errors");
    enrol(&d, "relay-0");
    // A port in use.
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let cfg = relay_config(&d, port);
    let e = one_line_error(&gradseal(&["node", "--config", s(&cfg)]));
    assert!(e.contains("cannot listen on") && e.contains(&port.to_string()), "{e}");
    drop(held);
    // A role that contradicts the config.
    let e = one_line_error(&gradseal(&["node", "--config", s(&cfg), "--role", "client"]));
    assert!(e.contains("--role client") && e.contains("role relay"), "{e}");
    // Bad TOML.
    std::fs::write(d.join("bad.toml"), "role = \"relay\"\nid = \"one\"\n").unwrap();
    let e = one_line_error(&gradseal(&["node", "--config", s(&d.join("bad.toml"))]));
    assert!(e.contains("bad.toml") && e.contains("line 2"), "{e}");
    // A corrupt key file.
    let mut key = std::fs::read(d.join("node.key")).unwrap();
    key.truncate(key.len() - 3);
    std::fs::write(d.join("node.key"), key).unwrap();
    let e = one_line_error(&gradseal(&["node", "--config", s(&cfg)]));
    assert!(e.contains("node.key"), "{e}");
    // Bad flags.
    assert!(!gradseal(&["cluster", "--clients", "many"]).status.success());
    one_line_error(&gradseal(&[
        "cluster",
        "--clients",
        "2",
        "--kill-clients",
        "2",
        "--dir",
        s(&d.join("c")),
    ]));
    let e = one_line_error(&gradseal(&["cluster", "--min-clients", "1", "--dir", s(&d.join("c"))]));
    assert!(e.contains("--min-clients must be at least 2"), "{e}");
    let e = one_line_error(&gradseal(&["cluster", "--committee", "1", "--dir", s(&d.join("c"))]));
    assert!(e.contains("committee of at least 2"), "{e}");
    // An authority config below min_clients 2 is refused at startup, typed and on one line.
    let text = "role = \"authority\"\nid = 0\nlisten = \"127.0.0.1:9\"\nkey = \"node.key\"\n\
         kgc_public = \"kgc.pub\"\nauthority_bundle = \"node.bundle\"\n[authority]\n\
         rounds = 1\ndimension = 8\nmin_clients = 1\ncontribution_deadline_ms = 100\n\
         decryption_deadline_ms = 200\naggregator = { id = 1, bundle = \"node.bundle\" }\n\
         committee = [{ id = 10, bundle = \"a\" }, { id = 11, bundle = \"b\" }]\n\
         relays = [100]\nroster = [{ id = 1000, bundle = \"c\" }, { id = 1001, bundle = \"d\" }]\n";
    std::fs::write(d.join("authority.toml"), text).unwrap();
    let e = one_line_error(&gradseal(&["node", "--config", s(&d.join("authority.toml"))]));
    assert!(e.contains("authority.toml") && e.contains("min_clients 1 outside [2, 4096]"), "{e}");
}

#[test]
fn a_peer_sending_garbage_is_dropped_and_the_node_goes_on() {
    let d = dir("garbage-peer");
    enrol(&d, "relay-0");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = relay_config(&d, port);
    let log = std::fs::File::create(d.join("relay.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradseal"))
        .args(["node", "--config", s(&cfg)])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let connect = || {
        let t0 = Instant::now();
        loop {
            if let Ok(c) = TcpStream::connect(("127.0.0.1", port)) {
                return c;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "node did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // An oversized length: the node closes the connection without reading 4 GiB.
    let mut c = connect();
    c.write_all(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 7]).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(c.read(&mut buf).unwrap_or(0), 0, "connection closed");
    // A well-framed message that is garbage, then a disconnect inside a frame.
    let mut c = connect();
    let frame =
        gradseal_node::frame::Frame::encode(gradseal_protocol::NodeId(5), b"\x03garbage!").unwrap();
    c.write_all(&frame).unwrap();
    c.write_all(&[0, 0, 0, 100, 0, 0, 0, 5, 1, 2]).unwrap();
    drop(c);
    // The node is still up and accepts new peers.
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "node exited");
    drop(connect());
    child.kill().unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(d.join("relay.log")).unwrap();
    assert!(log.contains("sent garbage"), "{log}");
    assert!(log.contains("disconnected inside a frame"), "{log}");
}
