//! An **insecure** [`Suite`] for fuzzing and unit tests of the state machines.
//!
//! Nothing here is cryptography: "signatures" are public hashes anyone can compute,
//! "encryption" is the identity, shards are split with a single XOR parity. It exists so that
//! fuzzers can drive every role quickly and deterministically (rustls' fuzzing provider does
//! the same). Never use it outside tests.

use chacha20::ChaCha20Rng;
use gradseal_core::{Codec, Reader, Writer, hash};
use rand_core::Rng;

use crate::messages::Digest;
use crate::params::ShardLayout;
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

/// A mock manifest: payload length, per-shard length and per-shard digests.
#[derive(Debug, Clone)]
pub struct MockManifest {
    len: usize,
    shard_len: usize,
    data: usize,
    digests: Vec<Digest>,
}

fn sig(bundle: &[u8], statement: &Digest) -> Vec<u8> {
    hash(T_SIG, &[bundle, statement]).to_vec()
}

impl Suite for MockSuite {
    type System = ();
    type NodeKey = MockKey;
    type KeyShare = [u8; 32];
    type JointKey = Digest;
    type Ciphertext = Vec<u64>;
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

    fn shard(payload: &[u8], layout: ShardLayout) -> (Vec<u8>, Vec<Vec<u8>>) {
        let k = usize::from(layout.data);
        let shard_len = payload.len().div_ceil(k).max(1);
        let mut shards: Vec<Vec<u8>> = (0..k)
            .map(|i| {
                let mut s =
                    payload.iter().skip(i * shard_len).take(shard_len).copied().collect::<Vec<_>>();
                s.resize(shard_len, 0);
                s
            })
            .collect();
        let mut parity = vec![0u8; shard_len];
        for s in &shards {
            for (p, b) in parity.iter_mut().zip(s) {
                *p ^= b;
            }
        }
        for _ in 0..layout.parity {
            shards.push(parity.clone());
        }
        let mut w = Writer::new();
        w.put_u64(payload.len() as u64);
        w.put_u32(u32::try_from(shard_len).unwrap_or(u32::MAX));
        w.put_u8(layout.data);
        w.put_u8(layout.parity);
        for (i, s) in shards.iter().enumerate() {
            w.put_bytes(&hash(T_SHARD, &[&[u8::try_from(i).unwrap_or(u8::MAX)], s]));
        }
        let encoded = shards
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let mut v = vec![u8::try_from(i).unwrap_or(u8::MAX)];
                v.extend_from_slice(&s);
                v
            })
            .collect();
        (w.into_bytes(), encoded)
    }

    fn decode_manifest(
        bytes: &[u8],
        layout: ShardLayout,
        max_payload: usize,
    ) -> Option<MockManifest> {
        let mut r = Reader::new(bytes);
        let len = usize::try_from(r.read_u64("m").ok()?).ok()?;
        let shard_len = usize::try_from(r.read_u32("m").ok()?).ok()?;
        let (d, p) = (r.read_u8("m").ok()?, r.read_u8("m").ok()?);
        if len > max_payload
            || d != layout.data
            || p != layout.parity
            || shard_len != len.div_ceil(usize::from(d)).max(1)
        {
            return None;
        }
        let digests = (0..layout.total())
            .map(|_| r.read_array::<32>("m"))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        r.finish("m").ok()?;
        Some(MockManifest { len, shard_len, data: usize::from(d), digests })
    }

    fn manifest_digest(m: &MockManifest) -> Digest {
        let mut w = Writer::new();
        w.put_u64(m.len as u64);
        w.put_list(&m.digests, |w, d| w.put_bytes(d));
        hash(T_SHARD, &[w.as_slice()])
    }

    fn check_shard(m: &MockManifest, shard: &[u8]) -> Option<usize> {
        let (&i, body) = shard.split_first()?;
        let d = m.digests.get(usize::from(i))?;
        (body.len() == m.shard_len && hash(T_SHARD, &[&[i], body]) == *d).then_some(usize::from(i))
    }

    fn reconstruct(m: &MockManifest, shards: &[(usize, &[u8])]) -> Option<Vec<u8>> {
        let mut data: Vec<Option<Vec<u8>>> = vec![None; m.data];
        let mut parity = None;
        for (i, s) in shards {
            let body = s.get(1..)?.to_vec();
            match data.get_mut(*i) {
                Some(slot) => *slot = Some(body),
                None => parity = Some(body),
            }
        }
        let missing: Vec<usize> =
            (0..m.data).filter(|i| data.get(*i).is_some_and(Option::is_none)).collect();
        match (missing.as_slice(), parity) {
            ([], _) => {}
            ([j], Some(mut p)) => {
                for s in data.iter().flatten() {
                    for (a, b) in p.iter_mut().zip(s) {
                        *a ^= b;
                    }
                }
                *data.get_mut(*j)? = Some(p);
            }
            _ => return None,
        }
        let mut out: Vec<u8> = data.into_iter().flatten().flatten().collect();
        out.truncate(m.len);
        Some(out)
    }

    fn key_share(_: AggShape, mask_seed: &Digest, rng: &mut ChaCha20Rng) -> ([u8; 32], Vec<u8>) {
        let mut s = [0u8; 32];
        rng.fill_bytes(&mut s);
        (s, hash(T_KEY, &[mask_seed, &s]).to_vec())
    }

    fn joint_key(shape: AggShape, mask_seed: &Digest, bodies: &[&[u8]]) -> Option<Digest> {
        if bodies.len() != usize::try_from(shape.committee).ok()?
            || bodies.iter().any(|b| b.len() != 32)
        {
            return None;
        }
        let mut parts: Vec<&[u8]> = vec![mask_seed];
        parts.extend_from_slice(bodies);
        Some(hash(T_KEY, &parts))
    }

    fn encrypt(
        shape: AggShape,
        key: &Digest,
        values: &[i64],
        proof: Option<&ProofContext>,
        _rng: &mut ChaCha20Rng,
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        if values.len() != usize::try_from(shape.dimension).ok()? {
            return None;
        }
        let ct: Vec<u64> = values.iter().map(|v| v.cast_unsigned()).collect();
        let bytes = Self::encode_ciphertext(&ct);
        let proof = match proof {
            Some(c) => {
                hash(T_PROOF, &[key, &bytes, &c.announcement, &c.client.to_be_bytes()]).to_vec()
            }
            None => Vec::new(),
        };
        Some((bytes, proof))
    }

    fn decode_ciphertext(shape: AggShape, bytes: &[u8]) -> Option<Vec<u64>> {
        let mut r = Reader::new(bytes);
        let n = usize::try_from(shape.dimension).ok()?;
        let v = r.read_list("mock.ct", n, |r| r.read_u64("mock.ct")).ok()?;
        r.finish("mock.ct").ok()?;
        (v.len() == n).then_some(v)
    }

    fn encode_ciphertext(ct: &Vec<u64>) -> Vec<u8> {
        let mut w = Writer::new();
        w.put_list(ct, |w, v| w.put_u64(*v));
        w.into_bytes()
    }

    fn add_assign(acc: &mut Vec<u64>, ct: &Vec<u64>) {
        for (a, b) in acc.iter_mut().zip(ct) {
            *a = a.wrapping_add(*b);
        }
    }

    fn ciphertext_eq(a: &Vec<u64>, b: &Vec<u64>) -> bool {
        a == b
    }

    fn verify_proof(
        _: AggShape,
        key: &Digest,
        ciphertext: &[u8],
        proof: &[u8],
        c: &ProofContext,
    ) -> bool {
        hash(T_PROOF, &[key, ciphertext, &c.announcement, &c.client.to_be_bytes()]) == proof
    }

    fn partial_decrypt(
        _: AggShape,
        share: [u8; 32],
        aggregate: &Vec<u64>,
        _rng: &mut ChaCha20Rng,
    ) -> Option<Vec<u8>> {
        Some(hash(T_KEY, &[&share, &Self::encode_ciphertext(aggregate)]).to_vec())
    }

    fn combine(shape: AggShape, aggregate: &Vec<u64>, partials: &[&[u8]]) -> Option<Vec<i64>> {
        if partials.len() != usize::try_from(shape.committee).ok()?
            || partials.iter().any(|p| p.len() != 32)
        {
            return None;
        }
        Some(aggregate.iter().map(|v| v.cast_signed()).collect())
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
