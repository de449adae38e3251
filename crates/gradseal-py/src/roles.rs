//! Every role as a sans-IO Python object with the five calls of `gradseal_protocol::Role`.
//!
//! Addresses are `int`s (the protocol's `NodeId`, u32), time is the caller's `int`
//! milliseconds (must not go backwards), messages are `bytes`. After feeding input, drain
//! `poll_transmit()` (pairs `(to, bytes)`) and `poll_event()` until `None`, then ask
//! `poll_timeout()` when to call `handle_timeout` next. The GIL is released while a role
//! works, so roles may be driven from several Python threads. The copies of one broadcast
//! (consecutive transmits of one payload, e.g. a result sent to every client) are one shared
//! `bytes` object, so a payload is copied into Python once, not once per recipient.

use std::sync::{Arc, Mutex};

use gradseal_core::Codec;
use gradseal_protocol as proto;
use gradseal_protocol::messages::{Message, Party};
use gradseal_protocol::{
    GradsealSuite, GradsealSystem, Millis, NodeConfig, NodeId, ProtocolError, Role, RoundId, Suite,
    Tamper, Transmit,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyBytes;

use crate::errors::{self, UpdateError};
use crate::events::Event;
use crate::keys::{KgcPublic, NodeKeys};
use crate::round::RoundParams;
use crate::util::{f32_values, lock, seed32};

type S = GradsealSuite;

fn config(
    py: Python<'_>,
    kgc: &KgcPublic,
    authority: &[u8],
    keys: &NodeKeys,
    round: u64,
    seed: Option<&[u8]>,
) -> PyResult<NodeConfig<S>> {
    Ok(NodeConfig {
        sys: GradsealSystem { kgc: kgc.inner },
        authority: authority.to_vec(),
        key: keys.copy(py)?,
        round: RoundId(round),
        seed: seed32(py, seed)?,
    })
}

/// One message as a role handed it out (`poll_transmit_payload`): the role's own shared,
/// immutable bytes, not copied into Python. Another role's `handle_message` takes it as it
/// is (no copy at all: what an in-process network delivers between local roles);
/// `bytes(payload)` copies it into a `bytes` object once (the same object every time).
#[pyclass(frozen, module = "gradseal._native")]
pub struct Payload {
    data: Arc<Vec<u8>>,
    bytes: PyOnceLock<Py<PyBytes>>,
}

impl Payload {
    fn new(data: Arc<Vec<u8>>) -> Self {
        Payload { data, bytes: PyOnceLock::new() }
    }

    fn to_py_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.bytes.get_or_init(py, || PyBytes::new(py, &self.data).unbind()).bind(py).clone()
    }
}

#[pymethods]
impl Payload {
    /// Its length in bytes.
    fn __len__(&self) -> usize {
        self.data.len()
    }

    /// The message as `bytes` (copied on the first call, the same object afterwards).
    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.to_py_bytes(py)
    }
}

/// The last payload handed to Python: the next transmit of the same payload (a broadcast
/// shares one `Arc`) reuses its object instead of copying again.
type LastPayload = Mutex<Option<Py<Payload>>>;

/// `t` as `(to, payload)`, sharing the payload object of the previous transmit when both
/// carry the same bytes; `None` (the queue is empty) releases the kept payload. The lock is
/// never held while Python allocates or frees an object (which could run other threads).
fn transmit<'py>(
    py: Python<'py>,
    last: &LastPayload,
    t: Option<Transmit>,
) -> PyResult<Option<(u32, Bound<'py, Payload>)>> {
    let Some(t) = t else {
        let old = lock(last)?.take();
        drop(old);
        return Ok(None);
    };
    let same = lock(last)?
        .as_ref()
        .filter(|p| Arc::ptr_eq(&p.get().data, &t.payload))
        .map(|p| p.clone_ref(py));
    if let Some(payload) = same {
        return Ok(Some((t.to.0, payload.into_bound(py))));
    }
    let payload = Bound::new(py, Payload::new(t.payload))?;
    let old = lock(last)?.replace(payload.clone().unbind());
    drop(old);
    Ok(Some((t.to.0, payload)))
}

/// The bytes of a message given to `handle_message`: a [`Payload`] (shared, not copied) or
/// `bytes` (borrowed).
enum Data<'a> {
    Shared(Arc<Vec<u8>>),
    Borrowed(&'a [u8]),
}

impl Data<'_> {
    fn of<'a>(data: &'a Bound<'_, PyAny>) -> PyResult<Data<'a>> {
        if let Ok(p) = data.cast::<Payload>() {
            return Ok(Data::Shared(Arc::clone(&p.get().data)));
        }
        Ok(Data::Borrowed(data.cast::<PyBytes>()?.as_bytes()))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Data::Shared(a) => a,
            Data::Borrowed(b) => b,
        }
    }
}

