//! `gradseal cluster`, `node`, `keygen`, `enrol` and `inspect` end to end, with real
//! processes on 127.0.0.1 talking gradseal-net (QUIC, or TCP + Noise + Yamux).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
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

fn run_cluster(d: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["cluster", "--dir", s(d)];
    args.extend_from_slice(extra);
    let out = gradseal(&args);
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
    // No orphans: every child was killed by the launcher (a process still being torn down
    // gets a moment; an orphan would run on forever).
    let t0 = Instant::now();
    while !processes_mentioning(s(d)).is_empty() && t0.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(processes_mentioning(s(d)).is_empty(), "{:?}", processes_mentioning(s(d)));
    summary
}

/// A t-of-n committee (5 members, privacy threshold 2, quorum 4) over the network: one
/// member killed before round 2 costs nothing, every round completes with the right sum.
#[test]
fn cluster_with_a_5_member_t_of_n_committee_completes_every_round_with_a_member_killed() {
    let d = dir("cluster-tofn");
    let summary = run_cluster(
        &d,
        &[
            "--clients",
            "6",
            "--rounds",
            "3",
            "--committee",
            "5",
            "--privacy-threshold",
            "2",
            "--kill-members",
            "1",
            "--decryption-ms",
            "5000",
        ],
    );
    assert_eq!(summary["sum_matches_plaintext"], true, "{summary}");
    assert_eq!(summary["dropped_members"], 1);
    assert_eq!(summary["failed_rounds"], serde_json::json!([]), "{summary}");
    for r in summary["per_round"].as_array().unwrap() {
        assert_eq!(r["accepted"], 6, "{summary}");
        assert_eq!(r["failed"], Value::Null, "{summary}");
    }
}

