//! What the demo shows: the per-round table on stdout, `summary.json`, and `accuracy.png`
//! (plotters, bitmap backend, with a shipped DejaVu Sans: no system fonts needed).

#![allow(clippy::print_stdout, clippy::cast_precision_loss)] // a CLI's table; small counts

use std::collections::BTreeMap;
use std::path::Path;

use gradseal_protocol::RejectReason;
use plotters::prelude::*;
use serde::Serialize;

use super::model::Hyper;
use super::round::{Behaviour, LAYOUT, MEMBERS, Outcome, RELAYS};
use super::{DemoArgs, Trainer};

static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// One round as reported.
#[derive(Debug, Serialize)]
pub(crate) struct RoundRow {
    round: usize,
    online: usize,
    offline: usize,
    accepted: usize,
    rejected: usize,
    rejected_reasons: BTreeMap<String, usize>,
    /// Relays named for corrupt shards (relay index → shards).
    blamed_relays: BTreeMap<usize, usize>,
    completed: bool,
    /// Roster indices of the altered (biased or spoiling) contributions the aggregator
    /// accepted and summed. Only the demo knows them: v2 does not verify inputs, so the
    /// protocol cannot tell them from honest ones (each is signed by its client).
    pub(crate) malicious_accepted: Vec<u32>,
    failure: Option<String>,
    audit_passed: bool,
    plaintext_participants: usize,
    accuracy_encrypted: f64,
    accuracy_plaintext: f64,
    train_seconds: f64,
    protocol_seconds: f64,
    bytes_per_client: f64,
    clipped_coordinates: usize,
}

impl RoundRow {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        round: usize,
        behaviour: &[Behaviour],
        o: Outcome,
        plaintext_participants: usize,
        accuracy_encrypted: f64,
        accuracy_plaintext: f64,
        train_seconds: f64,
        clipped_coordinates: usize,
    ) -> Self {
        let offline = behaviour.iter().filter(|b| **b == Behaviour::Offline).count();
        let senders: Vec<u64> = o.client_bytes.iter().copied().filter(|b| *b > 0).collect();
        let bytes_per_client = senders.iter().sum::<u64>() as f64 / senders.len().max(1) as f64;
        let mut rejected_reasons = BTreeMap::new();
        for (_, reason) in &o.rejected {
            *rejected_reasons.entry(reason_name(*reason).to_string()).or_default() += 1;
        }
        RoundRow {
            round,
            online: behaviour.len() - offline,
            offline,
            accepted: o.accepted.len(),
            rejected: o.rejected.len(),
            rejected_reasons,
            blamed_relays: o.blamed,
            completed: o.result.is_some(),
            malicious_accepted: Vec::new(),
            failure: o.failure,
            audit_passed: o.audited,
            plaintext_participants,
            accuracy_encrypted,
            accuracy_plaintext,
            train_seconds,
            protocol_seconds: o.seconds,
            bytes_per_client,
            clipped_coordinates,
        }
    }
}

fn reason_name(r: RejectReason) -> &'static str {
    match r {
        RejectReason::Late => "Late",
        RejectReason::Duplicate => "Duplicate",
        RejectReason::WrongRound => "WrongRound",
        RejectReason::NotEnrolled => "NotEnrolled",
        RejectReason::BadSignature => "BadSignature",
        RejectReason::Malformed => "Malformed",
        RejectReason::Unopenable => "Unopenable",
        _ => "Other",
    }
}

/// Everything written to `summary.json`.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    rounds: usize,
    clients: usize,
    seed: u64,
    min_clients: usize,
    drop_clients: f64,
    corrupt_shards: f64,
    malicious_clients: usize,
    dataset: &'static str,
    split: &'static str,
    model: String,
    local_training: String,
    quantization: String,
    protocol: String,
    /// Final test accuracy of the encrypted path.
    accuracy_encrypted: f64,
    /// Final test accuracy of the plaintext path.
    accuracy_plaintext: f64,
    /// Test accuracy before training (round 0) then after each round.
    accuracy_encrypted_per_round: Vec<f64>,
    accuracy_plaintext_per_round: Vec<f64>,
    /// Mean over rounds of the mean bytes a sending client transmitted.
    bytes_per_client_per_round: f64,
    /// Mean wall-clock seconds per round (local training of both paths + protocol round).
    seconds_per_round: f64,
    /// Mean wall-clock seconds of the protocol round alone.
    protocol_seconds_per_round: f64,
    /// Client-rounds offline, in total.
    dropped_clients: usize,
    /// Contributions the aggregator rejected, in total.
    rejected_contributions: usize,
    failed_rounds: usize,
    pub(crate) total_seconds: f64,
    per_round: Vec<RoundRow>,
}

