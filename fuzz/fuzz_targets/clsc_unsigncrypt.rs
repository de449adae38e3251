//! Unsigncrypts arbitrary bytes with fixed keys (`gradseal_clsc::fuzzing::fixture`). Nothing
//! may panic; a failure must be the one opaque error; anything accepted must come from the
//! only node that holds a signing key here (the fixture's sender), since forging an accepted
//! signcryption would be a break.
#![no_main]

use std::sync::OnceLock;

use gradseal_clsc::{Error, Signcryption, fuzzing, unsigncrypt};
use gradseal_core::Codec;

fn fixture() -> &'static fuzzing::Fixture {
    static F: OnceLock<fuzzing::Fixture> = OnceLock::new();
    F.get_or_init(|| fuzzing::fixture().expect("fixture"))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(ct) = Signcryption::from_bytes(data) else { return };
    assert_eq!(ct.to_bytes(), data, "accepted a non-canonical signcryption");
    let fx = fixture();
    match unsigncrypt(&fx.recipient, fuzzing::CONTEXT, &ct) {
        Ok((sender, _message)) => assert_eq!(&sender, fx.sender.bundle(), "accepted a forgery"),
        Err(e) => assert_eq!(e, Error::Unsigncrypt, "unsigncrypt failure must be opaque"),
    }
});
