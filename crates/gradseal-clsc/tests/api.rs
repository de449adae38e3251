//! Behaviour of the public API: enrolment, signcryption, signatures, encodings, secrets.
// Test code: a panic is a failing test; fixtures live outside `#[test]` functions.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod common;

use std::num::NonZeroU16;

use common::{AnyIdentity, enrol, rng, world};
use gradseal_clsc::*;
use gradseal_core::{Codec, DecodeError};

#[test]
fn signcrypt_round_trip_every_padding() {
    let mut w = world();
    for padding in [
        Padding::None,
        Padding::Padme,
        Padding::Multiple(NonZeroU16::new(256).unwrap()),
        Padding::Multiple(NonZeroU16::new(1).unwrap()),
    ] {
        for len in [0usize, 1, 100, 1000, 5000] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let ct =
                signcrypt(&w.alice, w.bob.public_key(), b"ctx", &msg, padding, &mut w.rng).unwrap();
            let decoded = Signcryption::from_bytes(ct.as_bytes()).unwrap();
            assert_eq!(decoded, ct);
            let (sender, got) = unsigncrypt(&w.bob, b"ctx", &decoded).unwrap();
            assert_eq!(&sender, w.alice.bundle());
            assert_eq!(got, msg);
        }
    }
}

#[test]
fn padding_hides_identity_length() {
    let mut w = world();
    let mut r = rng(9);
    let long = enrol(&w.kgc, &"x".repeat(60), &mut r);
    for pad in [Padding::None, Padding::Padme] {
        let a = signcrypt(&w.alice, w.bob.public_key(), b"", b"m", pad, &mut w.rng).unwrap();
        let b = signcrypt(&long, w.bob.public_key(), b"", b"m", pad, &mut w.rng).unwrap();
        assert_eq!(a.as_bytes().len(), b.as_bytes().len());
    }
    let b = signcrypt(&long, w.bob.public_key(), b"", b"m", Padding::None, &mut w.rng).unwrap();
    assert_eq!(b.as_bytes().len(), 32 + 4 + 197 + 1 + 16);
    let (sender, _) = unsigncrypt(&w.bob, b"", &b).unwrap();
    assert_eq!(sender.identity(), long.identity());
}

#[test]
fn unsigncrypt_rejects_wrong_recipient_context_and_self() {
    let mut w = world();
    let ct =
        signcrypt(&w.alice, w.bob.public_key(), b"round-1", b"update", Padding::None, &mut w.rng)
            .unwrap();
    assert_eq!(unsigncrypt(&w.carol, b"round-1", &ct), Err(Error::Unsigncrypt));
    assert_eq!(unsigncrypt(&w.bob, b"round-2", &ct), Err(Error::Unsigncrypt));
    assert_eq!(unsigncrypt(&w.alice, b"round-1", &ct), Err(Error::Unsigncrypt));
    assert!(unsigncrypt(&w.bob, b"round-1", &ct).is_ok());
}

#[test]
fn signcryptions_are_randomised_and_anonymous() {
    let mut w = world();
    let a =
        signcrypt(&w.alice, w.bob.public_key(), b"", b"same", Padding::None, &mut w.rng).unwrap();
    let b =
        signcrypt(&w.alice, w.bob.public_key(), b"", b"same", Padding::None, &mut w.rng).unwrap();
    assert_ne!(a.ephemeral(), b.ephemeral());
    // No public value of the sender or recipient appears in the clear.
    for key in [w.alice.public_key(), w.bob.public_key()] {
        for needle in [key.point_bytes(), key.bundle().public_value(), key.bundle().public_part()] {
            assert!(!a.as_bytes().windows(32).any(|win| win == needle));
        }
        assert!(!a.as_bytes().windows(3).any(|win| win == b"bob" || win == b"ali"));
    }
}

