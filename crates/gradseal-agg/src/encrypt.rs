//! Encryption of an encoded update into compact lists, with optional proofs
//! (`spec/agg.md`, section 4).
//!
//! List l carries coordinates `[l·L, min((l+1)·L, d))` and is tfhe's compact encryption:
//! ```text
//! r ← {0,1}^n,  e1 ← TUniform(17)^n,  e2 ← TUniform(17)^L
//! mask      = conv(a, r) + e1
//! body[j]   = conv(b, r)[n-1-j] + e2[j] + Δ·m[j]
//! ```

use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use tfhe::core_crypto::entities::LweCompactCiphertextList;
use tfhe::core_crypto::prelude::{CiphertextModulus, LweCiphertextCount, LweSize};
use tfhe::zk::ZkComputeLoad;
use zeroize::Zeroizing;

use crate::noise::{fill_binary, fill_tuniform};
use crate::params::ProofPolicy;
use crate::poly::conv_binary;
use crate::wire::{Shape, put_words, read_words};
use crate::zk::{Crs, ListProof};
use crate::{AggError, EncodedUpdate, JointPublicKey, RoundParams};

/// One client's encrypted update: `ceil(d / L)` compact lists and, per the round's proof
/// policy, one proof per list.
///
/// Wire form: `shape ‖ for each list: n × u64 mask ‖ coords × u64 body ‖ u8 has_proof
/// [‖ proof]` where `shape = profile u8 ‖ round digest [32] ‖ dimension u32 ‖ list_len u16`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedUpdate {
    pub(crate) shape: Shape,
    /// The lists' masks, n words each, back to back.
    pub(crate) masks: Vec<u64>,
    /// The lists' bodies, one word per coordinate.
    pub(crate) bodies: Vec<u64>,
    pub(crate) proofs: Vec<Option<ListProof>>,
}

impl EncryptedUpdate {
    /// Checks profile, round, dimension and list length against the round.
    ///
    /// # Errors
    /// [`AggError::WrongProfile`], [`AggError::WrongRound`], [`AggError::DimensionMismatch`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        self.shape.check(params)
    }

    /// Number of compact lists.
    pub fn list_count(&self) -> usize {
        self.proofs.len()
    }

    /// The proof of list `l`, if it carries one.
    pub fn proof(&self, l: usize) -> Option<&ListProof> {
        self.proofs.get(l).and_then(Option::as_ref)
    }

    /// Mask and body of list `l` as one tfhe compact-list container (`mask ‖ body`).
    fn list_container(&self, l: usize) -> Vec<u64> {
        list_container(&self.shape, &self.masks, &self.bodies, l)
    }
}

/// `mask_l ‖ body_l` for list `l` of a shape-consistent pair of arrays.
pub(crate) fn list_container(shape: &Shape, masks: &[u64], bodies: &[u64], l: usize) -> Vec<u64> {
    let n = shape.n();
    let start = l * usize::from(shape.list_len);
    let coords = shape.list_coords(l);
    let mut data = Vec::with_capacity(n + coords);
    data.extend_from_slice(masks.get(l * n..(l + 1) * n).unwrap_or(&[]));
    data.extend_from_slice(bodies.get(start..start + coords).unwrap_or(&[]));
    data
}

/// Encodes lists: `for each list: mask ‖ body` (shared by updates and aggregates).
pub(crate) fn put_lists(
    w: &mut Writer,
    shape: &Shape,
    masks: &[u64],
    bodies: &[u64],
    mut after_list: impl FnMut(&mut Writer, usize),
) {
    let n = shape.n();
    let mut start = 0;
    for l in 0..shape.list_count() {
        let coords = shape.list_coords(l);
        put_words(w, masks.get(l * n..(l + 1) * n).unwrap_or(&[]));
        put_words(w, bodies.get(start..start + coords).unwrap_or(&[]));
        start += coords;
        after_list(w, l);
    }
}

