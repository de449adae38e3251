//! Key tools: the KGC, enrolment with an authorisation policy, node secrets and node keys.
//!
//! Offline enrolment (spec/clsc.md §5): a node draws a [`NodeSecret`], sends
//! `request(kgc_public)` to the KGC; the KGC operator's [`EnrolmentRegistry`] says which
//! identities may enrol (once each) and `Kgc.issue(request, registry)` returns the partial
//! key; the node completes it into [`NodeKeys`]. Every secret has a byte encoding for key
//! files (`to_secret_bytes` / `from_secret_bytes`); keep those files private.

use std::collections::{BTreeMap, BTreeSet};

use chacha20::ChaCha20Rng;
use gradseal_clsc as clsc;
use gradseal_core::Codec;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rand_core::SeedableRng;

use crate::errors;
use crate::util::{lock, seed32};

fn identity(py: Python<'_>, s: &str) -> PyResult<clsc::Identity> {
    clsc::Identity::new(s.as_bytes()).map_err(|e| errors::clsc(py, e))
}

fn identity_str(id: &clsc::Identity) -> String {
    String::from_utf8_lossy(id.as_bytes()).into_owned()
}

/// The KGC's public parameters (`Ppub`): every node needs them to derive public keys.
#[pyclass(frozen, module = "gradseal._native")]
#[derive(Clone)]
pub struct KgcPublic {
    pub(crate) inner: clsc::KgcPublic,
}

#[pymethods]
impl KgcPublic {
    /// Decodes the 32-byte encoding.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        clsc::KgcPublic::from_bytes(data)
            .map(|inner| Self { inner })
            .map_err(|e| errors::decode(py, e))
    }

    /// The encoding.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner.to_bytes() == other.inner.to_bytes()
    }

    fn __repr__(&self) -> String {
        format!("KgcPublic({})", hex(&self.inner.to_bytes()[..8]))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The key generation centre: holds the master secret, issues partial keys.
#[pyclass(frozen, module = "gradseal._native")]
pub struct Kgc {
    inner: clsc::Kgc,
}

#[pymethods]
impl Kgc {
    /// A new KGC; its master secret drawn from `seed` (32 bytes) or from the OS.
    #[staticmethod]
    #[pyo3(signature = (seed=None))]
    fn generate(py: Python<'_>, seed: Option<&[u8]>) -> PyResult<Self> {
        let mut rng = ChaCha20Rng::from_seed(seed32(py, seed)?);
        Ok(Self { inner: clsc::Kgc::generate(&mut rng) })
    }

    /// Restores a KGC from its 32-byte secret encoding.
    #[staticmethod]
    fn from_secret_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let bytes = <&[u8; 32]>::try_from(data).map_err(|_| {
            errors::typed::<errors::DecodeError>(py, "a KGC secret is 32 bytes".into(), "Length")
        })?;
        clsc::Kgc::from_secret_bytes(bytes)
            .map(|inner| Self { inner })
            .map_err(|e| errors::clsc(py, e))
    }

    /// The master secret's encoding (a key file's contents: keep it private).
    fn to_secret_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_secret_bytes()[..])
    }

    /// The public parameters.
    #[getter]
    fn public(&self) -> KgcPublic {
        KgcPublic { inner: *self.inner.public() }
    }

    /// Checks an enrolment request, asks `registry` whether its identity may enrol and was
    /// not already, records the issued bundle in it and returns the partial key's encoding.
    ///
    /// Raises `DecodeError` for a malformed request and `EnrolmentError` (reason
    /// `InvalidProofOfPossession`, `NotAuthorised`, `AlreadyEnrolled`) for a refusal.
    #[pyo3(signature = (request, registry, seed=None))]
    fn issue<'py>(
        &self,
        py: Python<'py>,
        request: &[u8],
        registry: &EnrolmentRegistry,
        seed: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let req = clsc::EnrolmentRequest::from_bytes(request).map_err(|e| errors::decode(py, e))?;
        let mut rng = ChaCha20Rng::from_seed(seed32(py, seed)?);
        let mut policy = lock(&registry.inner)?;
        let partial = self
            .inner
            .issue_authorised(&req, &mut *policy, &mut rng)
            .map_err(|e| errors::clsc(py, e))?;
        Ok(PyBytes::new(py, &partial.to_bytes()))
    }
}

