//! Zero-knowledge proofs: one small CRS (64 coordinates per list) per test binary.

use std::sync::OnceLock;
use std::time::Instant;

use chacha20::ChaCha20Rng;
use gradseal_core::Codec;
use rand_core::SeedableRng;
use tfhe::core_crypto::entities::LweCompactCiphertextList;
use tfhe::core_crypto::prelude::{CiphertextModulus, LweCiphertextCount, LweSize};
use zeroize::Zeroizing;

use super::super::*;
use super::correctness::setup;

/// 4-bit coordinates keep the CRS and the proofs small (the range proof decomposes every
/// coordinate into B bits).
fn config(round: u8) -> RoundConfig {
    sized(round, 100) // lists of 64 and 36 coordinates
}

fn sized(round: u8, dimension: u32) -> RoundConfig {
    let mut c = RoundConfig::new([round; 32], dimension);
    c.list_len = 64;
    c.bits = 4;
    c.max_clients = 4;
    c.committee_size = 2;
    c.proof_policy = ProofPolicy::EveryList;
    c
}

fn crs() -> &'static Crs {
    static CRS: OnceLock<Crs> = OnceLock::new();
    CRS.get_or_init(|| {
        let params = RoundParams::new(config(1)).unwrap();
        let start = Instant::now();
        let crs = Crs::generate(&params, &mut ChaCha20Rng::from_seed([0xc5; 32])).unwrap();
        eprintln!("CRS for 64 coordinates: {:?}, {} bytes", start.elapsed(), crs.serialized_len());
        crs
    })
}

#[test]
fn proved_updates_verify_and_decrypt() {
    let (params, shares, key, mut rng) = setup(config(1), 1);
    let crs = crs();
    let v: Vec<i64> = (0..100).map(|i| (i % 15) - 7).collect();
    let enc = EncodedUpdate::from_signed(&params, &v).unwrap();
    let start = Instant::now();
    let ct = encrypt_and_prove(&params, &key, crs, b"alice", &enc, &mut rng).unwrap();
    eprintln!("prove 100 coordinates (2 lists): {:?}", start.elapsed());
    let start = Instant::now();
    verify_update(&params, &key, Some(crs), b"alice", &ct).unwrap();
    eprintln!(
        "verify 2 lists: {:?}, proof {} bytes",
        start.elapsed(),
        ct.proof(0).unwrap().serialized_len()
    );

    // Codec of the proved update.
    assert_eq!(EncryptedUpdate::from_bytes(&ct.to_bytes()).unwrap(), ct);

    // Another client id: the metadata differs, the proof fails.
    assert_eq!(
        verify_update(&params, &key, Some(crs), b"bob", &ct),
        Err(AggError::ProofInvalid { list: 0 })
    );

    // Another list index in the metadata: fails; the right one: verifies.
    let proof = ct.proof(0).unwrap();
    let list0 = LweCompactCiphertextList::from_container(
        crate::encrypt::list_container(&ct.shape, &ct.masks, &ct.bodies, 0),
        LweSize(2049),
        LweCiphertextCount(64),
        CiphertextModulus::new_native(),
    );
    let pk = key.as_tfhe();
    assert!(
        crs.inner.verify(&list0, &pk, &proof.inner, &params.proof_metadata(b"alice", 0)).is_valid()
    );
    assert!(
        !crs.inner
            .verify(&list0, &pk, &proof.inner, &params.proof_metadata(b"alice", 1))
            .is_valid()
    );
    // Another round's metadata (same shape, so the same CRS): fails.
    let other = RoundParams::new(config(2)).unwrap();
    assert!(
        !crs.inner.verify(&list0, &pk, &proof.inner, &other.proof_metadata(b"alice", 0)).is_valid()
    );

    // A missing proof is a typed error.
    let mut stripped = ct.clone();
    stripped.proofs[1] = None;
    assert_eq!(
        verify_update(&params, &key, Some(crs), b"alice", &stripped),
        Err(AggError::ProofMissing { list: 1 })
    );
    assert_eq!(verify_update(&params, &key, None, b"alice", &ct), Err(AggError::CrsRequired));

    // And the proved contribution decrypts.
    let agg = recompute_aggregate(&params, &[ct]).unwrap();
    let partials: Vec<_> =
        shares.into_iter().map(|s| s.partial_decrypt(&params, &agg, &mut rng).unwrap()).collect();
    assert_eq!(combine_partials(&params, &agg, &partials).unwrap().sums, v);
}