/// Defines a Python role class around a `Mutex<$inner>` (`$inner: Role`) with the five calls
/// and the extra methods given.
macro_rules! role_class {
    ($(#[$doc:meta])* $name:ident, $inner:ty, { $($extra:tt)* }) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "gradseal._native")]
        pub struct $name {
            inner: Mutex<$inner>,
            last: LastPayload,
        }

        #[pymethods]
        impl $name {
            $($extra)*

            /// Feeds one message delivered by the network from address `sender` at time `now`
            /// (`bytes`, or a `Payload` another role handed out: taken without a copy).
            fn handle_message(&self, py: Python<'_>, now: u64, sender: u32, data: &Bound<'_, PyAny>) -> PyResult<()> {
                let data = Data::of(data)?;
                let data = data.bytes();
                // The lock is taken and released without the GIL, so a thread waiting for it
                // never holds the GIL its holder needs back.
                py.detach(|| lock(&self.inner).map(|mut r| r.handle_message(Millis(now), NodeId(sender), data)))
            }

            /// Tells the role that time `now` has been reached (deadlines).
            fn handle_timeout(&self, py: Python<'_>, now: u64) -> PyResult<()> {
                py.detach(|| lock(&self.inner).map(|mut r| r.handle_timeout(Millis(now))))
            }

            /// The next message to send, as `(to, bytes)`, or `None`. Consecutive copies of
            /// one broadcast are the same `bytes` object.
            fn poll_transmit<'py>(&self, py: Python<'py>) -> PyResult<Option<(u32, Bound<'py, PyBytes>)>> {
                let t = lock(&self.inner)?.poll_transmit();
                Ok(transmit(py, &self.last, t)?.map(|(to, p)| (to, p.get().to_py_bytes(py))))
            }

            /// As `poll_transmit`, with the message as a `Payload` (not copied into Python;
            /// consecutive copies of one broadcast are the same object).
            fn poll_transmit_payload<'py>(&self, py: Python<'py>) -> PyResult<Option<(u32, Bound<'py, Payload>)>> {
                let t = lock(&self.inner)?.poll_transmit();
                transmit(py, &self.last, t)
            }

            /// The next event, or `None`.
            fn poll_event(&self, py: Python<'_>) -> PyResult<Option<Event>> {
                let e = lock(&self.inner)?.poll_event();
                e.map(|e| Event::from_rust(py, e)).transpose()
            }

            /// When `handle_timeout` should next be called, or `None`.
            fn poll_timeout(&self) -> PyResult<Option<u64>> {
                Ok(lock(&self.inner)?.poll_timeout().map(|m| m.0))
            }
        }
    };
}

fn party(p: (u32, Vec<u8>)) -> Party {
    Party { node: NodeId(p.0), bundle: p.1 }
}

role_class!(
    /// The authority (round coordinator): signs and sends the announcement.
    Authority, proto::Authority<S>, {
    /// The authority of round `round`, signing with `keys` (its bundle is what every other
    /// role is given as `authority`).
    #[new]
    #[pyo3(signature = (kgc, keys, round, seed=None))]
    fn new(py: Python<'_>, kgc: &KgcPublic, keys: &NodeKeys, round: u64, seed: Option<&[u8]>) -> PyResult<Self> {
        let cfg = config(py, kgc, &keys.bundle_bytes(), keys, round, seed)?;
        Ok(Self { inner: Mutex::new(proto::Authority::new(cfg)), last: Mutex::default() })
    }

    /// Signs the announcement and queues it to every node it names; returns its encoding.
    /// Parties are `(address, bundle)`. Raises `ParamsError` (nothing sent) if the
    /// parameters break a rule or the roster is smaller than `min_clients`.
    #[allow(clippy::too_many_arguments)]
    fn announce<'py>(
        &self,
        py: Python<'py>,
        params: &RoundParams,
        aggregator: (u32, Vec<u8>),
        relays: Vec<u32>,
        observers: Vec<u32>,
        committee: Vec<(u32, Vec<u8>)>,
        roster: Vec<(u32, Vec<u8>)>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let ann = proto::Announcement {
            round: RoundId(0),
            params: params.to_rust_for(committee.len()),
            aggregator: party(aggregator),
            relays: relays.into_iter().map(NodeId).collect(),
            observers: observers.into_iter().map(NodeId).collect(),
            committee: committee.into_iter().map(party).collect(),
            roster: roster.into_iter().map(party).collect(),
            signature: Vec::new(),
        };
        let signed = py
            .detach(|| lock(&self.inner).map(|mut r| r.announce(ann)))?
            .map_err(|e| errors::params(py, e))?;
        Ok(PyBytes::new(py, &Message::Announcement(signed).to_bytes()))
    }
});