#[test]
fn keys_under_another_kgc_are_refused() {
    let mut w = world();
    let mut r = rng(3);
    let other = Kgc::generate(&mut r);
    let mallory = enrol(&other, "mallory", &mut r);
    assert_eq!(
        signcrypt(&w.alice, mallory.public_key(), b"", b"m", Padding::None, &mut w.rng),
        Err(Error::KgcMismatch)
    );
    // A bundle from another KGC derives a key whose signatures do not verify here.
    let foreign = PublicKey::derive(w.kgc.public(), mallory.bundle().clone()).unwrap();
    let sig = sign(&mallory, b"", b"m", &mut r);
    assert_eq!(verify(&foreign, b"", b"m", &sig), Err(Error::InvalidSignature));
}

#[test]
fn partial_key_for_another_identity_or_value_is_rejected() {
    let w = world();
    let mut r = rng(5);
    let dave = NodeSecret::generate(Identity::new("dave").unwrap(), &mut r);
    let eve = NodeSecret::generate(Identity::new("eve").unwrap(), &mut r);
    let partial = w
        .kgc
        .issue_authorised(&eve.request(w.kgc.public(), &mut r), &mut AnyIdentity, &mut r)
        .unwrap();
    assert_eq!(dave.complete(w.kgc.public(), &partial).unwrap_err(), Error::InvalidPartialKey);
    // Same X under another identity: the request's PoP binds the identity.
    let mut req = dave.request(w.kgc.public(), &mut r).to_bytes();
    req[7] ^= 1; // inside the identity "dave"
    let forged = EnrolmentRequest::from_bytes(&req).unwrap();
    assert_eq!(
        w.kgc.issue_authorised(&forged, &mut AnyIdentity, &mut r).unwrap_err(),
        Error::InvalidProofOfPossession
    );
    // A request bound to another KGC does not verify here.
    let other = Kgc::generate(&mut r);
    let req = dave.request(other.public(), &mut r);
    assert_eq!(
        w.kgc.issue_authorised(&req, &mut AnyIdentity, &mut r).unwrap_err(),
        Error::InvalidProofOfPossession
    );
}

#[test]
fn replaced_public_value_breaks_signatures() {
    // Type I: replace X in alice's bundle with one whose secret the attacker knows.
    let mut w = world();
    let mut r = rng(6);
    let attacker = NodeSecret::generate(Identity::new("alice").unwrap(), &mut r);
    let mut bundle = w.alice.bundle().to_bytes();
    let x_at = 4 + 5;
    bundle[x_at..x_at + 32].copy_from_slice(attacker.public_value());
    let replaced =
        PublicKey::derive(w.kgc.public(), PublicBundle::from_bytes(&bundle).unwrap()).unwrap();
    let sig = sign(&w.alice, b"", b"m", &mut w.rng);
    assert_eq!(verify(&replaced, b"", b"m", &sig), Err(Error::InvalidSignature));
    verify(w.alice.public_key(), b"", b"m", &sig).unwrap();
}

#[test]
fn signatures_are_bound_to_signer_context_and_message() {
    let mut w = world();
    let sig = sign(&w.alice, b"ctx", b"msg", &mut w.rng);
    verify(w.alice.public_key(), b"ctx", b"msg", &sig).unwrap();
    assert_eq!(verify(w.bob.public_key(), b"ctx", b"msg", &sig), Err(Error::InvalidSignature));
    assert_eq!(verify(w.alice.public_key(), b"ctx2", b"msg", &sig), Err(Error::InvalidSignature));
    assert_eq!(verify(w.alice.public_key(), b"ctx", b"msh", &sig), Err(Error::InvalidSignature));
    let again = Signature::from_bytes(&sig.to_bytes()).unwrap();
    assert_eq!(again, sig);
}

