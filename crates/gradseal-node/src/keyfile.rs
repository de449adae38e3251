//! Key files: one envelope for every key and enrolment artefact.
//!
//! ```text
//! magic "gradseal" (8) ‖ version 0x01 (1) ‖ kind (1) ‖ body
//! ```
//! The body is the gradseal-clsc encoding of the kind (public codecs, or the secret
//! encodings `Kgc::to_secret_bytes`, `NodeSecretSeed::to_secret_bytes`,
//! `NodeKeys::to_secret_bytes`); the body of a node-keys file is prefixed with its KGC's
//! `Ppub` (32) so the file restores on its own. A file is at most [`MAX_KEY_FILE_LEN`] bytes, checked
//! before reading it. Spec: `spec/node.md`, section "Key files".

use std::io::Read;
use std::path::Path;

use gradseal_clsc::{
    EnrolmentRequest, Kgc, KgcPublic, NodeKeys, NodeSecretSeed, PartialKey, PublicBundle,
};
use gradseal_core::{Codec, DecodeError};
use zeroize::Zeroizing;

use crate::Error;

/// The first 8 bytes of every key file.
pub const MAGIC: &[u8; 8] = b"gradseal";
/// The format version.
pub const VERSION: u8 = 1;
/// The largest key file (every kind is far smaller).
pub const MAX_KEY_FILE_LEN: usize = 4096;

/// What a key file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// The KGC's master secret (secret).
    KgcSecret = 1,
    /// The KGC's public parameters.
    KgcPublic = 2,
    /// A node's secret value before enrolment (secret).
    NodeSecret = 3,
    /// An enrolment request (public).
    Request = 4,
    /// A partial private key issued by the KGC (secret).
    Partial = 5,
    /// A node's completed keys (secret).
    NodeKeys = 6,
    /// A node's public key bundle.
    Bundle = 7,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Kind::KgcSecret,
            2 => Kind::KgcPublic,
            3 => Kind::NodeSecret,
            4 => Kind::Request,
            5 => Kind::Partial,
            6 => Kind::NodeKeys,
            7 => Kind::Bundle,
            _ => return None,
        })
    }

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::KgcSecret => "KGC secret",
            Kind::KgcPublic => "KGC public parameters",
            Kind::NodeSecret => "node secret (not enrolled)",
            Kind::Request => "enrolment request",
            Kind::Partial => "partial private key",
            Kind::NodeKeys => "node keys",
            Kind::Bundle => "public key bundle",
        }
    }

    /// Whether files of this kind hold secrets (written with mode 0600).
    pub fn is_secret(self) -> bool {
        matches!(self, Kind::KgcSecret | Kind::NodeSecret | Kind::Partial | Kind::NodeKeys)
    }
}

/// The decoded contents of a key file.
// Read once per command or node start: the size difference between variants is irrelevant.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyFile {
    /// The KGC's master secret.
    KgcSecret(Kgc),
    /// The KGC's public parameters.
    KgcPublic(KgcPublic),
    /// A node's secret value before enrolment.
    NodeSecret(NodeSecretSeed),
    /// An enrolment request.
    Request(EnrolmentRequest),
    /// A partial private key.
    Partial(PartialKey),
    /// A node's completed keys.
    NodeKeys(NodeKeys),
    /// A public key bundle.
    Bundle(PublicBundle),
}

fn decode_err(kind: Kind, source: DecodeError) -> Error {
    Error::Decode { what: format!("corrupt {} file", kind.name()), source }
}

fn clsc_err(kind: Kind, source: gradseal_clsc::Error) -> Error {
    Error::Clsc { what: format!("corrupt {} file", kind.name()), source }
}

