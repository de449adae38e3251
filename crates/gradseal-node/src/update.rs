//! Updates from the caller: where a client's update for a round comes from, and where the
//! round's result goes.
//!
//! A client node asks its [`UpdateSource`] for round `r`'s update the moment it accepts the
//! announcement of `r` (a v2 client contributes on the announcement), and tells its
//! [`ResultSink`] how each round it took part in ended. Three sources ship here: the
//! synthetic generator ([`Synthetic`], for the cluster), update files ([`UpdateFiles`]: raw
//! little-endian f32 or `.npy` float32 1-D, one file per round, for training loops in
//! Python or shell), and channels ([`channel_source`], for training code in the same
//! process). Spec: `spec/node.md` §2, "Clients".
//!
//! ```no_run
//! use gradseal_node::update::{Hooks, Outcome, ResultSink, Update, UpdateError, UpdateSource};
//! use gradseal_protocol::{RoundId, RoundParams};
//!
//! struct Trainer;
//! impl UpdateSource for Trainer {
//!     fn update(&mut self, round: RoundId, p: &RoundParams) -> Result<Update, UpdateError> {
//!         Ok(Update::Float(vec![0.01; p.dimension as usize])) // train, return the delta
//!     }
//! }
//! impl ResultSink for Trainer {
//!     fn round_ended(&mut self, round: RoundId, outcome: Outcome) {
//!         if let Outcome::Completed { .. } = &outcome {
//!             let mean = outcome.mean().unwrap_or_default(); // apply it to the model
//!         }
//!     }
//! }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cfg = gradseal_node::config::Config::load("client.toml".as_ref())?;
//! gradseal_node::driver::run_with(cfg, Hooks::new().updates(Trainer).results(Trainer))?;
//! # Ok(()) }
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};

use gradseal_protocol::{RoundId, RoundParams};
use tokio::sync::mpsc;

use crate::synth;

/// A client's update for one round.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// Real values, quantized by the driver: `round(v · scale)` with the round's `scale`,
    /// which must fit the round's `bits` ([`quantize`]).
    Float(Vec<f32>),
    /// Already quantized coordinates (`|q| < 2^(bits-1)`).
    Quantized(Vec<i64>),
}

/// Why a client has no update for a round. `Display` is one line; the client then sits the
/// round out (event `update_failed`) and the node goes on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The round's update file does not exist (yet).
    #[error("update file {path} is missing")]
    Missing {
        /// The file.
        path: String,
    },
    /// The file cannot be read.
    #[error("cannot read update file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// The update has another number of coordinates than the round's dimension.
    #[error("{what}: {got} values, the round has dimension {want}")]
    WrongLength {
        /// The file or source.
        what: String,
        /// Values found.
        got: u64,
        /// The round's dimension.
        want: u32,
    },
    /// A `.npy` file is not float32 little-endian 1-D C-order (or not `.npy` at all).
    #[error("{path}: {reason}")]
    WrongFormat {
        /// The file.
        path: String,
        /// What is wrong (e.g. `dtype '<f8', expected '<f4'`).
        reason: String,
    },
    /// A value is NaN or infinite, or does not fit the round's bits once scaled.
    #[error("coordinate {index}: {value} does not fit {bits} bits at scale {scale}")]
    OutOfRange {
        /// Its index.
        index: usize,
        /// The value.
        value: f64,
        /// The round's bits.
        bits: u8,
        /// The round's scale.
        scale: u32,
    },
    /// The caller has no update for this round (a channel source closed or had none).
    #[error("no update for round {round}")]
    Unavailable {
        /// The round.
        round: u64,
    },
}

