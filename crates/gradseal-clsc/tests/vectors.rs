//! Vector checks (in progress).
