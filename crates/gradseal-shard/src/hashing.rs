//! The hash construction (`spec/shard.md`, "Authentication").
//!
//! - chunk digest: TurboSHAKE128 (D = 0x1F, 32 output bytes) over a framed header and the
//!   chunk; this is the only hash that touches bulk data, and the fastest member of the
//!   SHA3 family available here (12 rounds, rate 168);
//! - leaf: SHA3-256 (`gradseal_core::hash`) over the manifest header, the shard index and
//!   the shard's chunk digests;
//! - node: SHA3-256 over two children; the tree is padded to a power of two with a fixed
//!   empty leaf, so every proof has `ceil(log2(k + m))` siblings.

use crate::layout::Layout;
use crate::par;
use crate::tags::{TAG_CHUNK, TAG_EMPTY, TAG_LEAF, TAG_NODE};
use gradseal_core::hash;
use std::ops::Range;
use turboshake::TurboShake128;
use turboshake::digest::{ExtendableOutput, Update};

/// A 32-byte digest.
pub(crate) type Digest = [u8; 32];

/// The framed prefix absorbed before a chunk.
fn chunk_header(index: usize, stripe: usize, len: usize) -> Vec<u8> {
    let mut h = Vec::with_capacity(4 + TAG_CHUNK.len() + 2 + 8 + 8);
    h.extend_from_slice(&u32::try_from(TAG_CHUNK.len()).unwrap_or(u32::MAX).to_be_bytes());
    h.extend_from_slice(TAG_CHUNK.as_bytes());
    // Indices are < 256 and stripes < 2^32 by the layout's bounds.
    h.extend_from_slice(&u16::try_from(index).unwrap_or(u16::MAX).to_be_bytes());
    h.extend_from_slice(&(stripe as u64).to_be_bytes());
    h.extend_from_slice(&(len as u64).to_be_bytes());
    h
}

/// TurboSHAKE128 digest of chunk `stripe` of shard `index`.
pub(crate) fn chunk_digest(index: usize, stripe: usize, chunk: &[u8]) -> Digest {
    let mut h = TurboShake128::default();
    h.update(&chunk_header(index, stripe, chunk.len()));
    h.update(chunk);
    let mut out = [0u8; 32];
    h.finalize_xof_into(&mut out);
    out
}

/// The leaf of shard `index`: SHA3-256 over the manifest header, the index and the chunk
/// digests in stripe order.
pub(crate) fn leaf(header: &[u8], index: usize, digests: &[Digest]) -> Digest {
    let idx = u16::try_from(index).unwrap_or(u16::MAX).to_be_bytes();
    hash(TAG_LEAF, &[header, &idx, digests.as_flattened()])
}

/// An inner node.
pub(crate) fn node(left: &Digest, right: &Digest) -> Digest {
    hash(TAG_NODE, &[left, right])
}

/// The filler leaf for positions `k + m ..` of the padded tree.
pub(crate) fn empty_leaf() -> Digest {
    hash(TAG_EMPTY, &[])
}

/// A complete binary tree over `2^depth` leaves.
pub(crate) struct Tree {
    /// `levels[0]` are the (padded) leaves, the last level is the root.
    levels: Vec<Vec<Digest>>,
}

impl Tree {
    /// Builds the tree over `leaves`, padded with [`empty_leaf`] to `2^depth`.
    pub(crate) fn build(mut leaves: Vec<Digest>, depth: usize) -> Self {
        leaves.resize(1 << depth, empty_leaf());
        let mut levels = vec![leaves];
        while let Some(last) = levels.last() {
            if last.len() <= 1 {
                break;
            }
            // A level of more than one digest has a power-of-two length: nothing is left over.
            let (pairs, _) = last.as_chunks::<2>();
            let next = pairs.iter().map(|[left, right]| node(left, right)).collect();
            levels.push(next);
        }
        Self { levels }
    }