/// Where a client's updates come from.
pub trait UpdateSource: Send {
    /// The update for `round`, whose parameters are `params` (dimension, bits, scale). Called
    /// once per round, on the node's event loop, when the client accepts the announcement:
    /// it should return promptly (have the update ready, or fail the round). A client's
    /// network runs on that same thread (`spec/node.md` §2), so it waits meanwhile.
    ///
    /// # Errors
    /// Any [`UpdateError`]: the client does not contribute to this round.
    fn update(&mut self, round: RoundId, params: &RoundParams) -> Result<Update, UpdateError>;
}

/// How a round ended for a node.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// The round's verified result.
    Completed {
        /// Contributions summed.
        count: u32,
        /// The decrypted sum of the quantized updates.
        sum: Vec<i64>,
        /// The round's scale (`sum / scale` is the sum of the real values).
        scale: u32,
    },
    /// The round failed (the protocol's typed reason, formatted).
    Failed(String),
    /// The client did not contribute (its source had no update).
    NoUpdate(UpdateError),
}

impl Outcome {
    /// The mean real-valued update of a completed round: `sum / (count · scale)`.
    pub fn mean(&self) -> Option<Vec<f64>> {
        match self {
            Outcome::Completed { count, sum, scale } if *count > 0 && *scale > 0 => {
                let div = f64::from(*count) * f64::from(*scale);
                Some(sum.iter().map(|&v| v as f64 / div).collect())
            }
            _ => None,
        }
    }
}

/// Where a node reports how its rounds ended.
pub trait ResultSink: Send {
    /// Round `round` ended with `outcome`.
    fn round_ended(&mut self, round: RoundId, outcome: Outcome);
}

/// The caller's hooks into a node ([`crate::driver::run_with`]).
#[derive(Default)]
pub struct Hooks {
    pub(crate) updates: Option<Box<dyn UpdateSource>>,
    pub(crate) results: Option<Box<dyn ResultSink>>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("updates", &self.updates.is_some())
            .field("results", &self.results.is_some())
            .finish()
    }
}

impl Hooks {
    /// No hooks: a client takes its updates from its config (`[client]`).
    pub fn new() -> Self {
        Hooks::default()
    }

    /// The client's updates come from `source` (overriding the config's `[client]`).
    #[must_use]
    pub fn updates(mut self, source: impl UpdateSource + 'static) -> Self {
        self.updates = Some(Box::new(source));
        self
    }

    /// Every round's outcome goes to `sink`.
    #[must_use]
    pub fn results(mut self, sink: impl ResultSink + 'static) -> Self {
        self.results = Some(Box::new(sink));
        self
    }
}

/// Quantizes real values for a round: `round(v · scale)`, each within `|q| < 2^(bits-1)`.
///
/// # Errors
/// [`UpdateError::WrongLength`] if `values` do not have the round's dimension,
/// [`UpdateError::OutOfRange`] for a non-finite value or one that does not fit.
pub fn quantize(values: &[f32], params: &RoundParams) -> Result<Vec<i64>, UpdateError> {
    check_len("update", values.len(), params)?;
    let limit = (1i64 << params.bits.saturating_sub(1).min(62)) as f64;
    values
        .iter()
        .enumerate()
        .map(|(index, &v)| {
            let q = (f64::from(v) * f64::from(params.scale)).round();
            if q.is_finite() && q.abs() < limit {
                // |q| < 2^62 and integral: exact.
                #[allow(clippy::cast_possible_truncation)]
                Ok(q as i64)
            } else {
                Err(UpdateError::OutOfRange {
                    index,
                    value: f64::from(v),
                    bits: params.bits,
                    scale: params.scale,
                })
            }
        })
        .collect()
}

fn check_len(what: &str, got: usize, params: &RoundParams) -> Result<(), UpdateError> {
    if got as u64 != u64::from(params.dimension) {
        return Err(UpdateError::WrongLength {
            what: what.to_string(),
            got: got as u64,
            want: params.dimension,
        });
    }
    Ok(())
}

/// The synthetic generator ([`synth::update`]) seeded with `seed`.
#[derive(Debug, Clone)]
pub struct Synthetic(pub [u8; 32]);

