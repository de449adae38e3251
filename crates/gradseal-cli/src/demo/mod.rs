//! `gradseal demo`: federated training of a softmax classifier on the 8×8 digits across
//! simulated edge nodes, every round through the full protocol (gradseal-protocol's roles,
//! production suite, in memory), beside plaintext FedAvg with the same seed, split and
//! hyper-parameters.
//!
//! Per round: each online client trains `EPOCHS` local epochs from the global model and
//! sends its update. Encrypted path: clip each coordinate to ±[`CLIP`], scale by
//! (2^15 − 1)/`CLIP`, round stochastically to a signed 16-bit integer, run one protocol
//! round (committee 3, relays 6, (4, 2) shards), divide the decrypted sum by the accepted
//! count and the scale, apply. Plaintext path: the f32 mean of the honest online clients'
//! updates.
//!
//! `--malicious-clients` shows what scheme v2 gives up: inputs are not verified, so a biased
//! client's contribution is summed like an honest one, and a spoiling client's makes the
//! round undecodable. The protocol cannot tell which contribution is bad; each is signed, so
//! the transcript proves what every client sent.

mod data;
mod model;
mod report;
mod round;

use std::path::PathBuf;
use std::time::Instant;

use chacha20::ChaCha20Rng;
use gradseal_core::hash;
use gradseal_protocol::MIN_CLIENTS;
use indicatif::{ProgressBar, ProgressStyle};
use rand_core::SeedableRng;

use self::data::{Dataset, uniform};
use self::model::{Hyper, Model, PARAMS};
use self::report::{RoundRow, Summary};
use self::round::{Behaviour, Network};

/// Bits per quantized coordinate.
const BITS: u8 = 16;
/// L∞ clip of an update coordinate before quantization.
const CLIP: f32 = 4.0;
/// Local training hyper-parameters (both paths).
const HYPER: Hyper = Hyper { epochs: 2, batch: 16, lr: 0.5 };
/// Most clients the demo accepts (each client needs two label shards of the 1437 training
/// samples).
const MAX_CLIENTS: usize = 500;
/// Most rounds.
const MAX_ROUNDS: usize = 1000;

/// Arguments of `gradseal demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Number of clients (edge nodes), each holding a label-skewed part of the training set.
    #[arg(long, default_value_t = 20)]
    pub(crate) clients: usize,
    /// Number of federated rounds.
    #[arg(long, default_value_t = 10)]
    pub(crate) rounds: usize,
    /// Seed of everything random (split, training, keys, faults).
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Output directory for summary.json and accuracy.png.
    #[arg(long, default_value = "./gradseal-demo-out")]
    pub(crate) out: PathBuf,
    /// Fewest accepted contributions for which the committee decrypts a round (at least 2).
    #[arg(long, default_value_t = gradseal_protocol::DEFAULT_MIN_CLIENTS as usize)]
    pub(crate) min_clients: usize,
    /// Probability that each client is offline in each round.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) drop_clients: f64,
    /// Probability that a relay corrupts each shard it forwards.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) corrupt_shards: f64,
    /// Number of malicious clients (the last N), in turn: biased (its update plus a shift far
    /// out of range on the 64 class-0 weights: the sum is shifted), replaying (its first
    /// round's contribution: rejected as WrongRound) and spoiling (bodies off by half a step:
    /// the round is undecodable and releases nothing). Scheme v2 does not verify inputs:
    /// biased and spoiling contributions are accepted and the protocol cannot tell which one
    /// is bad, but each is signed by its client, so the transcript proves what it sent.
    #[arg(long, default_value_t = 0)]
    pub(crate) malicious_clients: usize,
}