impl KeyFile {
    /// The kind.
    pub fn kind(&self) -> Kind {
        match self {
            KeyFile::KgcSecret(_) => Kind::KgcSecret,
            KeyFile::KgcPublic(_) => Kind::KgcPublic,
            KeyFile::NodeSecret(_) => Kind::NodeSecret,
            KeyFile::Request(_) => Kind::Request,
            KeyFile::Partial(_) => Kind::Partial,
            KeyFile::NodeKeys(_) => Kind::NodeKeys,
            KeyFile::Bundle(_) => Kind::Bundle,
        }
    }

    /// The file's bytes (zeroized on drop: most kinds are secret).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(256));
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(self.kind() as u8);
        match self {
            KeyFile::KgcSecret(k) => out.extend_from_slice(&k.to_secret_bytes()[..]),
            KeyFile::KgcPublic(p) => out.extend_from_slice(&p.to_bytes()),
            KeyFile::NodeSecret(s) => out.extend_from_slice(&s.to_secret_bytes()),
            KeyFile::Request(r) => out.extend_from_slice(&r.to_bytes()),
            KeyFile::Partial(p) => out.extend_from_slice(&Zeroizing::new(p.to_bytes())),
            KeyFile::NodeKeys(k) => {
                out.extend_from_slice(k.kgc().ppub_bytes());
                out.extend_from_slice(&k.to_secret_bytes());
            }
            KeyFile::Bundle(b) => out.extend_from_slice(&b.to_bytes()),
        }
        out
    }

    /// Whether `bytes` start like a key file (magic and version).
    pub fn sniff(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    /// Decodes a key file (canonical: every body decoder rejects trailing bytes).
    ///
    /// # Errors
    /// [`Error::KeyFile`] for a bad magic, version, kind or size; [`Error::Decode`] /
    /// [`Error::Clsc`] for a corrupt body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_KEY_FILE_LEN {
            return Err(Error::KeyFile(format!("{} bytes: too large for a key file", bytes.len())));
        }
        let Some(rest) = bytes.strip_prefix(&MAGIC[..]) else {
            return Err(Error::KeyFile("not a gradseal key file (bad magic)".into()));
        };
        let [version, kind, body @ ..] = rest else {
            return Err(Error::KeyFile("truncated key file header".into()));
        };
        if *version != VERSION {
            return Err(Error::KeyFile(format!("unsupported key file version {version}")));
        }
        let kind = Kind::from_u8(*kind)
            .ok_or_else(|| Error::KeyFile(format!("unknown key file kind {kind}")))?;
        Ok(match kind {
            Kind::KgcSecret => {
                let arr: &[u8; 32] = body.try_into().map_err(|_| {
                    decode_err(kind, DecodeError::InvalidValue { field: "kgc.secret" })
                })?;
                KeyFile::KgcSecret(Kgc::from_secret_bytes(arr).map_err(|e| clsc_err(kind, e))?)
            }
            Kind::KgcPublic => {
                KeyFile::KgcPublic(KgcPublic::from_bytes(body).map_err(|e| decode_err(kind, e))?)
            }
            Kind::NodeSecret => KeyFile::NodeSecret(
                NodeSecretSeed::from_secret_bytes(body).map_err(|e| clsc_err(kind, e))?,
            ),
            Kind::Request => KeyFile::Request(
                EnrolmentRequest::from_bytes(body).map_err(|e| decode_err(kind, e))?,
            ),
            Kind::Partial => {
                KeyFile::Partial(PartialKey::from_bytes(body).map_err(|e| decode_err(kind, e))?)
            }
            Kind::NodeKeys => {
                let (ppub, keys) = body.split_at_checked(32).ok_or_else(|| {
                    decode_err(kind, DecodeError::InvalidValue { field: "keys.kgc" })
                })?;
                let kgc = KgcPublic::from_bytes(ppub).map_err(|e| decode_err(kind, e))?;
                KeyFile::NodeKeys(
                    NodeKeys::from_secret_bytes(&kgc, keys).map_err(|e| clsc_err(kind, e))?,
                )
            }
            Kind::Bundle => {
                KeyFile::Bundle(PublicBundle::from_bytes(body).map_err(|e| decode_err(kind, e))?)
            }
        })
    }

    /// Reads and decodes a key file, checking its size before reading it.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file if it cannot be read, else as [`KeyFile::from_bytes`]
    /// with the file name in front.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes = read_bounded(path, MAX_KEY_FILE_LEN)?;
        KeyFile::from_bytes(&bytes).map_err(|e| Error::KeyFile(format!("{}: {e}", path.display())))
    }

    /// Writes the file (secret kinds with mode 0600 on Unix), replacing an existing one.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(if self.kind().is_secret() { 0o600 } else { 0o644 });
        }
        let io = |e: std::io::Error| Error::Io(format!("cannot write {}: {e}", path.display()));
        let mut f = opts.open(path).map_err(io)?;
        std::io::Write::write_all(&mut f, &self.to_bytes()).map_err(io)
    }
}