#[test]
fn secret_key_files_round_trip_and_are_checked() {
    let w = world();
    let bytes = w.alice.to_secret_bytes();
    let back = NodeKeys::from_secret_bytes(w.kgc.public(), &bytes).unwrap();
    assert_eq!(back, w.alice);
    let mut bad = bytes.to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1; // d changed: still canonical (top byte < 0x10), check fails
    assert_eq!(
        NodeKeys::from_secret_bytes(w.kgc.public(), &bad).unwrap_err(),
        Error::InvalidPartialKey
    );
    let kgc = Kgc::from_secret_bytes(&w.kgc.to_secret_bytes()).unwrap();
    assert_eq!(kgc, w.kgc);
    assert_eq!(kgc.public(), w.kgc.public());
    assert!(Kgc::from_secret_bytes(&[0; 32]).is_err());
    assert!(Kgc::from_secret_bytes(&[0xff; 32]).is_err());
}

#[test]
fn secrets_do_not_print() {
    let w = world();
    let secret_hex: String =
        w.alice.to_secret_bytes()[9..41].iter().map(|b| format!("{b:02x}")).collect();
    for s in [format!("{:?}", w.alice), format!("{:?}", w.kgc)] {
        assert!(!s.contains(&secret_hex), "{s}");
        assert!(s.contains(".."), "{s}");
    }
    let kgc_hex: String = w.kgc.to_secret_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert!(!format!("{:?}", w.kgc).contains(&kgc_hex));
}

#[test]
fn wire_types_reject_truncation_extension_and_bad_points() {
    let mut w = world();
    let mut r = rng(8);
    let secret = NodeSecret::generate(Identity::new("frank").unwrap(), &mut r);
    let request = secret.request(w.kgc.public(), &mut r);
    let partial = w.kgc.issue_authorised(&request, &mut AnyIdentity, &mut r).unwrap();
    let ct = signcrypt(&w.alice, w.bob.public_key(), b"", b"m", Padding::None, &mut w.rng).unwrap();
    let sig = sign(&w.alice, b"", b"m", &mut w.rng);
    type Decoder = fn(&[u8]) -> Result<(), DecodeError>;
    let encodings: Vec<(&str, Vec<u8>, Decoder)> = vec![
        ("kgc", w.kgc.public().to_bytes(), |b| KgcPublic::from_bytes(b).map(drop)),
        ("request", request.to_bytes(), |b| EnrolmentRequest::from_bytes(b).map(drop)),
        ("partial", partial.to_bytes(), |b| PartialKey::from_bytes(b).map(drop)),
        ("bundle", w.alice.bundle().to_bytes(), |b| PublicBundle::from_bytes(b).map(drop)),
        ("signature", sig.to_bytes(), |b| Signature::from_bytes(b).map(drop)),
        ("signcryption", ct.to_bytes(), |b| Signcryption::from_bytes(b).map(drop)),
    ];
    for (name, bytes, decode) in encodings {
        decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(decode(&bytes[..bytes.len() - 1]).is_err(), "{name} truncated");
        let mut ext = bytes.clone();
        ext.push(0);
        assert!(decode(&ext).is_err(), "{name} extended");
    }
    // Identity point as Ppub, non-canonical scalar as signature s.
    assert_eq!(
        KgcPublic::from_bytes(&[0; 32]),
        Err(DecodeError::InvalidValue { field: "kgc.ppub" })
    );
    let mut s = sig.to_bytes();
    s[32..].copy_from_slice(&[0xff; 32]);
    assert_eq!(Signature::from_bytes(&s), Err(DecodeError::NonCanonical { field: "signature.z" }));
}