/// The identity an enrolment request names (before it is checked).
#[pyfunction]
pub fn request_identity(py: Python<'_>, request: &[u8]) -> PyResult<String> {
    let req = clsc::EnrolmentRequest::from_bytes(request).map_err(|e| errors::decode(py, e))?;
    Ok(identity_str(req.identity()))
}

/// In-memory enrolment policy: the authorised identities and the bundle issued for each.
#[derive(Default)]
struct Registry {
    authorised: BTreeSet<clsc::Identity>,
    enrolled: BTreeMap<clsc::Identity, clsc::PublicBundle>,
}

impl clsc::EnrolmentPolicy for Registry {
    fn authorises(&self, identity: &clsc::Identity) -> bool {
        self.authorised.contains(identity)
    }

    fn is_enrolled(&self, identity: &clsc::Identity) -> bool {
        self.enrolled.contains_key(identity)
    }

    fn record(&mut self, bundle: &clsc::PublicBundle) -> bool {
        if self.enrolled.contains_key(bundle.identity()) {
            return false;
        }
        self.enrolled.insert(bundle.identity().clone(), bundle.clone());
        true
    }
}

/// The KGC operator's enrolment policy: which identities may enrol, and the public bundle
/// issued to each (an identity enrols once).
#[pyclass(frozen, module = "gradseal._native")]
pub struct EnrolmentRegistry {
    inner: std::sync::Mutex<Registry>,
}

#[pymethods]
impl EnrolmentRegistry {
    /// A registry authorising `identities`, none enrolled yet.
    #[new]
    #[pyo3(signature = (identities=Vec::new()))]
    fn new(py: Python<'_>, identities: Vec<String>) -> PyResult<Self> {
        let authorised = identities.iter().map(|s| identity(py, s)).collect::<PyResult<_>>()?;
        Ok(Self { inner: std::sync::Mutex::new(Registry { authorised, ..Registry::default() }) })
    }

    /// Authorises one more identity.
    fn authorise(&self, py: Python<'_>, identity_: &str) -> PyResult<()> {
        let id = identity(py, identity_)?;
        lock(&self.inner)?.authorised.insert(id);
        Ok(())
    }

    /// Whether `identity` may enrol.
    fn is_authorised(&self, py: Python<'_>, identity_: &str) -> PyResult<bool> {
        let id = identity(py, identity_)?;
        Ok(lock(&self.inner)?.authorised.contains(&id))
    }

    /// Whether a partial key was issued for `identity`.
    fn is_enrolled(&self, py: Python<'_>, identity_: &str) -> PyResult<bool> {
        let id = identity(py, identity_)?;
        Ok(lock(&self.inner)?.enrolled.contains_key(&id))
    }

    /// The public bundle issued for `identity`, if it enrolled.
    fn bundle<'py>(
        &self,
        py: Python<'py>,
        identity_: &str,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let id = identity(py, identity_)?;
        Ok(lock(&self.inner)?.enrolled.get(&id).map(|b| PyBytes::new(py, &b.to_bytes())))
    }

    /// Every enrolled identity.
    fn enrolled(&self) -> PyResult<Vec<String>> {
        Ok(lock(&self.inner)?.enrolled.keys().map(identity_str).collect())
    }
}

/// A node's secret before enrolment (identity and 32-byte seed).
#[pyclass(frozen, module = "gradseal._native")]
pub struct NodeSecret {
    inner: clsc::NodeSecretSeed,
}