role_class!(
    /// A relay: forwards the round's shards to the aggregator.
    Relay, proto::Relay<S>, {
    /// A relay of round `round`; `authority` is the authority's bundle.
    #[new]
    #[pyo3(signature = (kgc, authority, keys, round, seed=None))]
    fn new(py: Python<'_>, kgc: &KgcPublic, authority: &[u8], keys: &NodeKeys, round: u64, seed: Option<&[u8]>) -> PyResult<Self> {
        let cfg = config(py, kgc, authority, keys, round, seed)?;
        Ok(Self { inner: Mutex::new(proto::Relay::new(cfg)), last: Mutex::default() })
    }
});

role_class!(
    /// The (untrusted) aggregator: sums the accepted contributions, publishes the
    /// transcript, sends each member its list, combines the partials into the result.
    Aggregator, proto::Aggregator<S>, {
    /// The aggregator of round `round`; `authority` is the authority's bundle.
    #[new]
    #[pyo3(signature = (kgc, authority, keys, round, seed=None))]
    fn new(py: Python<'_>, kgc: &KgcPublic, authority: &[u8], keys: &NodeKeys, round: u64, seed: Option<&[u8]>) -> PyResult<Self> {
        let cfg = config(py, kgc, authority, keys, round, seed)?;
        Ok(Self { inner: Mutex::new(proto::Aggregator::new(cfg)), last: Mutex::default() })
    }
});

role_class!(
    /// A committee member: checks its list and answers once with a partial decryption or a
    /// signed refusal.
    Member, proto::Member<S>, {
    /// A committee member of round `round`; `authority` is the authority's bundle.
    #[new]
    #[pyo3(signature = (kgc, authority, keys, round, seed=None))]
    fn new(py: Python<'_>, kgc: &KgcPublic, authority: &[u8], keys: &NodeKeys, round: u64, seed: Option<&[u8]>) -> PyResult<Self> {
        let cfg = config(py, kgc, authority, keys, round, seed)?;
        Ok(Self { inner: Mutex::new(proto::Member::new(cfg)), last: Mutex::default() })
    }
});

role_class!(
    /// An observer: audits the transcript, every member's list and the result
    /// (`AuditPassed` then `Completed`, or `AuditFailed`).
    Observer, proto::Observer<S>, {
    /// An observer of round `round`; `authority` is the authority's bundle.
    #[new]
    #[pyo3(signature = (kgc, authority, keys, round, seed=None))]
    fn new(py: Python<'_>, kgc: &KgcPublic, authority: &[u8], keys: &NodeKeys, round: u64, seed: Option<&[u8]>) -> PyResult<Self> {
        let cfg = config(py, kgc, authority, keys, round, seed)?;
        Ok(Self { inner: Mutex::new(proto::Observer::new(cfg)), last: Mutex::default() })
    }
});

role_class!(
    /// A client: contributes one update, in one shot, on the announcement.
    ///
    /// The update is a float array; it is quantized when the (authority-signed)
    /// announcement arrives, with its `scale` and `bits`: `q = round(v * scale)`, clipped to
    /// `|q| <= 2^(bits-1) - 1` (`clipped` counts the coordinates that were).
    Client, LazyClient, {
    /// A client of round `round` contributing `update` (any array-like of floats, taken as
    /// float32); `authority` is the authority's bundle. Raises `UpdateError` if a value is
    /// not finite.
    #[new]
    #[pyo3(signature = (kgc, authority, keys, round, update, seed=None))]
    fn new(
        py: Python<'_>,
        kgc: &KgcPublic,
        authority: &[u8],
        keys: &NodeKeys,
        round: u64,
        update: &Bound<'_, PyAny>,
        seed: Option<&[u8]>,
    ) -> PyResult<Self> {
        let values = f32_values(py, update)?;
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(errors::typed::<UpdateError>(
                py,
                format!("coordinate {i} of the update is not finite"),
                "NotFinite",
            ));
        }
        let cfg = config(py, kgc, authority, keys, round, seed)?;
        Ok(Self { inner: Mutex::new(LazyClient::new(cfg, values)), last: Mutex::default() })
    }

    /// **Danger** (adversarial tests only): make this client's contribution faulty:
    /// `corrupt_signature` flips a bit of its signature (the aggregator rejects it as
    /// `BadSignature`), `drop_seed` leaves a sealed seed out (`Malformed`). Call before the
    /// announcement arrives.
    #[pyo3(signature = (corrupt_signature=false, drop_seed=false))]
    fn danger_tamper(&self, corrupt_signature: bool, drop_seed: bool) -> PyResult<()> {
        lock(&self.inner)?.tamper = Tamper { corrupt_signature, drop_seed, seal_as: None };
        Ok(())
    }

    /// Coordinates clipped by quantization (`None` before the announcement).
    #[getter]
    fn clipped(&self) -> PyResult<Option<usize>> {
        Ok(lock(&self.inner)?.clipped)
    }

    /// This client's roster index, once announced.
    #[getter]
    fn index(&self) -> PyResult<Option<u32>> {
        Ok(lock(&self.inner)?.inner.as_ref().and_then(proto::Client::index))
    }
});