#[test]
fn cluster_of_10_clients_3_rounds_over_quic_survives_killed_client_relay_and_member() {
    let d = dir("cluster-10-3");
    let start = Instant::now();
    let summary = run_cluster(
        &d,
        &[
            "--clients",
            "10",
            "--rounds",
            "3",
            "--kill-clients",
            "1",
            "--kill-relays",
            "1",
            "--kill-members",
            "1",
            "--decryption-ms",
            "5000",
        ],
    );
    assert_eq!(summary["sum_matches_plaintext"], true);
    assert_eq!(summary["transport"], "quic");
    assert_eq!(summary["rounds"], 3);
    assert_eq!(summary["clients"], 10);
    assert_eq!(summary["dropped_clients"], 1);
    assert_eq!(summary["dropped_relays"], 1);
    assert_eq!(summary["dropped_members"], 1);
    assert_eq!(summary["rejected_contributions"], 0);
    // A contribution carries the n = 4096-word public correction (32 KiB) besides its bodies.
    assert!(summary["bytes_per_client_per_round"].as_f64().unwrap() > 32_768.0);
    assert!(summary["seconds_per_round"].as_f64().unwrap() > 0.0);
    let rounds = summary["per_round"].as_array().unwrap();
    assert_eq!(rounds.len(), 3);
    // The client, the relay and the member die between rounds 1 and 2. Round 2 fails with
    // the aggregator's typed reason (the committee is n-of-n: without the dead member no
    // quorum agrees, and nothing is decrypted); the member is restarted and round 3
    // completes without the client and relay (every contribution still has 5 of 6 shards).
    assert_eq!(rounds[0]["accepted"], 10);
    assert_eq!(rounds[0]["failed"], Value::Null);
    assert_eq!(summary["failed_rounds"], serde_json::json!([2]), "{summary}");
    let why = rounds[1]["failed"].as_str().unwrap();
    assert!(why.contains("NoQuorum"), "{why}");
    assert_eq!(rounds[2]["accepted"], 9, "{summary}");
    assert_eq!(rounds[2]["failed"], Value::Null, "{summary}");
    // Every role's transport counters and peak memory are reported.
    for role in ["aggregator", "client", "committee", "relay", "authority"] {
        assert!(summary["net_bytes_per_role"][role]["sent"].as_f64().unwrap() > 0.0, "{role}");
        assert!(summary["peak_rss_kib_per_role"][role].as_u64().unwrap() > 0, "{role}");
        let cpu = &summary["cpu_seconds_per_role"][role];
        let (each, total) = (cpu["per_process"].as_f64().unwrap(), cpu["total"].as_f64().unwrap());
        assert!(each > 0.0 && total >= each, "{role}: {cpu}");
    }
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn cluster_over_tcp_noise_yamux_with_updates_from_files() {
    let d = dir("cluster-tcp");
    // Every client reads each round's update from a file (.npy and raw f32 alternately): the
    // decrypted sums still match what the launcher wrote.
    let summary = run_cluster(
        &d,
        &[
            "--transport",
            "tcp",
            "--update-files",
            "--clients",
            "4",
            "--rounds",
            "2",
            "--kill-clients",
            "1",
        ],
    );
    let cfg = std::fs::read_to_string(d.join("configs/client-0.toml")).unwrap();
    assert!(cfg.contains("update_file") && cfg.contains(".npy"), "{cfg}");
    let cfg = std::fs::read_to_string(d.join("configs/client-1.toml")).unwrap();
    assert!(cfg.contains("update_file") && cfg.contains(".f32"), "{cfg}");
    assert_eq!(summary["sum_matches_plaintext"], true);
    assert_eq!(summary["transport"], "tcp");
    let rounds = summary["per_round"].as_array().unwrap();
    assert_eq!(rounds[0]["accepted"], 4);
    assert_eq!(rounds[1]["accepted"], 3);
    // The aggregator closed each client's connection once its result was delivered (round
    // 1's four at least; round 2's may come after its last report); nobody else closes any.
    let closed =
        |name: &str| last_net_stats(&d.join("reports"), name)["connections_closed"].clone();
    assert!(closed("aggregator").as_u64().unwrap() >= 4, "{}", closed("aggregator"));
    for name in ["relay-0", "member-0", "client-0"] {
        assert_eq!(closed(name), 0, "{name}");
    }
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
    // `enrol issue` of the node's request against the registry, writing `out`.
    let issue = |out: &str| -> Vec<String> {
        let path = |n: &str| s(&p(n)).to_string();
        let flag = |f: &str| f.to_string();
        vec![
            flag("enrol"),
            flag("issue"),
            flag("--kgc"),
            path("kgc.key"),
            flag("--request"),
            path("node.req"),
            flag("--registry"),
            path("registry"),
            flag("--out"),
            path(out),
        ]
    };
    // Not yet authorised: refused, on one line, and nothing is issued.
    let e = one_line_error(&gradseal(&strs(&issue("node.partial"))));
    assert!(e.contains("authori"), "{e}");
    assert!(!p("node.partial").exists());
    ok(&["enrol", "authorise", "--registry", s(&p("registry")), "--id", id]);
    ok(&strs(&issue("node.partial")));
    // Issued once: the registry file now records it, a second issuance is refused.
    let registry = std::fs::read_to_string(p("registry")).unwrap();
    assert!(registry.contains("enrolled"), "{registry}");
    let e = one_line_error(&gradseal(&strs(&issue("again.partial"))));
    assert!(e.contains("already"), "{e}");
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
        "--binding",
        s(&p("node.binding")),
    ]);
    (p("kgc.pub"), p("node.key"), p("node.bundle"))
}

fn relay_config(d: &Path, port: u16) -> PathBuf {
    let text = format!(
        "role = \"relay\"\nid = 100\nlisten = \"127.0.0.1:{port}\"\nkey = \"node.key\"\n\
         kgc_public = \"kgc.pub\"\nauthority_bundle = \"node.bundle\"\n\
         peers = [{{ id = 1, addr = \"127.0.0.1:9\", bundle = \"node.bundle\", \
         binding = \"node.binding\" }}]\n"
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
        (d.join("node.binding"), "peer binding"),
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
        "--registry",
        s(&d.join("registry")),
        "--out",
        s(&d.join("x")),
    ]));
    assert!(e.contains("expected KGC secret"), "{e}");
    // The binding written by `enrol complete` equals what `enrol bind` derives (the PeerId
    // comes from the node keys), and inspect shows its PeerId.
    let out = gradseal(&["enrol", "bind", "--key", s(&key), "--out", s(&d.join("again.binding"))]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let peer = |f: &str| {
        let text = String::from_utf8(gradseal(&["inspect", s(&d.join(f))]).stdout).unwrap();
        text.lines().find(|l| l.contains("PeerId")).unwrap().to_string()
    };
    assert_eq!(peer("node.binding"), peer("again.binding"));
    assert!(peer("node.binding").contains("12D3KooW"));
}