    /// The root.
    pub(crate) fn root(&self) -> Digest {
        self.levels.last().and_then(|l| l.first()).copied().unwrap_or_else(empty_leaf)
    }

    /// The siblings of leaf `index`, bottom-up.
    pub(crate) fn proof(&self, index: usize) -> Vec<Digest> {
        let mut out = Vec::new();
        let mut i = index;
        // Every level but the root's.
        let below_root = self.levels.split_last().map_or(&[][..], |(_, rest)| rest);
        for level in below_root {
            if let Some(s) = level.get(i ^ 1) {
                out.push(*s);
            }
            i >>= 1;
        }
        out
    }
}

/// The root implied by `leaf` at `index` and its sibling path (32-byte entries).
pub(crate) fn root_from_proof(mut acc: Digest, index: usize, proof: &[u8]) -> Digest {
    let mut i = index;
    for sib in proof.chunks_exact(32) {
        let mut s = [0u8; 32];
        s.copy_from_slice(sib);
        acc = if i & 1 == 0 { node(&acc, &s) } else { node(&s, &acc) };
        i >>= 1;
    }
    acc
}

/// How many consecutive stripes to hash together so that `per_stripe` chunks per stripe
/// fill the four lanes: 4 / gcd(per_stripe, 4).
pub(crate) fn lane_batch(per_stripe: usize) -> usize {
    match per_stripe % 4 {
        0 => 1,
        2 => 2,
        _ => 4,
    }
}

/// Digests of chunks `(shard index, stripe, chunk)`, in order. Chunks of equal length
/// (always the case within one layout) are hashed four at a time on AVX2.
pub(crate) fn chunk_digests(chunks: &[(usize, usize, &[u8])]) -> Vec<Digest> {
    let mut out = Vec::with_capacity(chunks.len());
    #[cfg(target_arch = "x86_64")]
    {
        // At least two chunks, all of the first one's length.
        let equal = chunks.split_first().is_some_and(|(first, rest)| {
            !rest.is_empty() && rest.iter().all(|c| c.2.len() == first.2.len())
        });
        if let (true, Some(simd)) = (equal, gradseal_core::keccak4::detect()) {
            let headers: Vec<Vec<u8>> =
                chunks.iter().map(|&(i, s, c)| chunk_header(i, s, c.len())).collect();
            for (group, hs) in chunks.chunks(4).zip(headers.chunks(4)) {
                if let [(i, s, c)] = group {
                    out.push(chunk_digest(*i, *s, c));
                    continue;
                }
                // A short last group repeats its last chunk in the idle lanes.
                let lanes = group.iter().zip(hs).map(|(&(_, _, body), h)| {
                    gradseal_core::keccak4::Message { header: h.as_slice(), body }
                });
                let Some(fill) = lanes.clone().next_back() else {
                    continue;
                };
                let mut msgs = [fill; 4];
                for (slot, m) in msgs.iter_mut().zip(lanes) {
                    *slot = m;
                }
                let d = gradseal_core::keccak4::turboshake4(simd, msgs);
                out.extend(d.into_iter().take(group.len()));
            }
            return out;
        }
    }
    out.extend(chunks.iter().map(|&(i, s, c)| chunk_digest(i, s, c)));
    out
}

