//! Encoding: stripe, Reed-Solomon, hash, build the tree (`spec/shard.md`, "Encoding").

use crate::ShardError;
use crate::hashing::{self, Digest, Tree};
use crate::layout::{Layout, Params};
use crate::manifest::{Manifest, header_bytes};
use crate::par;
use crate::shard::Shard;
use reed_solomon_erasure::galois_8::ReedSolomon;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Coders kept for reuse: building one inverts a `k × k` matrix (about half the cost of
/// encoding 64 KiB at (32, 16)), and each keeps its own cache of decoding matrices.
const CODER_CACHE_MAX: usize = 64;

type CoderCache = Mutex<HashMap<(usize, usize), Arc<ReedSolomon>>>;

fn coder_cache() -> &'static CoderCache {
    static CACHE: OnceLock<CoderCache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The erasure coder for a layout; `None` when `m = 0` (nothing to compute).
pub(crate) fn coder(layout: &Layout) -> Result<Option<Arc<ReedSolomon>>, ShardError> {
    if layout.m == 0 {
        return Ok(None);
    }
    let key = (layout.k, layout.m);
    // A poisoned lock only means another thread panicked while holding it; the map is
    // still valid, so keep using it.
    let mut cache = coder_cache().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(rs) = cache.get(&key) {
        return Ok(Some(Arc::clone(rs)));
    }
    let rs = Arc::new(ReedSolomon::new(layout.k, layout.m).map_err(|_| ShardError::Coding)?);
    if cache.len() >= CODER_CACHE_MAX {
        cache.clear();
    }
    cache.insert(key, Arc::clone(&rs));
    Ok(Some(rs))
}

/// Splits `payload` into `k` data and `m` parity shards and authenticates them.
///
/// Returns the manifest (sign or bind [`Manifest::digest`]) and the `k + m` shards in
/// index order, each carrying its inclusion proof. Large payloads are processed on all
/// cores, each core taking a contiguous range of stripes.
///
/// Memory: the shards (`(k + m) · shard_size` bytes, about `(k + m) / k` times the payload)
/// plus 32 bytes per chunk for the digests; no other buffer grows with the payload.
///
/// # Errors
/// [`ShardError::PayloadTooLarge`] beyond [`crate::MAX_PAYLOAD_LEN`] or if a shard would
/// exceed [`crate::MAX_SHARD_SIZE`].
pub fn encode(params: &Params, payload: &[u8]) -> Result<(Manifest, Vec<Shard>), ShardError> {
    encode_reusing(params, payload, Vec::new())
}

/// As [`encode`], writing into the data buffers of shards from an earlier call. A sender
/// that shards one payload after another avoids faulting in fresh output memory each time
/// (on the 2-core test machine, page faults cost about a third of `encode`'s CPU time at
/// 64 MiB). Extra buffers are dropped, missing ones allocated.
///
/// # Errors
/// As [`encode`].
pub fn encode_reusing(
    params: &Params,
    payload: &[u8],
    recycled: Vec<Shard>,
) -> Result<(Manifest, Vec<Shard>), ShardError> {
    let layout = Layout::choose(params, payload.len())?;
    let mut bufs: Vec<Vec<u8>> =
        recycled.into_iter().take(layout.n()).map(Shard::into_data).collect();
    bufs.resize_with(layout.n(), Vec::new);
    encode_into(layout, payload, bufs)
}

/// Encodes `payload` (at most `stripes · k · C` bytes; only `layout.len` is recorded)
/// with a given layout. The vector generator uses it to build non-canonical padding.
#[cfg(feature = "vectors")]
pub(crate) fn encode_layout(
    layout: Layout,
    payload: &[u8],
) -> Result<(Manifest, Vec<Shard>), ShardError> {
    encode_into(layout, payload, (0..layout.n()).map(|_| Vec::new()).collect())
}

/// Encodes into `bufs` (one per shard, any previous content: every byte is overwritten).
fn encode_into(
    layout: Layout,
    payload: &[u8],
    mut bufs: Vec<Vec<u8>>,
) -> Result<(Manifest, Vec<Shard>), ShardError> {
    let rs = coder(&layout)?;
    for b in &mut bufs {
        if b.capacity() < layout.shard_size {
            // Fresh zeroed memory (calloc: no memset of pages the kernel zeroes anyway).
            *b = vec![0u8; layout.shard_size];
        } else {
            // A recycled buffer: every byte is overwritten by the encoder, so only the
            // length is adjusted.
            b.resize(layout.shard_size, 0);
            b.truncate(layout.shard_size);
        }
    }
    let digests = encode_stripes(&layout, rs.as_deref(), payload, &mut bufs)?;
    Ok(authenticate(layout, bufs, &digests))
}

/// Builds the tree over shards whose chunk digests are known, and the manifest.
pub(crate) fn authenticate(
    layout: Layout,
    bufs: Vec<Vec<u8>>,
    digests: &[Vec<Digest>],
) -> (Manifest, Vec<Shard>) {
    let header = header_bytes(&layout);
    let leaves: Vec<Digest> =
        digests.iter().enumerate().map(|(i, d)| hashing::leaf(&header, i, d)).collect();
    let tree = Tree::build(leaves, layout.depth());
    let manifest = Manifest::new(layout, tree.root());
    let shards = bufs
        .into_iter()
        .enumerate()
        .map(|(i, data)| Shard::new(u16::try_from(i).unwrap_or(u16::MAX), tree.proof(i), data))
        .collect();
    (manifest, shards)
}

/// Fills the shard buffers and returns, per shard, its chunk digests in stripe order.
fn encode_stripes(
    layout: &Layout,
    rs: Option<&ReedSolomon>,
    payload: &[u8],
    bufs: &mut [Vec<u8>],
) -> Result<Vec<Vec<Digest>>, ShardError> {
    let t = par::workers(layout.n() * layout.shard_size, layout.stripes);
    let ranges = par::ranges(layout.stripes, t);
    // Cut every shard buffer (`stripes · C` bytes) at the stripe ranges: worker w owns
    // parts[w][i].
    let mut parts: Vec<Vec<&mut [u8]>> =
        ranges.iter().map(|_| Vec::with_capacity(bufs.len())).collect();
    for buf in bufs.iter_mut() {
        let mut rest = buf.as_mut_slice();
        for (r, part) in ranges.iter().zip(parts.iter_mut()) {
            let (head, tail) =
                rest.split_at_mut_checked(r.len() * layout.stripe).ok_or(ShardError::Coding)?;
            part.push(head);
            rest = tail;
        }
    }
    let jobs: Vec<_> = parts
        .into_iter()
        .zip(&ranges)
        .map(|(part, r)| {
            let s0 = r.start;
            move || encode_range(layout, rs, payload, s0, part)
        })
        .collect();
    let mut out: Vec<Vec<Digest>> =
        (0..layout.n()).map(|_| Vec::with_capacity(layout.stripes)).collect();
    for part in par::run_all(jobs) {
        for (dst, src) in out.iter_mut().zip(part?) {
            dst.extend(src);
        }
    }
    Ok(out)
}

/// Encodes the stripes `s0 ..` held by `shards` (each a slice of whole stripes of one
/// shard), stripe by stripe so each stripe is hashed while it is still in cache.
fn encode_range(
    layout: &Layout,
    rs: Option<&ReedSolomon>,
    payload: &[u8],
    s0: usize,
    shards: Vec<&mut [u8]>,
) -> Result<Vec<Vec<Digest>>, ShardError> {
    let c = layout.stripe;
    let n = shards.len();
    let count = shards.first().map_or(0, |s| s.len() / c);
    let mut digests: Vec<Vec<Digest>> = shards.iter().map(|_| Vec::with_capacity(count)).collect();
    // Each shard's chunks, in stripe order.
    let mut columns: Vec<_> = shards.into_iter().map(|s| s.chunks_exact_mut(c)).collect();
    // Stripes are coded one by one and hashed in small batches that fill the four lanes
    // (a batch, at most 4 · n · C bytes, is still in cache).
    let batch = hashing::lane_batch(n);
    for first in (0..count).step_by(batch) {
        let last = count.min(first + batch);
        let mut chunks: Vec<(usize, usize, &[u8])> = Vec::with_capacity((last - first) * n);
        for local in first..last {
            // Chunk `local` of every shard: one stripe of the codeword.
            let mut stripe: Vec<&mut [u8]> = columns
                .iter_mut()
                .map(|col| col.next().ok_or(ShardError::Coding))
                .collect::<Result<_, _>>()?;
            code_stripe(layout, rs, payload, s0 + local, &mut stripe)?;
            chunks.extend(stripe.into_iter().enumerate().map(|(i, ch)| (i, s0 + local, &*ch)));
        }
        for (t, d) in hashing::chunk_digests(&chunks).into_iter().enumerate() {
            if let Some(dg) = digests.get_mut(t % n) {
                dg.push(d);
            }
        }
    }
    Ok(digests)
}

/// Copies stripe `s` of the payload into the data chunks of `stripe` (one `C`-byte chunk
/// per shard; zero padding) and computes its parity chunks.
fn code_stripe(
    layout: &Layout,
    rs: Option<&ReedSolomon>,
    payload: &[u8],
    s: usize,
    stripe: &mut [&mut [u8]],
) -> Result<(), ShardError> {
    let (c, k) = (layout.stripe, layout.k);
    let (data, parity) = stripe.split_at_mut_checked(k).ok_or(ShardError::Coding)?;
    for (j, d) in data.iter_mut().enumerate() {
        let start = (s * k + j) * c;
        let src = payload.get(start..payload.len().min(start + c)).unwrap_or(&[]);
        let (head, padding) = d.split_at_mut_checked(src.len()).ok_or(ShardError::Coding)?;
        head.copy_from_slice(src);
        // The padding (buffers may be recycled, so it is written explicitly).
        padding.fill(0);
    }
    if let Some(rs) = rs {
        rs.encode_sep(data, parity).map_err(|_| ShardError::Coding)?;
    }
    Ok(())
}
