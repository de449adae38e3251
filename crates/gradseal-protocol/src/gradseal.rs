//! The production [`Suite`]: gradseal-clsc (certificateless Schnorr signatures and
//! signcryption), gradseal-shard (authenticated Reed-Solomon shards) and gradseal-agg scheme
//! v2 (one-shot key-additive RLWE: clients encrypt under fresh secrets and seal one key seed
//! per set of `f` committee members to each member outside the set, t-of-n).

use std::collections::HashMap;
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chacha20::ChaCha20Rng;
use gradseal_agg as agg;
use gradseal_clsc as clsc;
use gradseal_core::Codec;
use gradseal_shard as shard;
use zeroize::Zeroizing;

use crate::messages::Digest;
use crate::params::ShardLayout;
use crate::suite::{AggShape, SeedBytes, Suite};
use crate::tags;

/// The production suite.
#[derive(Debug, Clone, Copy)]
pub struct GradsealSuite;

/// System parameters: the KGC's public parameters.
#[derive(Debug, Clone)]
pub struct GradsealSystem {
    /// The KGC's public parameters (`Ppub`).
    pub kgc: clsc::KgcPublic,
}

/// One round's aggregation parameters (validated by gradseal-agg).
#[derive(Debug, Clone)]
pub struct GradsealParams {
    /// gradseal-agg's round parameters.
    pub agg: agg::RoundParams,
}

/// Signcryption padding: plaintexts are rounded up to 64 bytes, which hides the length of
/// the sender's identity (at most 64 bytes) from relays; contributions of one round
/// otherwise all have the same length, and so do sealed seeds.
const PADDING_BLOCK: u16 = 64;

/// The padding of every signcryption of the suite: to a multiple of [`PADDING_BLOCK`].
fn padding() -> clsc::Padding {
    NonZeroU16::new(PADDING_BLOCK).map_or(clsc::Padding::None, clsc::Padding::Multiple)
}

/// The public key of `bundle` under the system's KGC, from the process's [`KeyCache`]
/// (decoding a bundle and deriving its key costs a point decompression per point and a
/// multiscalar multiplication, some 37 µs; a round verifies and signcrypts to the same
/// few bundles many times).
fn public_key(sys: &GradsealSystem, bundle: &[u8]) -> Option<Arc<clsc::PublicKey>> {
    static CACHE: OnceLock<Mutex<KeyCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(KeyCache::new(MAX_CACHED_KEYS)));
    let lock = || cache.lock().unwrap_or_else(PoisonError::into_inner);
    let name = KeyCache::name(&sys.kgc, bundle);
    if let Some(pk) = lock().get(&name) {
        return Some(pk);
    }
    // Derived outside the lock; a bundle that does not derive is not cached.
    let bundle = clsc::PublicBundle::from_bytes(bundle).ok()?;
    let pk = Arc::new(clsc::PublicKey::derive(&sys.kgc, bundle).ok()?);
    lock().insert(name, Arc::clone(&pk));
    Some(pk)
}

/// Keys [`public_key`] keeps: more than the bundles of a round of a few hundred clients
/// (every role of a simulated round shares the process's cache), about 1 MB at most.
const MAX_CACHED_KEYS: usize = 1024;

/// Derived public keys by the exact bytes they were derived from, `Ppub ‖ bundle` (`Ppub`
/// is 32 bytes, so the name determines both the KGC and the bundle bytes: no other KGC or
/// bundle can hit an entry). Everything in it is public. Bounded: emptied when full.
struct KeyCache {
    keys: HashMap<Vec<u8>, Arc<clsc::PublicKey>>,
    capacity: usize,
}

impl KeyCache {
    fn new(capacity: usize) -> Self {
        KeyCache { keys: HashMap::new(), capacity }
    }

    fn name(kgc: &clsc::KgcPublic, bundle: &[u8]) -> Vec<u8> {
        let mut name = Vec::with_capacity(32 + bundle.len());
        name.extend_from_slice(kgc.ppub_bytes());
        name.extend_from_slice(bundle);
        name
    }

    fn get(&self, name: &[u8]) -> Option<Arc<clsc::PublicKey>> {
        self.keys.get(name).cloned()
    }

    fn insert(&mut self, name: Vec<u8>, key: Arc<clsc::PublicKey>) {
        if self.keys.len() >= self.capacity {
            self.keys.clear();
        }
        self.keys.insert(name, key);
    }
}