#[test]
fn node_errors_are_one_line() {
    let d = dir("node-errors");
    enrol(&d, "relay-0");
    // A port in use (QUIC listens on UDP).
    let held = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let cfg = relay_config(&d, port);
    let e = one_line_error(&gradseal(&["node", "--config", s(&cfg)]));
    assert!(e.contains("cannot listen on") && e.contains(&port.to_string()), "{e}");
    drop(held);
    // A secret where a public file is expected: refused on one line, before anything runs.
    let text = std::fs::read_to_string(&cfg).unwrap().replace("kgc.pub", "kgc.key");
    std::fs::write(d.join("secret.toml"), text).unwrap();
    let e = one_line_error(&gradseal(&["node", "--config", s(&d.join("secret.toml"))]));
    assert!(e.contains("kgc.key") && e.contains("secret") && e.contains("refusing"), "{e}");
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
    let e = one_line_error(&gradseal(&[
        "cluster",
        "--committee",
        "3",
        "--privacy-threshold",
        "3",
        "--dir",
        s(&d.join("c")),
    ]));
    assert!(e.contains("--privacy-threshold must be 1 to --committee − 1 (2)"), "{e}");
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

/// A relay node and a test peer (node 5) it knows, over QUIC; `stall_ms` for the relay.
struct Fixture {
    kgc: gradseal_clsc::KgcPublic,
    relay_addr: std::net::SocketAddr,
    relay_binding: gradseal_net::PeerBinding,
    relay_bundle: gradseal_clsc::PublicBundle,
    tester: gradseal_clsc::NodeKeys,
}

fn transport_fixture(d: &Path) -> (Fixture, PathBuf) {
    use gradseal_node::keyfile::{self, KeyFile};
    enrol(d, "relay-0");
    let kgc = match KeyFile::read(&d.join("kgc.key")).unwrap() {
        KeyFile::KgcSecret(k) => k,
        _ => panic!("kgc.key"),
    };
    let mut rng = keyfile::os_rng().unwrap();
    let tester = keyfile::enrol_locally(&kgc, "tester", &mut rng).unwrap();
    KeyFile::Bundle(tester.bundle().clone()).write(&d.join("tester.bundle")).unwrap();
    KeyFile::Binding(keyfile::binding_of(&tester, &mut rng).unwrap())
        .write(&d.join("tester.binding"))
        .unwrap();
    let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let text = format!(
        "role = \"relay\"\nid = 100\nlisten = \"127.0.0.1:{port}\"\nkey = \"node.key\"\n\
         kgc_public = \"kgc.pub\"\nauthority_bundle = \"node.bundle\"\n\
         report = \"relay.jsonl\"\n\
         peers = [{{ id = 5, addr = \"127.0.0.1:9\", bundle = \"tester.bundle\", \
         binding = \"tester.binding\" }}]\n[net]\nstall_ms = 500\nheader_ms = 500\n"
    );
    let cfg = d.join("relay.toml");
    std::fs::write(&cfg, text).unwrap();
    let fx = Fixture {
        kgc: *kgc.public(),
        relay_addr: format!("127.0.0.1:{port}").parse().unwrap(),
        relay_binding: keyfile::read_binding(&d.join("node.binding")).unwrap(),
        relay_bundle: keyfile::read_bundle(&d.join("node.bundle")).unwrap(),
        tester,
    };
    (fx, cfg)
}

/// The relay's last transport counters (written once a second when they change).
fn relay_stats(d: &Path) -> Value {
    last_net_stats(d, "relay")
}

/// The last transport counters node `name` reported in `dir/name.jsonl`.
fn last_net_stats(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .rfind(|l| l["event"] == "net_stats")
        .unwrap_or(Value::Null)
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap().to_string();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn unknown_peers_garbage_and_stalled_streams_are_refused_with_bounded_memory() {
    use gradseal_net::codec::encode_header;
    use gradseal_net::{Net, NetConfig, NetIdentity, PeerTable, TransportKind};

    let d = dir("transport-refusals");
    let (fx, cfg) = transport_fixture(&d);
    let log = std::fs::File::create(d.join("relay.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradseal"))
        .args(["node", "--config", s(&cfg)])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let table = || {
            let mut t = PeerTable::new(fx.kgc);
            let addr = TransportKind::Quic.multiaddr(fx.relay_addr);
            t.insert(100, fx.relay_bundle.clone(), fx.relay_binding.clone(), vec![addr]).unwrap();
            t
        };
        let config = NetConfig::new(TransportKind::Quic, "127.0.0.1:0".parse().unwrap());
        // 1. A stranger: a valid libp2p identity bound to no node of the relay's table. Its
        //    connection is closed after the handshake; nothing it sends is delivered.
        let mut rng = gradseal_node::keyfile::os_rng().unwrap();
        let stranger = NetIdentity::generate(5, &mut rng).unwrap();
        let (s_net, _s_rx) = Net::start(config.clone(), stranger, table()).await.unwrap();
        assert!(s_net.send(100, b"\x03hello").await.is_err(), "a stranger was heard");
        s_net.shutdown().await;
        // 2. The real node 5: garbage on the stream header, and a header declaring 1 TiB
        //    (refused from the header: the relay reserves and reads nothing).
        let me = gradseal_node::transport::net_identity(&fx.tester, 5).unwrap();
        let (net, _rx) = Net::start(config, me, table()).await.unwrap();
        let mut w = net.danger_open_raw_stream(100).await.unwrap();
        let _ = w.danger_write_raw(b"GET / HTTP/1.1\r\n\r\n").await;
        let mut w2 = net.danger_open_raw_stream(100).await.unwrap();
        let _ = w2.danger_write_raw(&encode_header(1 << 40)).await;
        let _ = w2.danger_write_raw(&[0xAA; 60_000]).await;
        // 3. A stream that stalls: 1 MB declared, 10 kB sent, then silence (cut after the
        //    relay's stall_ms = 500).
        let mut w3 = net.open_message(100, 1_000_000).await.unwrap();
        w3.write_chunk(&[1; 10_000]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(w3.write_chunk(&[1; 1000]).await.is_err() || w3.finish().await.is_err());
        drop((w, w2));
        // 4. A message above the transport's whole-message size (64 MiB) arrives as a stream;
        //    with no round open the relay's bound is 64 MiB, so it is refused from its header
        //    and never read.
        if let Ok(mut w4) = net.open_message(100, 70 << 20).await {
            let mut refused = false;
            for _ in 0..(70 << 4) {
                if w4.write_chunk(&[7; 64 << 10]).await.is_err() {
                    refused = true;
                    break;
                }
            }
            assert!(refused, "a 70 MiB stream was read to its end");
        }
        // 5. The node goes on: a well-formed message from node 5 is delivered (the relay's
        //    role drops it as garbage, which is the protocol's business).
        net.send(100, b"\x03garbage!").await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        net.shutdown().await;
    });
    assert!(child.try_wait().unwrap().is_none(), "node exited");
    let stats = relay_stats(&d);
    let rss = peak_rss_kib(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(stats["connections_refused"].as_u64().unwrap() >= 1, "{stats}");
    assert!(stats["streams_malformed"].as_u64().unwrap() >= 2, "{stats}");
    assert!(stats["streams_stalled"].as_u64().unwrap() >= 1, "{stats}");
    assert!(stats["messages_received"].as_u64().unwrap() >= 1, "{stats}");
    let log = std::fs::read_to_string(d.join("relay.log")).unwrap();
    assert!(log.contains("refused unread"), "{log}");
    // Nothing near the 1 TiB or 1 MB declared was ever allocated.
    assert!(rss < 64 * 1024, "peak RSS {rss} KiB");
}

/// Borrows each argument (the command helpers take `&[&str]`).
fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