#[test]
fn out_of_range_values_do_not_verify() {
    let (params, _, key, mut rng) = setup(sized(1, 20), 2);
    let crs = crs();
    // 2^4 = 16 is one past the range [0, 2^4) the proof covers.
    let mut values = vec![8u64; 20];
    values[13] = 16;
    let bad = EncodedUpdate { values: Zeroizing::new(values) };
    let ct = encrypt_and_prove(&params, &key, crs, b"mallory", &bad, &mut rng).unwrap();
    assert_eq!(
        verify_update(&params, &key, Some(crs), b"mallory", &ct),
        Err(AggError::ProofInvalid { list: 0 })
    );
}

#[test]
fn policy_and_crs_mismatches_are_refused() {
    let (params, _, key, mut rng) = setup(sized(1, 20), 3);
    let crs = crs();
    let enc = EncodedUpdate::from_signed(&params, &[0; 20]).unwrap();
    assert_eq!(encrypt(&params, &key, &enc, &mut rng).err(), Some(AggError::CrsRequired));
    let mut c = sized(1, 20);
    c.bits = 5;
    let (p9, _, k9, _) = setup(c, 3);
    let e9 = EncodedUpdate::from_signed(&p9, &[0; 20]).unwrap();
    assert_eq!(
        encrypt_and_prove(&p9, &k9, crs, b"x", &e9, &mut rng).err(),
        Some(AggError::CrsMismatch)
    );
    let mut c = sized(1, 20);
    c.proof_policy = ProofPolicy::None;
    let (p0, _, k0, _) = setup(c, 3);
    let e0 = EncodedUpdate::from_signed(&p0, &[0; 20]).unwrap();
    assert_eq!(
        encrypt_and_prove(&p0, &k0, crs, b"x", &e0, &mut rng).err(),
        Some(AggError::UnexpectedProof { list: 0 })
    );
    // A proved update offered to a round without proofs is refused.
    let proved = encrypt_and_prove(&params, &key, crs, b"x", &enc, &mut rng).unwrap();
    let mut relabelled = proved.clone();
    relabelled.shape.round = *p0.digest();
    assert_eq!(
        verify_update(&p0, &k0, None, b"x", &relabelled),
        Err(AggError::UnexpectedProof { list: 0 })
    );
}

#[test]
fn crs_and_proof_codecs_are_canonical() {
    let params = RoundParams::new(config(1)).unwrap();
    let crs = crs();
    let bytes = crs.to_bytes();
    let start = Instant::now();
    let again = Crs::from_bytes(&bytes).unwrap();
    eprintln!("CRS decode + validation: {:?}", start.elapsed());
    again.check(&params).unwrap();
    assert_eq!(again.to_bytes(), bytes);
    let mut bad = bytes.clone();
    bad[3] = 5; // bits
    assert!(Crs::from_bytes(&bad).is_err());

    let (params, _, key, mut rng) = setup(sized(1, 20), 4);
    let enc = EncodedUpdate::from_signed(&params, &[1; 20]).unwrap();
    let ct = encrypt_and_prove(&params, &key, crs, b"c", &enc, &mut rng).unwrap();
    let proof = ct.proof(0).unwrap();
    let pb = proof.to_bytes();
    assert_eq!(&ListProof::from_bytes(&pb).unwrap(), proof);
    // Flip bytes across the proof: never a panic, and never a different accepted encoding.
    for i in (4..pb.len()).step_by(97) {
        let mut m = pb.clone();
        m[i] ^= 0x40;
        if let Ok(p) = ListProof::from_bytes(&m) {
            assert_eq!(p.to_bytes(), m);
        }
    }
}
