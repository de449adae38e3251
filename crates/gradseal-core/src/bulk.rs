//! Digest of bulk data: ciphertexts, aggregates, envelopes, partial decryptions (see
//! `spec/core.md`, "Bulk digest").
//!
//! [`crate::hash`] runs SHA3-256 over its whole input, about 0.4 GB/s per core in portable
//! code, which made hashing the largest cost of a round. [`bulk_digest`] cuts the input into
//! 8 KiB chunks, hashes each with TurboSHAKE128 (12 rounds instead of 24) four at a time on
//! AVX2 (and on every core for inputs of 1 MiB or more), and binds the chunk digests, the tag
//! and the length with [`crate::hash`]:
//!
//! ```text
//! chunk_i = TurboSHAKE128( u32(len tag) ‖ tag ‖ u64(i) ‖ u64(len c_i) ‖ c_i , D = 0x1F, 32 bytes)
//! bulk_digest(tag, data) = hash("gradseal/v1/core/bulk", [tag, u64(len data), chunk_0 ‖ … ‖ chunk_{n-1}])
//! ```
//!
//! with `c_0 ‖ … ‖ c_{n-1} = data`, every chunk 8192 bytes but the last (`n = ⌈len/8192⌉`,
//! no chunk for empty data). Collision resistance reduces to TurboSHAKE128's and SHA3-256's.

use turboshake::TurboShake128;
use turboshake::digest::{ExtendableOutput, Update};

use crate::hash::hash;

/// Bytes per chunk.
pub const BULK_CHUNK: usize = 8192;
/// The tag of the final SHA3-256 node.
pub const TAG_BULK: &str = "gradseal/v1/core/bulk";
/// Inputs from this size on are split over the cores. Below it a helper thread costs more
/// than it saves: an 834 KB contribution hashed in 0.25 ms on two threads against 0.28 ms on
/// one, for 0.33 ms of CPU instead of 0.28 (thread start and join), and on a machine whose
/// cores are busy (clients and servers of a round sharing them) the second core is not free
/// anyway; from 2 MiB on two threads take 0.46 ms against 0.70.
const PAR_THRESHOLD: usize = 1 << 20;
/// Never more workers than this.
const MAX_WORKERS: usize = 8;

