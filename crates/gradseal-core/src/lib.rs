//! # gradseal-core
//!
//! The bottom layer of gradseal: a canonical byte codec ([`codec`]), domain-separated and
//! length-framed SHA3-256 hashing ([`hash`]) and a transcript hasher ([`Transcript`]).
//! It has no cryptography of its own beyond SHA3-256.
//!
//! Every gradseal message is encoded with [`Writer`] and decoded with [`Reader`]: big-endian
//! integers, `u32` length prefixes with an explicit upper bound per field, and decoders that
//! reject trailing bytes, overlong lengths and non-canonical values with a [`DecodeError`].
//! The byte-level rules are written down in `spec/core.md`.
//!
//! ```
//! use gradseal_core::{Codec, DecodeError, Reader, Writer};
//!
//! #[derive(Debug, PartialEq)]
//! struct Note { id: u32, body: Vec<u8> }
//!
//! impl Codec for Note {
//!     fn encode(&self, w: &mut Writer) {
//!         w.put_u32(self.id);
//!         w.put_var_bytes(&self.body);
//!     }
//!     fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
//!         Ok(Note { id: r.read_u32("note.id")?, body: r.read_var_bytes("note.body", 64)?.to_vec() })
//!     }
//! }
//!
//! let note = Note { id: 7, body: b"hello".to_vec() };
//! let bytes = note.to_bytes();
//! assert_eq!(Note::from_bytes(&bytes)?, note);
//! let mut extended = bytes.clone();
//! extended.push(0);
//! assert!(matches!(Note::from_bytes(&extended), Err(DecodeError::TrailingBytes { .. })));
//! # Ok::<(), DecodeError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::indexing_slicing)]

pub mod bulk;
pub mod codec;
pub mod hash;
#[cfg(target_arch = "x86_64")]
pub mod keccak4;

pub use bulk::bulk_digest;
pub use codec::{Codec, DecodeError, Reader, Writer};
pub use hash::{DOMAIN_PREFIX, Transcript, hash};
