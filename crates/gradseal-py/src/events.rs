//! Events as Python objects, and the round result.

use gradseal_protocol as proto;
use gradseal_protocol::reason::RelayFault;
use gradseal_protocol::{RoundFailure, TranscriptFault};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::variant;
use crate::util::numpy_array;

/// Something a role reports. `kind` names the Rust `Event` variant; the other attributes
/// are set when that variant carries them and `None` otherwise:
///
/// | kind | attributes |
/// |---|---|
/// | `Announced` | `round` |
/// | `Contributed` | `shards` |
/// | `NotParticipating` | — |
/// | `Accepted` | `client` |
/// | `Rejected` | `client` (if known), `reason` (`RejectReason`: `Late`, `Duplicate`, `WrongRound`, `NotEnrolled`, `BadSignature`, `Malformed`, `Unopenable`) |
/// | `RelayBlamed` | `relay`, `reason` (`CorruptShard`) |
/// | `TranscriptPublished` | `digest`, `count` (accepted) |
/// | `Agreed` | `digest` (the agreement digest `E`) |
/// | `Certified` | — (the quorum is in `detail`) |
/// | `Decrypted` | `digest` (the list's) |
/// | `Equivocated` | `member` |
/// | `Refused` | `member`, `fault` (`TranscriptFault` variant), `client` (if the fault names one) |
/// | `Completed` | `result` (a `RoundResult`), `count` |
/// | `Failed` | `reason` (`RoundFailure`: `TooFewContributions`, `Refused`, `NoQuorum`, `MissingPartial`, `Undecodable`), `member`, `fault`, `count` (accepted; for `NoQuorum` the agreements), `min` (`min_clients`; for `NoQuorum` the quorum size) |
/// | `AuditPassed` | `count` |
/// | `AuditFailed` | `fault`, `client`, `member` |
/// | `Dropped` | `sender`, `reason` (`ProtocolError` variant) |
///
/// `detail` is the Rust event's full `Debug` text.
#[pyclass(frozen, get_all, module = "gradseal._native")]
#[derive(Default)]
pub struct Event {
    /// The variant name.
    pub kind: String,
    /// The round (`Announced`).
    pub round: Option<u64>,
    /// Shards sent (`Contributed`).
    pub shards: Option<usize>,
    /// A roster index.
    pub client: Option<u32>,
    /// A committee index.
    pub member: Option<u32>,
    /// A relay address (`RelayBlamed`).
    pub relay: Option<u32>,
    /// The address a dropped message came from (`Dropped`).
    pub sender: Option<u32>,
    /// The Rust reason's variant name (see the table).
    pub reason: Option<String>,
    /// A `TranscriptFault` variant name.
    pub fault: Option<String>,
    /// A count of contributions.
    pub count: Option<u32>,
    /// `min_clients` (`Failed` with `TooFewContributions`).
    pub min: Option<u32>,
    /// A 32-byte digest (transcript or list).
    pub digest: Option<Vec<u8>>,
    /// The result (`Completed`).
    pub result: Option<Py<RoundResult>>,
    /// The Rust event's `Debug` text.
    pub detail: String,
}

fn fault_fields(e: &mut Event, fault: &TranscriptFault) {
    e.fault = Some(variant(fault));
    match *fault {
        TranscriptFault::UnknownClient { client }
        | TranscriptFault::DuplicateClient { client }
        | TranscriptFault::BadClientSignature { client }
        | TranscriptFault::MalformedEntry { client }
        | TranscriptFault::BadSealedSeed { client }
        | TranscriptFault::EntryMismatch { client }
        | TranscriptFault::MissingEntry { client } => e.client = Some(client),
        TranscriptFault::ListMismatch { member } => e.member = Some(member),
        TranscriptFault::TooFewClients { accepted, min } => {
            e.count = Some(accepted);
            e.min = Some(min);
        }
        _ => {}
    }
}

