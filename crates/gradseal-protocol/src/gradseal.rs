//! The production [`Suite`]: gradseal-clsc (certificateless Schnorr signatures and
//! signcryption), gradseal-shard (authenticated Reed-Solomon shards) and gradseal-agg (LWE
//! compact-PKE aggregation under the per-round committee key).

use std::num::NonZeroU16;
use std::sync::Arc;

use chacha20::ChaCha20Rng;
use gradseal_agg as agg;
use gradseal_clsc as clsc;
use gradseal_core::Codec;
use gradseal_shard as shard;

use crate::messages::Digest;
use crate::params::{ProofPolicy, ShardLayout};
use crate::suite::{AggShape, ProofContext, Suite};
use crate::tags;

/// The production suite.
#[derive(Debug, Clone, Copy)]
pub struct GradsealSuite;

/// System parameters: the KGC's public parameters and, for rounds with proofs, the CRS
/// the authority published.
#[derive(Debug, Clone)]
pub struct GradsealSystem {
    /// The KGC's public parameters (`Ppub`).
    pub kgc: clsc::KgcPublic,
    /// The proof CRS (required by rounds whose policy asks for proofs).
    pub crs: Option<Arc<agg::Crs>>,
}

/// One round's aggregation parameters (validated by gradseal-agg) and its CRS.
#[derive(Debug, Clone)]
pub struct GradsealParams {
    /// gradseal-agg's round parameters.
    pub agg: agg::RoundParams,
    crs: Option<Arc<agg::Crs>>,
}

/// Signcryption padding: plaintexts are rounded up to 64 bytes, which hides the length of
/// the sender's identity (at most 64 bytes) from relays; contributions of one round
/// otherwise all have the same length.
const PADDING_BLOCK: u16 = 64;

fn public_key(sys: &GradsealSystem, bundle: &[u8]) -> Option<clsc::PublicKey> {
    let bundle = clsc::PublicBundle::from_bytes(bundle).ok()?;
    clsc::PublicKey::derive(&sys.kgc, bundle).ok()
}

/// The client id bound into every list proof: (announcement digest, roster index).
fn proof_client_id(c: &ProofContext) -> [u8; 36] {
    let mut id = [0u8; 36];
    let (a, b) = id.split_at_mut(32);
    a.copy_from_slice(&c.announcement);
    b.copy_from_slice(&c.client.to_be_bytes());
    id
}

impl GradsealSuite {
    /// The gradseal-agg configuration of a round of this shape (spec/protocol.md, "Derived
    /// values"). Public so that an authority can generate the proof CRS for exactly the
    /// lists the round will use (`agg::Crs::generate` on `RoundParams::new(config)`).
    pub fn agg_config(
        shape: AggShape,
        policy: ProofPolicy,
        mask_seed: &Digest,
    ) -> Option<agg::RoundConfig> {
        let mut config = agg::RoundConfig::new(*mask_seed, shape.dimension);
        config.bits = shape.bits;
        // Lists no longer than the model: a small model pays for (and proves) its own
        // coordinates, not a 2048-slot list.
        config.list_len =
            u16::try_from(shape.dimension).map_or(config.list_len, |d| d.clamp(1, config.list_len));
        config.min_clients = 1;
        config.max_clients = shape.max_clients.max(1);
        config.committee_size = u16::try_from(shape.committee).ok()?;
        config.proof_policy = match policy {
            ProofPolicy::None => agg::ProofPolicy::None,
            ProofPolicy::Every => agg::ProofPolicy::EveryList,
        };
        Some(config)
    }
}

impl Suite for GradsealSuite {
    type System = GradsealSystem;
    type NodeKey = clsc::NodeKeys;
    type Params = GradsealParams;
    type KeyShare = agg::KeyShare;
    type JointKey = agg::JointPublicKey;
    type Update = agg::EncryptedUpdate;
    type Aggregate = agg::Aggregate;
    type Manifest = shard::Manifest;

    fn bundle(key: &clsc::NodeKeys) -> Vec<u8> {
        key.bundle().to_bytes()
    }

    fn sign(key: &clsc::NodeKeys, statement: &Digest, rng: &mut ChaCha20Rng) -> Vec<u8> {
        clsc::sign(key, tags::TAG_SIGNATURE.as_bytes(), statement, rng).to_bytes()
    }

    fn verify(sys: &GradsealSystem, bundle: &[u8], statement: &Digest, signature: &[u8]) -> bool {
        let (Some(pk), Ok(sig)) = (public_key(sys, bundle), clsc::Signature::from_bytes(signature))
        else {
            return false;
        };
        clsc::verify(&pk, tags::TAG_SIGNATURE.as_bytes(), statement, &sig).is_ok()
    }

    fn signcrypt(
        sys: &GradsealSystem,
        sender: &clsc::NodeKeys,
        recipient: &[u8],
        context: &Digest,
        msg: &[u8],
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        let pk = public_key(sys, recipient)?;
        let padding =
            NonZeroU16::new(PADDING_BLOCK).map_or(clsc::Padding::None, clsc::Padding::Multiple);
        clsc::signcrypt(sender, &pk, context, msg, padding, rng)
            .ok()
            .map(clsc::Signcryption::into_bytes)
    }

    fn unsigncrypt(
        _sys: &GradsealSystem,
        recipient: &clsc::NodeKeys,
        context: &Digest,
        envelope: &[u8],
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        let sc = clsc::Signcryption::from_bytes(envelope).ok()?;
        let (bundle, msg) = clsc::unsigncrypt(recipient, context, &sc).ok()?;
        Some((bundle.to_bytes(), msg))
    }