fn validate(a: &DemoArgs) -> Result<(), String> {
    if a.min_clients < MIN_CLIENTS as usize {
        return Err(format!(
            "--min-clients must be at least {MIN_CLIENTS} (a sum of one update is that update), got {}",
            a.min_clients
        ));
    }
    if a.clients < a.min_clients || a.clients > MAX_CLIENTS {
        return Err(format!(
            "--clients must be in {}..={MAX_CLIENTS} (at least --min-clients), got {}",
            a.min_clients, a.clients
        ));
    }
    if a.rounds == 0 || a.rounds > MAX_ROUNDS {
        return Err(format!("--rounds must be in 1..={MAX_ROUNDS}, got {}", a.rounds));
    }
    for (name, p) in [("--drop-clients", a.drop_clients), ("--corrupt-shards", a.corrupt_shards)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("{name} must be a probability in [0, 1], got {p}"));
        }
    }
    if a.malicious_clients > a.clients - a.min_clients {
        return Err(format!(
            "--malicious-clients must leave at least --min-clients ({}) honest clients, got {} of {}",
            a.min_clients, a.malicious_clients, a.clients
        ));
    }
    Ok(())
}

/// Runs the demo.
pub(crate) fn run(args: &DemoArgs) -> Result<(), String> {
    validate(args)?;
    let started = Instant::now();
    let seed = hash("gradseal/v1/cli/demo/run", &[&args.seed.to_be_bytes()]);
    let sub = |label: &str| hash("gradseal/v1/cli/demo/sub", &[&seed, label.as_bytes()]);
    let (train, test) = data::split(&data::load()?);
    let parts = data::partition(&train, args.clients, &mut ChaCha20Rng::from_seed(sub("split")));
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let dimension = u32::try_from(PARAMS).map_err(|_| "model too large")?;

    let min = u32::try_from(args.min_clients).map_err(|_| "--min-clients too large")?;
    let mut net = Network::enrol(sub("keys"), args.clients, min, dimension, BITS)?;

    let mut trainer = Trainer {
        args,
        parts: &parts,
        test: &test,
        enc: Model::zeros(),
        plain: Model::zeros(),
        seed,
    };
    let mut summary = Summary::new(args, &trainer, PARAMS, BITS, CLIP, HYPER);
    report::header(args);
    let bar = ProgressBar::new(args.rounds as u64).with_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} rounds {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix("demo");
    for r in 1..=args.rounds {
        let row = trainer.round(&mut net, r)?;
        bar.suspend(|| report::row(&row));
        summary.push(row);
        bar.inc(1);
    }
    bar.finish_and_clear();
    summary.total_seconds = started.elapsed().as_secs_f64();
    summary.write(&args.out)?;
    report::plot(&summary, &args.out.join("accuracy.png"))?;
    report::footer(&summary, &args.out);
    Ok(())
}

/// The two global models and the per-round work.
pub(crate) struct Trainer<'a> {
    args: &'a DemoArgs,
    parts: &'a [Dataset],
    test: &'a Dataset,
    enc: Model,
    plain: Model,
    seed: [u8; 32],
}