impl GradsealSuite {
    /// The gradseal-agg configuration of a round of this shape (`spec/protocol.md` §4,
    /// "Derived values"): the announcement's dimension and bits, `min_clients`,
    /// `max_clients = |roster|`, `committee_size = |committee|`, `privacy_threshold = f`,
    /// `round_id` from the announcement. `None` if the committee or threshold does not fit a
    /// u16.
    pub fn agg_config(shape: AggShape, round_id: &Digest) -> Option<agg::RoundConfig> {
        let mut config = agg::RoundConfig::new(*round_id, shape.dimension);
        config.bits = shape.bits;
        config.min_clients = shape.min_clients;
        config.max_clients = shape.max_clients.max(shape.min_clients);
        config.committee_size = u16::try_from(shape.committee).ok()?;
        config.privacy_threshold = u16::try_from(shape.privacy_threshold).ok()?;
        Some(config)
    }
}

impl Suite for GradsealSuite {
    type System = GradsealSystem;
    type NodeKey = clsc::NodeKeys;
    type Params = GradsealParams;
    type Contribution = agg::Contribution;
    type Aggregate = agg::Aggregate;
    type MemberShare = agg::MemberShare;
    type Manifest = shard::Manifest;
    type CheckedShard = shard::VerifiedShard;

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
        clsc::signcrypt(sender, &pk, context, msg, padding(), rng)
            .ok()
            .map(clsc::Signcryption::into_bytes)
    }

    fn unsigncrypt(
        _sys: &GradsealSystem,
        recipient: &clsc::NodeKeys,
        context: &Digest,
        envelope: &[u8],
        max_msg: usize,
    ) -> Option<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        let bound = padding().sealed_len(max_msg);
        let (bundle, msg) = clsc::unsigncrypt_bounded(recipient, context, envelope, bound).ok()?;
        Some((bundle.to_bytes(), Zeroizing::new(msg)))
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

    fn check_shard(m: &shard::Manifest, bytes: Vec<u8>) -> Option<(usize, shard::VerifiedShard)> {
        m.verify_owned(bytes).ok().map(|s| (usize::from(s.index()), s))
    }

    fn reconstruct(m: &shard::Manifest, shards: &[&shard::VerifiedShard]) -> Option<Vec<u8>> {
        // Checked on arrival: the decoder rebuilds and confirms the root without hashing
        // each shard a second time.
        shard::decode_verified(m, shards.iter().copied(), Vec::new()).ok().map(|d| d.payload)
    }

    fn params(_sys: &GradsealSystem, shape: AggShape, round_id: &Digest) -> Option<GradsealParams> {
        let config = GradsealSuite::agg_config(shape, round_id)?;
        Some(GradsealParams { agg: agg::RoundParams::new(config).ok()? })
    }

    fn encrypt(
        p: &GradsealParams,
        values: &[i64],
        rng: &mut ChaCha20Rng,
    ) -> Option<(Vec<u8>, Vec<SeedBytes>)> {
        let encoded = agg::EncodedUpdate::from_signed(&p.agg, values).ok()?;
        let (contribution, seeds) = agg::encrypt(&p.agg, &encoded, rng).ok()?;
        Some((contribution.to_bytes(), seeds.iter().map(agg::KeySeed::to_bytes).collect()))
    }

    fn decode_contribution(p: &GradsealParams, bytes: &[u8]) -> Option<agg::Contribution> {
        let c = agg::Contribution::from_bytes(bytes).ok()?;
        c.check(&p.agg).is_ok().then_some(c)
    }

    fn new_aggregate(p: &GradsealParams) -> agg::Aggregate {
        agg::Aggregate::new(&p.agg)
    }

    fn add(p: &GradsealParams, acc: &mut agg::Aggregate, c: &agg::Contribution) -> bool {
        acc.add(&p.agg, c).is_ok()
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

    fn new_share(p: &GradsealParams, member: u32) -> Option<agg::MemberShare> {
        agg::MemberShare::new(&p.agg, u16::try_from(member).ok()?).ok()
    }

    fn add_client(_p: &GradsealParams, share: &mut agg::MemberShare, seeds: &[SeedBytes]) -> bool {
        let held = share.held_sets();
        if held.len() != seeds.len() {
            return false;
        }
        let seeds: Option<Vec<agg::KeySeed>> = held
            .iter()
            .zip(seeds)
            .map(|(&t, s)| agg::KeySeed::from_bytes(t, &s[..]).ok())
            .collect();
        seeds.is_some_and(|s| share.add_client(&s).is_ok())
    }

    fn partial_decrypt(
        p: &GradsealParams,
        share: agg::MemberShare,
        quorum: u64,
        rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        share.partial_decrypt(&p.agg, agg::MemberSet(quorum), rng).ok().map(|d| d.to_bytes())
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
        agg::combine(&p.agg, aggregate, &decoded).ok().map(|s| s.sums)
    }
}

