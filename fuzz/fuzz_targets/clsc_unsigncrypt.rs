//! Unsigncrypts arbitrary bytes with fixed keys (`gradseal_clsc::fuzzing::fixture`). Nothing
//! may panic; a failure must be the one opaque error; anything accepted must come from the
//! only node that holds a signing key here (the fixture's sender), since forging an accepted
//! signcryption would be a break. The bounded entry point agrees with decode + unsigncrypt
//! under `MAX_SEALED_LEN`, and under a smaller bound refuses exactly the longer inputs.
#![no_main]

use std::sync::OnceLock;

use gradseal_clsc::{
    Error, MAX_SEALED_LEN, Signcryption, fuzzing, unsigncrypt, unsigncrypt_bounded,
};
use gradseal_core::Codec;

fn fixture() -> &'static fuzzing::Fixture {
    static F: OnceLock<fuzzing::Fixture> = OnceLock::new();
    F.get_or_init(|| fuzzing::fixture().expect("fixture"))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let bounded = unsigncrypt_bounded(&fx.recipient, fuzzing::CONTEXT, data, MAX_SEALED_LEN);
    let Ok(ct) = Signcryption::from_bytes(data) else {
        assert!(matches!(bounded, Err(Error::Decode(_))), "decoders disagree");
        return;
    };
    assert_eq!(ct.to_bytes(), data, "accepted a non-canonical signcryption");
    let opened = unsigncrypt(&fx.recipient, fuzzing::CONTEXT, &ct);
    assert_eq!(opened, bounded, "bounded and unbounded unsigncrypt disagree");
    match opened {
        Ok((sender, _message)) => assert!(sender.ct_eq(fx.sender.bundle()), "accepted a forgery"),
        Err(e) => assert_eq!(e, Error::Unsigncrypt, "unsigncrypt failure must be opaque"),
    }
    let sealed = data.len() - 36;
    let tight = unsigncrypt_bounded(&fx.recipient, fuzzing::CONTEXT, data, sealed - 1);
    assert!(matches!(tight, Err(Error::Decode(_))), "a bound below the sealed length passed");
});
