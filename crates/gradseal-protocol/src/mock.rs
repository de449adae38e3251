//! An **insecure** [`Suite`] for fuzzing and unit tests of the state machines.
//!
//! Nothing here is cryptography: "signatures" are public hashes anyone can compute,
//! "signcryption" is a hash-checked plaintext, "shards" are copies of the payload. The
//! aggregation keeps scheme v2's algebra without its noise or its hardness, so that the
//! state machines see the same outcomes as with the real scheme: a client's bodies are
//! `m_i + a_i·s` (wrapping u64, `a_i` public per round), its correction `δ = s − Σ_t r_t`
//! with `r_t` the expansion of the seed of set `t` (one per set of `f` members, sealed to
//! the members outside it), a member of the quorum `Q` partial is `a_i·Σ_{t assigned}
//! Σ_c r_{c,t}` over the sets the assignment rule gives it (`gradseal_agg::Committee`, the
//! same combinatorics as the real scheme), and the combination decodes only if the quorum's
//! members summed the seeds of exactly the aggregate's contributions (otherwise a uniformly
//! random `a_i·r` term is left over and the range check fails). It exists so that fuzzers can drive every role quickly
//! and deterministically (rustls' fuzzing provider does the same). Never use it outside
//! tests.

use chacha20::ChaCha20Rng;
use gradseal_agg::{Committee, MemberSet};
use gradseal_core::{Codec, Reader, Writer, hash};
use rand_core::Rng;
use zeroize::Zeroizing;

use crate::messages::Digest;
use crate::params::{MAX_DIMENSION, ShardLayout};
use crate::suite::{AggShape, SEED_LEN, SeedBytes, Suite};

const T_SIG: &str = "gradseal/v1/protocol/mock/sig";
const T_ENV: &str = "gradseal/v1/protocol/mock/envelope";
const T_KEY: &str = "gradseal/v1/protocol/mock/key";
const T_SHARD: &str = "gradseal/v1/protocol/mock/shard";

/// The insecure suite.
#[derive(Debug, Clone, Copy)]
pub struct MockSuite;

/// A mock node key: its public bundle is its 32-byte identity.
#[derive(Debug, Clone)]
pub struct MockKey(pub [u8; 32]);

/// A mock manifest: payload length, shard count and the payload's digest.
#[derive(Debug, Clone)]
pub struct MockManifest {
    len: usize,
    total: usize,
    digest: Digest,
}

/// A mock round: its shape, committee and a 64-bit mask seed from the round id.
#[derive(Debug, Clone)]
pub struct MockParams {
    shape: AggShape,
    committee: Committee,
    mask: u64,
    round_id: Digest,
}

/// A mock contribution: bodies and the one-word correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockContribution {
    bodies: Vec<u64>,
    correction: u64,
}

/// A mock aggregate: count, summed bodies, summed corrections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockAggregate {
    count: u32,
    bodies: Vec<u64>,
    correction: u64,
}

/// A mock member share: the member, the sets it holds, the clients added and, per held
/// set, the summed expansions of their seeds.
#[derive(Debug)]
pub struct MockShare {
    member: u16,
    held: Vec<u16>,
    count: u32,
    sums: Vec<u64>,
}

fn sig(bundle: &[u8], statement: &Digest) -> Vec<u8> {
    hash(T_SIG, &[bundle, statement]).to_vec()
}