#[pymethods]
impl NodeSecret {
    /// A fresh secret for `identity` (1 to 64 bytes of UTF-8), from `seed` or the OS.
    #[staticmethod]
    #[pyo3(signature = (identity, seed=None))]
    fn generate(py: Python<'_>, identity: &str, seed: Option<&[u8]>) -> PyResult<Self> {
        let id = self::identity(py, identity)?;
        let mut rng = ChaCha20Rng::from_seed(seed32(py, seed)?);
        Ok(Self { inner: clsc::NodeSecretSeed::generate(id, &mut rng) })
    }

    /// Restores a secret from [`NodeSecret::to_secret_bytes`].
    #[staticmethod]
    fn from_secret_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        clsc::NodeSecretSeed::from_secret_bytes(data)
            .map(|inner| Self { inner })
            .map_err(|e| errors::clsc(py, e))
    }

    /// The secret encoding `identity ‖ seed` (a key file's contents: keep it private).
    fn to_secret_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_secret_bytes()[..])
    }

    /// The identity.
    #[getter]
    fn identity(&self) -> String {
        identity_str(self.inner.identity())
    }

    /// An enrolment request (identity, public value, proof of possession) for the KGC.
    #[pyo3(signature = (kgc, seed=None))]
    fn request<'py>(
        &self,
        py: Python<'py>,
        kgc: &KgcPublic,
        seed: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let secret = self.inner.secret().map_err(|e| errors::clsc(py, e))?;
        let mut rng = ChaCha20Rng::from_seed(seed32(py, seed)?);
        Ok(PyBytes::new(py, &secret.request(&kgc.inner, &mut rng).to_bytes()))
    }

    /// Completes the KGC's partial key into node keys (`EnrolmentError` with reason
    /// `InvalidPartialKey` if it does not match this secret and KGC).
    fn complete(&self, py: Python<'_>, kgc: &KgcPublic, partial: &[u8]) -> PyResult<NodeKeys> {
        let secret = self.inner.secret().map_err(|e| errors::clsc(py, e))?;
        let partial = clsc::PartialKey::from_bytes(partial).map_err(|e| errors::decode(py, e))?;
        let keys = secret.complete(&kgc.inner, &partial).map_err(|e| errors::clsc(py, e))?;
        Ok(NodeKeys { inner: keys })
    }
}

/// A node's completed key pair (signs, signcrypts, opens what is sealed to it).
#[pyclass(frozen, module = "gradseal._native")]
pub struct NodeKeys {
    pub(crate) inner: clsc::NodeKeys,
}

impl NodeKeys {
    /// A copy of the keys (the Rust type is deliberately not `Clone`: round-trips through
    /// the secret encoding, re-checking the partial key).
    pub(crate) fn copy(&self, py: Python<'_>) -> PyResult<clsc::NodeKeys> {
        clsc::NodeKeys::from_secret_bytes(self.inner.kgc(), &self.inner.to_secret_bytes())
            .map_err(|e| errors::clsc(py, e))
    }

    pub(crate) fn bundle_bytes(&self) -> Vec<u8> {
        self.inner.bundle().to_bytes()
    }
}

#[pymethods]
impl NodeKeys {
    /// Restores keys from [`NodeKeys::to_secret_bytes`], re-checking the partial key.
    #[staticmethod]
    fn from_secret_bytes(py: Python<'_>, kgc: &KgcPublic, data: &[u8]) -> PyResult<Self> {
        clsc::NodeKeys::from_secret_bytes(&kgc.inner, data)
            .map(|inner| Self { inner })
            .map_err(|e| errors::clsc(py, e))
    }

    /// The secret key encoding (a key file's contents: keep it private).
    fn to_secret_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_secret_bytes()[..])
    }

    /// The public bundle (identity, public value, partial public key): what rosters and
    /// committees list.
    #[getter]
    fn bundle<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.bundle_bytes())
    }

    /// The identity.
    #[getter]
    fn identity(&self) -> String {
        identity_str(self.inner.identity())
    }

    /// The KGC these keys belong to.
    #[getter]
    fn kgc(&self) -> KgcPublic {
        KgcPublic { inner: *self.inner.kgc() }
    }

    fn __repr__(&self) -> String {
        format!("NodeKeys(identity={:?})", self.identity())
    }
}