/// Reads at most `max` bytes of a file: larger files are refused before reading.
///
/// # Errors
/// [`Error::Io`] naming the file.
pub fn read_bounded(path: &Path, max: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let io = |e: std::io::Error| Error::Io(format!("cannot read {}: {e}", path.display()));
    let f = std::fs::File::open(path).map_err(io)?;
    let mut buf = Zeroizing::new(Vec::new());
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    f.take(limit).read_to_end(&mut buf).map_err(io)?;
    if buf.len() > max {
        return Err(Error::Io(format!("{}: larger than {max} bytes", path.display())));
    }
    Ok(buf)
}

fn wrong_kind(path: &Path, got: Kind, want: &str) -> Error {
    Error::KeyFile(format!("{}: is a {} file, expected {want}", path.display(), got.name()))
}

/// Reads a node key file.
///
/// # Errors
/// As [`KeyFile::read`], or a file of another kind.
pub fn read_node_keys(path: &Path) -> Result<NodeKeys, Error> {
    match KeyFile::read(path)? {
        KeyFile::NodeKeys(k) => Ok(k),
        other => Err(wrong_kind(path, other.kind(), "node keys")),
    }
}

/// Reads the KGC's public parameters from a KGC public file (or a KGC secret file).
///
/// # Errors
/// As [`KeyFile::read`], or a file of another kind.
pub fn read_kgc_public(path: &Path) -> Result<KgcPublic, Error> {
    match KeyFile::read(path)? {
        KeyFile::KgcPublic(p) => Ok(p),
        KeyFile::KgcSecret(k) => Ok(*k.public()),
        other => Err(wrong_kind(path, other.kind(), "KGC public parameters")),
    }
}

/// Reads a public bundle file (or the bundle of a node key file).
///
/// # Errors
/// As [`KeyFile::read`], or a file of another kind.
pub fn read_bundle(path: &Path) -> Result<PublicBundle, Error> {
    match KeyFile::read(path)? {
        KeyFile::Bundle(b) => Ok(b),
        KeyFile::NodeKeys(k) => Ok(k.bundle().clone()),
        other => Err(wrong_kind(path, other.kind(), "public key bundle")),
    }
}

/// A fresh 32-byte seed from the operating system, as a deterministic-from-seed RNG.
///
/// # Errors
/// [`Error::Io`] if the OS has no randomness to give.
pub fn os_rng() -> Result<chacha20::ChaCha20Rng, Error> {
    use rand_core::SeedableRng;
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut seed[..]).map_err(|e| Error::Io(format!("no OS randomness: {e}")))?;
    Ok(chacha20::ChaCha20Rng::from_seed(*seed))
}

