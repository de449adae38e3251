//! # gradseal-clsc
//!
//! Certificateless signcryption and Schnorr signatures on ristretto255, as specified in
//! [`spec/clsc.md`](https://example.invalid/gradseal/spec/clsc.md) (in the repository:
//! `spec/clsc.md`; vectors in `spec/vectors/clsc.json`).
//!
//! A key generation centre ([`Kgc`]) enrols nodes without certificates: a node picks a
//! secret value `x` ([`NodeSecret`]), sends an [`EnrolmentRequest`] (identity, `X = x·G`, a
//! proof of possession of `x`), and receives a [`PartialKey`] `(R, d)` bound to its identity
//! and `X`. Its full secret is `sk = x + d` ([`NodeKeys`]); its public key bundle
//! `(ID, X, R)` ([`PublicBundle`]) lets anyone derive `P = X + R + h·Ppub` ([`PublicKey`]).
//! The KGC never learns `x`, so it can neither sign nor decrypt for a node.
//!
//! [`signcrypt`] encrypts and signs in one go: only the ephemeral point `E` is in the clear,
//! the sender's bundle and signature travel inside the AEAD (anonymity towards relays), and
//! [`unsigncrypt`] returns the verified sender bundle and the message, or one opaque error.
//! [`sign`] and [`verify`] are plain certificateless Schnorr signatures.
//!
//! ```
//! use gradseal_clsc::*;
//! use rand_core::SeedableRng;
//!
//! let mut rng = chacha20::ChaCha20Rng::from_seed([1; 32]);
//! let kgc = Kgc::generate(&mut rng);
//! // The KGC enrols only the identities its operator authorised, each once.
//! let mut registry = EnrolmentRegistry::new([Identity::new("alice")?, Identity::new("bob")?]);
//! let mut enrol = |name: &str, rng: &mut chacha20::ChaCha20Rng| -> Result<NodeKeys, Error> {
//!     let secret = NodeSecret::generate(Identity::new(name)?, rng);
//!     let partial = kgc.issue_authorised(&secret.request(kgc.public(), rng), &mut registry, rng)?;
//!     secret.complete(kgc.public(), &partial)
//! };
//! let alice = enrol("alice", &mut rng)?;
//! let bob = enrol("bob", &mut rng)?;
//! assert_eq!(enrol("bob", &mut rng).err(), Some(Error::AlreadyEnrolled));
//! assert_eq!(enrol("mallory", &mut rng).err(), Some(Error::NotAuthorised));
//!
//! let max_message = 1 << 10;
//! let ct = signcrypt(&alice, bob.public_key(), b"round 7", b"hello", Padding::Padme, &mut rng)?;
//! let bound = Padding::Padme.sealed_len(max_message);
//! let (sender, msg) = unsigncrypt_bounded(&bob, b"round 7", ct.as_bytes(), bound)?;
//! assert!(sender.ct_eq(alice.bundle())); // the roster check: whole bundle, constant time
//! assert_eq!(msg, b"hello");
//! assert_eq!(unsigncrypt_bounded(&bob, b"round 8", ct.as_bytes(), bound), Err(Error::Unsigncrypt));
//!
//! let sig = sign(&alice, b"transcript", b"digest", &mut rng);
//! verify(alice.public_key(), b"transcript", b"digest", &sig)?;
//! # Ok::<(), Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

mod enrolment;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod keyfile;
mod kgc;
mod node;
mod padding;
mod schnorr;
mod signcrypt;
pub mod tags;
mod wire;

#[cfg(feature = "vectors")]
#[doc(hidden)]
pub mod vectors;

pub use enrolment::{EnrolmentPolicy, EnrolmentRegistry};
pub use error::Error;
pub use keyfile::{NODE_SEED_LEN, NodeSecretSeed};
pub use kgc::{EnrolmentRequest, Kgc, KgcPublic, PartialKey};
pub use node::{NodeKeys, NodeSecret, PublicBundle, PublicKey};
pub use padding::Padding;
pub use schnorr::{SIGNATURE_LEN, Signature, sign, verify};
pub use signcrypt::{
    MAX_MESSAGE_LEN, MAX_SEALED_LEN, MIN_SEALED_LEN, Signcryption, TAG_LEN, signcrypt, unsigncrypt,
    unsigncrypt_bounded,
};
pub use wire::{Identity, MAX_IDENTITY_LEN};
