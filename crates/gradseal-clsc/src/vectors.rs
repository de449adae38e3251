//! Test-vector generator (stub).