/// The whole enrolment flow in one place, for a KGC that enrols nodes it runs itself
/// (the cluster launcher): secret → request → partial key (checked) → completed keys.
///
/// # Errors
/// [`Error::Clsc`] for an invalid identity or a failed check.
pub fn enrol_locally(
    kgc: &Kgc,
    identity: &str,
    rng: &mut chacha20::ChaCha20Rng,
) -> Result<NodeKeys, Error> {
    let clsc = |what: &str| {
        let what = format!("{what} {identity}");
        move |source| Error::Clsc { what, source }
    };
    let id =
        gradseal_clsc::Identity::new(identity.as_bytes().to_vec()).map_err(clsc("identity"))?;
    let seed = NodeSecretSeed::generate(id, rng);
    let secret = seed.secret().map_err(clsc("secret of"))?;
    let request = secret.request(kgc.public(), rng);
    let partial = kgc.issue(&request, rng).map_err(clsc("issuing for"))?;
    secret.complete(kgc.public(), &partial).map_err(clsc("completing"))
}

#[cfg(test)]
mod tests {
    use chacha20::ChaCha20Rng;
    use gradseal_clsc::Identity;
    use rand_core::SeedableRng;

    use super::*;

    fn all() -> Vec<KeyFile> {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let kgc = Kgc::generate(&mut rng);
        let seed = NodeSecretSeed::generate(Identity::new(b"n1".to_vec()).unwrap(), &mut rng);
        let secret = seed.secret().unwrap();
        let req = secret.request(kgc.public(), &mut rng);
        let partial = kgc.issue(&req, &mut rng).unwrap();
        let keys = secret.complete(kgc.public(), &partial).unwrap();
        let bundle = keys.bundle().clone();
        let public = *kgc.public();
        vec![
            KeyFile::KgcPublic(public),
            KeyFile::KgcSecret(kgc),
            KeyFile::NodeSecret(seed),
            KeyFile::Request(req),
            KeyFile::Partial(partial),
            KeyFile::NodeKeys(keys),
            KeyFile::Bundle(bundle),
        ]
    }

    #[test]
    fn every_kind_round_trips_canonically() {
        for f in all() {
            let bytes = f.to_bytes();
            let back = KeyFile::from_bytes(&bytes).unwrap();
            assert_eq!(back.kind(), f.kind());
            assert_eq!(&back.to_bytes()[..], &bytes[..]);
            // Trailing byte, truncation and a flipped kind are refused.
            let mut long = bytes.to_vec();
            long.push(0);
            assert!(KeyFile::from_bytes(&long).is_err(), "{:?}", f.kind());
            assert!(KeyFile::from_bytes(&bytes[..bytes.len() - 1]).is_err(), "{:?}", f.kind());
        }
    }

    #[test]
    fn corrupt_files_give_one_line_errors() {
        let keys = all().into_iter().find(|f| f.kind() == Kind::NodeKeys).unwrap();
        let mut bytes = keys.to_bytes().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1; // d no longer matches R: the partial key check fails
        let e = KeyFile::from_bytes(&bytes).unwrap_err().to_string();
        assert!(e.contains("node keys") && !e.contains('\n'), "{e}");
        assert!(KeyFile::from_bytes(b"hello").unwrap_err().to_string().contains("magic"));
        assert!(
            KeyFile::from_bytes(b"gradseal\x02\x01").unwrap_err().to_string().contains("version")
        );
        assert!(KeyFile::from_bytes(b"gradseal\x01\x63").unwrap_err().to_string().contains("kind"));
        assert!(KeyFile::from_bytes(&[b'g'; 5000]).is_err());
    }

    #[test]
    fn write_read_and_wrong_kind() {
        let dir = std::env::temp_dir().join(format!("gradseal-keyfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in all() {
            let p = dir.join(format!("{}.bin", f.kind() as u8));
            f.write(&p).unwrap();
            assert_eq!(KeyFile::read(&p).unwrap().kind(), f.kind());
        }
        let e = read_node_keys(&dir.join("7.bin")).unwrap_err().to_string();
        assert!(e.contains("expected node keys"), "{e}");
        assert!(
            read_node_keys(&dir.join("missing")).unwrap_err().to_string().contains("cannot read")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