/// Decodes lists, sizes from the (already bounded) shape.
pub(crate) fn read_lists(
    r: &mut Reader<'_>,
    shape: &Shape,
    mut after_list: impl FnMut(&mut Reader<'_>, usize) -> Result<(), DecodeError>,
) -> Result<(Vec<u64>, Vec<u64>), DecodeError> {
    let n = shape.n();
    let mut masks = Vec::new();
    let mut bodies = Vec::new();
    for l in 0..shape.list_count() {
        masks.extend(read_words(r, "agg.list.mask", n)?);
        bodies.extend(read_words(r, "agg.list.body", shape.list_coords(l))?);
        after_list(r, l)?;
    }
    Ok((masks, bodies))
}

impl Codec for EncryptedUpdate {
    fn encode(&self, w: &mut Writer) {
        self.shape.encode(w);
        put_lists(w, &self.shape, &self.masks, &self.bodies, |w, l| {
            match self.proofs.get(l).and_then(Option::as_ref) {
                Some(p) => {
                    w.put_bool(true);
                    p.encode(w);
                }
                None => w.put_bool(false),
            }
        });
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let shape = Shape::decode(r)?;
        let mut proofs = Vec::new();
        let (masks, bodies) = read_lists(r, &shape, |r, _| {
            let proof =
                if r.read_bool("agg.list.has_proof")? { Some(ListProof::decode(r)?) } else { None };
            proofs.push(proof);
            Ok(())
        })?;
        Ok(EncryptedUpdate { shape, masks, bodies, proofs })
    }
}

/// The secret randomness of one list's encryption (zeroized on drop).
struct ListRandomness {
    r: Zeroizing<Vec<u64>>,
    e1: Zeroizing<Vec<u64>>,
    e2: Zeroizing<Vec<u64>>,
}

/// Encrypts the messages `m` (already in `[0, 2^B)`) of one list into `mask` (n words) and
/// `body` (`m.len()` words).
fn encrypt_list<R: CryptoRng + ?Sized>(
    key: &JointPublicKey,
    params: &RoundParams,
    m: &[u64],
    mask: &mut [u64],
    body: &mut [u64],
    rng: &mut R,
) -> ListRandomness {
    let n = params.n();
    let bound = params.profile().noise_log2_bound();
    let mut r = Zeroizing::new(vec![0u64; n]);
    fill_binary(rng, &mut r);
    let mut e1 = Zeroizing::new(vec![0u64; n]);
    fill_tuniform(rng, &mut e1, bound);
    let mut e2 = Zeroizing::new(vec![0u64; m.len()]);
    fill_tuniform(rng, &mut e2, bound);

    conv_binary(mask, key.mask(), &r);
    for (x, e) in mask.iter_mut().zip(e1.iter()) {
        *x = x.wrapping_add(*e);
    }
    let mut br = Zeroizing::new(vec![0u64; n]);
    conv_binary(&mut br, key.body(), &r);
    let delta_log = params.delta_log2();
    for (j, (out, (&msg, &e))) in body.iter_mut().zip(m.iter().zip(e2.iter())).enumerate() {
        let rotated = br.get(n - 1 - j).copied().unwrap_or(0);
        *out = rotated.wrapping_add(e).wrapping_add(msg << delta_log);
    }
    ListRandomness { r, e1, e2 }
}

/// Encrypts an encoded update under the joint key, without proofs.
///
/// # Errors
/// [`AggError::CrsRequired`] if the round requires proofs; key or dimension mismatches.
pub fn encrypt<R: CryptoRng + ?Sized>(
    params: &RoundParams,
    key: &JointPublicKey,
    update: &EncodedUpdate,
    rng: &mut R,
) -> Result<EncryptedUpdate, AggError> {
    if params.config().proof_policy != ProofPolicy::None {
        return Err(AggError::CrsRequired);
    }
    encrypt_impl(params, key, update, None, rng)
}

/// Encrypts an encoded update under the joint key and proves every list, binding each proof
/// to (round, `client_id`, list index).
///
/// # Errors
/// [`AggError::UnexpectedProof`] if the round's policy has no proofs, [`AggError::CrsMismatch`],
/// [`AggError::ZkUnsupported`]; key or dimension mismatches.
pub fn encrypt_and_prove<R: CryptoRng + ?Sized>(
    params: &RoundParams,
    key: &JointPublicKey,
    crs: &Crs,
    client_id: &[u8],
    update: &EncodedUpdate,
    rng: &mut R,
) -> Result<EncryptedUpdate, AggError> {
    if params.config().proof_policy == ProofPolicy::None {
        return Err(AggError::UnexpectedProof { list: 0 });
    }
    crs.check(params)?;
    encrypt_impl(params, key, update, Some((crs, client_id)), rng)
}

fn encrypt_impl<R: CryptoRng + ?Sized>(
    params: &RoundParams,
    key: &JointPublicKey,
    update: &EncodedUpdate,
    prover: Option<(&Crs, &[u8])>,
    rng: &mut R,
) -> Result<EncryptedUpdate, AggError> {
    key.check(params)?;
    if update.values.len() != params.dimension() {
        return Err(AggError::DimensionMismatch {
            expected: params.dimension() as u64,
            got: update.values.len() as u64,
        });
    }
    let shape = Shape::of(params);
    let n = params.n();
    let mut masks = vec![0u64; n * params.list_count()];
    let mut bodies = vec![0u64; params.dimension()];
    let mut proofs = Vec::with_capacity(params.list_count());
    let chunks = update.values.chunks(params.list_len());
    for (l, ((mask, body), m)) in
        masks.chunks_mut(n).zip(bodies.chunks_mut(params.list_len())).zip(chunks).enumerate()
    {
        let randomness = encrypt_list(key, params, m, mask, body, rng);
        let proof = match prover {
            None => None,
            Some((crs, client_id)) => {
                let list = u32::try_from(l).map_err(|_| AggError::ZkUnsupported)?;
                Some(prove_list(
                    params,
                    key,
                    crs,
                    client_id,
                    list,
                    m,
                    mask,
                    body,
                    &randomness,
                    rng,
                )?)
            }
        };
        proofs.push(proof);
    }
    Ok(EncryptedUpdate { shape, masks, bodies, proofs })
}

#[allow(clippy::too_many_arguments)]
fn prove_list<R: CryptoRng + ?Sized>(
    params: &RoundParams,
    key: &JointPublicKey,
    crs: &Crs,
    client_id: &[u8],
    list: u32,
    m: &[u64],
    mask: &[u64],
    body: &[u64],
    randomness: &ListRandomness,
    rng: &mut R,
) -> Result<ListProof, AggError> {
    let mut data = Vec::with_capacity(mask.len() + body.len());
    data.extend_from_slice(mask);
    data.extend_from_slice(body);
    let ct = LweCompactCiphertextList::from_container(
        data,
        LweSize(params.n() + 1),
        LweCiphertextCount(body.len()),
        CiphertextModulus::new_native(),
    );
    let messages = Zeroizing::new(m.to_vec());
    let metadata = params.proof_metadata(client_id, list);
    let mut seed = [0u8; 16];
    rng.fill_bytes(&mut seed);
    let proof = crs.inner.prove(
        &key.as_tfhe(),
        &*messages,
        &ct,
        &randomness.r,
        &randomness.e1,
        &randomness.e2,
        &metadata,
        ZkComputeLoad::Proof,
        seed,
    );
    ListProof::new(proof)
}

/// Checks an update against the round and, when the round's policy requires proofs, verifies
/// the proof of every list under the joint key with metadata (round, `client_id`, list).
///
/// # Errors
/// Shape errors, [`AggError::CrsRequired`], [`AggError::CrsMismatch`],
/// [`AggError::ProofMissing`], [`AggError::UnexpectedProof`], [`AggError::ProofInvalid`].
pub fn verify_update(
    params: &RoundParams,
    key: &JointPublicKey,
    crs: Option<&Crs>,
    client_id: &[u8],
    update: &EncryptedUpdate,
) -> Result<(), AggError> {
    update.check(params)?;
    key.check(params)?;
    match params.config().proof_policy {
        ProofPolicy::None => {
            if let Some(l) = update.proofs.iter().position(Option::is_some) {
                return Err(AggError::UnexpectedProof {
                    list: u32::try_from(l).unwrap_or(u32::MAX),
                });
            }
            Ok(())
        }
        ProofPolicy::EveryList => {
            let crs = crs.ok_or(AggError::CrsRequired)?;
            crs.check(params)?;
            let pk = key.as_tfhe();
            for (l, proof) in update.proofs.iter().enumerate() {
                let list = u32::try_from(l).unwrap_or(u32::MAX);
                let proof = proof.as_ref().ok_or(AggError::ProofMissing { list })?;
                let ct = LweCompactCiphertextList::from_container(
                    update.list_container(l),
                    LweSize(params.n() + 1),
                    LweCiphertextCount(params.list_coords(l)),
                    CiphertextModulus::new_native(),
                );
                let metadata = params.proof_metadata(client_id, list);
                if !crs.inner.verify(&ct, &pk, &proof.inner, &metadata).is_valid() {
                    return Err(AggError::ProofInvalid { list });
                }
            }
            Ok(())
        }
    }
}