impl Summary {
    pub(crate) fn new(
        a: &DemoArgs,
        t: &Trainer<'_>,
        params: usize,
        bits: u8,
        clip: f32,
        hyper: Hyper,
    ) -> Self {
        let (e, p) = t.accuracies();
        Summary {
            rounds: a.rounds,
            clients: a.clients,
            seed: a.seed,
            min_clients: a.min_clients,
            drop_clients: a.drop_clients,
            corrupt_shards: a.corrupt_shards,
            malicious_clients: a.malicious_clients,
            dataset: "UCI optical digits 8x8 (1797 samples, 64 features, 10 classes); every 5th sample is a test sample (360 test, 1437 train)",
            split: "non-IID label skew: train sorted by label, cut into 2 x clients shards, 2 random shards per client",
            model: format!("multinomial logistic regression, {params} parameters, zero init"),
            local_training: format!(
                "{} local epochs of mini-batch SGD, batch {}, learning rate {}",
                hyper.epochs, hyper.batch, hyper.lr
            ),
            quantization: format!(
                "clip each coordinate to +-{clip}, scale by (2^{} - 1)/{clip}, stochastic rounding to signed {bits}-bit integers; the protocol's plaintext modulus has {bits} + ceil(log2 clients) bits, so the sum never wraps",
                bits - 1
            ),
            protocol: format!(
                "gradseal-protocol, production suite (scheme v2: one-shot key-additive RLWE, one sealed key seed per member, inputs not verified), committee {MEMBERS} (n-of-n), {RELAYS} relays, ({}, {}) Reed-Solomon shards, in-memory simulation",
                LAYOUT.data, LAYOUT.parity
            ),
            accuracy_encrypted: e,
            accuracy_plaintext: p,
            accuracy_encrypted_per_round: vec![e],
            accuracy_plaintext_per_round: vec![p],
            bytes_per_client_per_round: 0.0,
            seconds_per_round: 0.0,
            protocol_seconds_per_round: 0.0,
            dropped_clients: 0,
            rejected_contributions: 0,
            failed_rounds: 0,
            total_seconds: 0.0,
            per_round: Vec::new(),
        }
    }

    /// Adds a round and updates the totals.
    pub(crate) fn push(&mut self, row: RoundRow) {
        self.accuracy_encrypted = row.accuracy_encrypted;
        self.accuracy_plaintext = row.accuracy_plaintext;
        self.accuracy_encrypted_per_round.push(row.accuracy_encrypted);
        self.accuracy_plaintext_per_round.push(row.accuracy_plaintext);
        self.dropped_clients += row.offline;
        self.rejected_contributions += row.rejected;
        self.failed_rounds += usize::from(!row.completed);
        self.per_round.push(row);
        let n = self.per_round.len() as f64;
        self.bytes_per_client_per_round =
            self.per_round.iter().map(|r| r.bytes_per_client).sum::<f64>() / n;
        self.seconds_per_round =
            self.per_round.iter().map(|r| r.train_seconds + r.protocol_seconds).sum::<f64>() / n;
        self.protocol_seconds_per_round =
            self.per_round.iter().map(|r| r.protocol_seconds).sum::<f64>() / n;
    }

