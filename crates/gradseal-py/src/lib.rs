//! # gradseal-py
//!
//! Python bindings of gradseal (PyO3, abi3, CPython >= 3.10), the extension module
//! `gradseal._native` of the `gradseal` Python package (`python/`, built by maturin).
//!
//! What it exposes, with no cryptography on the Python side:
//! - key tools ([`keys`]): the KGC, an enrolment registry (the authorisation policy of
//!   `Kgc::issue_authorised`), node secrets, enrolment requests, partial keys and completed
//!   node keys, each with its byte encoding (the contents of key files);
//! - round parameters and the decoded announcement ([`round`]);
//! - every role of `gradseal-protocol` as a sans-IO Python object with the five calls
//!   `handle_message(now, sender, data)`, `handle_timeout(now)`, `poll_transmit()`,
//!   `poll_event()`, `poll_timeout()` ([`roles`]); the client takes its update as a NumPy
//!   float32 array and quantizes it with the announced scale, results come out as NumPy
//!   arrays, and events carry the Rust reasons ([`events`]).
//!
//! Failures raise typed Python exceptions, all subclasses of `GradsealError` ([`errors`]).

#![forbid(unsafe_code)]

use pyo3::prelude::*;

/// The extension's allocator. A round moves megabyte-sized buffers (an update's ciphertext,
/// its envelope, shards, messages) through a few allocations each; glibc's malloc returns
/// each freed one to the kernel (above its trim and mmap thresholds), so every next
/// allocation page-faults its memory in again: about a quarter of a 10^5-coordinate client's
/// CPU time. jemalloc keeps freed pages for reuse (for seconds, then returns them).
#[cfg(feature = "extension-module")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub mod errors;
pub mod events;
pub mod keys;
pub mod roles;
pub mod round;
mod util;

/// The extension module `gradseal._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    errors::register(py, m)?;
    m.add_class::<keys::KgcPublic>()?;
    m.add_class::<keys::Kgc>()?;
    m.add_class::<keys::EnrolmentRegistry>()?;
    m.add_class::<keys::NodeSecret>()?;
    m.add_class::<keys::NodeKeys>()?;
    m.add_function(wrap_pyfunction!(keys::request_identity, m)?)?;
    m.add_class::<round::RoundParams>()?;
    m.add_class::<round::Announcement>()?;
    m.add_function(wrap_pyfunction!(round::message_kind, m)?)?;
    m.add_function(wrap_pyfunction!(round::message_round, m)?)?;
    m.add_class::<events::Event>()?;
    m.add_class::<events::RoundResult>()?;
    m.add_class::<roles::Authority>()?;
    m.add_class::<roles::Client>()?;
    m.add_class::<roles::Relay>()?;
    m.add_class::<roles::Aggregator>()?;
    m.add_class::<roles::Member>()?;
    m.add_class::<roles::Observer>()?;
    m.add_class::<roles::Payload>()?;
    m.add("PROTOCOL_VERSION", 2u32)?;
    Ok(())
}