/// Enrolment needs the policy's authorisation and happens once per identity; the refused
/// requests carry valid proofs of possession (a proof is not a right to the identity).
#[test]
fn enrolment_is_authorised_and_once_per_identity() {
    let w = world();
    let mut r = rng(11);
    let dave = Identity::new("dave").unwrap();
    let mut registry = EnrolmentRegistry::new([dave.clone()]);
    let request = |name: &str, r: &mut _| {
        NodeSecret::generate(Identity::new(name).unwrap(), r).request(w.kgc.public(), r)
    };
    let first = request("dave", &mut r);
    let partial = w.kgc.issue_authorised(&first, &mut registry, &mut r).unwrap();
    assert_eq!(registry.bundle(&dave), Some(&first.bundle(&partial)));
    // A second request for the same identity, even with another X and a valid proof.
    let second = request("dave", &mut r);
    second.verify(w.kgc.public()).unwrap();
    assert_eq!(
        w.kgc.issue_authorised(&second, &mut registry, &mut r).unwrap_err(),
        Error::AlreadyEnrolled
    );
    let mallory = request("mallory", &mut r);
    assert_eq!(
        w.kgc.issue_authorised(&mallory, &mut registry, &mut r).unwrap_err(),
        Error::NotAuthorised
    );
    // The proof is checked first: an invalid one never reaches the policy.
    let mut forged = mallory.to_bytes();
    forged[4] ^= 1;
    let forged = EnrolmentRequest::from_bytes(&forged).unwrap();
    assert_eq!(
        w.kgc.issue_authorised(&forged, &mut registry, &mut r).unwrap_err(),
        Error::InvalidProofOfPossession
    );
    assert_eq!(registry.enrolled().count(), 1);

    /// A policy whose storage fails: the partial key is withheld.
    struct Failing;
    impl EnrolmentPolicy for Failing {
        fn authorises(&self, _: &Identity) -> bool {
            true
        }
        fn is_enrolled(&self, _: &Identity) -> bool {
            false
        }
        fn record(&mut self, _: &PublicBundle) -> bool {
            false
        }
    }
    assert_eq!(
        w.kgc.issue_authorised(&request("erin", &mut r), &mut Failing, &mut r).unwrap_err(),
        Error::EnrolmentNotRecorded
    );
}

/// The caller's bound is checked on the length field alone: a signcryption one byte over
/// it is refused with a public decode error, exactly at it is opened.
#[test]
fn unsigncrypt_bounded_checks_the_callers_bound_first() {
    let mut w = world();
    for padding in [Padding::None, Padding::Padme, Padding::Multiple(NonZeroU16::new(64).unwrap())]
    {
        let msg = vec![7u8; 300];
        let ct = signcrypt(&w.alice, w.bob.public_key(), b"c", &msg, padding, &mut w.rng).unwrap();
        let exact = ct.as_bytes().len() - 36;
        assert!(exact <= padding.sealed_len(300));
        let (from, got) = unsigncrypt_bounded(&w.bob, b"c", ct.as_bytes(), exact).unwrap();
        assert!(from.ct_eq(w.alice.bundle()));
        assert_eq!(got, msg);
        assert!(matches!(
            unsigncrypt_bounded(&w.bob, b"c", ct.as_bytes(), exact - 1),
            Err(Error::Decode(DecodeError::LengthTooLarge { .. }))
        ));
        // A length field claiming 1 GiB with 300 bytes behind it: refused by the bound,
        // before anything is read or allocated.
        let mut huge = ct.as_bytes()[..36].to_vec();
        huge[32..36].copy_from_slice(&(1u32 << 30).to_be_bytes());
        assert!(matches!(
            unsigncrypt_bounded(&w.bob, b"c", &huge, exact),
            Err(Error::Decode(DecodeError::LengthTooLarge { .. }))
        ));
    }
}

#[test]
fn bundle_equality_is_on_the_whole_bundle() {
    let w = world();
    let mut r = rng(12);
    // A second bundle for alice's identity (the KGC can issue one): same identity, not equal.
    let alice2 = enrol(&w.kgc, "alice", &mut r);
    assert_eq!(alice2.identity(), w.alice.identity());
    assert!(!alice2.bundle().ct_eq(w.alice.bundle()));
    assert!(w.alice.bundle().ct_eq(&w.alice.bundle().clone()));
    assert!(!w.alice.bundle().ct_eq(w.bob.bundle()));
}
