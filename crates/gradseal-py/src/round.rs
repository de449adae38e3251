//! Round parameters, the decoded announcement, and message inspection.

use gradseal_core::Codec;
use gradseal_protocol as proto;
use gradseal_protocol::messages::Message;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors;

/// The parameters of one round (spec/protocol.md §3), fixed by the announcement.
///
/// A quantized coordinate `q` stands for `q / scale`, with `|q| < 2^(bits-1)`; deadlines are
/// in the caller's (virtual) milliseconds.
#[pyclass(get_all, set_all, module = "gradseal._native")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundParams {
    /// Model version the updates apply to (opaque to the protocol).
    pub model_version: u64,
    /// Coordinates per update (1 to 2^22).
    pub dimension: u32,
    /// Bit width of a quantized coordinate (2 to 24).
    pub bits: u8,
    /// Fixed-point scale (a quantized `q` stands for `q / scale`).
    pub scale: u32,
    /// Fewest accepted contributions the committee decrypts (2 to 4096).
    pub min_clients: u32,
    /// Contributions after this time are left out.
    pub contribution_deadline: u64,
    /// Partial decryptions after this time fail the round.
    pub decryption_deadline: u64,
    /// Reed-Solomon data shards per contribution.
    pub data_shards: u8,
    /// Reed-Solomon parity shards per contribution.
    pub parity_shards: u8,
    /// Privacy threshold f of the committee (1 to n − 1: no f members learn anything, any
    /// ⌊(n + f)/2⌋ + 1 decrypt); 0, the default, announces n − 1 (n-of-n).
    pub privacy_threshold: u32,
}

impl RoundParams {
    pub(crate) fn to_rust(&self) -> proto::RoundParams {
        proto::RoundParams {
            model_version: self.model_version,
            dimension: self.dimension,
            bits: self.bits,
            scale: self.scale,
            min_clients: self.min_clients,
            contribution_deadline: proto::Millis(self.contribution_deadline),
            decryption_deadline: proto::Millis(self.decryption_deadline),
            shards: proto::ShardLayout { data: self.data_shards, parity: self.parity_shards },
            privacy_threshold: self.privacy_threshold,
        }
    }

    /// [`RoundParams::to_rust`] for a committee of `committee` members: a threshold of 0
    /// becomes `committee − 1` (n-of-n).
    pub(crate) fn to_rust_for(&self, committee: usize) -> proto::RoundParams {
        let mut p = self.to_rust();
        if p.privacy_threshold == 0 {
            p.privacy_threshold = u32::try_from(committee.saturating_sub(1)).unwrap_or(u32::MAX);
        }
        p
    }

    pub(crate) fn from_rust(p: &proto::RoundParams) -> Self {
        RoundParams {
            model_version: p.model_version,
            dimension: p.dimension,
            bits: p.bits,
            scale: p.scale,
            min_clients: p.min_clients,
            contribution_deadline: p.contribution_deadline.0,
            decryption_deadline: p.decryption_deadline.0,
            data_shards: p.shards.data,
            parity_shards: p.shards.parity,
            privacy_threshold: p.privacy_threshold,
        }
    }
}

#[pymethods]
impl RoundParams {
    /// Round parameters (not checked until [`RoundParams::check`] or the announcement).
    #[new]
    #[pyo3(signature = (dimension, *, bits=16, scale=4096, min_clients=3, contribution_deadline=1000,
        decryption_deadline=2000, data_shards=4, parity_shards=2, model_version=0,
        privacy_threshold=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        dimension: u32,
        bits: u8,
        scale: u32,
        min_clients: u32,
        contribution_deadline: u64,
        decryption_deadline: u64,
        data_shards: u8,
        parity_shards: u8,
        model_version: u64,
        privacy_threshold: u32,
    ) -> Self {
        RoundParams {
            model_version,
            dimension,
            bits,
            scale,
            min_clients,
            contribution_deadline,
            decryption_deadline,
            data_shards,
            parity_shards,
            privacy_threshold,
        }
    }

    /// Checks every rule of spec/protocol.md §3; raises `ParamsError` (with `reason` and
    /// `field`) on the first broken one.
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        self.to_rust().check().map_err(|e| errors::params(py, e))
    }

    /// The 43-byte encoding.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.to_rust().to_bytes())
    }

    /// Decodes (and checks) the 43-byte encoding (`DecodeError` otherwise).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        proto::RoundParams::from_bytes(data)
            .map(|p| Self::from_rust(&p))
            .map_err(|e| errors::decode(py, e))
    }

    fn __eq__(&self, other: &Self) -> bool {
        self == other
    }

    fn __repr__(&self) -> String {
        format!("{self:?}")
    }
}

/// A round announcement, decoded but **not verified** (roles verify the authority's
/// signature themselves): who is who in the round.
#[pyclass(frozen, get_all, module = "gradseal._native")]
pub struct Announcement {
    /// The round.
    pub round: u64,
    /// Its parameters.
    pub params: RoundParams,
    /// The aggregator: (address, bundle).
    pub aggregator: (u32, Vec<u8>),
    /// Relay addresses.
    pub relays: Vec<u32>,
    /// Observer addresses.
    pub observers: Vec<u32>,
    /// The committee in index order: (address, bundle).
    pub committee: Vec<(u32, Vec<u8>)>,
    /// The roster in index order: (address, bundle).
    pub roster: Vec<(u32, Vec<u8>)>,
    /// The digest `A` every later message binds.
    pub digest: Vec<u8>,
}

impl Announcement {
    pub(crate) fn from_rust(a: &proto::Announcement) -> Self {
        let party = |p: &proto::messages::Party| (p.node.0, p.bundle.clone());
        Announcement {
            round: a.round.0,
            params: RoundParams::from_rust(&a.params),
            aggregator: party(&a.aggregator),
            relays: a.relays.iter().map(|n| n.0).collect(),
            observers: a.observers.iter().map(|n| n.0).collect(),
            committee: a.committee.iter().map(party).collect(),
            roster: a.roster.iter().map(party).collect(),
            digest: a.digest().to_vec(),
        }
    }
}

#[pymethods]
impl Announcement {
    /// Decodes an announcement message (kind 1); `DecodeError` for anything else.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        match Message::from_bytes(data).map_err(|e| errors::decode(py, e))? {
            Message::Announcement(a) => Ok(Self::from_rust(&a)),
            m => Err(errors::typed::<errors::DecodeError>(
                py,
                format!("message of kind {} is not an announcement", m.kind()),
                "NotAnnouncement",
            )),
        }
    }

    /// The roster index of `bundle`, if listed.
    fn roster_index(&self, bundle: &[u8]) -> Option<usize> {
        self.roster.iter().position(|(_, b)| b == bundle)
    }

    /// The committee index of `bundle`, if listed.
    fn member_index(&self, bundle: &[u8]) -> Option<usize> {
        self.committee.iter().position(|(_, b)| b == bundle)
    }
}

/// The kind byte of an encoded message (1 announcement, 2 shard, 3 transcript head, 4
/// member list, 5 partial decryption, 6 refusal, 7 rejection, 8 result, 9 agreement, 10
/// quorum certificate, 11 accepted entry), or `None` if empty.
#[pyfunction]
pub fn message_kind(data: &[u8]) -> Option<u8> {
    data.first().copied()
}

/// The round an encoded message names, or `None` if it is too short to name one.
#[pyfunction]
pub fn message_round(data: &[u8]) -> Option<u64> {
    let b: [u8; 8] = data.get(1..9)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}