/// SplitMix64's finalizer: the public mask word a_i.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn mask(p: &MockParams, i: usize) -> u64 {
    mix(p.mask ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The expansion r_t of the seed of set `set`.
fn expand(p: &MockParams, set: u16, seed: &[u8]) -> u64 {
    let h = hash(T_KEY, &[&p.round_id, &set.to_be_bytes(), seed]);
    let mut w = [0u8; 8];
    w.copy_from_slice(&h[..8]);
    u64::from_be_bytes(w)
}

fn dimension(p: &MockParams) -> usize {
    usize::try_from(p.shape.dimension).unwrap_or(0)
}

fn read_words(r: &mut Reader<'_>, n: usize) -> Option<Vec<u64>> {
    let v = r.read_list("mock.words", n, |r| r.read_u64("mock.word")).ok()?;
    (v.len() == n).then_some(v)
}

impl Suite for MockSuite {
    type System = ();
    type NodeKey = MockKey;
    type Params = MockParams;
    type Contribution = MockContribution;
    type Aggregate = MockAggregate;
    type MemberShare = MockShare;
    type Manifest = MockManifest;
    type CheckedShard = Vec<u8>;

    fn bundle(key: &MockKey) -> Vec<u8> {
        key.0.to_vec()
    }

    fn sign(key: &MockKey, statement: &Digest, _rng: &mut ChaCha20Rng) -> Vec<u8> {
        sig(&key.0, statement)
    }

    fn verify(_: &(), bundle: &[u8], statement: &Digest, signature: &[u8]) -> bool {
        bundle.len() == 32 && sig(bundle, statement) == signature
    }

    fn signcrypt(
        _: &(),
        sender: &MockKey,
        recipient: &[u8],
        context: &Digest,
        msg: &[u8],
        _rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        let mut w = Writer::new();
        w.put_bytes(&hash(T_ENV, &[&sender.0, recipient, context, msg]));
        w.put_bytes(&sender.0);
        w.put_bytes(msg);
        Some(w.into_bytes())
    }

    fn unsigncrypt(
        _: &(),
        recipient: &MockKey,
        context: &Digest,
        envelope: &[u8],
        max_msg: usize,
    ) -> Option<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        let mut r = Reader::new(envelope);
        let check = r.read_array::<32>("mock").ok()?;
        let sender = r.read_array::<32>("mock").ok()?;
        let msg = r.read_bytes("mock", r.remaining()).ok().filter(|m| m.len() <= max_msg)?;
        (hash(T_ENV, &[&sender, &recipient.0, context, msg]) == check)
            .then(|| (sender.to_vec(), Zeroizing::new(msg.to_vec())))
    }

    fn shard(payload: &[u8], layout: ShardLayout) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
        // Replication, not erasure coding: every shard carries the whole payload, so any
        // valid shard rebuilds it (more tolerant than Reed-Solomon, which is all a mock needs).
        let mut w = Writer::new();
        w.put_u64(payload.len() as u64);
        w.put_u8(layout.data);
        w.put_u8(layout.parity);
        w.put_bytes(&hash(T_SHARD, &[payload]));
        let shards = (0..layout.total())
            .map(|i| {
                let mut v = vec![u8::try_from(i).unwrap_or(u8::MAX)];
                v.extend_from_slice(payload);
                v
            })
            .collect();
        Some((w.into_bytes(), shards))
    }

    fn decode_manifest(
        bytes: &[u8],
        layout: ShardLayout,
        max_payload: usize,
    ) -> Option<MockManifest> {
        let mut r = Reader::new(bytes);
        let len = usize::try_from(r.read_u64("m").ok()?).ok()?;
        let (d, p) = (r.read_u8("m").ok()?, r.read_u8("m").ok()?);
        let digest = r.read_array::<32>("m").ok()?;
        r.finish("m").ok()?;
        (len <= max_payload && d == layout.data && p == layout.parity).then_some(MockManifest {
            len,
            total: layout.total(),
            digest,
        })
    }

    fn manifest_digest(m: &MockManifest) -> Digest {
        hash(T_SHARD, &[&(m.len as u64).to_be_bytes(), &m.digest])
    }

    fn check_shard(m: &MockManifest, shard: Vec<u8>) -> Option<(usize, Vec<u8>)> {
        let (&i, body) = shard.split_first()?;
        (usize::from(i) < m.total && body.len() == m.len && hash(T_SHARD, &[body]) == m.digest)
            .then_some((usize::from(i), shard))
    }

    fn reconstruct(m: &MockManifest, shards: &[&Vec<u8>]) -> Option<Vec<u8>> {
        let s = shards.first()?;
        let body = s.get(1..)?;
        (body.len() == m.len).then(|| body.to_vec())
    }

    fn params(_: &(), shape: AggShape, round_id: &Digest) -> Option<MockParams> {
        let committee = Committee::new(
            u16::try_from(shape.committee).ok()?,
            u16::try_from(shape.privacy_threshold).ok()?,
        )
        .ok()?;
        let ok = shape.dimension > 0
            && shape.dimension <= MAX_DIMENSION
            && shape.min_clients >= 2
            && (2..=24).contains(&shape.bits);
        let mut w = [0u8; 8];
        w.copy_from_slice(&round_id[..8]);
        ok.then_some(MockParams {
            shape,
            committee,
            mask: u64::from_be_bytes(w),
            round_id: *round_id,
        })
    }

    fn encrypt(
        p: &MockParams,
        values: &[i64],
        rng: &mut ChaCha20Rng,
    ) -> Option<(Vec<u8>, Vec<SeedBytes>)> {
        let bound = 1u64 << (p.shape.bits - 1);
        if values.len() != dimension(p) || values.iter().any(|v| v.unsigned_abs() >= bound) {
            return None;
        }
        let secret = rng.next_u64();
        let mut correction = secret;
        let mut seeds = Vec::new();
        for t in 0..p.committee.set_count() {
            let mut seed = Zeroizing::new([0u8; SEED_LEN]);
            rng.fill_bytes(seed.as_mut());
            correction = correction.wrapping_sub(expand(p, t, seed.as_ref()));
            seeds.push(seed);
        }
        let bodies: Vec<u64> = values
            .iter()
            .enumerate()
            .map(|(i, v)| v.cast_unsigned().wrapping_add(mask(p, i).wrapping_mul(secret)))
            .collect();
        let mut w = Writer::new();
        w.put_list(&bodies, |w, v| w.put_u64(*v));
        w.put_u64(correction);
        Some((w.into_bytes(), seeds))
    }

    fn decode_contribution(p: &MockParams, bytes: &[u8]) -> Option<MockContribution> {
        let mut r = Reader::new(bytes);
        let bodies = read_words(&mut r, dimension(p))?;
        let correction = r.read_u64("mock.correction").ok()?;
        r.finish("mock.contribution").ok()?;
        Some(MockContribution { bodies, correction })
    }

    fn new_aggregate(p: &MockParams) -> MockAggregate {
        MockAggregate { count: 0, bodies: vec![0; dimension(p)], correction: 0 }
    }

    fn add(p: &MockParams, acc: &mut MockAggregate, c: &MockContribution) -> bool {
        if acc.count >= p.shape.max_clients || acc.bodies.len() != c.bodies.len() {
            return false;
        }
        acc.count += 1;
        for (a, b) in acc.bodies.iter_mut().zip(&c.bodies) {
            *a = a.wrapping_add(*b);
        }
        acc.correction = acc.correction.wrapping_add(c.correction);
        true
    }

    fn aggregate_eq(a: &MockAggregate, b: &MockAggregate) -> bool {
        a == b
    }

    fn encode_aggregate(a: &MockAggregate) -> Vec<u8> {
        let mut w = Writer::new();
        w.put_u32(a.count);
        w.put_list(&a.bodies, |w, v| w.put_u64(*v));
        w.put_u64(a.correction);
        w.into_bytes()
    }

    fn decode_aggregate(p: &MockParams, bytes: &[u8]) -> Option<MockAggregate> {
        let mut r = Reader::new(bytes);
        let count = r.read_u32("mock.count").ok()?;
        let bodies = read_words(&mut r, dimension(p))?;
        let correction = r.read_u64("mock.correction").ok()?;
        r.finish("mock.aggregate").ok()?;
        (count <= p.shape.max_clients).then_some(MockAggregate { count, bodies, correction })
    }

    fn new_share(p: &MockParams, member: u32) -> Option<MockShare> {
        let member = u16::try_from(member).ok().filter(|&m| m < p.committee.size())?;
        let held = p.committee.held_sets(member);
        let sums = vec![0; held.len()];
        Some(MockShare { member, held, count: 0, sums })
    }

    fn add_client(p: &MockParams, share: &mut MockShare, seeds: &[SeedBytes]) -> bool {
        if seeds.len() != share.held.len() || share.count >= p.shape.max_clients {
            return false;
        }
        for ((sum, &t), seed) in share.sums.iter_mut().zip(&share.held).zip(seeds) {
            *sum = sum.wrapping_add(expand(p, t, seed.as_ref()));
        }
        share.count += 1;
        true
    }

    fn partial_decrypt(
        p: &MockParams,
        share: MockShare,
        quorum: u64,
        _: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        let q = MemberSet(quorum);
        if share.count < p.shape.min_clients
            || p.committee.check_quorum(q).is_err()
            || !q.contains(share.member)
        {
            return None;
        }
        let mut sum = 0u64;
        for t in p.committee.assigned_sets(q, share.member) {
            let i = share.held.iter().position(|&h| h == t)?;
            sum = sum.wrapping_add(*share.sums.get(i)?);
        }
        let values: Vec<u64> = (0..dimension(p)).map(|i| mask(p, i).wrapping_mul(sum)).collect();
        let mut w = Writer::new();
        w.put_u32(u32::from(share.member));
        w.put_u64(quorum);
        w.put_u32(share.count);
        w.put_list(&values, |w, v| w.put_u64(*v));
        Some(w.into_bytes())
    }

    fn combine(p: &MockParams, a: &MockAggregate, partials: &[&[u8]]) -> Option<Vec<i64>> {
        if a.count < p.shape.min_clients || partials.len() != usize::from(p.committee.quorum_size())
        {
            return None;
        }
        let mut quorum: Option<u64> = None;
        let mut seen = MemberSet::default();
        let mut residue: Vec<u64> = a
            .bodies
            .iter()
            .enumerate()
            .map(|(i, b)| b.wrapping_sub(mask(p, i).wrapping_mul(a.correction)))
            .collect();
        for bytes in partials {
            let mut r = Reader::new(bytes);
            let member = u16::try_from(r.read_u32("mock.member").ok()?).ok()?;
            let q = r.read_u64("mock.quorum").ok()?;
            let count = r.read_u32("mock.count").ok()?;
            let values = read_words(&mut r, dimension(p))?;
            r.finish("mock.partial").ok()?;
            // One quorum for all, one partial per member of it.
            if *quorum.get_or_insert(q) != q
                || !MemberSet(q).contains(member)
                || seen.contains(member)
                || count != a.count
            {
                return None;
            }
            seen = seen.with(member);
            for (m, v) in residue.iter_mut().zip(&values) {
                *m = m.wrapping_sub(*v);
            }
        }
        // Every member of a valid quorum gave its partial.
        if p.committee.check_quorum(MemberSet(quorum?)).is_err() || Some(seen.0) != quorum {
            return None;
        }
        let bound = u64::from(a.count) * ((1u64 << (p.shape.bits - 1)) - 1);
        let sums: Vec<i64> = residue.into_iter().map(u64::cast_signed).collect();
        sums.iter().all(|s| s.unsigned_abs() <= bound).then_some(sums)
    }
}

impl Codec for MockKey {
    fn encode(&self, w: &mut Writer) {
        w.put_bytes(&self.0);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, gradseal_core::DecodeError> {
        Ok(MockKey(r.read_array("mock.key")?))
    }
}