/// The digest of `data` under the domain tag `tag` (see the module docs).
///
/// ```
/// let a = gradseal_core::bulk_digest("gradseal/v1/doc/bulk", &[7u8; 100_000]);
/// let b = gradseal_core::bulk_digest("gradseal/v1/doc/other", &[7u8; 100_000]);
/// assert_ne!(a, b);
/// ```
pub fn bulk_digest(tag: &str, data: &[u8]) -> [u8; 32] {
    let chunks: Vec<&[u8]> = data.chunks(BULK_CHUNK).collect();
    let workers = if data.len() < PAR_THRESHOLD {
        1
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(MAX_WORKERS)
    };
    // Contiguous ranges, each a multiple of four chunks so the lanes stay full.
    let per = chunks.len().div_ceil(workers).next_multiple_of(4).max(4);
    let digests: Vec<[u8; 32]> = std::thread::scope(|scope| {
        let mut ranges = chunks.chunks(per).enumerate();
        let first = ranges.next();
        let handles: Vec<_> = ranges
            .map(|(w, range)| scope.spawn(move || chunk_digests(tag, w * per, range)))
            .collect();
        let mut out = first.map_or_else(Vec::new, |(_, range)| chunk_digests(tag, 0, range));
        for h in handles {
            out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    });
    let len = (data.len() as u64).to_be_bytes();
    hash(TAG_BULK, &[tag.as_bytes(), &len, digests.as_flattened()])
}

/// The framed prefix of chunk `index` of length `len`.
fn chunk_header(tag: &str, index: usize, len: usize) -> Vec<u8> {
    let mut h = Vec::with_capacity(4 + tag.len() + 16);
    h.extend_from_slice(&u32::try_from(tag.len()).unwrap_or(u32::MAX).to_be_bytes());
    h.extend_from_slice(tag.as_bytes());
    h.extend_from_slice(&(index as u64).to_be_bytes());
    h.extend_from_slice(&(len as u64).to_be_bytes());
    h
}

/// TurboSHAKE128 of one framed chunk (portable).
fn chunk_digest(tag: &str, index: usize, chunk: &[u8]) -> [u8; 32] {
    let mut h = TurboShake128::default();
    h.update(&chunk_header(tag, index, chunk.len()));
    h.update(chunk);
    let mut out = [0u8; 32];
    h.finalize_xof_into(&mut out);
    out
}

/// Digests of consecutive chunks numbered from `first`: four equal-length chunks at a
/// time on AVX2, the rest (and everything elsewhere) portably.
fn chunk_digests(tag: &str, first: usize, chunks: &[&[u8]]) -> Vec<[u8; 32]> {
    let mut out = Vec::with_capacity(chunks.len());
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = crate::keccak4::detect() {
        let mut groups = chunks.chunks_exact(4);
        for (g, group) in groups.by_ref().enumerate() {
            if let [a, b, c, d] = group
                && a.len() == d.len()
            {
                let i = first + 4 * g;
                let headers = [0, 1, 2, 3].map(|t| chunk_header(tag, i + t, a.len()));
                let [h0, h1, h2, h3] = &headers;
                let lanes = [(h0, a), (h1, b), (h2, c), (h3, d)].map(|(header, body)| {
                    crate::keccak4::Message { header: header.as_slice(), body }
                });
                out.extend(crate::keccak4::turboshake4(simd, lanes));
            } else {
                for (t, c) in group.iter().enumerate() {
                    out.push(chunk_digest(tag, first + 4 * g + t, c));
                }
            }
        }
        let done = out.len();
        for (t, c) in groups.remainder().iter().enumerate() {
            out.push(chunk_digest(tag, first + done + t, c));
        }
        return out;
    }
    out.extend(chunks.iter().enumerate().map(|(t, c)| chunk_digest(tag, first + t, c)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The construction, written out with the portable hash only.
    fn reference(tag: &str, data: &[u8]) -> [u8; 32] {
        let digests: Vec<[u8; 32]> =
            data.chunks(BULK_CHUNK).enumerate().map(|(i, c)| chunk_digest(tag, i, c)).collect();
        hash(
            TAG_BULK,
            &[tag.as_bytes(), &(data.len() as u64).to_be_bytes(), digests.as_flattened()],
        )
    }

    #[test]
    fn matches_the_portable_construction_at_every_shape() {
        let data: Vec<u8> = (0..(PAR_THRESHOLD + 5 * BULK_CHUNK + 77))
            .map(|i| u8::try_from((i * 31 + 7) % 256).unwrap())
            .collect();
        for len in [
            0,
            1,
            BULK_CHUNK - 1,
            BULK_CHUNK,
            BULK_CHUNK + 1,
            3 * BULK_CHUNK,
            4 * BULK_CHUNK,
            4 * BULK_CHUNK + 5,
            7 * BULK_CHUNK + 100,
            PAR_THRESHOLD + 3,
            data.len(),
        ] {
            let d = &data[..len];
            assert_eq!(
                bulk_digest("gradseal/v1/test/bulk", d),
                reference("gradseal/v1/test/bulk", d),
                "{len}"
            );
        }
    }

    #[test]
    fn chunk_framing_is_the_spec() {
        let mut msg = Vec::new();
        msg.extend_from_slice(&(9u32).to_be_bytes());
        msg.extend_from_slice(b"gradseal/");
        msg.extend_from_slice(&5u64.to_be_bytes());
        msg.extend_from_slice(&3u64.to_be_bytes());
        msg.extend_from_slice(b"abc");
        let mut h = TurboShake128::default();
        h.update(&msg);
        let mut want = [0u8; 32];
        h.finalize_xof_into(&mut want);
        assert_eq!(chunk_digest("gradseal/", 5, b"abc"), want);
    }

    #[test]
    fn tag_length_and_content_all_matter() {
        let a = bulk_digest("gradseal/v1/test/a", &[1; 20_000]);
        assert_ne!(a, bulk_digest("gradseal/v1/test/b", &[1; 20_000]));
        assert_ne!(a, bulk_digest("gradseal/v1/test/a", &[1; 20_001]));
        let mut v = vec![1u8; 20_000];
        v[19_999] = 2;
        assert_ne!(a, bulk_digest("gradseal/v1/test/a", &v));
        // Moving bytes between tag and data is framed away.
        assert_ne!(
            bulk_digest("gradseal/v1/test/ab", b"c"),
            bulk_digest("gradseal/v1/test/a", b"bc")
        );
    }
}
