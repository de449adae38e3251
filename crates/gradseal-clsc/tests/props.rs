//! Property tests: canonical encodings, bit-flip rejection, signature binding.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod common;

use std::num::NonZeroU16;
use std::sync::OnceLock;

use common::{AnyIdentity, World, world};
use gradseal_clsc::*;
use gradseal_core::{Codec, DecodeError};
use proptest::prelude::*;

fn shared() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(world)
}

fn rng_from(seed: [u8; 32]) -> chacha20::ChaCha20Rng {
    rand_core::SeedableRng::from_seed(seed)
}

fn padding() -> impl Strategy<Value = Padding> {
    prop_oneof![
        Just(Padding::None),
        Just(Padding::Padme),
        (1u16..=1024).prop_map(|n| Padding::Multiple(NonZeroU16::new(n).unwrap())),
    ]
}

/// Decodes `bytes` as `T`; if accepted, the encoding must reproduce them exactly.
fn canonical<T: Codec>(bytes: &[u8]) -> Result<(), DecodeError> {
    let v = T::from_bytes(bytes)?;
    assert_eq!(v.to_bytes(), bytes, "{} is not canonical", core::any::type_name::<T>());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn enrolment_encodings_round_trip(seed in any::<[u8; 32]>(), id in proptest::collection::vec(any::<u8>(), 1..=64)) {
        let w = shared();
        let mut rng = rng_from(seed);
        let secret = NodeSecret::generate(Identity::new(id).unwrap(), &mut rng);
        let request = secret.request(w.kgc.public(), &mut rng);
        prop_assert_eq!(EnrolmentRequest::from_bytes(&request.to_bytes()).unwrap(), request.clone());
        let partial = w.kgc.issue_authorised(&request, &mut AnyIdentity, &mut rng).unwrap();
        prop_assert_eq!(PartialKey::from_bytes(&partial.to_bytes()).unwrap(), partial);
        let partial = PartialKey::from_bytes(&w.kgc.issue_authorised(&request, &mut AnyIdentity, &mut rng).unwrap().to_bytes()).unwrap();
        let keys = secret.complete(w.kgc.public(), &partial).unwrap();
        let bundle = PublicBundle::from_bytes(&keys.bundle().to_bytes()).unwrap();
        prop_assert_eq!(&bundle, keys.bundle());
        prop_assert_eq!(&PublicKey::derive(w.kgc.public(), bundle).unwrap(), keys.public_key());
        let restored = NodeKeys::from_secret_bytes(w.kgc.public(), &keys.to_secret_bytes()).unwrap();
        prop_assert_eq!(restored, keys);
        prop_assert_eq!(KgcPublic::from_bytes(&w.kgc.public().to_bytes()).unwrap(), *w.kgc.public());
    }

    #[test]
    fn signcrypt_round_trips(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..600),
        ctx in proptest::collection::vec(any::<u8>(), 0..40),
        pad in padding(),
    ) {
        let w = shared();
        let mut rng = rng_from(seed);
        let ct = signcrypt(&w.alice, w.bob.public_key(), &ctx, &msg, pad, &mut rng).unwrap();
        let wire = ct.to_bytes();
        let decoded = Signcryption::from_bytes(&wire).unwrap();
        prop_assert_eq!(decoded.to_bytes(), wire);
        let (from, got) = unsigncrypt(&w.bob, &ctx, &decoded).unwrap();
        prop_assert_eq!(&from, w.alice.bundle());
        prop_assert_eq!(got, msg);
    }

    #[test]
    fn any_single_bit_flip_is_rejected(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        pad in padding(),
        bit in any::<prop::sample::Index>(),
    ) {
        let w = shared();
        let mut rng = rng_from(seed);
        let mut wire = signcrypt(&w.alice, w.bob.public_key(), b"ctx", &msg, pad, &mut rng).unwrap().to_bytes();
        let i = bit.index(wire.len() * 8);
        wire[i / 8] ^= 1 << (i % 8);
        match Signcryption::from_bytes(&wire) {
            Err(_) => {}
            Ok(ct) => prop_assert_eq!(unsigncrypt(&w.bob, b"ctx", &ct), Err(Error::Unsigncrypt)),
        }
    }

    #[test]
    fn signatures_bind_signer_and_context(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..200),
        ctx in proptest::collection::vec(any::<u8>(), 0..16),
        other_ctx in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let w = shared();
        let mut rng = rng_from(seed);
        let sig = sign(&w.alice, &ctx, &msg, &mut rng);
        let sig = Signature::from_bytes(&sig.to_bytes()).unwrap();
        prop_assert!(verify(w.alice.public_key(), &ctx, &msg, &sig).is_ok());
        prop_assert_eq!(verify(w.bob.public_key(), &ctx, &msg, &sig), Err(Error::InvalidSignature));
        prop_assert_eq!(verify(w.carol.public_key(), &ctx, &msg, &sig), Err(Error::InvalidSignature));
        if other_ctx != ctx {
            prop_assert_eq!(verify(w.alice.public_key(), &other_ctx, &msg, &sig), Err(Error::InvalidSignature));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoders_never_panic_and_accept_only_canonical_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = canonical::<KgcPublic>(&bytes);
        let _ = canonical::<EnrolmentRequest>(&bytes);
        let _ = canonical::<PartialKey>(&bytes);
        let _ = canonical::<PublicBundle>(&bytes);
        let _ = canonical::<Signature>(&bytes);
        let _ = canonical::<Signcryption>(&bytes);
        let _ = canonical::<Identity>(&bytes);
        let _ = NodeKeys::from_secret_bytes(shared().kgc.public(), &bytes);
    }

    #[test]
    fn mutated_valid_encodings_decode_canonically_or_fail(
        which in 0usize..6,
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let w = shared();
        let mut rng = rng_from([9; 32]);
        let mut bytes = match which {
            0 => w.kgc.public().to_bytes(),
            1 => w.alice.bundle().to_bytes(),
            2 => sign(&w.alice, b"", b"m", &mut rng).to_bytes(),
            3 => signcrypt(&w.alice, w.bob.public_key(), b"", b"m", Padding::None, &mut rng).unwrap().to_bytes(),
            4 => w.alice.identity().to_bytes(),
            _ => {
                let s = NodeSecret::generate(Identity::new("p").unwrap(), &mut rng);
                s.request(w.kgc.public(), &mut rng).to_bytes()
            }
        };
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        let _ = match which {
            0 => canonical::<KgcPublic>(&bytes),
            1 => canonical::<PublicBundle>(&bytes),
            2 => canonical::<Signature>(&bytes),
            3 => canonical::<Signcryption>(&bytes),
            4 => canonical::<Identity>(&bytes),
            _ => canonical::<EnrolmentRequest>(&bytes),
        };
    }
}
