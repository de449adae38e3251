//! The offline KGC's enrolment registry: which identities it may enrol, and which it has
//! enrolled (with the bundle issued), persisted in one text file so that `gradseal enrol
//! issue` enrols each authorised identity once across runs. Spec: `spec/node.md` §3,
//! "Offline enrolment".
//!
//! ```text
//! # gradseal enrolment registry v1
//! authorised 636c69656e742d37
//! enrolled 636c69656e742d37 <hex of the issued PublicBundle>
//! ```
//!
//! Identities are hex (they are arbitrary bytes). Every change rewrites the whole file
//! atomically ([`crate::keyfile::write_atomic`]) while holding `FILE.lock` (created
//! exclusively), so two issuances cannot both read the file before either records.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gradseal_clsc::{EnrolmentPolicy, Identity, PublicBundle};
use gradseal_core::Codec;

use crate::Error;
use crate::keyfile::{read_bounded, write_atomic};

/// The first line of a registry file.
pub const HEADER: &str = "# gradseal enrolment registry v1";
/// The largest registry file read (about 20 000 enrolments).
pub const MAX_REGISTRY_LEN: usize = 8 << 20;

/// An enrolment registry file, locked while this value lives.
#[derive(Debug)]
pub struct Registry {
    path: PathBuf,
    authorised: BTreeSet<Vec<u8>>,
    enrolled: BTreeMap<Vec<u8>, String>,
    /// Set if persisting a record failed (the KGC then withheld the partial key).
    failure: Option<String>,
    _lock: Lock,
}

#[derive(Debug)]
struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Registry {
    /// Locks and reads the registry at `path` (an absent file is an empty registry).
    ///
    /// # Errors
    /// [`Error::Io`] if the lock is held (`FILE.lock` exists) or the file is unreadable;
    /// [`Error::KeyFile`] naming the line of a malformed entry.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let lock_path = PathBuf::from(format!("{}.lock", path.display()));
        std::fs::OpenOptions::new().write(true).create_new(true).open(&lock_path).map_err(|e| {
            Error::Io(format!(
                "cannot lock {} ({e}): another issuance holds it, or remove a stale {}",
                path.display(),
                lock_path.display()
            ))
        })?;
        let lock = Lock(lock_path);
        let mut reg = Registry {
            path: path.to_path_buf(),
            authorised: BTreeSet::new(),
            enrolled: BTreeMap::new(),
            failure: None,
            _lock: lock,
        };
        if !path.exists() {
            return Ok(reg);
        }
        let bytes = read_bounded(path, MAX_REGISTRY_LEN)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Error::KeyFile(format!("{}: not UTF-8", path.display())))?;
        for (i, line) in text.lines().enumerate() {
            let bad =
                || Error::KeyFile(format!("{}: line {}: malformed entry", path.display(), i + 1));
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [] => {}
                [w, ..] if w.starts_with('#') => {}
                ["authorised", id] => {
                    reg.authorised.insert(hex::decode(id).map_err(|_| bad())?);
                }
                ["enrolled", id, bundle] => {
                    let id = hex::decode(id).map_err(|_| bad())?;
                    let b = hex::decode(bundle).map_err(|_| bad())?;
                    let parsed = PublicBundle::from_bytes(&b).map_err(|_| bad())?;
                    if parsed.identity().as_bytes() != id.as_slice() {
                        return Err(bad());
                    }
                    reg.enrolled.insert(id, (*bundle).to_string());
                }
                _ => return Err(bad()),
            }
        }
        Ok(reg)
    }

    /// Authorises `identity` and saves the file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written.
    pub fn authorise(&mut self, identity: &Identity) -> Result<(), Error> {
        self.authorised.insert(identity.as_bytes().to_vec());
        self.save()
    }

    /// Whether `identity` is enrolled.
    pub fn is_enrolled_id(&self, identity: &[u8]) -> bool {
        self.enrolled.contains_key(identity)
    }

    /// Why the last record could not be persisted, if it could not.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    fn save(&self) -> Result<(), Error> {
        let mut text = format!("{HEADER}\n");
        for id in &self.authorised {
            text.push_str(&format!("authorised {}\n", hex::encode(id)));
        }
        for (id, bundle) in &self.enrolled {
            text.push_str(&format!("enrolled {} {bundle}\n", hex::encode(id)));
        }
        write_atomic(&self.path, text.as_bytes(), false)
    }
}

impl EnrolmentPolicy for Registry {
    fn authorises(&self, identity: &Identity) -> bool {
        self.authorised.contains(identity.as_bytes())
    }

    fn is_enrolled(&self, identity: &Identity) -> bool {
        self.enrolled.contains_key(identity.as_bytes())
    }

    fn record(&mut self, bundle: &PublicBundle) -> bool {
        let id = bundle.identity().as_bytes().to_vec();
        if self.enrolled.contains_key(&id) {
            return false;
        }
        self.enrolled.insert(id.clone(), hex::encode(bundle.to_bytes()));
        match self.save() {
            Ok(()) => true,
            Err(e) => {
                self.enrolled.remove(&id);
                self.failure = Some(e.to_string());
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chacha20::ChaCha20Rng;
    use gradseal_clsc::{Kgc, NodeSecretSeed};
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn issues_once_per_authorised_identity_across_runs() {
        let dir = std::env::temp_dir().join(format!("gradseal-registry-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("registry");
        let mut rng = ChaCha20Rng::from_seed([4; 32]);
        let kgc = Kgc::generate(&mut rng);
        let request = |name: &str, rng: &mut ChaCha20Rng| {
            let seed =
                NodeSecretSeed::generate(Identity::new(name.as_bytes().to_vec()).unwrap(), rng);
            seed.secret().unwrap().request(kgc.public(), rng)
        };
        {
            let mut reg = Registry::open(&path).unwrap();
            // Locked while open.
            assert!(Registry::open(&path).unwrap_err().to_string().contains("lock"));
            reg.authorise(&Identity::new(b"a".to_vec()).unwrap()).unwrap();
            assert_eq!(
                kgc.issue_authorised(&request("b", &mut rng), &mut reg, &mut rng).unwrap_err(),
                gradseal_clsc::Error::NotAuthorised
            );
            kgc.issue_authorised(&request("a", &mut rng), &mut reg, &mut rng).unwrap();
        }
        // A new run reads the record back: "a" cannot be enrolled again.
        let mut reg = Registry::open(&path).unwrap();
        assert!(reg.is_enrolled_id(b"a"));
        assert_eq!(
            kgc.issue_authorised(&request("a", &mut rng), &mut reg, &mut rng).unwrap_err(),
            gradseal_clsc::Error::AlreadyEnrolled
        );
        drop(reg);
        // A malformed line is named.
        std::fs::write(&path, "authorised zz\n").unwrap();
        let e = Registry::open(&path).unwrap_err().to_string();
        assert!(e.contains("line 1") && !e.contains('\n'), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