impl UpdateSource for Synthetic {
    fn update(&mut self, round: RoundId, p: &RoundParams) -> Result<Update, UpdateError> {
        Ok(Update::Quantized(synth::update(&self.0, round, p.dimension, p.bits)))
    }
}

/// One update file per round: `pattern` with `{round}` replaced by the round id. A file
/// ending in `.npy` is NumPy format (version 1, 2 or 3; dtype `<f4`, 1-D, C order); any
/// other file is raw little-endian f32, `4 · dimension` bytes.
#[derive(Debug, Clone)]
pub struct UpdateFiles {
    pattern: String,
}

impl UpdateFiles {
    /// Files named by `pattern` (`{round}` is replaced by the round id).
    pub fn new(pattern: impl Into<String>) -> Self {
        UpdateFiles { pattern: pattern.into() }
    }

    /// The file of `round`.
    pub fn path(&self, round: RoundId) -> PathBuf {
        PathBuf::from(self.pattern.replace("{round}", &round.0.to_string()))
    }
}

impl UpdateSource for UpdateFiles {
    fn update(&mut self, round: RoundId, p: &RoundParams) -> Result<Update, UpdateError> {
        Ok(Update::Float(read_update_file(&self.path(round), p.dimension)?))
    }
}

/// Reads an update file of exactly `dimension` f32 values (raw little-endian, or `.npy`),
/// reading no more than the file must hold.
///
/// # Errors
/// [`UpdateError::Missing`], [`UpdateError::Unreadable`], [`UpdateError::WrongLength`],
/// [`UpdateError::WrongFormat`].
pub fn read_update_file(path: &Path, dimension: u32) -> Result<Vec<f32>, UpdateError> {
    let name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            UpdateError::Missing { path: name.clone() }
        } else {
            UpdateError::Unreadable { path: name.clone(), reason: e.to_string() }
        }
    })?;
    let body_len = 4 * u64::from(dimension);
    // Header (at most 64 KiB for .npy) + body + 1 byte to detect a longer file.
    let mut bytes = Vec::new();
    f.take(body_len + (64 << 10) + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| UpdateError::Unreadable { path: name.clone(), reason: e.to_string() })?;
    let npy = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    decode_update(&bytes, npy, dimension, &name)
}

/// Decodes the bytes of an update file named `name`: `.npy` (`npy = true`) or raw
/// little-endian f32, exactly `dimension` values. Never panics (fuzz target `node_update`).
///
/// # Errors
/// [`UpdateError::WrongLength`], [`UpdateError::WrongFormat`].
pub fn decode_update(
    bytes: &[u8],
    npy: bool,
    dimension: u32,
    name: &str,
) -> Result<Vec<f32>, UpdateError> {
    let body_len = 4 * u64::from(dimension);
    let body = if npy { npy_body(bytes, name)? } else { bytes };
    let wrong =
        |got: u64| UpdateError::WrongLength { what: name.to_string(), got, want: dimension };
    if body.len() % 4 != 0 {
        return Err(UpdateError::WrongFormat {
            path: name.to_string(),
            reason: format!("{} bytes is not a whole number of f32 values", body.len()),
        });
    }
    if body.len() as u64 != body_len {
        return Err(wrong(body.len() as u64 / 4));
    }
    Ok(body
        .chunks_exact(4)
        .filter_map(|c| <[u8; 4]>::try_from(c).ok())
        .map(f32::from_le_bytes)
        .collect())
}

