//! The 8×8 digits set (UCI Optical Recognition of Handwritten Digits, test part: 1797
//! samples, 64 pixel counts in 0..=16, 10 classes), shipped gzipped in `data/` and decoded at
//! run time; the fixed train/test split; the non-IID split across clients.

use std::io::Read;

use chacha20::ChaCha20Rng;
use rand_core::Rng;

/// Features per sample (8×8 pixels).
pub(crate) const FEATURES: usize = 64;
/// Classes (digits 0..=9).
pub(crate) const CLASSES: usize = 10;
/// Samples in the shipped file.
pub(crate) const SAMPLES: usize = 1797;
/// Every fifth sample (index ≡ 0 mod 5) is held out for testing.
const TEST_EVERY: usize = 5;

static DIGITS_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// Samples with features scaled to [0, 1].
#[derive(Debug, Clone, Default)]
pub(crate) struct Dataset {
    /// One row of [`FEATURES`] values per sample.
    pub(crate) x: Vec<[f32; FEATURES]>,
    /// Labels in `0..CLASSES`.
    pub(crate) y: Vec<u8>,
}

impl Dataset {
    /// Number of samples.
    pub(crate) fn len(&self) -> usize {
        self.y.len()
    }

    fn push(&mut self, x: [f32; FEATURES], y: u8) {
        self.x.push(x);
        self.y.push(y);
    }
}

/// Decodes the shipped CSV: 64 integer pixel counts then the label on each line.
pub(crate) fn load() -> Result<Dataset, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(DIGITS_GZ)
        .read_to_string(&mut text)
        .map_err(|e| format!("digits.csv.gz: {e}"))?;
    parse(&text)
}

fn parse(text: &str) -> Result<Dataset, String> {
    let mut data = Dataset::default();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = || format!("digits.csv.gz: line {} is malformed", n + 1);
        let mut x = [0f32; FEATURES];
        let mut fields = line.split(',');
        for v in &mut x {
            let p: u8 = fields.next().and_then(|f| f.trim().parse().ok()).ok_or_else(bad)?;
            if p > 16 {
                return Err(bad());
            }
            *v = f32::from(p) / 16.0;
        }
        let y: u8 = fields.next().and_then(|f| f.trim().parse().ok()).ok_or_else(bad)?;
        if usize::from(y) >= CLASSES || fields.next().is_some() {
            return Err(bad());
        }
        data.push(x, y);
    }
    if data.len() != SAMPLES {
        return Err(format!("digits.csv.gz: {} samples, expected {SAMPLES}", data.len()));
    }
    Ok(data)
}

/// The fixed split: every fifth sample is a test sample (360 test, 1437 train).
pub(crate) fn split(all: &Dataset) -> (Dataset, Dataset) {
    let (mut train, mut test) = (Dataset::default(), Dataset::default());
    for (i, (x, &y)) in all.x.iter().zip(&all.y).enumerate() {
        if i % TEST_EVERY == 0 { test.push(*x, y) } else { train.push(*x, y) }
    }
    (train, test)
}

/// Non-IID split (McMahan et al.'s "pathological" label skew): the training samples are
/// sorted by label, cut into `2 · clients` contiguous shards of equal size, and each client
/// gets two shards drawn at random, so most clients hold mostly two digits.
pub(crate) fn partition(train: &Dataset, clients: usize, rng: &mut ChaCha20Rng) -> Vec<Dataset> {
    let mut order: Vec<usize> = (0..train.len()).collect();
    order.sort_by_key(|&i| (train.y.get(i).copied().unwrap_or(0), i));
    let shards = 2 * clients;
    let mut shard_ids: Vec<usize> = (0..shards).collect();
    shuffle(&mut shard_ids, rng);
    let mut parts = vec![Dataset::default(); clients];
    for (pos, &shard) in shard_ids.iter().enumerate() {
        let (start, end) = (shard * order.len() / shards, (shard + 1) * order.len() / shards);
        if let Some(part) = parts.get_mut(pos / 2) {
            for &i in order.get(start..end).unwrap_or(&[]) {
                if let (Some(x), Some(&y)) = (train.x.get(i), train.y.get(i)) {
                    part.push(*x, y);
                }
            }
        }
    }
    parts
}

/// Fisher-Yates shuffle.
pub(crate) fn shuffle<T>(v: &mut [T], rng: &mut ChaCha20Rng) {
    for i in (1..v.len()).rev() {
        v.swap(i, below(rng, i + 1));
    }
}

/// A uniform integer in `0..n` (n > 0; the modulo bias is below 2^-40 for the sizes here).
pub(crate) fn below(rng: &mut ChaCha20Rng, n: usize) -> usize {
    usize::try_from(rng.next_u64() % (n.max(1) as u64)).unwrap_or(0)
}

/// A uniform float in [0, 1) with 53 bits.
#[allow(clippy::cast_precision_loss)] // 53-bit integer: exact
pub(crate) fn uniform(rng: &mut ChaCha20Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn decodes_to_1797_by_64() {
        let d = load().unwrap();
        assert_eq!(d.len(), 1797);
        assert_eq!(d.x.len(), 1797);
        assert!(d.x.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        let mut counts = [0usize; CLASSES];
        for &y in &d.y {
            counts[usize::from(y)] += 1;
        }
        assert!(counts.iter().all(|&c| (170..=190).contains(&c)), "{counts:?}");
        let (train, test) = split(&d);
        assert_eq!((train.len(), test.len()), (1437, 360));
    }

    #[test]
    fn rejects_malformed_lines() {
        assert!(parse("1,2,3\n").is_err());
        let line = vec!["17"; 65].join(",");
        assert!(parse(&line).is_err());
    }

    #[test]
    fn partition_covers_train_and_is_skewed() {
        let (train, _) = split(&load().unwrap());
        let parts = partition(&train, 20, &mut ChaCha20Rng::from_seed([3; 32]));
        assert_eq!(parts.iter().map(Dataset::len).sum::<usize>(), train.len());
        for p in &parts {
            let mut labels: Vec<u8> = p.y.clone();
            labels.sort_unstable();
            labels.dedup();
            assert!(labels.len() <= 4, "{labels:?}");
        }
    }
}