impl Trainer<'_> {
    /// Test accuracy of (encrypted, plaintext) models.
    pub(crate) fn accuracies(&self) -> (f64, f64) {
        (self.enc.accuracy(self.test), self.plain.accuracy(self.test))
    }

    fn rng(&self, label: &str, round: usize, client: usize) -> ChaCha20Rng {
        ChaCha20Rng::from_seed(hash(
            "gradseal/v1/cli/demo/rng",
            &[
                &self.seed,
                label.as_bytes(),
                &(round as u64).to_be_bytes(),
                &(client as u64).to_be_bytes(),
            ],
        ))
    }

    fn behaviours(&self, net: &Network, round: usize) -> Vec<Behaviour> {
        let a = self.args;
        let mut rng = self.rng("drop", round, 0);
        (0..a.clients)
            .map(|i| {
                let offline = uniform(&mut rng) < a.drop_clients;
                let malicious = i >= a.clients - a.malicious_clients;
                let kind = (i - (a.clients - a.malicious_clients).min(i)) % 3;
                match (offline, malicious, kind) {
                    (true, _, _) => Behaviour::Offline,
                    (false, false, _) => Behaviour::Honest,
                    (false, true, 0) => Behaviour::Biased,
                    (false, true, 2) => Behaviour::Spoiling,
                    // A replayer behaves until it has a contribution to replay.
                    (false, true, _) if net.can_replay(i) => Behaviour::Replay,
                    (false, true, _) => Behaviour::Honest,
                }
            })
            .collect()
    }

    /// One round of both paths.
    fn round(&mut self, net: &mut Network, r: usize) -> Result<RoundRow, String> {
        let behaviour = self.behaviours(net, r);
        let t = Instant::now();
        // Local training: the same data order for both paths (same rng seed per client).
        let mut updates = Vec::with_capacity(self.args.clients);
        let mut plain_sum = vec![0f64; PARAMS];
        let mut plain_count = 0usize;
        let mut clipped = 0usize;
        for (i, b) in behaviour.iter().enumerate() {
            let part = self.parts.get(i).ok_or("client without data")?;
            if *b == Behaviour::Offline {
                updates.push(vec![0i64; PARAMS]);
                continue;
            }
            let d_enc = self.enc.local_update(part, HYPER, &mut self.rng("train", r, i));
            clipped += d_enc.iter().filter(|v| v.abs() > CLIP).count();
            updates.push(quantize(&d_enc, net.max_magnitude(), &mut self.rng("quantize", r, i)));
            if *b == Behaviour::Honest {
                let d_plain = self.plain.local_update(part, HYPER, &mut self.rng("train", r, i));
                for (s, v) in plain_sum.iter_mut().zip(&d_plain) {
                    *s += f64::from(*v);
                }
                plain_count += 1;
            }
        }
        let train_seconds = t.elapsed().as_secs_f64();
        let outcome = net.run_round(r as u64, updates, &behaviour, self.args.corrupt_shards)?;
        if let Some((sum, count)) = &outcome.result {
            #[allow(clippy::cast_precision_loss)] // 2^15 - 1: exact
            let scale = net.max_magnitude() as f64 / f64::from(CLIP);
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            let mean: Vec<f32> =
                sum.iter().map(|&s| (s as f64 / (f64::from(*count) * scale)) as f32).collect();
            self.enc.apply(&mean);
        }
        if plain_count >= self.args.min_clients {
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            let mean: Vec<f32> =
                plain_sum.iter().map(|s| (s / plain_count as f64) as f32).collect();
            self.plain.apply(&mean);
        }
        let malicious_accepted: Vec<u32> = outcome
            .accepted
            .iter()
            .copied()
            .filter(|a| {
                let b = usize::try_from(*a).ok().and_then(|i| behaviour.get(i));
                matches!(b, Some(Behaviour::Biased | Behaviour::Spoiling))
            })
            .collect();
        let (acc_enc, acc_plain) = self.accuracies();
        let mut row = RoundRow::new(
            r,
            &behaviour,
            outcome,
            plain_count,
            acc_enc,
            acc_plain,
            train_seconds,
            clipped,
        );
        row.malicious_accepted = malicious_accepted;
        Ok(row)
    }
}

/// Clips to ±`CLIP`, scales to `max` and rounds stochastically (unbiased) with `rng`.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn quantize(delta: &[f32], max: i64, rng: &mut ChaCha20Rng) -> Vec<i64> {
    let scale = max as f64 / f64::from(CLIP);
    delta
        .iter()
        .map(|&x| {
            let y = f64::from(x.clamp(-CLIP, CLIP)) * scale;
            let lo = y.floor();
            let v = if uniform(rng) < y - lo { lo + 1.0 } else { lo };
            (v as i64).clamp(-max, max)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantization_is_unbiased_and_in_range() {
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        let max = (1i64 << 15) - 1;
        let x = vec![0.123_456_7f32; 20_000];
        let q = quantize(&x, max, &mut rng);
        assert!(q.iter().all(|v| v.abs() <= max));
        let scale = max as f64 / f64::from(CLIP);
        let mean = q.iter().sum::<i64>() as f64 / q.len() as f64 / scale;
        assert!((mean - 0.123_456_7).abs() < 1e-5, "{mean}");
        let big = quantize(&[1e9, -1e9], max, &mut rng);
        assert_eq!(big, vec![max, -max]);
    }
}