/// The data of a `.npy` file after checking its header: float32 little-endian, 1-D, C order.
fn npy_body<'a>(bytes: &'a [u8], name: &str) -> Result<&'a [u8], UpdateError> {
    let bad = |reason: String| UpdateError::WrongFormat { path: name.to_string(), reason };
    let rest = bytes
        .strip_prefix(b"\x93NUMPY")
        .ok_or_else(|| bad("not a .npy file (bad magic)".into()))?;
    let (major, rest) = rest.split_first().ok_or_else(|| bad("truncated header".into()))?;
    let (_minor, rest) = rest.split_first().ok_or_else(|| bad("truncated header".into()))?;
    let (hlen, rest) = match major {
        1 => {
            let (l, r) =
                rest.split_first_chunk::<2>().ok_or_else(|| bad("truncated header".into()))?;
            (usize::from(u16::from_le_bytes(*l)), r)
        }
        2 | 3 => {
            let (l, r) =
                rest.split_first_chunk::<4>().ok_or_else(|| bad("truncated header".into()))?;
            let n = u32::from_le_bytes(*l);
            (usize::try_from(n).unwrap_or(usize::MAX), r)
        }
        v => return Err(bad(format!("unsupported .npy version {v}"))),
    };
    let (header, body) =
        rest.split_at_checked(hlen).ok_or_else(|| bad("truncated header".into()))?;
    let header = std::str::from_utf8(header).map_err(|_| bad("header is not text".into()))?;
    let field = |key: &str| -> Option<String> {
        let at = header.find(&format!("'{key}'"))?;
        let after = header.get(at + key.len() + 2..)?.trim_start().strip_prefix(':')?.trim_start();
        let end = match after.chars().next()? {
            '(' => after.find(')')? + 1,
            '\'' => after.get(1..)?.find('\'')? + 2,
            _ => after.find([',', '}'])?,
        };
        Some(after.get(..end)?.trim().to_string())
    };
    let descr = field("descr").ok_or_else(|| bad("header has no descr".into()))?;
    if descr != "'<f4'" {
        return Err(bad(format!("dtype {descr}, expected '<f4' (float32 little-endian)")));
    }
    if field("fortran_order").as_deref() != Some("False") {
        return Err(bad("fortran_order must be False".into()));
    }
    let shape = field("shape").ok_or_else(|| bad("header has no shape".into()))?;
    let dims: Vec<&str> = shape
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if dims.len() != 1 {
        return Err(bad(format!("shape {shape}, expected 1-D")));
    }
    Ok(body)
}

/// A source fed by the caller's training code through a channel: send `(round, update)`
/// pairs; the node takes the update of the round it is asked for, dropping older ones, and
/// fails the round ([`UpdateError::Unavailable`]) if none is queued yet.
#[derive(Debug)]
pub struct ChannelSource {
    rx: mpsc::Receiver<(RoundId, Update)>,
}

/// A channel source with room for `capacity` queued updates, and its sender.
pub fn channel_source(capacity: usize) -> (mpsc::Sender<(RoundId, Update)>, ChannelSource) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (tx, ChannelSource { rx })
}

impl UpdateSource for ChannelSource {
    fn update(&mut self, round: RoundId, _: &RoundParams) -> Result<Update, UpdateError> {
        while let Ok((r, u)) = self.rx.try_recv() {
            if r == round {
                return Ok(u);
            }
        }
        Err(UpdateError::Unavailable { round: round.0 })
    }
}

/// A sink that forwards every outcome into a channel (dropped if the channel is full).
#[derive(Debug, Clone)]
pub struct ChannelSink(pub mpsc::Sender<(RoundId, Outcome)>);

impl ResultSink for ChannelSink {
    fn round_ended(&mut self, round: RoundId, outcome: Outcome) {
        let _ = self.0.try_send((round, outcome));
    }
}

#[cfg(test)]
mod tests {
    use gradseal_protocol::{Millis, ShardLayout};

    use super::*;

    fn params(dimension: u32) -> RoundParams {
        RoundParams {
            model_version: 1,
            dimension,
            bits: 16,
            scale: 1000,
            min_clients: 2,
            contribution_deadline: Millis(1),
            decryption_deadline: Millis(2),
            shards: ShardLayout { data: 4, parity: 2 },
            privacy_threshold: 2,
        }
    }

