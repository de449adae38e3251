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
use gradseal_net::PeerBinding;
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
    /// A node's peer binding: its libp2p PeerId signed with its node key (public).
    Binding = 8,
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
            8 => Kind::Binding,
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
            Kind::Binding => "peer binding",
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
    /// A peer binding (gradseal-net).
    Binding(PeerBinding),
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
            KeyFile::Binding(_) => Kind::Binding,
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
            KeyFile::Binding(b) => out.extend_from_slice(&b.encode()),
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
            Kind::Binding => KeyFile::Binding(
                PeerBinding::decode(body)
                    .map_err(|e| Error::KeyFile(format!("corrupt {} file: {e}", kind.name())))?,
            ),
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

    /// Writes the file, replacing an existing one atomically ([`write_atomic`]): secret
    /// kinds with mode 0600, public ones 0644.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file (also when `path` is a symbolic link).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        write_atomic(path, &self.to_bytes(), self.kind().is_secret())
    }
}

/// Writes `bytes` to `path` atomically: into a fresh temporary file beside it (created
/// exclusively, so never through a symbolic link, with mode 0600 for secrets and 0644
/// otherwise, set explicitly so an existing file's mode never carries over), flushed with
/// fsync, then renamed over `path`, and the directory synced. A symbolic link at `path` is
/// refused rather than followed or replaced. Readers see the old file or the new one, never
/// a partial one; a failure leaves the old file in place and removes the temporary one.
///
/// # Errors
/// [`Error::Io`] naming the file.
pub fn write_atomic(path: &Path, bytes: &[u8], secret: bool) -> Result<(), Error> {
    use std::io::Write;
    let io = |e: std::io::Error| Error::Io(format!("cannot write {}: {e}", path.display()));
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::Io(format!(
            "cannot write {}: is a symbolic link (refusing to follow it)",
            path.display()
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tag = [0u8; 8];
    getrandom::fill(&mut tag).map_err(|e| Error::Io(format!("no OS randomness: {e}")))?;
    let tmp = dir.join(format!(".{name}.{}.tmp", hex::encode(tag)));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut f = opts.open(&tmp).map_err(io)?;
    let written = (|| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if secret { 0o600 } else { 0o644 };
            f.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    // The rename is durable once the directory is synced (best effort where directories
    // cannot be opened).
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
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

fn secret_where_public(path: &Path, got: Kind, want: &str) -> Error {
    Error::KeyFile(format!(
        "{}: is a {} file (secret) where {want} (public) is expected; refusing it",
        path.display(),
        got.name()
    ))
}

/// Reads the KGC's public parameters from a KGC public file. A KGC secret file is refused
/// (a node never needs the master secret; pointing it there is a mistake to fix).
///
/// # Errors
/// As [`KeyFile::read`], or a file of another kind.
pub fn read_kgc_public(path: &Path) -> Result<KgcPublic, Error> {
    match KeyFile::read(path)? {
        KeyFile::KgcPublic(p) => Ok(p),
        other if other.kind().is_secret() => {
            Err(secret_where_public(path, other.kind(), "KGC public parameters"))
        }
        other => Err(wrong_kind(path, other.kind(), "KGC public parameters")),
    }
}

/// Reads a public bundle file. A node key file is refused (a bundle names another node:
/// its secret keys have no business here).
///
/// # Errors
/// As [`KeyFile::read`], or a file of another kind.
pub fn read_bundle(path: &Path) -> Result<PublicBundle, Error> {
    match KeyFile::read(path)? {
        KeyFile::Bundle(b) => Ok(b),
        other if other.kind().is_secret() => {
            Err(secret_where_public(path, other.kind(), "a public key bundle"))
        }
        other => Err(wrong_kind(path, other.kind(), "public key bundle")),
    }
}

/// Reads a peer binding file (kind 8).
///
/// # Errors
/// As [`KeyFile::read`], or a file of another kind.
pub fn read_binding(path: &Path) -> Result<PeerBinding, Error> {
    match KeyFile::read(path)? {
        KeyFile::Binding(b) => Ok(b),
        other => Err(wrong_kind(path, other.kind(), "peer binding")),
    }
}

/// The peer binding of a node: its libp2p PeerId ([`crate::transport::net_identity`]) signed
/// with its node keys, to publish beside its bundle.
///
/// # Errors
/// As [`crate::transport::net_identity`].
pub fn binding_of(keys: &NodeKeys, rng: &mut chacha20::ChaCha20Rng) -> Result<PeerBinding, Error> {
    Ok(crate::transport::net_identity(keys, 0)?.bind(keys, rng))
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
/// (the cluster launcher): secret → request → partial key (checked) → completed keys. The
/// KGC's policy authorises exactly `identity`, once (an in-memory registry: the caller
/// creates the identities it enrols).
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
    let mut policy = gradseal_clsc::EnrolmentRegistry::new([secret.identity().clone()]);
    let partial = kgc.issue_authorised(&request, &mut policy, rng).map_err(clsc("issuing for"))?;
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
        let mut policy =
            gradseal_clsc::EnrolmentRegistry::new([Identity::new(b"n1".to_vec()).unwrap()]);
        let partial = kgc.issue_authorised(&req, &mut policy, &mut rng).unwrap();
        let keys = secret.complete(kgc.public(), &partial).unwrap();
        let bundle = keys.bundle().clone();
        let public = *kgc.public();
        let binding = binding_of(&keys, &mut rng).unwrap();
        vec![
            KeyFile::Binding(binding),
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

    #[cfg(unix)]
    #[test]
    fn secrets_are_written_atomically_0600_never_through_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("gradseal-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let files = all();
        let secret = files.iter().find(|f| f.kind() == Kind::NodeKeys).unwrap();
        let public = files.iter().find(|f| f.kind() == Kind::Bundle).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // Overwriting a world-readable file leaves a 0600 secret, not a readable one.
        let p = dir.join("node.key");
        std::fs::write(&p, b"old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        secret.write(&p).unwrap();
        assert_eq!(mode(&p), 0o600);
        assert_eq!(&std::fs::read(&p).unwrap()[..], &secret.to_bytes()[..]);
        public.write(&dir.join("node.bundle")).unwrap();
        assert_eq!(mode(&dir.join("node.bundle")), 0o644);
        // A symbolic link is refused: its target is untouched, the link stays a link.
        let target = dir.join("target");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.join("link.key");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = secret.write(&link).unwrap_err().to_string();
        assert!(e.contains("symbolic link") && !e.contains('\n'), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        // A failed write (the directory is gone) leaves no temporary file behind.
        assert!(secret.write(&dir.join("missing/x.key")).is_err());
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_secret_is_refused_where_a_public_file_is_expected() {
        let dir = std::env::temp_dir().join(format!("gradseal-public-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in all() {
            f.write(&dir.join(format!("{}.bin", f.kind() as u8))).unwrap();
        }
        // The KGC secret where kgc_public is expected, node keys where a bundle is.
        let e = read_kgc_public(&dir.join("1.bin")).unwrap_err().to_string();
        assert!(e.contains("secret") && e.contains("refusing") && !e.contains('\n'), "{e}");
        let e = read_bundle(&dir.join("6.bin")).unwrap_err().to_string();
        assert!(e.contains("secret") && e.contains("refusing") && !e.contains('\n'), "{e}");
        // The public files themselves are read.
        read_kgc_public(&dir.join("2.bin")).unwrap();
        read_bundle(&dir.join("7.bin")).unwrap();
        read_binding(&dir.join("8.bin")).unwrap();
        assert!(read_binding(&dir.join("7.bin")).unwrap_err().to_string().contains("peer binding"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_binding_verifies_against_its_own_node_only() {
        let mut rng = ChaCha20Rng::from_seed([8; 32]);
        let kgc = Kgc::generate(&mut rng);
        let a = enrol_locally(&kgc, "a", &mut rng).unwrap();
        let b = enrol_locally(&kgc, "b", &mut rng).unwrap();
        let binding = binding_of(&a, &mut rng).unwrap();
        // The PeerId is the one the node runs with (derived from its keys).
        assert_eq!(binding.peer_id(), &crate::transport::net_identity(&a, 7).unwrap().peer_id());
        let mut t = gradseal_net::PeerTable::new(*kgc.public());
        assert!(t.insert(2, b.bundle().clone(), binding.clone(), Vec::new()).is_err());
        t.insert(1, a.bundle().clone(), binding, Vec::new()).unwrap();
    }
}