#[cfg(test)]
mod tests {
    use chacha20::ChaCha20Rng;
    use clsc::{EnrolmentRegistry, Identity, Kgc, NodeKeys, NodeSecret};
    use rand_core::SeedableRng;

    use super::*;

    fn enrol(kgc: &Kgc, name: &str, seed: u8) -> NodeKeys {
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        let id = Identity::new(name).unwrap();
        let mut policy = EnrolmentRegistry::new([id.clone()]);
        let secret = NodeSecret::generate(id, &mut rng);
        kgc.enrol_in_process(&secret, &mut policy, &mut rng).unwrap()
    }

    fn uncached(kgc: &clsc::KgcPublic, bundle: &[u8]) -> Option<clsc::PublicKey> {
        clsc::PublicKey::derive(kgc, clsc::PublicBundle::from_bytes(bundle).ok()?).ok()
    }

    /// Every lookup, cached or not, is the key of exactly the bundle bytes and KGC asked
    /// for: two bundles of one identity (the KGC can issue a second), bundles of other
    /// identities, the same bundle under another KGC, and bundle bytes with a byte more or
    /// less never hit one another's entry.
    #[test]
    fn cached_keys_are_the_keys_of_exactly_their_bundle_and_kgc() {
        let kgcs = [1u8, 2].map(|s| Kgc::generate(&mut ChaCha20Rng::from_seed([s; 32])));
        let keys = [
            enrol(&kgcs[0], "node-a", 3),
            enrol(&kgcs[0], "node-a", 4), // a second bundle for the same identity
            enrol(&kgcs[0], "node-b", 5),
            enrol(&kgcs[1], "node-a", 3),
        ];
        let bundles: Vec<Vec<u8>> = keys.iter().map(GradsealSuite::bundle).collect();
        assert_ne!(bundles[0], bundles[1]);
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        for _pass in 0..2 {
            for kgc in &kgcs {
                let sys = GradsealSystem { kgc: *kgc.public() };
                for (i, b) in bundles.iter().enumerate() {
                    let got = public_key(&sys, b).map(|k| (*k).clone());
                    assert_eq!(got, uncached(kgc.public(), b), "bundle {i}");
                    let got = got.unwrap();
                    assert_eq!(got.bundle().to_bytes(), *b);
                    assert_eq!(got.kgc(), kgc.public());
                    // One byte more or less is another name (and no bundle).
                    assert!(public_key(&sys, &[b.as_slice(), &[0]].concat()).is_none());
                    assert!(public_key(&sys, b.split_last().unwrap().1).is_none());
                }
                // Signatures verify under their own bundle only, cached or not.
                for (i, k) in keys.iter().enumerate() {
                    let sig = GradsealSuite::sign(k, &[7; 32], &mut rng);
                    for (j, b) in bundles.iter().enumerate() {
                        let own = i == j && k.public_key().kgc() == kgc.public();
                        assert_eq!(GradsealSuite::verify(&sys, b, &[7; 32], &sig), own);
                    }
                }
            }
        }
    }

    #[test]
    fn the_key_cache_is_bounded() {
        let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed([1; 32]));
        let keys: Vec<NodeKeys> =
            (0..5u8).map(|i| enrol(&kgc, &format!("node-{i}"), 10 + i)).collect();
        let mut cache = KeyCache::new(2);
        for k in &keys {
            let name = KeyCache::name(kgc.public(), &GradsealSuite::bundle(k));
            cache.insert(name.clone(), Arc::new(k.public_key().clone()));
            assert!(cache.keys.len() <= 2);
            assert_eq!(cache.get(&name).as_deref(), Some(k.public_key()));
        }
        let first = KeyCache::name(kgc.public(), &GradsealSuite::bundle(&keys[0]));
        assert!(cache.get(&first).is_none());
    }
}
