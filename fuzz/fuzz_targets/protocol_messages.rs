//! Decodes every gradseal-protocol message (and the inner contribution) from arbitrary
//! bytes: no panic, and every accepted input re-encodes to itself (canonical encoding).
#![no_main]

use gradseal_core::Codec;
use gradseal_protocol::messages::{Contribution, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::from_bytes(data) {
        assert_eq!(m.to_bytes(), data, "non-canonical message accepted");
    }
    if let Ok(c) = Contribution::from_bytes(data) {
        assert_eq!(c.to_bytes(), data, "non-canonical contribution accepted");
    }
});