    fn npy(descr: &str, shape: &str, body: &[u8]) -> Vec<u8> {
        let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&u16::try_from(h.len()).unwrap().to_le_bytes());
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn files_raw_and_npy_with_typed_errors() {
        let dir = std::env::temp_dir().join(format!("gradseal-update-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let vals = [0.5f32, -1.25, 3.0];
        let body: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(dir.join("u-1.f32"), &body).unwrap();
        std::fs::write(dir.join("u-2.npy"), npy("<f4", "(3,)", &body)).unwrap();
        std::fs::write(dir.join("u-3.npy"), npy("<f8", "(3,)", &body)).unwrap();
        std::fs::write(dir.join("u-4.npy"), npy("<f4", "(1, 3)", &body)).unwrap();
        std::fs::write(dir.join("u-5.f32"), &body[..8]).unwrap();
        std::fs::write(dir.join("u-6.f32"), &body[..7]).unwrap();
        let mut raw = UpdateFiles::new(dir.join("u-{round}.f32").to_string_lossy());
        let mut npys = UpdateFiles::new(dir.join("u-{round}.npy").to_string_lossy());
        let p = params(3);
        assert_eq!(raw.update(RoundId(1), &p).unwrap(), Update::Float(vals.to_vec()));
        assert_eq!(npys.update(RoundId(2), &p).unwrap(), Update::Float(vals.to_vec()));
        assert!(matches!(
            npys.update(RoundId(3), &p),
            Err(UpdateError::WrongFormat { reason, .. }) if reason.contains("<f8")
        ));
        assert!(matches!(
            npys.update(RoundId(4), &p),
            Err(UpdateError::WrongFormat { reason, .. }) if reason.contains("1-D")
        ));
        assert!(matches!(
            raw.update(RoundId(5), &p),
            Err(UpdateError::WrongLength { got: 2, want: 3, .. })
        ));
        assert!(matches!(raw.update(RoundId(6), &p), Err(UpdateError::WrongFormat { .. })));
        assert!(matches!(raw.update(RoundId(9), &p), Err(UpdateError::Missing { .. })));
        // A file longer than the round's dimension is refused too.
        assert!(matches!(
            raw.update(RoundId(1), &params(2)),
            Err(UpdateError::WrongLength { got: 3, want: 2, .. })
        ));
        for e in [raw.update(RoundId(9), &p).unwrap_err(), npys.update(RoundId(3), &p).unwrap_err()]
        {
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn quantize_scales_and_refuses_what_does_not_fit() {
        let p = params(3);
        assert_eq!(quantize(&[0.5, -1.25, 3.0], &p).unwrap(), vec![500, -1250, 3000]);
        assert!(matches!(
            quantize(&[0.0, 40.0, 0.0], &p),
            Err(UpdateError::OutOfRange { index: 1, .. })
        ));
        assert!(matches!(
            quantize(&[f32::NAN, 0.0, 0.0], &p),
            Err(UpdateError::OutOfRange { index: 0, .. })
        ));
        assert!(matches!(quantize(&[0.0], &p), Err(UpdateError::WrongLength { .. })));
        let done = Outcome::Completed { count: 2, sum: vec![1000, -4000], scale: 1000 };
        assert_eq!(done.mean().unwrap(), vec![0.5, -2.0]);
    }

    #[test]
    fn channel_source_takes_the_round_asked_for() {
        let (tx, mut src) = channel_source(4);
        tx.try_send((RoundId(1), Update::Quantized(vec![1]))).unwrap();
        tx.try_send((RoundId(2), Update::Quantized(vec![2]))).unwrap();
        assert_eq!(src.update(RoundId(2), &params(1)).unwrap(), Update::Quantized(vec![2]));
        assert_eq!(src.update(RoundId(3), &params(1)), Err(UpdateError::Unavailable { round: 3 }));
    }
}