    /// Writes `dir/summary.json`.
    pub(crate) fn write(&self, dir: &Path) -> Result<(), String> {
        let path = dir.join("summary.json");
        let json = serde_json::to_string_pretty(self).map_err(|e| format!("summary: {e}"))?;
        std::fs::write(&path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

pub(crate) fn header(a: &DemoArgs) {
    println!(
        "gradseal demo: {} clients, {} rounds, seed {}, min clients {}, drop {}, corrupt {}, malicious {}",
        a.clients,
        a.rounds,
        a.seed,
        a.min_clients,
        a.drop_clients,
        a.corrupt_shards,
        a.malicious_clients
    );
    println!(
        "{:>5} {:>6} {:>8} {:>8} {:>9} {:>9} {:>7} {:>11}  notes",
        "round",
        "online",
        "accepted",
        "rejected",
        "enc acc",
        "plain acc",
        "seconds",
        "bytes/client"
    );
}

pub(crate) fn row(r: &RoundRow) {
    let mut notes = Vec::new();
    if let Some(f) = &r.failure {
        notes.push(format!("FAILED: {f}"));
    }
    if !r.rejected_reasons.is_empty() {
        let v: Vec<String> = r.rejected_reasons.iter().map(|(k, n)| format!("{n}x {k}")).collect();
        notes.push(format!("rejected {}", v.join(", ")));
    }
    if !r.blamed_relays.is_empty() {
        let v: Vec<String> =
            r.blamed_relays.iter().map(|(k, n)| format!("relay {k} ({n})")).collect();
        notes.push(format!("blamed {}", v.join(", ")));
    }
    if !r.malicious_accepted.is_empty() {
        notes.push(format!("altered contributions summed (clients {:?})", r.malicious_accepted));
    }
    if r.completed && !r.audit_passed {
        notes.push("audit did not pass".into());
    }
    println!(
        "{:>5} {:>6} {:>8} {:>8} {:>8.2}% {:>8.2}% {:>7.2} {:>11.0}  {}",
        r.round,
        r.online,
        r.accepted,
        r.rejected,
        100.0 * r.accuracy_encrypted,
        100.0 * r.accuracy_plaintext,
        r.train_seconds + r.protocol_seconds,
        r.bytes_per_client,
        notes.join("; ")
    );
}

pub(crate) fn footer(s: &Summary, dir: &Path) {
    println!(
        "final test accuracy: encrypted {:.2}%, plaintext {:.2}% (difference {:+.2} pp); {:.0} bytes per client per round; {:.2} s per round; {} offline client-rounds; {} rejected contributions; {} failed rounds; {:.1} s in total",
        100.0 * s.accuracy_encrypted,
        100.0 * s.accuracy_plaintext,
        100.0 * (s.accuracy_encrypted - s.accuracy_plaintext),
        s.bytes_per_client_per_round,
        s.seconds_per_round,
        s.dropped_clients,
        s.rejected_contributions,
        s.failed_rounds,
        s.total_seconds
    );
    let altered: usize = s.per_round.iter().map(|r| r.malicious_accepted.len()).sum();
    if altered > 0 {
        println!(
            "{altered} altered contributions were accepted and summed: scheme v2 does not verify inputs, so the protocol cannot tell them from honest ones (a biased one shifts the sum, a spoiling one leaves the round undecodable); each is signed by its client, so the transcript proves what it sent"
        );
    }
    println!(
        "wrote {} and {}",
        dir.join("summary.json").display(),
        dir.join("accuracy.png").display()
    );
}

/// Plots test accuracy per round, encrypted against plaintext.
pub(crate) fn plot(s: &Summary, path: &Path) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    // Registering twice (a second run in one process) replaces the same font: harmless.
    plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| err(&"the shipped font does not parse"))?;
    let root = BitMapBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let rounds = s.accuracy_encrypted_per_round.len().saturating_sub(1).max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("gradseal demo: test accuracy, {} clients (non-IID digits)", s.clients),
            ("sans-serif", 24),
        )
        .margin(16)
        .x_label_area_size(46)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..rounds as f64, 0f64..100f64)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("round")
        .y_desc("test accuracy (%)")
        .x_labels(rounds.min(20) + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(|e| err(&e))?;
    let series = [
        ("encrypted (gradseal round)", &s.accuracy_encrypted_per_round, RGBColor(200, 40, 40)),
        ("plaintext FedAvg", &s.accuracy_plaintext_per_round, RGBColor(40, 80, 200)),
    ];
    for (i, (label, acc, color)) in series.into_iter().enumerate() {
        let pts: Vec<(f64, f64)> =
            acc.iter().enumerate().map(|(r, a)| (r as f64, 100.0 * a)).collect();
        let style = ShapeStyle { color: color.to_rgba(), filled: true, stroke_width: 2 };
        let dashed = i == 1;
        let drawn = if dashed {
            chart.draw_series(DashedLineSeries::new(pts.clone(), 8, 6, style))
        } else {
            chart.draw_series(LineSeries::new(pts.clone(), style))
        };
        drawn
            .map_err(|e| err(&e))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, style))).map_err(|e| err(&e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}
