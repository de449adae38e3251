//! Decodes arbitrary bytes as each public gradseal-clsc type. The first byte selects the type
//! (0 KgcPublic, 1 EnrolmentRequest, 2 PartialKey, 3 PublicBundle, 4 Signature,
//! 5 Signcryption, 6 Identity, 7 secret key file, 8 node secret seed, 9 KGC secret); every
//! accepted input must re-encode to exactly the same bytes (canonical encoding), and nothing
//! may panic.
#![no_main]

use std::sync::OnceLock;

use gradseal_clsc::{
    EnrolmentRequest, Identity, Kgc, KgcPublic, NodeKeys, NodeSecretSeed, PartialKey, PublicBundle,
    PublicKey, Signature, Signcryption, fuzzing,
};
use gradseal_core::Codec;

fn fixture() -> &'static fuzzing::Fixture {
    static F: OnceLock<fuzzing::Fixture> = OnceLock::new();
    F.get_or_init(|| fuzzing::fixture().expect("fixture"))
}

fn canonical<T: Codec>(bytes: &[u8]) -> Option<T> {
    let v = T::from_bytes(bytes).ok()?;
    assert_eq!(v.to_bytes(), bytes, "accepted a non-canonical encoding");
    Some(v)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let kgc = fixture().kgc.public();
    match selector % 10 {
        0 => {
            canonical::<KgcPublic>(bytes);
        }
        1 => {
            if let Some(request) = canonical::<EnrolmentRequest>(bytes) {
                let _ = request.verify(kgc);
            }
        }
        2 => {
            canonical::<PartialKey>(bytes);
        }
        3 => {
            if let Some(bundle) = canonical::<PublicBundle>(bytes) {
                let _ = PublicKey::derive(kgc, bundle);
            }
        }
        4 => {
            if let Some(sig) = canonical::<Signature>(bytes) {
                let signer = fixture().sender.public_key();
                let _ = gradseal_clsc::verify(signer, fuzzing::CONTEXT, bytes, &sig);
            }
        }
        5 => {
            canonical::<Signcryption>(bytes);
        }
        6 => {
            canonical::<Identity>(bytes);
        }
        7 => {
            if let Ok(keys) = NodeKeys::from_secret_bytes(kgc, bytes) {
                assert_eq!(&keys.to_secret_bytes()[..], bytes, "secret key file not canonical");
            }
        }
        8 => {
            if let Ok(seed) = NodeSecretSeed::from_secret_bytes(bytes) {
                assert_eq!(&seed.to_secret_bytes()[..], bytes, "node seed not canonical");
                assert!(seed.secret().is_ok(), "accepted a seed without a secret");
            }
        }
        _ => {
            if let Ok(secret) = <[u8; 32]>::try_from(bytes)
                && let Ok(k) = Kgc::from_secret_bytes(&secret)
            {
                assert_eq!(&k.to_secret_bytes()[..], bytes, "KGC secret not canonical");
            }
        }
    }
});
