//! Seeds, NumPy conversions and locks.

use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{KeyToolError, typed};

/// A 32-byte seed: the caller's, or 32 bytes from `os.urandom` when `None`.
pub(crate) fn seed32(py: Python<'_>, seed: Option<&[u8]>) -> PyResult<[u8; 32]> {
    match seed {
        Some(s) => <[u8; 32]>::try_from(s).map_err(|_| {
            typed::<KeyToolError>(py, format!("a seed is 32 bytes, not {}", s.len()), "SeedLength")
        }),
        None => {
            let b = py.import("os")?.call_method1("urandom", (32,))?;
            let b = b.cast::<PyBytes>()?;
            <[u8; 32]>::try_from(b.as_bytes())
                .map_err(|_| PyRuntimeError::new_err("os.urandom(32) returned another length"))
        }
    }
}

/// Any array-like as contiguous little-endian float32 values (via NumPy).
pub(crate) fn f32_values(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Vec<f32>> {
    let np = py.import("numpy")?;
    let arr = np.call_method1("ascontiguousarray", (obj, "<f4"))?;
    let bytes = arr.call_method0("tobytes")?;
    let bytes = bytes.cast::<PyBytes>()?;
    Ok(bytes
        .as_bytes()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// A new writable NumPy array of `dtype` ("<f4", "<i8") from its little-endian bytes.
pub(crate) fn numpy_array<'py>(
    py: Python<'py>,
    bytes: &[u8],
    dtype: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let np = py.import("numpy")?;
    np.call_method1("frombuffer", (PyBytes::new(py, bytes), dtype))?.call_method0("copy")
}

/// Locks a role's mutex (a poisoned lock means a Rust panic happened inside: reported, not
/// propagated as another panic).
pub(crate) fn lock<T>(m: &Mutex<T>) -> PyResult<MutexGuard<'_, T>> {
    m.lock().map_err(|_| PyRuntimeError::new_err("gradseal role poisoned by an earlier panic"))
}