/// The Rust client, built when a genuine announcement arrives (its update is quantized
/// with the announced scale and bits); until then it holds messages like the Rust roles do.
pub struct LazyClient {
    cfg: Option<NodeConfig<S>>,
    update: Vec<f32>,
    tamper: Tamper,
    clipped: Option<usize>,
    inner: Option<proto::Client<S>>,
    held: Vec<(NodeId, Vec<u8>)>,
    held_bytes: usize,
    events: std::collections::VecDeque<proto::Event>,
}

impl LazyClient {
    fn new(cfg: NodeConfig<S>, update: Vec<f32>) -> Self {
        LazyClient {
            cfg: Some(cfg),
            update,
            tamper: Tamper::default(),
            clipped: None,
            inner: None,
            held: Vec::new(),
            held_bytes: 0,
            events: std::collections::VecDeque::new(),
        }
    }

    fn drop_msg(&mut self, from: NodeId, error: ProtocolError) {
        if self.events.len() < proto::io::MAX_QUEUED_EVENTS {
            self.events.push_back(proto::Event::Dropped { from, error });
        }
    }

    /// Quantizes the update for `params`; returns the values and how many were clipped.
    ///
    /// `q = round(v * scale)` (halves away from zero) clamped to `[-max, max]`, computed as
    /// clamp, truncate, then a step by the fraction: the same values as `f64::round` then
    /// clamp (`max` is an integer), without `round`, which the baseline x86-64 target calls
    /// out of line (it was two thirds of the quantization's time, 0.4 ms per 10^5 values).
    fn quantize(&self, params: &proto::RoundParams) -> (Vec<i64>, usize) {
        let max = (1i64 << (params.bits.clamp(2, 24) - 1)) - 1;
        #[allow(clippy::cast_precision_loss)] // at most 2^23: exact
        let limit = max as f64;
        let scale = f64::from(params.scale);
        let mut clipped = 0;
        let q = self
            .update
            .iter()
            .map(|&v| {
                let x = f64::from(v) * scale;
                clipped += usize::from(x.abs() > limit);
                let x = x.clamp(-limit, limit);
                #[allow(clippy::cast_possible_truncation)] // |x| <= 2^23
                let t = x as i64;
                #[allow(clippy::cast_precision_loss)] // |t| <= 2^23: exact
                let frac = x - t as f64;
                t + i64::from(frac >= 0.5) - i64::from(frac <= -0.5)
            })
            .collect();
        (q, clipped)
    }
}

impl Role for LazyClient {
    fn handle_message(&mut self, now: Millis, from: NodeId, bytes: &[u8]) {
        if let Some(c) = self.inner.as_mut() {
            return c.handle_message(now, from, bytes);
        }
        let Some(cfg) = self.cfg.as_ref() else { return };
        match Message::from_bytes(bytes) {
            Err(e) => self.drop_msg(from, ProtocolError::Decode(e)),
            Ok(Message::Announcement(ann)) => {
                if ann.round != cfg.round {
                    return self.drop_msg(from, ProtocolError::WrongRound);
                }
                if !S::verify(&cfg.sys, &cfg.authority, &ann.digest(), &ann.signature) {
                    return self.drop_msg(from, ProtocolError::BadSignature);
                }
                let (values, clipped) = self.quantize(&ann.params);
                self.clipped = Some(clipped);
                let Some(cfg) = self.cfg.take() else { return };
                let mut client = proto::Client::new(cfg, values);
                client.danger_tamper(self.tamper);
                client.handle_message(now, from, bytes);
                for (f, b) in std::mem::take(&mut self.held) {
                    client.handle_message(now, f, &b);
                }
                self.held_bytes = 0;
                self.update = Vec::new();
                self.inner = Some(client);
            }
            Ok(_) => {
                if self.held.len() >= proto::io::MAX_EARLY_MESSAGES
                    || self.held_bytes + bytes.len() > proto::io::MAX_EARLY_BYTES
                {
                    return self.drop_msg(from, ProtocolError::Capacity);
                }
                self.held_bytes += bytes.len();
                self.held.push((from, bytes.to_vec()));
            }
        }
    }

    fn handle_timeout(&mut self, now: Millis) {
        if let Some(c) = self.inner.as_mut() {
            c.handle_timeout(now);
        }
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.inner.as_mut()?.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<proto::Event> {
        self.events.pop_front().or_else(|| self.inner.as_mut()?.poll_event())
    }

    fn poll_timeout(&self) -> Option<Millis> {
        self.inner.as_ref()?.poll_timeout()
    }
}
