//! Typed Python exceptions. Every one derives from `GradsealError` and carries a `reason`
//! attribute naming the Rust error variant (for example `"NotAuthorised"`), beside the
//! Rust error's message.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyModule;

create_exception!(
    gradseal._native,
    GradsealError,
    PyException,
    "Base class of every gradseal error; `reason` names the Rust error variant."
);
create_exception!(
    gradseal._native,
    KeyToolError,
    GradsealError,
    "A key, identity or seed is invalid (gradseal-clsc's error)."
);
create_exception!(
    gradseal._native,
    EnrolmentError,
    KeyToolError,
    "The KGC refused an enrolment (not authorised, already enrolled, bad proof) or a partial key does not complete."
);
create_exception!(
    gradseal._native,
    DecodeError,
    GradsealError,
    "Bytes are not the canonical encoding of the expected object."
);
create_exception!(
    gradseal._native,
    ParamsError,
    GradsealError,
    "Round parameters break a rule of spec/protocol.md section 3 (`reason`: the variant, `field`: the field)."
);
create_exception!(
    gradseal._native,
    UpdateError,
    GradsealError,
    "An update cannot be contributed (non-finite values)."
);

/// Builds an exception of type `T` with `message` and a `reason` attribute.
pub(crate) fn typed<T: pyo3::PyTypeInfo>(py: Python<'_>, message: String, reason: &str) -> PyErr {
    let err = PyErr::new::<T, _>(message);
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it
    // did, the exception still has its type and message.
    let _ = err.value(py).setattr("reason", reason);
    err
}

/// The variant name of a Rust value's `Debug` form (`BadSealedSeed { client: 3 }` gives
/// `BadSealedSeed`).
pub(crate) fn variant<T: core::fmt::Debug>(v: &T) -> String {
    let s = format!("{v:?}");
    s.split([' ', '(', '{']).next().unwrap_or("").to_owned()
}

/// A gradseal-clsc error as the matching Python exception.
pub(crate) fn clsc(py: Python<'_>, e: gradseal_clsc::Error) -> PyErr {
    use gradseal_clsc::Error as E;
    let reason = variant(&e);
    match e {
        E::Decode(_) => typed::<DecodeError>(py, e.to_string(), &reason),
        E::NotAuthorised
        | E::AlreadyEnrolled
        | E::EnrolmentNotRecorded
        | E::InvalidProofOfPossession
        | E::InvalidPartialKey => typed::<EnrolmentError>(py, e.to_string(), &reason),
        _ => typed::<KeyToolError>(py, e.to_string(), &reason),
    }
}

/// A codec error as `DecodeError`.
pub(crate) fn decode(py: Python<'_>, e: gradseal_core::DecodeError) -> PyErr {
    typed::<DecodeError>(py, e.to_string(), &variant(&e))
}

/// A parameter error as `ParamsError` (with `field`).
pub(crate) fn params(py: Python<'_>, e: gradseal_protocol::ParamsError) -> PyErr {
    let err = typed::<ParamsError>(py, e.to_string(), &variant(&e));
    let _ = err.value(py).setattr("field", e.field());
    err
}

pub(crate) fn register(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("GradsealError", py.get_type::<GradsealError>())?;
    m.add("KeyToolError", py.get_type::<KeyToolError>())?;
    m.add("EnrolmentError", py.get_type::<EnrolmentError>())?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("ParamsError", py.get_type::<ParamsError>())?;
    m.add("UpdateError", py.get_type::<UpdateError>())?;
    Ok(())
}