    fn shard(payload: &[u8], layout: ShardLayout) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
        let params = shard::Params::new(layout.data.into(), layout.parity.into()).ok()?;
        let (manifest, shards) = shard::encode(&params, payload).ok()?;
        Some((manifest.to_bytes(), shards.iter().map(Codec::to_bytes).collect()))
    }

    fn decode_manifest(
        bytes: &[u8],
        layout: ShardLayout,
        max_payload: usize,
    ) -> Option<shard::Manifest> {
        let m = shard::Manifest::from_bytes(bytes).ok()?;
        let ok = m.data_shards() == u16::from(layout.data)
            && m.parity_shards() == u16::from(layout.parity)
            && usize::try_from(m.payload_len()).is_ok_and(|l| l <= max_payload);
        ok.then_some(m)
    }

    fn manifest_digest(m: &shard::Manifest) -> Digest {
        m.digest()
    }

    fn check_shard(m: &shard::Manifest, bytes: &[u8]) -> Option<usize> {
        m.verify_shard_bytes(bytes).ok().map(|s| usize::from(s.index()))
    }

    fn reconstruct(m: &shard::Manifest, shards: &[(usize, &[u8])]) -> Option<Vec<u8>> {
        let refs = shards.iter().filter_map(|(_, b)| shard::ShardRef::parse(b).ok());
        shard::decode(m, refs).ok().map(|d| d.payload)
    }

    fn params(
        sys: &GradsealSystem,
        shape: AggShape,
        policy: ProofPolicy,
        mask_seed: &Digest,
    ) -> Option<GradsealParams> {
        let config = GradsealSuite::agg_config(shape, policy, mask_seed)?;
        let crs = match policy {
            ProofPolicy::None => None,
            ProofPolicy::Every => Some(sys.crs.clone()?),
        };
        Some(GradsealParams { agg: agg::RoundParams::new(config).ok()?, crs })
    }

    fn key_share(
        p: &GradsealParams,
        member: u32,
        rng: &mut ChaCha20Rng,
    ) -> Option<(agg::KeyShare, Vec<u8>)> {
        let (share, body) =
            agg::KeyShare::generate(&p.agg, u16::try_from(member).ok()?, rng).ok()?;
        Some((share, body.to_bytes()))
    }

    fn joint_key(p: &GradsealParams, bodies: &[&[u8]]) -> Option<agg::JointPublicKey> {
        let mut decoded = Vec::with_capacity(bodies.len());
        for (i, b) in bodies.iter().enumerate() {
            let body = agg::KeyBody::from_bytes(b).ok()?;
            // The body's own member index must match the committee slot that signed it.
            if usize::from(body.member()) != i || body.check(&p.agg).is_err() {
                return None;
            }
            decoded.push(body);
        }
        agg::JointPublicKey::combine(&p.agg, &decoded).ok()
    }

    fn encrypt(
        p: &GradsealParams,
        key: &agg::JointPublicKey,
        values: &[i64],
        proof: &ProofContext,
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        let encoded = agg::EncodedUpdate::from_signed(&p.agg, values).ok()?;
        let update = match &p.crs {
            None => agg::encrypt(&p.agg, key, &encoded, rng).ok()?,
            Some(crs) => {
                agg::encrypt_and_prove(&p.agg, key, crs, &proof_client_id(proof), &encoded, rng)
                    .ok()?
            }
        };
        Some(update.to_bytes())
    }

    fn decode_update(p: &GradsealParams, bytes: &[u8]) -> Option<agg::EncryptedUpdate> {
        let u = agg::EncryptedUpdate::from_bytes(bytes).ok()?;
        u.check(&p.agg).is_ok().then_some(u)
    }

    fn verify_proofs(
        p: &GradsealParams,
        key: &agg::JointPublicKey,
        update: &agg::EncryptedUpdate,
        context: &ProofContext,
    ) -> bool {
        agg::verify_update(&p.agg, key, p.crs.as_deref(), &proof_client_id(context), update).is_ok()
    }

    fn new_aggregate(p: &GradsealParams) -> agg::Aggregate {
        agg::Aggregate::new(&p.agg)
    }

    fn add(p: &GradsealParams, acc: &mut agg::Aggregate, update: &agg::EncryptedUpdate) -> bool {
        acc.add(&p.agg, update).is_ok()
    }

    fn aggregate_eq(a: &agg::Aggregate, b: &agg::Aggregate) -> bool {
        a == b
    }

    fn encode_aggregate(a: &agg::Aggregate) -> Vec<u8> {
        a.to_bytes()
    }

    fn decode_aggregate(p: &GradsealParams, bytes: &[u8]) -> Option<agg::Aggregate> {
        let a = agg::Aggregate::from_bytes(bytes).ok()?;
        a.check(&p.agg).is_ok().then_some(a)
    }

    fn partial_decrypt(
        p: &GradsealParams,
        share: agg::KeyShare,
        aggregate: &agg::Aggregate,
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        share.partial_decrypt(&p.agg, aggregate, rng).ok().map(|d| d.to_bytes())
    }

    fn combine(
        p: &GradsealParams,
        aggregate: &agg::Aggregate,
        partials: &[&[u8]],
    ) -> Option<Vec<i64>> {
        let decoded = partials
            .iter()
            .map(|b| agg::PartialDecryption::from_bytes(b).ok())
            .collect::<Option<Vec<_>>>()?;
        agg::combine_partials(&p.agg, aggregate, &decoded).ok().map(|s| s.sums)
    }
}