/// Chunk digests of whole shards (`jobs`: shard index and data, each `layout.shard_size`
/// bytes), computed on all cores by splitting the stripe range. Returns, per job, the
/// digests in stripe order.
pub(crate) fn shard_chunk_digests(layout: &Layout, jobs: &[(usize, &[u8])]) -> Vec<Vec<Digest>> {
    let c = layout.stripe;
    let total = jobs.len() * layout.shard_size;
    let t = par::workers(total, layout.stripes);
    let work: Vec<_> = par::ranges(layout.stripes, t)
        .into_iter()
        .map(|Range { start: s0, end: s1 }| {
            move || {
                let mut out: Vec<Vec<Digest>> =
                    jobs.iter().map(|_| Vec::with_capacity(s1 - s0)).collect();
                let batch = lane_batch(jobs.len());
                for first in (s0..s1).step_by(batch) {
                    let chunks: Vec<(usize, usize, &[u8])> = (first..s1.min(first + batch))
                        .flat_map(|s| {
                            jobs.iter().map(move |&(i, data)| {
                                (i, s, data.get(s * c..(s + 1) * c).unwrap_or(&[]))
                            })
                        })
                        .collect();
                    // Stripe-major order: every job of one stripe, then the next stripe.
                    for (t, d) in chunk_digests(&chunks).into_iter().enumerate() {
                        if let Some(dst) = out.get_mut(t % jobs.len()) {
                            dst.push(d);
                        }
                    }
                }
                out
            }
        })
        .collect();
    let parts = par::run_all(work);
    let mut out: Vec<Vec<Digest>> =
        jobs.iter().map(|_| Vec::with_capacity(layout.stripes)).collect();
    for part in parts {
        for (dst, src) in out.iter_mut().zip(part) {
            dst.extend(src);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn proofs_verify_for_every_size() {
        for n in 1..=20usize {
            let depth = (0..).find(|d| (1usize << d) >= n).unwrap();
            let leaves: Vec<Digest> = (0..n).map(|i| [i as u8; 32]).collect();
            let tree = Tree::build(leaves.clone(), depth);
            for (i, l) in leaves.iter().enumerate() {
                let p = tree.proof(i);
                assert_eq!(p.len(), depth);
                let flat: Vec<u8> = p.concat();
                assert_eq!(root_from_proof(*l, i, &flat), tree.root());
                if n > 1 {
                    assert_ne!(root_from_proof(*l, i ^ 1, &flat), tree.root());
                }
            }
        }
    }

    #[test]
    fn four_lane_digests_match_scalar() {
        for len in [0usize, 1, 7, 126, 127, 128, 167, 168, 169, 335, 336, 1000, 4096] {
            for count in 1..=9usize {
                let data: Vec<Vec<u8>> = (0..count)
                    .map(|i| (0..len).map(|t| (t * 7 + i * 13) as u8).collect())
                    .collect();
                let chunks: Vec<(usize, usize, &[u8])> = data
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (i + 3, 9 + i / 2, d.as_slice()))
                    .collect();
                let want: Vec<Digest> =
                    chunks.iter().map(|&(i, s, c)| chunk_digest(i, s, c)).collect();
                assert_eq!(chunk_digests(&chunks), want, "len {len}, count {count}");
            }
        }
        // Unequal lengths fall back to the scalar path.
        let chunks: Vec<(usize, usize, &[u8])> = vec![(0, 0, b"ab"), (1, 0, b"abc")];
        assert_eq!(
            chunk_digests(&chunks),
            vec![chunk_digest(0, 0, b"ab"), chunk_digest(1, 0, b"abc")]
        );
    }

    #[test]
    fn chunk_digest_is_framed_turboshake() {
        // Recompute by hand from the spec's framing.
        let mut msg = Vec::new();
        msg.extend_from_slice(&(TAG_CHUNK.len() as u32).to_be_bytes());
        msg.extend_from_slice(TAG_CHUNK.as_bytes());
        msg.extend_from_slice(&3u16.to_be_bytes());
        msg.extend_from_slice(&5u64.to_be_bytes());
        msg.extend_from_slice(&3u64.to_be_bytes());
        msg.extend_from_slice(b"abc");
        let mut h = TurboShake128::default();
        h.update(&msg);
        let mut want = [0u8; 32];
        h.finalize_xof_into(&mut want);
        assert_eq!(chunk_digest(3, 5, b"abc"), want);
        assert_ne!(chunk_digest(3, 5, b"abc"), chunk_digest(4, 5, b"abc"));
        assert_ne!(chunk_digest(3, 5, b"abc"), chunk_digest(3, 6, b"abc"));
    }
}