impl Event {
    pub(crate) fn from_rust(py: Python<'_>, ev: proto::Event) -> PyResult<Self> {
        // A result's Debug text holds every sum and partial (megabytes): summarised instead.
        let (kind, detail) = match &ev {
            proto::Event::Completed(r) => (
                "Completed".to_owned(),
                format!(
                    "Completed(round {}, {} contributions, {} coordinates)",
                    r.round.0,
                    r.count,
                    r.sum.len()
                ),
            ),
            _ => (variant(&ev), format!("{ev:?}")),
        };
        let mut e = Event { kind, detail, ..Event::default() };
        match ev {
            proto::Event::Announced { round } => e.round = Some(round.0),
            proto::Event::Contributed { shards } => e.shards = Some(shards),
            proto::Event::Accepted { client } => e.client = Some(client),
            proto::Event::Rejected { client, reason } => {
                e.client = client;
                e.reason = Some(variant(&reason));
            }
            proto::Event::RelayBlamed(b) => {
                e.relay = Some(b.relay.0);
                e.reason = Some(match b.fault {
                    RelayFault::CorruptShard => "CorruptShard".into(),
                    #[allow(unreachable_patterns)]
                    f => variant(&f),
                });
            }
            proto::Event::TranscriptPublished { digest, accepted } => {
                e.digest = Some(digest.to_vec());
                e.count = Some(accepted);
            }
            proto::Event::Decrypted { list } => e.digest = Some(list.to_vec()),
            proto::Event::Agreed { agreed } => e.digest = Some(agreed.to_vec()),
            proto::Event::Equivocated { member } => e.member = Some(member),
            proto::Event::Refused { member, fault } => {
                fault_fields(&mut e, &fault);
                e.member = Some(member);
            }
            proto::Event::Completed(r) => {
                e.count = Some(r.count);
                e.result = Some(Py::new(py, RoundResult::from_rust(&r))?);
            }
            proto::Event::Failed(f) => {
                e.reason = Some(variant(&f));
                match f {
                    RoundFailure::TooFewContributions { accepted, min } => {
                        e.count = Some(accepted);
                        e.min = Some(min);
                    }
                    RoundFailure::Refused { member, fault } => {
                        fault_fields(&mut e, &fault);
                        e.member = Some(member);
                    }
                    RoundFailure::MissingPartial { member } => e.member = Some(member),
                    RoundFailure::NoQuorum { agreed, quorum } => {
                        e.count = Some(agreed);
                        e.min = Some(quorum);
                    }
                    _ => {}
                }
            }
            proto::Event::AuditPassed { count } => e.count = Some(count),
            proto::Event::AuditFailed(fault) => fault_fields(&mut e, &fault),
            proto::Event::Dropped { from, error } => {
                e.sender = Some(from.0);
                e.reason = Some(variant(&error));
            }
            _ => {}
        }
        Ok(e)
    }
}

#[pymethods]
impl Event {
    fn __repr__(&self) -> String {
        format!("Event({})", self.detail)
    }
}

/// A completed round's result: the decrypted sum of the quantized updates.
#[pyclass(frozen, module = "gradseal._native")]
pub struct RoundResult {
    round: u64,
    count: u32,
    transcript: Vec<u8>,
    sum: Vec<i64>,
}

impl RoundResult {
    pub(crate) fn from_rust(r: &proto::RoundResult) -> Self {
        RoundResult {
            round: r.round.0,
            count: r.count,
            transcript: r.transcript.to_vec(),
            sum: r.sum.clone(),
        }
    }
}

#[pymethods]
impl RoundResult {
    /// The round.
    #[getter]
    fn round(&self) -> u64 {
        self.round
    }

    /// Accepted contributions summed.
    #[getter]
    fn count(&self) -> u32 {
        self.count
    }

    /// Digest of the transcript the sum belongs to (compare with an observer's).
    #[getter]
    fn transcript<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.transcript)
    }

    /// The exact sum of the quantized updates, as a NumPy int64 array.
    fn sum<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes: Vec<u8> = self.sum.iter().flat_map(|v| v.to_le_bytes()).collect();
        numpy_array(py, &bytes, "<i8")
    }

    /// The sum in model units, `sum / scale`, as a NumPy float32 array.
    fn sum_float<'py>(&self, py: Python<'py>, scale: u32) -> PyResult<Bound<'py, PyAny>> {
        let s = f64::from(scale.max(1));
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let bytes: Vec<u8> =
            self.sum.iter().flat_map(|&v| ((v as f64 / s) as f32).to_le_bytes()).collect();
        numpy_array(py, &bytes, "<f4")
    }

    /// The mean update in model units, `sum / (count * scale)`, as a NumPy float32 array.
    fn mean<'py>(&self, py: Python<'py>, scale: u32) -> PyResult<Bound<'py, PyAny>> {
        let d = f64::from(self.count.max(1)) * f64::from(scale.max(1));
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let bytes: Vec<u8> =
            self.sum.iter().flat_map(|&v| ((v as f64 / d) as f32).to_le_bytes()).collect();
        numpy_array(py, &bytes, "<f4")
    }

    fn __len__(&self) -> usize {
        self.sum.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "RoundResult(round={}, count={}, dimension={})",
            self.round,
            self.count,
            self.sum.len()
        )
    }
}
