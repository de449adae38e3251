//! Every role as a sans-IO Python object with the five calls of `gradseal_protocol::Role`.
//!
//! Addresses are `int`s (the protocol's `NodeId`, u32), time is the caller's `int`
//! milliseconds (must not go backwards), messages are `bytes`. After feeding input, drain
//! `poll_transmit()` (pairs `(to, bytes)`) and `poll_event()` until `None`, then ask
//! `poll_timeout()` when to call `handle_timeout` next. The GIL is released while a role
//! works, so roles may be driven from several Python threads.

use std::sync::Mutex;

use gradseal_core::Codec;
use gradseal_protocol as proto;
use gradseal_protocol::messages::{Message, Party};
use gradseal_protocol::{
    GradsealSuite, GradsealSystem, Millis, NodeConfig, NodeId, ProtocolError, Role, RoundId, Suite,
    Tamper, Transmit,
};
use pyo3::prelude::*;
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

fn transmit(py: Python<'_>, t: Option<Transmit>) -> Option<(u32, Bound<'_, PyBytes>)> {
    t.map(|t| (t.to.0, PyBytes::new(py, &t.payload)))
}

/// Defines a Python role class around a `Mutex<$inner>` (`$inner: Role`) with the five calls
/// and the extra methods given.
macro_rules! role_class {
    ($(#[$doc:meta])* $name:ident, $inner:ty, { $($extra:tt)* }) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "gradseal._native")]
        pub struct $name {
            inner: Mutex<$inner>,
        }

        #[pymethods]
        impl $name {
            $($extra)*

            /// Feeds one message delivered by the network from address `sender` at time `now`.
            fn handle_message(&self, py: Python<'_>, now: u64, sender: u32, data: &[u8]) -> PyResult<()> {
                // The lock is taken and released without the GIL, so a thread waiting for it
                // never holds the GIL its holder needs back.
                py.detach(|| lock(&self.inner).map(|mut r| r.handle_message(Millis(now), NodeId(sender), data)))
            }

            /// Tells the role that time `now` has been reached (deadlines).
            fn handle_timeout(&self, py: Python<'_>, now: u64) -> PyResult<()> {
                py.detach(|| lock(&self.inner).map(|mut r| r.handle_timeout(Millis(now))))
            }

            /// The next message to send, as `(to, bytes)`, or `None`.
            fn poll_transmit<'py>(&self, py: Python<'py>) -> PyResult<Option<(u32, Bound<'py, PyBytes>)>> {
                let t = lock(&self.inner)?.poll_transmit();
                Ok(transmit(py, t))
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
        Ok(Self { inner: Mutex::new(proto::Authority::new(cfg)) })
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
        Ok(Self { inner: Mutex::new(proto::Relay::new(cfg)) })
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
        Ok(Self { inner: Mutex::new(proto::Aggregator::new(cfg)) })
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
        Ok(Self { inner: Mutex::new(proto::Member::new(cfg)) })
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
        Ok(Self { inner: Mutex::new(proto::Observer::new(cfg)) })
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
        Ok(Self { inner: Mutex::new(LazyClient::new(cfg, values)) })
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
    fn quantize(&self, params: &proto::RoundParams) -> (Vec<i64>, usize) {
        let max = (1i64 << (params.bits.clamp(2, 24) - 1)) - 1;
        let scale = f64::from(params.scale);
        let mut clipped = 0;
        let q = self
            .update
            .iter()
            .map(|&v| {
                #[allow(clippy::cast_possible_truncation)] // clamped to 24 bits just below
                let q = (f64::from(v) * scale).round().clamp(-(max as f64), max as f64) as i64;
                if q.abs() == max {
                    clipped += usize::from((f64::from(v) * scale).abs() > max as f64);
                }
                q
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
