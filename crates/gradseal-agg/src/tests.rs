//! Crate-internal tests that need private access (attacks played with unflooded partials, noise measurements).
