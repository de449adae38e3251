//! An **insecure** [`Suite`] for fuzzing and unit tests of the state machines.
//!
//! Nothing here is cryptography: "signatures" are public hashes anyone can compute,
//! "encryption" is the identity, "shards" are copies of the payload. It exists so that
//! fuzzers can drive every role quickly and deterministically (rustls' fuzzing provider does
//! the same). Never use it outside tests.

use chacha20::ChaCha20Rng;
use gradseal_core::{Codec, Reader, Writer, hash};
use rand_core::Rng;

use crate::messages::Digest;
use crate::params::{ProofPolicy, ShardLayout};
use crate::suite::{AggShape, ProofContext, Suite};

const T_SIG: &str = "gradseal/v1/protocol/mock/sig";
const T_ENV: &str = "gradseal/v1/protocol/mock/envelope";
const T_KEY: &str = "gradseal/v1/protocol/mock/key";
const T_SHARD: &str = "gradseal/v1/protocol/mock/shard";
const T_PROOF: &str = "gradseal/v1/protocol/mock/proof";

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

fn sig(bundle: &[u8], statement: &Digest) -> Vec<u8> {
    hash(T_SIG, &[bundle, statement]).to_vec()
}

impl Suite for MockSuite {
    type System = ();
    type NodeKey = MockKey;
    type Params = (AggShape, ProofPolicy, Digest);
    type KeyShare = [u8; 32];
    type JointKey = Digest;
    type Update = (Vec<u64>, Vec<u8>);
    type Aggregate = (u32, Vec<u64>);
    type Manifest = MockManifest;

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
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut r = Reader::new(envelope);
        let check = r.read_array::<32>("mock").ok()?;
        let sender = r.read_array::<32>("mock").ok()?;
        let msg = r.read_bytes("mock", r.remaining()).ok()?;
        (hash(T_ENV, &[&sender, &recipient.0, context, msg]) == check)
            .then(|| (sender.to_vec(), msg.to_vec()))
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

    fn check_shard(m: &MockManifest, shard: &[u8]) -> Option<usize> {
        let (&i, body) = shard.split_first()?;
        (usize::from(i) < m.total && body.len() == m.len && hash(T_SHARD, &[body]) == m.digest)
            .then_some(usize::from(i))
    }

    fn reconstruct(m: &MockManifest, shards: &[(usize, &[u8])]) -> Option<Vec<u8>> {
        let (_, s) = shards.first()?;
        let body = s.get(1..)?;
        (body.len() == m.len).then(|| body.to_vec())
    }

    fn params(
        _: &(),
        shape: AggShape,
        policy: ProofPolicy,
        mask_seed: &Digest,
    ) -> Option<Self::Params> {
        (shape.committee > 0 && shape.dimension > 0).then_some((shape, policy, *mask_seed))
    }

    fn key_share(
        p: &Self::Params,
        member: u32,
        rng: &mut ChaCha20Rng,
    ) -> Option<([u8; 32], Vec<u8>)> {
        let mut s = [0u8; 32];
        rng.fill_bytes(&mut s);
        Some((s, hash(T_KEY, &[&p.2, &member.to_be_bytes(), &s]).to_vec()))
    }

    fn joint_key(p: &Self::Params, bodies: &[&[u8]]) -> Option<Digest> {
        if bodies.len() != usize::try_from(p.0.committee).ok()?
            || bodies.iter().any(|b| b.len() != 32)
        {
            return None;
        }
        let mut parts: Vec<&[u8]> = vec![&p.2];
        parts.extend_from_slice(bodies);
        Some(hash(T_KEY, &parts))
    }

    fn encrypt(
        p: &Self::Params,
        key: &Digest,
        values: &[i64],
        proof: &ProofContext,
        _rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        if values.len() != usize::try_from(p.0.dimension).ok()? {
            return None;
        }
        let ct: Vec<u64> = values.iter().map(|v| v.cast_unsigned()).collect();
        let mut w = Writer::new();
        w.put_list(&ct, |w, v| w.put_u64(*v));
        let proof = match p.1 {
            ProofPolicy::Every => mock_proof(key, &ct, proof).to_vec(),
            ProofPolicy::None => Vec::new(),
        };
        w.put_var_bytes(&proof);
        Some(w.into_bytes())
    }

    fn decode_update(p: &Self::Params, bytes: &[u8]) -> Option<Self::Update> {
        let mut r = Reader::new(bytes);
        let n = usize::try_from(p.0.dimension).ok()?;
        let v = r.read_list("mock.ct", n, |r| r.read_u64("mock.ct")).ok()?;
        let proof = r.read_var_bytes("mock.proof", 32).ok()?.to_vec();
        r.finish("mock.ct").ok()?;
        (v.len() == n).then_some((v, proof))
    }

    fn verify_proofs(p: &Self::Params, key: &Digest, u: &Self::Update, c: &ProofContext) -> bool {
        match p.1 {
            ProofPolicy::None => u.1.is_empty(),
            ProofPolicy::Every => mock_proof(key, &u.0, c).as_slice() == u.1.as_slice(),
        }
    }

    fn new_aggregate(p: &Self::Params) -> Self::Aggregate {
        (0, vec![0; usize::try_from(p.0.dimension).unwrap_or(0)])
    }

    fn add(p: &Self::Params, acc: &mut Self::Aggregate, u: &Self::Update) -> bool {
        if acc.0 >= p.0.max_clients || acc.1.len() != u.0.len() {
            return false;
        }
        acc.0 += 1;
        for (a, b) in acc.1.iter_mut().zip(&u.0) {
            *a = a.wrapping_add(*b);
        }
        true
    }

    fn aggregate_eq(a: &Self::Aggregate, b: &Self::Aggregate) -> bool {
        a == b
    }

    fn encode_aggregate(a: &Self::Aggregate) -> Vec<u8> {
        let mut w = Writer::new();
        w.put_u32(a.0);
        w.put_list(&a.1, |w, v| w.put_u64(*v));
        w.into_bytes()
    }

    fn decode_aggregate(p: &Self::Params, bytes: &[u8]) -> Option<Self::Aggregate> {
        let mut r = Reader::new(bytes);
        let n = usize::try_from(p.0.dimension).ok()?;
        let count = r.read_u32("mock.agg").ok()?;
        let v = r.read_list("mock.agg", n, |r| r.read_u64("mock.agg")).ok()?;
        r.finish("mock.agg").ok()?;
        (v.len() == n).then_some((count, v))
    }

    fn partial_decrypt(
        _: &Self::Params,
        share: [u8; 32],
        a: &Self::Aggregate,
        _: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        Some(hash(T_KEY, &[&share, &Self::encode_aggregate(a)]).to_vec())
    }

    fn combine(p: &Self::Params, a: &Self::Aggregate, partials: &[&[u8]]) -> Option<Vec<i64>> {
        if partials.len() != usize::try_from(p.0.committee).ok()?
            || partials.iter().any(|p| p.len() != 32)
        {
            return None;
        }
        Some(a.1.iter().map(|v| v.cast_signed()).collect())
    }
}

fn mock_proof(key: &Digest, ct: &[u64], c: &ProofContext) -> Digest {
    let mut w = Writer::new();
    w.put_list(ct, |w, v| w.put_u64(*v));
    hash(T_PROOF, &[key, w.as_slice(), &c.announcement, &c.client.to_be_bytes()])
}

impl Codec for MockKey {
    fn encode(&self, w: &mut Writer) {
        w.put_bytes(&self.0);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, gradseal_core::DecodeError> {
        Ok(MockKey(r.read_array("mock.key")?))
    }
}
